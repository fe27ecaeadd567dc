"""Golden tests for feeds, comment systems and XenForo pages: one test per field."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from crawler.parsers import comments, rss, xenforo
from crawler.parsers.errors import ParseError

FIX = Path(__file__).resolve().parents[1] / "fixtures"


def _load(rel: str) -> dict:
    return json.loads((FIX / rel).read_text(encoding="utf-8"))


def _dt(value):
    return datetime.fromisoformat(value) if value else None


# --- feeds -------------------------------------------------------------------------------------
FEEDS = ["news/feeds/rss2", "news/feeds/atom", "news/feeds/aggregator_search"]
FEED_FIELDS = ["url", "title", "summary", "published_at", "publisher"]


@pytest.mark.parametrize("field", FEED_FIELDS)
@pytest.mark.parametrize("name", FEEDS)
def test_feed_field(name, field):
    exp = _load(f"{name}.expected.json")
    entries = rss.parse((FIX / f"{name}.xml").read_bytes(), exp["url"])
    assert len(entries) == len(exp["records"])
    for entry, want in zip(entries, exp["records"]):
        if field not in want:
            continue
        got = getattr(entry, field)
        assert got == (_dt(want[field]) if field == "published_at" else want[field]), f"{name}: {field}"


@pytest.mark.parametrize("body", [b"", b"<html><body>not a feed</body></html>", b"{\"a\": 1}"])
def test_not_a_feed_is_a_parse_error(body):
    with pytest.raises(ParseError):
        rss.parse(body, "https://x.example/feed")


# --- comments -------------------------------------------------------------------------------------
COMMENT_FIXTURES = [("comments/server_rendered", ".html"), ("comments/json_api", ".json")]
COMMENT_FIELDS = ["url", "external_id", "author", "text", "published_at", "likes", "reply_to"]


def _comment_value(item, field):
    if field == "likes":
        return item.engagement.likes
    if field == "reply_to":
        return item.extra.get("reply_to")
    return getattr(item, field)


@pytest.mark.parametrize("field", COMMENT_FIELDS + ["next_url", "total", "parent_url", "kind"])
@pytest.mark.parametrize("name,ext", COMMENT_FIXTURES)
def test_comment_field(name, ext, field):
    exp = _load(f"{name}.expected.json")
    page = comments.parse((FIX / f"{name}{ext}").read_bytes(), exp["url"], source="t", article_url=exp["url"])
    if field in ("next_url", "total"):
        assert getattr(page, field) == exp[field]
        return
    assert len(page.comments) == len(exp["records"])
    for item, want in zip(page.comments, exp["records"]):
        if field == "parent_url":
            assert item.parent_url == exp["url"]
        elif field == "kind":
            assert item.kind == "comment"
        else:
            expected = _dt(want[field]) if field == "published_at" else want[field]
            assert _comment_value(item, field) == expected, f"{name}: {field} of {want['url']}"


def test_comment_api_error_is_a_parse_error():
    with pytest.raises(ParseError) as info:
        comments.parse((FIX / "comments/json_api_error.json").read_bytes(), "https://x.example/a.html")
    assert info.value.reason == "api_error"


def test_page_without_comment_box_has_no_comments():
    page = comments.parse_html("<html><body><p>Không có bình luận</p></body></html>", "https://x.example/a.html")
    assert page.comments == [] and page.next_url is None


def test_comment_url_has_no_fragment_and_keeps_query_sorted():
    assert comments.comment_url("https://x.example/a.html?b=2#top", "7") == "https://x.example/a.html?b=2&comment_id=7"


# --- XenForo -----------------------------------------------------------------------------------------
FORUM_PAGES = ["forum/listing", "forum/search"]
THREAD_FIELDS = ["url", "title", "author", "published_at", "replies", "views"]


@pytest.mark.parametrize("field", THREAD_FIELDS + ["kind", "next_url"])
@pytest.mark.parametrize("name", FORUM_PAGES)
def test_forum_listing_field(name, field):
    exp = _load(f"{name}.expected.json")
    page = xenforo.parse((FIX / f"{name}.html").read_bytes(), exp["url"])
    if field in ("kind", "next_url"):
        assert getattr(page, field) == exp[field]
        return
    assert len(page.threads) == len(exp["threads"])
    for thread, want in zip(page.threads, exp["threads"]):
        expected = _dt(want[field]) if field == "published_at" else want[field]
        assert getattr(thread, field) == expected, f"{name}: {field}"


POST_FIELDS = ["url", "kind", "external_id", "parent_url", "author", "text", "published_at", "likes"]


@pytest.mark.parametrize("field", POST_FIELDS + ["title", "next_url"])
def test_forum_thread_field(field):
    exp = _load("forum/thread.expected.json")
    page = xenforo.parse((FIX / "forum/thread.html").read_bytes(), exp["url"], source="t")
    if field in ("title", "next_url"):
        assert getattr(page, field) == exp[field]
        return
    assert len(page.posts) == len(exp["records"])
    for post, want in zip(page.posts, exp["records"]):
        got = post.engagement.likes if field == "likes" else getattr(post, field)
        expected = _dt(want[field]) if field == "published_at" else want[field]
        assert got == expected, f"{field} of {want['url']}"


def test_thread_title_goes_on_the_first_post_and_quotes_are_recorded():
    exp = _load("forum/thread.expected.json")
    page = xenforo.parse((FIX / "forum/thread.html").read_bytes(), exp["url"])
    assert page.posts[0].title == exp["title"]
    assert page.posts[1].extra["quotes"] == [exp["url"] + "post-88001"]


def test_thread_page_two_has_only_replies():
    exp = _load("forum/thread.expected.json")
    page = xenforo.parse((FIX / "forum/thread.html").read_bytes(), exp["url"] + "page-2")
    assert [p.kind for p in page.posts] == ["comment", "comment"]
    assert all(p.parent_url == exp["url"] for p in page.posts)


def test_not_a_forum_page_is_a_parse_error():
    with pytest.raises(ParseError):
        xenforo.parse("<html><body><p>hello</p></body></html>", "https://x.example/")


def test_thread_url_strips_page_and_post_suffixes():
    assert xenforo.thread_url("https://f.example/threads/a-b.12/page-3") == "https://f.example/threads/a-b.12/"
    assert xenforo.thread_url("https://f.example/threads/a-b.12/post-99") == "https://f.example/threads/a-b.12/"
