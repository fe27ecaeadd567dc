"""Resume after a kill: SIGKILL and SIGTERM at several points, then the same --jobdir.

A generated site (80 articles, each with a second comment page) is served slowly so the
kills land mid-crawl. One crawl runs uninterrupted; another is killed three times
(after N items are in the store: SIGKILL, SIGTERM, SIGKILL) and resumed each time. Both
must end with the same items, no duplicate rows, every comment under its article.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.replay import ReplayServer
from crawler.synthetic_site import build_synthetic_news
from tests.crawler.helpers import ROOT, cli, rows

ARTICLES = 80
DELAY = 0.04


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_")}
    env.update(LANGNGHE_HOME=str(home), LANGNGHE_DOWNLOAD_DELAY="0", LANGNGHE_PSEUDONYM_SECRET="e2e-secret",
               LANGNGHE_LOG_LEVEL="WARNING")
    return env


def _count(home: Path) -> int:
    try:
        with sqlite3.connect(home / "langnghe.db", timeout=10) as conn:
            return conn.execute("select count(*) from items").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _crawl_until(home: Path, args: list[str], more: int, sig: int) -> tuple[int, int, int]:
    """Start a crawl, send ``sig`` once ``more`` items were added; (rows before, rows at kill, exit code)."""
    before = _count(home)
    at_least = before + more
    proc = subprocess.Popen([sys.executable, "-m", "langnghe", *args], cwd=ROOT, env=_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    try:
        while _count(home) < at_least:
            assert proc.poll() is None, f"the crawl ended before {at_least} items were stored:\n{proc.stderr.read()}"
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.02)
        stored = _count(home)
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return before, stored, proc.returncode


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    site_dir = tmp / "site"
    with ReplayServer(site_dir.mkdir() or site_dir, delay=DELAY) as server:
        site = build_synthetic_news(site_dir, server.base_url, ARTICLES, comments_per_article=8, seed=3)
        sources = tmp / "sources.toml"
        sources.write_text(site.toml(), encoding="utf-8")
        crawl = ["crawl", "--sources", str(sources)]

        whole = tmp / "whole"
        assert cli(whole, "db", "upgrade").returncode == 0
        done = cli(whole, *crawl)
        assert done.returncode == 0, done.stderr

        home, jobdir = tmp / "killed", tmp / "jobs"
        assert cli(home, "db", "upgrade").returncode == 0
        resumable = [*crawl, "--jobdir", str(jobdir)]
        kills = [_crawl_until(home, resumable, 100, signal.SIGKILL),
                 _crawl_until(home, resumable, 150, signal.SIGTERM),
                 _crawl_until(home, resumable, 100, signal.SIGKILL)]
        last = cli(home, *resumable)
    return {"whole": whole, "home": home, "jobdir": jobdir, "kills": kills, "last": last, "site": site}


def test_kills_landed_mid_crawl(crawls):
    (b1, n1, rc1), (b2, n2, rc2), (b3, n3, rc3) = crawls["kills"]
    assert rc1 == -signal.SIGKILL and rc3 == -signal.SIGKILL
    assert rc2 == 130  # SIGTERM: a clean stop, "run again to continue"
    total = rows(crawls["whole"], "select count(*) from items")[0][0]
    assert b1 == 0 and b1 < n1 <= b2 < n2 <= b3 < n3 < total


def test_resumed_crawl_finishes(crawls):
    last = crawls["last"]
    assert last.returncode == 0, last.stderr
    assert "Thu thập xong 1 nguồn" in last.stderr.splitlines()[-1]


def test_same_items_as_an_uninterrupted_crawl(crawls):
    whole = {u for (u,) in rows(crawls["whole"], "select url from items")}
    resumed = {u for (u,) in rows(crawls["home"], "select url from items")}
    assert resumed == whole
    assert len(whole) == len(crawls["site"].truth)  # every article and comment of the site


def test_no_duplicate_rows_and_every_comment_has_its_article(crawls):
    home = crawls["home"]
    assert rows(home, "select count(*) - count(distinct url) from items") == [(0,)]
    assert rows(home, "select count(*) from items where kind = 'comment' and parent_id is null") == [(0,)]
    per_article = rows(home, "select p.url, count(c.id) from items p left join items c on c.parent_id = p.id "
                             "where p.kind = 'article' group by p.url")
    assert len(per_article) == ARTICLES and all(n == 10 for _, n in per_article)


def test_interrupted_runs_are_recorded_and_the_jobdir_is_left_empty(crawls):
    statuses = [s for (s,) in rows(crawls["home"], "select status from crawl_runs order by id")]
    assert statuses[0] == "running"  # killed -9: nobody could write its end
    assert statuses[1] == "interrupted" and statuses[-1] == "ok"
    assert not list(Path(crawls["jobdir"]).rglob("frontier.sqlite"))
