"""YouTube spider end to end: replay server on 127.0.0.1 -> `langnghe crawl` -> real SQLite.

One crawl reads two sources: a healthy search (two search pages, videos, comment
threads over two pages, extra replies, one video with comments disabled) and a search
that hits the quota. A second crawl without a key checks the one-line error.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from crawler.parsers import youtube as yt
from crawler.replay import ReplayServer
from langnghe.settings import subprocess_env
from triage import migrate
from triage.db import session_scope
from triage.models import CrawlRun, Item, Source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "youtube"
KEY = "TESTKEY"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def key_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def build_site(site: Path, api_base: str) -> None:
    (site / "yt").mkdir(parents=True)
    for f in FIXTURES.glob("*.json"):
        if not f.name.endswith(".expected.json"):
            (site / "yt" / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    video3 = json.loads((FIXTURES / "videos.json").read_text(encoding="utf-8"))
    video3["items"] = [dict(video3["items"][0], id="dQw4w9WgXc3")]
    video3["items"][0]["snippet"] = dict(video3["items"][0]["snippet"], title="Tin nhắn lừa đảo mạo danh công đoàn",
                                         description="Cảnh báo lừa đảo.")
    (site / "yt" / "video3.json").write_text(json.dumps(video3, ensure_ascii=False), encoding="utf-8")
    search = yt.search_url(api_base, KEY, "công đoàn")
    threads1 = yt.threads_url(api_base, KEY, "dQw4w9WgXc1")
    routes = {
        key_of(search): {"file": "yt/search_page1.json"},
        key_of(yt.with_page_token(search, "CAIQAA")): {"file": "yt/search_page2.json"},
        key_of(yt.videos_url(api_base, KEY, ["dQw4w9WgXc1", "dQw4w9WgXc2"])): {"file": "yt/videos.json"},
        key_of(yt.videos_url(api_base, KEY, ["dQw4w9WgXc3"])): {"file": "yt/video3.json"},
        key_of(threads1): {"file": "yt/threads_video1.json"},
        key_of(yt.with_page_token(threads1, "QURTSl9pM")): {"file": "yt/threads_video1_page2.json"},
        key_of(yt.replies_url(api_base, KEY, "UgzThread1AAA")): {"file": "yt/replies_thread1.json"},
        key_of(yt.threads_url(api_base, KEY, "dQw4w9WgXc3")): {"file": "yt/error_comments_disabled.json", "status": 403},
        key_of(yt.search_url(api_base, KEY, "hết hạn mức")): {"file": "yt/error_quota.json", "status": 403},
    }
    (site / "_routes.json").write_text(json.dumps(routes, ensure_ascii=False), encoding="utf-8")


SOURCES = """
[[source]]
name = "yt-ok"
kind = "youtube"
query = "công đoàn"
since = ""
api_base = "{api}"
filter = "none"

[[source]]
name = "yt-quota"
kind = "youtube"
query = "hết hạn mức"
since = ""
api_base = "{api}"
filter = "none"
"""


def crawl(settings, sources: Path, key: str) -> subprocess.CompletedProcess:
    env = subprocess_env(settings, LANGNGHE_DOWNLOAD_DELAY="0", LANGNGHE_YOUTUBE_KEY=key, LANGNGHE_RETRY_TIMES="1")
    env.pop("LANGNGHE_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "langnghe", "crawl", "--sources", str(sources)],
                          env=env, capture_output=True, text=True, timeout=120)


def runs_by_source(settings) -> dict[str, CrawlRun]:
    with session_scope(settings) as s:
        rows = s.execute(select(Source.name, CrawlRun).join(CrawlRun, CrawlRun.source_id == Source.id)).all()
        for _, run in rows:
            s.expunge(run)
    return {name: run for name, run in rows}


@pytest.fixture
def crawled(settings, tmp_path):
    migrate.upgrade(settings)
    site = tmp_path / "site"
    site.mkdir()
    port = free_port()
    api = f"http://127.0.0.1:{port}/yt/youtube/v3"
    build_site(site, api)
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES.format(api=api), encoding="utf-8")
    with ReplayServer(site, port=port):
        result = crawl(settings, sources, KEY)
    assert result.returncode == 0, result.stderr[-3000:]
    return settings, result


def test_youtube_crawl(crawled):
    """One crawl (each costs seconds): the healthy source, then the one out of quota."""
    settings, result = crawled
    check_content(settings, result)
    check_quota(settings, result)


def check_content(settings, result):
    with session_scope(settings) as s:
        items = {i.url: (i.kind, i.parent_url, i.parent_id, i.id, i.views, i.author_pseudonym) for i in s.scalars(select(Item))}
    video = "https://youtube.com/watch?v=dQw4w9WgXc1"
    top = "https://youtube.com/watch?lc=UgzThread1AAA&v=dQw4w9WgXc1"
    reply3 = "https://youtube.com/watch?lc=UgzThread1AAA.9zReply3&v=dQw4w9WgXc1"
    assert items[video][0] == "post" and items[video][4] == 1532
    assert "https://youtube.com/watch?v=dQw4w9WgXc3" in items  # from the second search page
    assert items[top][1] == video and items[top][2] == items[video][3]
    assert items[reply3][1] == top and items[reply3][2] == items[top][3]  # reply fetched by comments.list
    assert items[top][5].startswith("a_")
    run = runs_by_source(settings)["yt-ok"]
    assert run.status == "ok"
    assert run.items_new == 3 + 2 + 3  # videos, top-level comments, replies (one also embedded)
    assert run.errors == {"youtube_comments_disabled": 1}
    assert run.skips.get("youtube_no_text") == 1 and run.skips.get("duplicate") == 1
    assert KEY not in result.stderr


def check_quota(settings, result):
    run = runs_by_source(settings)["yt-quota"]
    assert run.errors == {"youtube_quota": 1} and run.status == "failed"
    assert "quota" in result.stderr.lower()


def test_missing_key_is_one_clear_error(settings, tmp_path):
    migrate.upgrade(settings)
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES.format(api="http://127.0.0.1:9/yt"), encoding="utf-8")
    result = crawl(settings, sources, "")
    assert result.returncode == 0 and "no YouTube API key" in result.stderr and "Traceback" not in result.stderr
    assert runs_by_source(settings)["yt-ok"].errors == {"youtube_no_key": 1}
