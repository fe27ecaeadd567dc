"""Golden tests: news pages from other countries' CMSes -> title, date, author, body, language.

Markup written for these tests after patterns common abroad: JSON-LD ``@graph`` with the
author as an ``@id`` reference, JSON-LD lists without an article, OpenGraph
``article:published_time``, ``<time pubdate>``, microdata ``itemprop=datePublished`` on a
span, ``DC.Date``, ``parsely-pub-date``, ``sailthru.date``, a text-only English date; a
logo in an ``<h1>``, cookie banners, paywall teasers and "read also" boxes in the body.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from crawler.parsers import article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "news_foreign"
PAGES = sorted(p.stem for p in FIXTURES.glob("*.html"))
FIELDS = ["title", "published_at", "author", "lang", "body_contains", "body_excludes"]
_cache: dict[str, article.CrawledItem] = {}


def _expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))


def _parsed(name: str):
    if name not in _cache:
        _cache[name] = article.parse((FIXTURES / f"{name}.html").read_bytes(), _expected(name)["url"], source="golden")
    return _cache[name]


def test_there_are_enough_foreign_markups():
    assert len(PAGES) >= 6
    assert {name.split("_")[0] for name in PAGES} >= {"en", "fr", "es", "de", "zh", "ar", "ru"}


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", PAGES)
def test_foreign_article_field(name: str, field: str):
    exp, item = _expected(name), _parsed(name)
    if field == "title":
        assert item.title == exp["title"]
    elif field == "published_at":
        got = item.published_at
        assert got == datetime.fromisoformat(exp["published_at"]), got
        assert got.utcoffset() == datetime.fromisoformat(exp["published_at"]).utcoffset()
    elif field == "author":
        assert item.author == exp["author"]
    elif field == "lang":
        assert item.lang == exp["lang"]
    elif field == "body_contains":
        missing = [s for s in exp["body_contains"] if s not in item.text]
        assert not missing, f"missing {missing} in {item.text[:400]!r}"
    else:
        present = [s for s in exp["body_excludes"] if s in item.text]
        assert not present, f"boilerplate {present} in body {item.text[:600]!r}"


@pytest.mark.parametrize("value,iso", [
    ("2024-11-09 14:30:00 +0500", "2024-11-09T14:30:00+05:00"),
    ("Thu, 14 Nov 2024 08:30:00 GMT", "2024-11-14T08:30:00+00:00"),
    ("2024-11-14T08:30:00.000Z", "2024-11-14T08:30:00+00:00"),
    ("20241114T083000+0100", "2024-11-14T08:30:00+01:00"),
])
def test_machine_dates_in_the_shapes_cmses_print_them(value, iso):
    from crawler.parsers.dates import parse_any

    assert parse_any(value) == datetime.fromisoformat(iso)


@pytest.mark.parametrize("text,lang,iso", [
    ("Published November 14, 2024 at 8:30 a.m. UTC", "en", "2024-11-14T08:30:00+00:00"),
    ("14 novembre 2024 à 09h15", "fr", "2024-11-14T09:15:00+07:00"),
    ("13 de noviembre de 2024, 18:45", "es", "2024-11-13T18:45:00+07:00"),
    ("12. November 2024, 07:00 Uhr", "de", "2024-11-12T07:00:00+07:00"),
    ("2024年11月11日 10:20", "zh", "2024-11-11T10:20:00+07:00"),
    ("9 ноября 2024, 14:30", "ru", "2024-11-09T14:30:00+07:00"),
    ("10 نوفمبر 2024", "ar", "2024-11-10T00:00:00+07:00"),
])
def test_dates_written_out_in_other_languages(text, lang, iso):
    """Without a zone on the page, times are taken as Vietnam time (documented)."""
    from crawler.parsers.dates import parse_text

    assert parse_text(text, lang=lang) == datetime.fromisoformat(iso)


def test_vietnamese_pages_keep_lang_vi():
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "news"
    page = fixtures / "07_table_layout.html"  # no lang attribute at all
    url = json.loads((fixtures / "07_table_layout.expected.json").read_text(encoding="utf-8"))["url"]
    assert article.parse(page.read_bytes(), url).lang == "vi"
