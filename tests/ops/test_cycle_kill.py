"""A real `langnghe schedule --once` killed mid-crawl; the next cycle completes the work."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.demo_site import build_demo_site
from crawler.replay import ReplayServer
from langnghe.demo import DEMO_BASE_URL, DEMO_CONTENT


def _env(home: Path, server_url: str, delay: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_")}
    env.update(LANGNGHE_HOME=str(home), LANGNGHE_SOURCES_FILE=str(home / "sources.toml"),
               LANGNGHE_DOWNLOAD_DELAY=delay, LANGNGHE_FACEBOOK_TOKEN="t", LANGNGHE_PSEUDONYM_SECRET="s",
               http_proxy=server_url, HTTP_PROXY=server_url, no_proxy="", NO_PROXY="")
    return env


def _query(home: Path, sql: str):
    db = sqlite3.connect(home / "langnghe.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_cycle_is_completed_by_the_next(tmp_path, sig):
    home = tmp_path / "home"
    home.mkdir()
    site = tmp_path / "site"
    site.mkdir()
    with ReplayServer(site) as server:
        demo = build_demo_site(DEMO_CONTENT, site, DEMO_BASE_URL, datetime.now(timezone.utc))
        (home / "sources.toml").write_text(demo.toml(), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "langnghe", "db", "upgrade"], env=_env(home, server.base_url, "0"),
                       check=True, capture_output=True)
        slow = subprocess.Popen([sys.executable, "-m", "langnghe", "schedule", "--once"],
                                env=_env(home, server.base_url, "0.1"), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if (home / "langnghe.db").exists():
                try:
                    if _query(home, "select count(*) from items")[0][0] >= 40:
                        break
                except sqlite3.OperationalError:
                    pass
            time.sleep(0.2)
        slow.send_signal(sig)
        slow.wait(timeout=60)
        time.sleep(1.0)  # the crawl child gets SIGTERM from the kernel and stops
        partial = _query(home, "select count(*) from items")[0][0]
        second = subprocess.run([sys.executable, "-m", "langnghe", "schedule", "--once"],
                                env=_env(home, server.base_url, "0"), capture_output=True, text=True, timeout=300)
        # The reference: the same site crawled once, without interruption.
        ref = tmp_path / "ref"
        ref.mkdir()
        (ref / "sources.toml").write_text(demo.toml(), encoding="utf-8")
        for cmd in (["db", "upgrade"], ["crawl"]):
            subprocess.run([sys.executable, "-m", "langnghe", *cmd], env=_env(ref, server.base_url, "0"),
                           check=True, capture_output=True)
    assert second.returncode == 0, second.stderr[-2000:]
    runs = _query(home, "select status from cycle_runs order by id")
    assert [r[0] for r in runs] == ["interrupted", "ok"] or (sig == signal.SIGTERM and runs[-1][0] == "ok")
    total, distinct = _query(home, "select count(*), count(distinct url) from items")[0]
    assert partial < total == distinct
    assert {u for (u,) in _query(home, "select url from items")} == {u for (u,) in _query(ref, "select url from items")}
    assert _query(home, "select count(*) from items i where not exists "
                        "(select 1 from predictions p where p.item_id = i.id and p.current)")[0][0] == 0
