"""Facebook Graph spider end to end: replay server on 127.0.0.1 -> `langnghe crawl` -> real DB.

One crawl process reads four Pages at once (healthy, expired token, rate-limited on
page 2, server error), so each failure kind is checked against its own crawl-run row.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w
from sqlalchemy import select

from crawler.demo_graph import load_posts, render_graph
from crawler.replay import ReplayServer
from langnghe.settings import subprocess_env
from triage import migrate
from triage.db import session_scope
from triage.models import CrawlRun, Item, Source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "facebook"
REAL_BASE = "https://graph.facebook.com/v19.0"
PAGE = "100000000000001"
CRAWL_CMD = [sys.executable, "-m", "langnghe", "crawl", "--sources"]


def _copy(name: str, site: Path, api_base: str) -> str:
    """Copy a fixture into the site with Graph URLs pointed at the local server."""
    text = (FIXTURES / name).read_text(encoding="utf-8").replace(REAL_BASE, api_base)
    (site / "fb" / name).write_text(text, encoding="utf-8")
    return f"fb/{name}"


def build_site(site: Path, base_url: str) -> str:
    """Write the replay folder and return the local api_base."""
    api_base = f"{base_url}/graph/v19.0"
    api_path = "/graph/v19.0"
    (site / "fb").mkdir(parents=True)
    page1 = _copy("posts_page1.json", site, api_base)
    next_url = json.loads((site / page1).read_text(encoding="utf-8"))["paging"]["next"]
    next_key = next_url[len(base_url):]
    routes = {
        # healthy Page: two post pages, comments, replies, one comment edge refused
        f"{api_path}/{PAGE}/posts": {"file": page1},
        next_key: {"file": _copy("posts_page2.json", site, api_base)},
        f"{api_path}/{PAGE}_200000000000011/comments": {"file": _copy("comments_post11.json", site, api_base)},
        f"{api_path}/200000000000011_300000000000021/comments": {"file": _copy("replies_comment21.json", site, api_base)},
        f"{api_path}/{PAGE}_200000000000013/comments": {"file": _copy("error_permission.json", site, api_base), "status": 403},
        # expired token
        f"{api_path}/200/posts": {"file": _copy("error_token_expired.json", site, api_base), "status": 400},
        # rate limit on the second page: the first page is kept, the source stops
        f"{api_path}/300/posts": {"body": json.dumps({
            "data": [{"id": "300_1", "message": "Công đoàn huyện Tam Đường thăm công nhân", "created_time": "2024-11-14T08:30:00+0000"}],
            "paging": {"next": f"{api_base}/300/posts?after=X&access_token=TEST"},
        }, ensure_ascii=False), "headers": {"Content-Type": "application/json; charset=utf-8"}},
        f"{api_path}/300/posts?access_token=TEST&after=X": {"file": _copy("error_rate_limit.json", site, api_base), "status": 403},
        # server error, not JSON
        f"{api_path}/400/posts": {"body": "<html>Internal Server Error</html>", "status": 500},
    }
    (site / "_routes.json").write_text(json.dumps(routes, ensure_ascii=False), encoding="utf-8")
    return api_base


def sources_toml(api_base: str) -> str:
    blocks = []
    for name, page in (("fb-ok", PAGE), ("fb-expired", "200"), ("fb-ratelimit", "300"), ("fb-500", "400")):
        blocks.append(
            f'[[source]]\nname = "{name}"\nkind = "facebook_graph"\npage_ids = ["{page}"]\n'
            f'api_base = "{api_base}"\nfilter = "none"\nlimit = 3\n'
        )
    return "\n".join(blocks)


def crawl(settings, sources_file: Path, token: str = "TEST") -> subprocess.CompletedProcess:
    env = subprocess_env(settings, LANGNGHE_DOWNLOAD_DELAY="0", LANGNGHE_FACEBOOK_TOKEN=token, LANGNGHE_RETRY_TIMES="1")
    env.pop("LANGNGHE_CONFIG", None)
    return subprocess.run(
        CRAWL_CMD + [str(sources_file)],
        env=env, capture_output=True, text=True, timeout=120,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def runs_by_source(settings) -> dict[str, CrawlRun]:
    with session_scope(settings) as s:
        rows = s.execute(select(Source.name, CrawlRun).join(CrawlRun, CrawlRun.source_id == Source.id)).all()
        for _, run in rows:
            s.expunge(run)
    return {name: run for name, run in rows}


def items_by_url(settings) -> dict[str, Item]:
    with session_scope(settings) as s:
        items = s.scalars(select(Item)).all()
        for item in items:
            s.expunge(item)
    return {i.url: i for i in items}


@pytest.fixture
def crawled(db_settings, tmp_path):
    migrate.upgrade(db_settings)
    site = tmp_path / "site"
    site.mkdir()
    port = free_port()
    api_base = build_site(site, f"http://127.0.0.1:{port}")
    demo = render_graph(load_posts(FIXTURES / "demo_sample.jsonl"), site / "demo-graph", f"http://127.0.0.1:{port}",
                        datetime.now(timezone.utc))
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(api_base) + "\n" + tomli_w.dumps({"source": [demo]}), encoding="utf-8")
    with ReplayServer(site, port=port):  # routes are read when the server starts
        result = crawl(db_settings, sources)
    assert result.returncode == 0, result.stderr[-3000:]
    return db_settings, result


def test_graph_crawl(crawled):
    """One crawl, checked three ways (each crawl costs seconds): content, failures, demo Page."""
    settings, result = crawled
    check_content(settings)
    check_failures(settings, result)
    check_demo_page(settings)


def check_content(settings):
    items = items_by_url(settings)
    post = "https://facebook.com/100000000000001/posts/200000000000011"
    comment = f"{post}?comment_id=300000000000021"
    reply = f"{comment}&reply_comment_id=300000000000031"
    # posts from both pages (paging.next followed to the end), comments, replies
    assert post in items and "https://facebook.com/100000000000001/posts/200000000000014" in items
    assert items[post].kind == "post" and (items[post].likes, items[post].comments, items[post].shares) == (154, 3, 12)
    assert items[comment].kind == "comment" and items[comment].parent_url == post
    assert items[comment].parent_id == items[post].id
    assert items[reply].parent_url == comment and items[reply].parent_id == items[comment].id
    assert items[comment].text == "Cho hỏi đoàn viên công ty may có được nhận quà không ạ?"
    # raw names never stored; pseudonyms where Facebook gave a name
    page_reply = items[reply]
    assert page_reply.author_pseudonym and page_reply.author_pseudonym.startswith("a_")
    assert items[comment].author_pseudonym is None
    with session_scope(settings) as s:
        assert "Công đoàn tỉnh Lai Châu (demo)" not in json.dumps([i.extra for i in s.scalars(select(Item))], ensure_ascii=False)
    # the token never appears in what was stored
    assert not [u for u in items if "access_token" in u]

    runs = runs_by_source(settings)
    ok = runs["fb-ok"]
    assert ok.status == "ok"
    assert ok.items_new == 2 + 1 + 3 + 2  # posts p1 (one photo-only skipped), p2, comments, replies
    assert ok.skips.get("facebook_no_text") == 2  # photo post + empty comment
    assert ok.errors == {"facebook_permission": 1}


def check_failures(settings, result):
    runs = runs_by_source(settings)
    assert runs["fb-expired"].errors == {"facebook_auth": 1}
    assert runs["fb-expired"].status == "failed"
    assert runs["fb-expired"].items_new == 0
    limited = runs["fb-ratelimit"]
    assert limited.errors == {"facebook_rate_limit": 1}
    assert limited.items_new == 1  # the first page was kept
    assert limited.status == "failed"
    assert runs["fb-500"].errors == {"http_500": 1}
    assert "LANGNGHE_FACEBOOK_TOKEN" in result.stderr  # the expired-token message says what to do
    assert "TEST" not in "\n".join(line for line in result.stderr.splitlines() if "access_token" in line)


def check_demo_page(settings):
    run = runs_by_source(settings)["demo-facebook"]
    assert run.status == "ok" and run.errors == {}
    assert run.items_new == 12 + 4 + 27  # posts over two pages, comments with replies, two comment pages
    kinds = {}
    for item in items_by_url(settings).values():
        if item.url.startswith("https://facebook.com/100000000000001/posts/2100000000000"):
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
    assert kinds == {"post": 12, "comment": 31}


def test_missing_token_is_one_clear_error(settings, tmp_path):
    migrate.upgrade(settings)
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "fb-notoken"\nkind = "facebook_graph"\npage_ids = ["1"]\n'
        'api_base = "http://127.0.0.1:9/graph/v19.0"\nfilter = "none"\n',
        encoding="utf-8",
    )
    result = crawl(settings, sources, token="")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no Facebook access token" in result.stderr and "Traceback" not in result.stderr
    run = runs_by_source(settings)["fb-notoken"]
    assert run.errors == {"facebook_no_token": 1} and run.status == "failed"
