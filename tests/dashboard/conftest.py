"""A dashboard over a real SQLite store filled with :mod:`tests.triage.scene`.

The app reads its settings from the environment (``LANGNGHE_HOME``...), as when it is
started by ``langnghe dashboard``; the shipped models are copied to a temporary folder
so promoting or rolling back in a test never touches the repository's models.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from langnghe.settings import PROJECT_ROOT, Settings
from tests.triage import scene as sc
from triage.migrate import upgrade
from triage.workflow import Actor

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
ROLE_USER = {"viewer": "xem", "analyst": "an", "admin": "quan"}


@dataclass
class Dash:
    settings: Settings
    scene: sc.Scene

    def actor(self, name: str) -> Actor:
        role = {"an": "analyst", "binh": "analyst", "xem": "viewer", "quan": "admin"}[name]
        return Actor(self.scene.users[name], name, role)

    def app(self, role: str | None = None, name: str | None = None, page: str | None = None,
            card: str | None = None, lang: str | None = None) -> AppTest:
        """An AppTest signed in as ``role`` (or ``name``), optionally on a page and card."""
        at = AppTest.from_file(APP, default_timeout=30)
        if role or name:
            name = name or ROLE_USER[role]
            at.session_state["user"] = self.actor(name)
        if card:
            at.session_state["card_id"] = self.scene.cards[card]
        if lang:
            at.session_state["lang"] = lang
        at.run()
        if page:
            at.switch_page(f"views/{page}.py").run()
        return at


@pytest.fixture
def dash(settings, tmp_path, monkeypatch) -> Dash:
    models = tmp_path / "models"
    shutil.copytree(PROJECT_ROOT / "models", models)
    monkeypatch.setenv("LANGNGHE_HOME", str(settings.home))
    monkeypatch.setenv("LANGNGHE_PSEUDONYM_SECRET", "test-secret")
    monkeypatch.setenv("LANGNGHE_MODELS_DIR", str(models))
    settings = settings.replace(models_dir=models)
    upgrade(settings)
    scene = sc.build(settings)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield Dash(settings, scene)
    st.cache_data.clear()
    st.cache_resource.clear()


def texts(at: AppTest) -> str:
    """Everything written on the page (markdown, captions, alerts, metrics), joined."""
    parts = []
    for kind in ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error", "success", "text"):
        parts.extend(str(getattr(el, "value", "")) for el in getattr(at, kind))
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    parts.extend(str(e.label) for e in at.expander)
    return "\n".join(parts)


def button_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}
