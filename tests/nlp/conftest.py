"""Fixtures for the NLP tests: tiny data and a tiny fitted pipeline."""

from __future__ import annotations

import pytest
from nlp_testdata import FAST, make_data


@pytest.fixture(scope="session")
def tiny_data() -> tuple[list[str], list[str]]:
    return make_data()


@pytest.fixture(scope="session")
def tiny_pipeline(tiny_data):
    from nlp.pipeline import build_pipeline

    texts, labels = tiny_data
    return build_pipeline(FAST).fit(texts, labels)
