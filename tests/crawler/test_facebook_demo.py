"""The demo Page rendered as Graph API responses, served by the replay server, read back
with the real parsers over HTTP: every post, comment and reply comes back, dated right."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.demo_graph import PAGE_ID, graph_truth, load_posts, render_graph
from crawler.parsers import facebook as fb
from crawler.replay import ReplayServer

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "facebook" / "demo_sample.jsonl"
TODAY = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)  # 15:00 in Vietnam


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - 127.0.0.1 only
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def walk_comments(api_base: str, object_id: str, post_url: str, parent: str | None = None) -> list:
    items, url = [], fb.comments_url(api_base, object_id, "demo-token")
    while url:
        status, body = fetch(url)
        page = fb.parse_comments(body, url, post_url, source="demo", parent_comment_id=parent, status=status)
        items += page.items
        for graph_id, _ in page.with_replies:
            items += walk_comments(api_base, graph_id, post_url, graph_id)
        url = page.next_url
    return items


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "_routes.json").write_text(json.dumps({"/news/rss.xml": {"file": "news/rss.xml"}}), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = render_graph(load_posts(SAMPLE), site / "graph", base, TODAY)
    with ReplayServer(site, port=port):  # the server reads _routes.json when it starts
        yield site, config, base


def test_render_returns_the_demo_source(served):
    site, config, base = served
    assert config["name"] == "demo-facebook" and config["kind"] == "facebook_graph"
    assert config["page_ids"] == [PAGE_ID] and config["filter"] == "none"
    assert config["api_base"] == f"{base}/graph/v19.0"
    routes = json.loads((site / "_routes.json").read_text(encoding="utf-8"))
    assert routes["/news/rss.xml"] == {"file": "news/rss.xml"}  # others' routes kept


def test_every_post_comment_and_reply_reads_back(served):
    site, config, base = served
    api_base = config["api_base"]
    posts, url, pages = [], fb.posts_url(api_base, PAGE_ID, "demo-token", limit=10), 0
    while url:
        status, body = fetch(url)
        page = fb.parse_posts(body, url, source="demo", page_id=PAGE_ID, status=status)
        posts += page.items
        pages += 1
        url = page.next_url
    assert pages == 2 and len(posts) == 12
    assert len({p.url for p in posts}) == 12
    dates = [p.published_at for p in posts]
    assert dates == sorted(dates, reverse=True)  # newest first, like Graph

    first = next(p for p in posts if p.text.startswith("Bài 1:"))
    assert first.engagement.likes == 10 and first.engagement.shares == 1 and first.engagement.comments == 4
    local = first.published_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-11-27", 8, 7)

    comments = walk_comments(api_base, first.external_id, first.url)
    assert len(comments) == 4
    by_text = {c.text: c for c in comments}
    question = by_text["Cho hỏi lương tối thiểu vùng năm nay tăng bao nhiêu ạ?"]
    answer = by_text["Chào bạn, mức tăng là 6% từ 1/7."]
    assert question.parent_url == first.url and answer.parent_url == question.url
    assert question.author == "Lò Thị Mai" and by_text["Toàn nói suông, công nhân vẫn khổ"].author is None
    assert answer.published_at > question.published_at

    second = next(p for p in posts if p.text.startswith("Bài 2:"))
    many = walk_comments(api_base, second.external_id, second.url)
    assert len(many) == 27 and len({c.url for c in many}) == 27  # 25 + 2 over two comment pages


def test_dates_never_lie_in_the_future(tmp_path):
    rows = [{"id": "1", "message": "Tin mới", "days_ago": 0, "time": "23:59"}]
    render_graph(rows, tmp_path / "graph", "http://127.0.0.1:1", TODAY)
    data = json.loads((tmp_path / "graph" / "v19.0" / PAGE_ID / "posts" / "index.html").read_text(encoding="utf-8"))
    assert fb.parse_time(data["data"][0]["created_time"]) < TODAY


def test_pages_are_found_without_routes(tmp_path):
    """The replay server reads _routes.json at start; the demo renders after: paths alone must do."""
    site = tmp_path / "site"
    site.mkdir()
    with ReplayServer(site) as server:
        config = render_graph(load_posts(SAMPLE), site / "graph", server.base_url, TODAY)
        url, n = fb.posts_url(config["api_base"], PAGE_ID, "any-token", limit=10), 0
        while url:
            status, body = fetch(url)
            page = fb.parse_posts(body, url, page_id=PAGE_ID, status=status)
            n += len(page.items)
            url = page.next_url
        assert n == 12
        status, body = fetch(fb.comments_url(config["api_base"], f"{PAGE_ID}_210000000000002", "t"))
        assert status == 200 and len(fb.parse_comments(body, "u", "p").items) == 25


def test_truth_uses_the_urls_the_parser_gives(served):
    site, config, base = served
    truth = graph_truth(load_posts(SAMPLE))
    first = f"https://facebook.com/{PAGE_ID}/posts/210000000000001"
    crawled = walk_comments(config["api_base"], f"{PAGE_ID}_210000000000001", first)
    assert {c.url for c in crawled} <= set(truth)
    assert truth[first]["kind"] == "post"
    labels = {truth[c.url]["label"] for c in crawled}
    assert labels == {"grievance", "neutral", "criticism"}
    assert len(truth) == 12 + 4 + 27


def test_deeper_replies_are_flattened_like_facebook(tmp_path):
    rows = [{"id": "1", "message": "m", "days_ago": 1, "comments": [
        {"id": "11", "text": "a", "replies": [{"id": "12", "text": "b", "replies": [{"id": "13", "text": "c"}]}]}]}]
    site = tmp_path / "site"
    site.mkdir()
    with ReplayServer(site) as server:
        config = render_graph(rows, site / "graph", server.base_url, TODAY)
        post_url = f"https://facebook.com/{PAGE_ID}/posts/1"
        items = walk_comments(config["api_base"], f"{PAGE_ID}_1", post_url)
    assert sorted(i.text for i in items) == ["a", "b", "c"]
    top = next(i for i in items if i.text == "a")
    assert {i.parent_url for i in items if i.text != "a"} == {top.url}
    assert {i.url for i in items} == set(graph_truth(rows)) - {post_url}


def test_the_shipped_demo_content_reads_back_completely(tmp_path):
    from langnghe.settings import PROJECT_ROOT

    content = PROJECT_ROOT / "data" / "demo" / "content" / "facebook.jsonl"
    if not content.exists():
        pytest.skip("data/demo/content/facebook.jsonl is not there yet")
    rows = load_posts(content)
    site = tmp_path / "site"
    site.mkdir()
    with ReplayServer(site) as server:
        config = render_graph(rows, site / "graph", server.base_url, datetime.now(timezone.utc))
        posts, url = [], fb.posts_url(config["api_base"], PAGE_ID, "t", limit=10)
        while url:
            status, body = fetch(url)
            page = fb.parse_posts(body, url, page_id=PAGE_ID, status=status)
            posts += page.items
            url = page.next_url
        comments = [c for p in posts for c in walk_comments(config["api_base"], p.external_id, p.url)]
    truth = graph_truth(rows)
    assert len(posts) == len(rows)
    assert {p.url for p in posts} | {c.url for c in comments} == set(truth)
