"""Sitemap parser: sitemaps.org urlsets and indexes, Google News tags, gzip, robots.txt, since."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.parsers import sitemap as sm
from crawler.parsers.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sitemap"
CASES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


def entry_dict(e: sm.SitemapEntry) -> dict:
    return {"url": e.url, "lastmod": e.lastmod.isoformat() if e.lastmod else None,
            "published_at": e.published_at.isoformat() if e.published_at else None, "title": e.title}


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    call = expected["call"]
    kwargs = dict(call.get("kwargs", {}))
    if "since" in kwargs:
        kwargs["since"] = sm.parse_since(kwargs["since"])
    body = (FIXTURES / call["fixture"]).read_bytes()
    if "error" in expected:
        with pytest.raises(ParseError) as info:
            sm.parse_sitemap(body, call["url"], **kwargs)
        assert info.value.reason == expected["error"]["kind"]
        return
    page = sm.parse_sitemap(body, call["url"], **kwargs)
    for key in ("entries", "sitemaps"):
        got = [entry_dict(e) for e in getattr(page, key)]
        assert len(got) == len(expected[key]), f"{name}: number of {key}"
        for n, (g, w) in enumerate(zip(got, expected[key])):
            for field, value in w.items():
                assert g[field] == value, f"{name}: {key} {n} field {field}"
    assert page.too_old == expected["too_old"], f"{name}: too_old"


def test_every_fixture_has_its_golden_pair():
    fixtures = {p.name for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json")}
    used = {json.loads(p.read_text(encoding="utf-8"))["call"]["fixture"] for p in FIXTURES.glob("*.expected.json")}
    assert fixtures == used


NOW = datetime(2024, 11, 14, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7 days", NOW - timedelta(days=7)), ("3d", NOW - timedelta(days=3)), ("2 ngày", NOW - timedelta(days=2)),
     (5, NOW - timedelta(days=5)), ("", None), (None, None)],
)
def test_since_relative(value, expected):
    assert sm.parse_since(value, NOW) == expected


def test_since_date_is_vietnam_midnight():
    assert sm.parse_since("2024-11-01", NOW).isoformat() == "2024-11-01T00:00:00+07:00"


@pytest.mark.parametrize("bad", ["last week", "7 weeks", True])
def test_since_junk_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="since"):
        sm.parse_since(bad, NOW)


def test_gzip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(sm, "MAX_SITEMAP_BYTES", 1024 * 1024)
    bomb = gzip.compress(b"<urlset>" + b" " * (2 * 1024 * 1024) + b"</urlset>")
    with pytest.raises(ParseError) as info:
        sm.parse_sitemap(bomb, "https://x/s.xml.gz")
    assert info.value.reason == "sitemap_too_large"


def test_entities_are_not_expanded():
    xml = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.vn/&x;</loc></url></urlset>')
    page = sm.parse_sitemap(xml, "https://a.vn/s.xml")
    assert all("root:" not in e.url for e in page.entries)
