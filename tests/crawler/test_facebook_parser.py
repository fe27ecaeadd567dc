"""Graph API parser against golden fixtures shaped like the documented v19 responses.

Each ``<name>.expected.json`` names its fixture and call; every field of every item is
compared on its own, so a failure says which field of which item changed.
"""

from __future__ import annotations

import importlib
import json
import unicodedata
from pathlib import Path

import pytest

from crawler.parsers import facebook as fb
from crawler.parsers.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "facebook"
CASES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


def run_case(folder: Path, name: str):
    expected = json.loads((folder / f"{name}.expected.json").read_text(encoding="utf-8"))
    call = expected["call"]
    parser = getattr(importlib.import_module(call["module"]), call["function"])
    body = (folder / call["fixture"]).read_bytes()
    return expected, lambda: parser(body, call["url"], **call.get("kwargs", {}))


def check_page(name: str, page, expected: dict) -> None:
    items = [i.as_dict() for i in page.items]
    assert len(items) == len(expected["items"]), f"{name}: number of items"
    for n, (got, want) in enumerate(zip(items, expected["items"])):
        for field, value in want.items():
            assert got[field] == value, f"{name}: item {n} field {field}"
    assert page.next_url == expected["next_url"], f"{name}: next_url"
    assert [vars(s) for s in page.skips] == expected["skips"], f"{name}: skips"
    for key, value in expected.items():
        if key not in ("call", "items", "next_url", "skips"):
            assert [list(v) if isinstance(v, tuple) else v for v in getattr(page, key)] == value, f"{name}: {key}"


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    expected, call = run_case(FIXTURES, name)
    if "error" in expected:
        with pytest.raises((fb.GraphError, ParseError)) as info:
            call()
        assert type(info.value).__name__ == expected["error"]["type"]
        assert getattr(info.value, "kind", None) == expected["error"]["kind"]
        assert getattr(info.value, "stop_source", None) == expected["error"]["stop_source"]
        return
    check_page(name, call(), expected)


def test_every_fixture_has_its_golden_pair():
    fixtures = {p.name for p in FIXTURES.glob("*.json") if not p.name.endswith(".expected.json")}
    used = {json.loads(p.read_text(encoding="utf-8"))["call"]["fixture"] for p in FIXTURES.glob("*.expected.json")}
    assert fixtures == used


def test_decomposed_vietnamese_comes_out_nfc():
    raw = (FIXTURES / "comments_post11.json").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", raw) != raw  # the fixture really is decomposed
    page = fb.parse_comments(raw, "u", "https://facebook.com/1/posts/2")
    assert all(unicodedata.is_normalized("NFC", i.text) for i in page.items)


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-11-14T08:30:00+0000", "2024-11-14T08:30:00+00:00"),
        ("2024-11-14T15:30:00+0700", "2024-11-14T15:30:00+07:00"),
        ("2024-11-14T08:30:00Z", "2024-11-14T08:30:00+00:00"),
        ("not a date", None),
        (None, None),
    ],
)
def test_created_time(value, iso):
    parsed = fb.parse_time(value)
    assert (parsed.isoformat() if parsed else None) == iso


@pytest.mark.parametrize(
    ("code", "kind", "stop"),
    [(190, "facebook_auth", True), (102, "facebook_auth", True), (4, "facebook_rate_limit", True),
     (17, "facebook_rate_limit", True), (32, "facebook_rate_limit", True), (613, "facebook_rate_limit", True),
     (80001, "facebook_rate_limit", True), (10, "facebook_permission", False), (200, "facebook_permission", False),
     (100, "facebook_api_error", False)],
)
def test_error_codes(code, kind, stop):
    err = fb.classify_error({"message": "m", "type": "OAuthException", "code": code})
    assert (err.kind, err.stop_source) == (kind, stop)


def test_server_error_without_json_is_an_http_error():
    with pytest.raises(fb.GraphError) as info:
        fb.parse_posts(b"<html>500</html>", "u", status=500)
    assert info.value.kind == "http_500" and not info.value.stop_source


def test_junk_with_200_is_a_parse_error():
    with pytest.raises(ParseError) as info:
        fb.parse_posts(b"<html>login</html>", "u", status=200)
    assert info.value.reason == "facebook_bad_json"


def test_request_urls_follow_the_documented_shape():
    url = fb.posts_url("https://graph.facebook.com/v19.0", "123", "TOK", limit=10, since=1700000000)
    assert url.startswith("https://graph.facebook.com/v19.0/123/posts?fields=id%2Cmessage%2Ccreated_time")
    assert "reactions.summary%28total_count%29.limit%280%29" in url and url.endswith("since=1700000000&access_token=TOK")
    c = fb.comments_url("https://graph.facebook.com/v19.0/", "123_456", "TOK")
    assert c == ("https://graph.facebook.com/v19.0/123_456/comments?fields=id%2Cmessage%2Ccreated_time%2Clike_count"
                 "%2Ccomment_count%2Cfrom&filter=toplevel&limit=100&access_token=TOK")
