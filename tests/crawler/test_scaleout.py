"""Scale-out: two `langnghe crawl` processes share one crawl through Redis and PostgreSQL.

Each process has its own home (as on two machines); both use the local Redis and one
fresh PostgreSQL database. Every page must be fetched once across both processes, every
item stored once, and each process must have done part of the work.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from crawler.replay import ReplayServer
from crawler.synthetic_site import build_synthetic_news
from tests.crawler.helpers import ROOT

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
ARTICLES = 120


@pytest.fixture(scope="module")
def pg_db(pg_server_url):
    import psycopg

    admin = pg_server_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"langnghe_so_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(home: Path, db: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_")}
    env.update(LANGNGHE_HOME=str(home), LANGNGHE_DB=db, LANGNGHE_REDIS_URL=redis_url, LANGNGHE_DOWNLOAD_DELAY="0",
               LANGNGHE_PSEUDONYM_SECRET="e2e-secret", LANGNGHE_LOG_LEVEL="WARNING")
    return env


def _langnghe(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "langnghe", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def shared_crawl(tmp_path_factory, pg_db, redis_url):
    import psycopg
    import redis

    tmp_path = tmp_path_factory.mktemp("scaleout")
    cycle = f"test-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(redis_url)
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    try:
        with ReplayServer(site_dir, delay=0.02) as server:
            site = build_synthetic_news(site_dir, server.base_url, ARTICLES, comments_per_article=8, seed=7)
            sources = tmp_path / "sources.toml"
            sources.write_text(site.toml(), encoding="utf-8")
            up = _langnghe("db", "upgrade", env=_env(tmp_path / "a", pg_db, redis_url))
            assert up.wait(60) == 0, up.stderr.read()
            procs = [_langnghe("crawl", "--sources", str(sources), "--cycle-id", cycle,
                               env=_env(tmp_path / name, pg_db, redis_url)) for name in ("a", "b")]
            outputs = [p.communicate(timeout=180) for p in procs]
            hits = server.hits
        served = {"/" + str(p.relative_to(site_dir)) for p in site_dir.rglob("*") if p.is_file()}
        keys_left = sorted(k.decode() for k in client.scan_iter(f"langnghe:{cycle}:*"))
        with psycopg.connect(pg_db.replace("postgresql+psycopg://", "postgresql://")) as conn:
            urls = [u for (u,) in conn.execute("select url from items")]
            runs = conn.execute("select pages_fetched, items_new, status from crawl_runs order by id").fetchall()
            orphans = conn.execute(
                "select count(*) from items where kind = 'comment' and parent_id is null").fetchone()[0]
    finally:
        for key in client.scan_iter(f"langnghe:{cycle}:*"):
            client.delete(key)
    assert not list(client.scan_iter(f"langnghe:{cycle}:*"))
    return {"procs": procs, "outputs": outputs, "hits": hits, "served": served, "site": site, "urls": urls, "runs": runs,
            "orphans": orphans, "keys_left": keys_left}


def test_two_processes_share_one_crawl(shared_crawl):
    for proc, (_, err) in zip(shared_crawl["procs"], shared_crawl["outputs"]):
        assert proc.returncode == 0, err

    hits, site = shared_crawl["hits"], shared_crawl["site"]
    pages = {path: n for path, n in hits.items() if path != "/robots.txt"}
    # the feed, every article, every second comment page; not the index nor the page robots.txt forbids
    expected = shared_crawl["served"] - {"/robots.txt", "/news/index.html"}
    expected = {p for p in expected if not p.startswith("/news/admin/")}
    assert len(expected) == site.pages
    assert set(pages) == expected, (sorted(set(pages) ^ expected), [err[-3000:] for _, err in shared_crawl["outputs"]])
    assert all(n == 1 for n in pages.values()), {p: n for p, n in pages.items() if n != 1}
    assert hits["/robots.txt"] <= 2  # each process reads robots.txt once for itself

    urls = shared_crawl["urls"]
    assert len(urls) == len(set(urls)) == len(site.truth)
    assert set(urls) == set(site.truth)
    assert shared_crawl["orphans"] == 0  # comments found their article, whoever stored it

    runs = shared_crawl["runs"]
    print("pages fetched per process:", [p for p, _, _ in runs])
    assert len(runs) == 2 and all(status == "ok" for _, _, status in runs)
    assert all(pages_fetched > 0 and new > 0 for pages_fetched, new, _ in runs), runs
    assert sum(p for p, _, _ in runs) == site.pages
    assert sum(n for _, n, _ in runs) == len(site.truth)


def test_a_finished_cycle_keeps_only_its_expiring_keys(shared_crawl, redis_url):
    # A cycle's queue is empty and its workers gone; the dupefilter stays (with a TTL) so a
    # late process of the same cycle does not crawl it again.
    left = shared_crawl["keys_left"]
    assert not any(k.endswith(":requests") or k.endswith(":workers") for k in left), left
    assert any(k.endswith(":dupefilter") for k in left)


def test_unreachable_redis_is_a_user_error(tmp_path):
    from tests.crawler.helpers import cli

    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nname = "x"\nkind = "article"\nurl = "http://127.0.0.1:9/a.html"\n')
    assert cli(tmp_path / "h", "db", "upgrade").returncode == 0
    result = cli(tmp_path / "h", "crawl", "--sources", str(sources), LANGNGHE_REDIS_URL="redis://127.0.0.1:9/0")
    assert result.returncode == 2
    assert "cannot reach Redis" in result.stderr and "Traceback" not in result.stderr
