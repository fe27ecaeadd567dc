"""YouTube Data API v3 parser against golden fixtures shaped like the documented responses."""

from __future__ import annotations

import importlib
import json
import unicodedata
from pathlib import Path

import pytest

from crawler.parsers import youtube as yt
from crawler.parsers.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "youtube"
CASES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


def load_case(name: str):
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    call = expected["call"]
    parser = getattr(importlib.import_module(call["module"]), call["function"])
    body = (FIXTURES / call["fixture"]).read_bytes()
    return expected, lambda: parser(body, call["url"], **call.get("kwargs", {}))


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    expected, call = load_case(name)
    if "error" in expected:
        with pytest.raises((yt.YouTubeError, ParseError)) as info:
            call()
        assert type(info.value).__name__ == expected["error"]["type"]
        assert getattr(info.value, "kind", None) == expected["error"]["kind"]
        assert getattr(info.value, "stop_source", None) == expected["error"]["stop_source"]
        return
    page = call()
    items = [i.as_dict() for i in page.items]
    assert len(items) == len(expected["items"]), f"{name}: number of items"
    for n, (got, want) in enumerate(zip(items, expected["items"])):
        for field, value in want.items():
            assert got[field] == value, f"{name}: item {n} field {field}"
    assert page.next_url == expected["next_url"], f"{name}: next_url"
    assert [vars(s) for s in page.skips] == expected["skips"], f"{name}: skips"
    assert page.video_ids == expected["video_ids"], f"{name}: video_ids"
    assert [list(p) for p in page.more_replies] == expected["more_replies"], f"{name}: more_replies"


def test_every_fixture_has_its_golden_pair():
    fixtures = {p.name for p in FIXTURES.glob("*.json") if not p.name.endswith(".expected.json")}
    used = {json.loads(p.read_text(encoding="utf-8"))["call"]["fixture"] for p in FIXTURES.glob("*.expected.json")}
    assert fixtures == used


def test_description_comes_out_nfc():
    raw = (FIXTURES / "videos.json").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", raw) != raw
    page = yt.parse_videos(raw, "u", source="s")
    assert page.items[0].text.startswith("Chiều 14/11, Liên đoàn Lao động tỉnh Lai Châu")
    assert unicodedata.is_normalized("NFC", page.items[0].text)


def test_page_token_replaces_an_old_one():
    url = yt.with_page_token("https://x/youtube/v3/search?q=a&pageToken=OLD&key=K", "NEW")
    assert url == "https://x/youtube/v3/search?q=a&key=K&pageToken=NEW"


def test_request_urls_follow_the_documented_shape():
    from datetime import datetime, timezone

    s = yt.search_url("https://www.googleapis.com/youtube/v3", "K", "công đoàn",
                      published_after=datetime(2024, 11, 1, 7, 0, tzinfo=timezone.utc))
    assert s == ("https://www.googleapis.com/youtube/v3/search?part=snippet&q=c%C3%B4ng+%C4%91o%C3%A0n&type=video"
                 "&order=date&maxResults=50&publishedAfter=2024-11-01T07%3A00%3A00Z&key=K")
    t = yt.threads_url("https://www.googleapis.com/youtube/v3", "K", "vid")
    assert t == ("https://www.googleapis.com/youtube/v3/commentThreads?part=snippet%2Creplies&videoId=vid"
                 "&maxResults=100&textFormat=plainText&key=K")
    assert yt.videos_url("B", "K", ["a", "b"]) == "B/videos?part=snippet%2Cstatistics&id=a%2Cb&key=K"


@pytest.mark.parametrize(
    ("reason", "kind", "stop"),
    [("quotaExceeded", "youtube_quota", True), ("rateLimitExceeded", "youtube_quota", True),
     ("keyInvalid", "youtube_auth", True), ("forbidden", "youtube_auth", True),
     ("commentsDisabled", "youtube_comments_disabled", False), ("videoNotFound", "youtube_not_found", False),
     ("backendError", "youtube_api_error", False)],
)
def test_error_reasons(reason, kind, stop):
    err = yt.classify_error({"code": 403, "message": "m", "errors": [{"reason": reason, "domain": "d", "message": "m"}]})
    assert (err.kind, err.stop_source) == (kind, stop)


def test_server_error_without_json():
    with pytest.raises(yt.YouTubeError) as info:
        yt.parse_search(b"Service Unavailable", "u", status=503)
    assert info.value.kind == "http_503"
