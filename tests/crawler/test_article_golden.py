"""Golden tests: ten Vietnamese news pages of different markups -> title, date, author, body."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from crawler.parsers import article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "news"
PAGES = sorted(p.stem for p in FIXTURES.glob("*.html"))
FIELDS = ["title", "published_at", "author", "body_contains", "body_excludes"]


def _expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))


_cache: dict[str, article.CrawledItem] = {}


def _parsed(name: str):
    if name not in _cache:
        html = (FIXTURES / f"{name}.html").read_bytes()
        _cache[name] = article.parse(html, _expected(name)["url"], source="golden")
    return _cache[name]


def _field_ok(name: str, field: str) -> tuple[bool, str]:
    exp, item = _expected(name), _parsed(name)
    if field == "title":
        return item.title == exp["title"], item.title
    if field == "published_at":
        want = datetime.fromisoformat(exp["published_at"]) if exp["published_at"] else None
        return item.published_at == want, str(item.published_at)
    if field == "author":
        return (item.author or None) == exp["author"], str(item.author)
    if field == "body_contains":
        missing = [s for s in exp["body_contains"] if s not in item.text]
        return not missing, f"missing {missing} in {item.text[:300]!r}"
    if field == "body_excludes":
        present = [s for s in exp["body_excludes"] if s in item.text]
        return not present, f"boilerplate {present} in body"
    raise AssertionError(field)


def test_there_are_ten_markups():
    assert len(PAGES) >= 10


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", PAGES)
def test_article_field(name: str, field: str):
    ok, got = _field_ok(name, field)
    assert ok, f"{name}: {field} wrong, got {got}"


def test_title_body_and_date_right_on_nine_of_ten():
    good = [n for n in PAGES if all(_field_ok(n, f)[0] for f in ("title", "published_at", "body_contains", "body_excludes"))]
    assert len(good) >= 9, f"only {len(good)} of {len(PAGES)} right: {sorted(set(PAGES) - set(good))}"


def test_text_is_nfc_even_from_decomposed_pages():
    import unicodedata

    item = _parsed("08_wordy_date_nfd")
    assert unicodedata.is_normalized("NFC", item.text) and unicodedata.is_normalized("NFC", item.title)


def test_page_without_article_raises_parse_error():
    with pytest.raises(article.ParseError):
        article.parse("<html><body><nav>menu</nav></body></html>", "https://x.example/")
    with pytest.raises(article.ParseError):
        article.parse(b"", "https://x.example/")
