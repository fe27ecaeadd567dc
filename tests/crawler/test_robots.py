"""robots.txt is obeyed by every request: a real crawl of a local server (crawler.robots).

The start requests of an ``article`` source all reach the downloader at once and wait
for robots.txt together (served slowly here, as a busy site would); a shared crawl's
second process meets the same when it takes many requests from the queue at once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.replay import ReplayServer
from crawler.synthetic_site import build_synthetic_news
from tests.crawler.helpers import cli, rows

ARTICLES = 6
FORBIDDEN = "/news/admin/preview/ban-nhap-cong-doan-9999.html"  # robots.txt: Disallow /news/admin/


def _crawl(tmp_path: Path, robots_route: dict | None) -> dict:
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    if robots_route is not None:
        (site_dir / "_routes.json").write_text(json.dumps({"/robots.txt": robots_route}), encoding="utf-8")
    with ReplayServer(site_dir) as server:
        site = build_synthetic_news(site_dir, server.base_url, ARTICLES, comments_per_article=2, seed=3)
        articles = [u for u, t in site.truth.items() if t["kind"] == "article"]
        urls = [*articles[:3], server.base_url + FORBIDDEN, *articles[3:]]  # the forbidden one is not first
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "bao"\nkind = "article"\nurls = {json.dumps(urls)}\n', encoding="utf-8")
        home = tmp_path / "home"
        assert cli(home, "db", "upgrade").returncode == 0
        result = cli(home, "crawl", "--sources", str(sources), LANGNGHE_RETRY_TIMES="1")
        hits = server.hits
    (skips,) = rows(home, "select skips from crawl_runs")[0]
    return {"result": result, "hits": hits, "skips": json.loads(skips), "articles": articles,
            "stored": {u for (u,) in rows(home, "select url from items")}}


def test_requests_waiting_together_for_robots_txt_are_all_checked(tmp_path):
    crawl = _crawl(tmp_path, {"file": "robots.txt", "delay": 0.5})
    assert crawl["result"].returncode == 0, crawl["result"].stderr
    assert FORBIDDEN not in crawl["hits"]
    assert crawl["skips"] == {"robots_txt": 1}
    assert set(crawl["articles"]) <= crawl["stored"]


def test_a_robots_txt_that_cannot_be_read_allows_nothing(tmp_path):
    # RFC 9309 2.3.1.4: a server error means "complete disallow" (retried first).
    crawl = _crawl(tmp_path, {"status": 503, "body": "bảo trì"})
    assert set(crawl["hits"]) == {"/robots.txt"}
    assert crawl["hits"]["/robots.txt"] == 2  # the first try and one retry
    assert crawl["skips"] == {"robots_unreachable": ARTICLES + 1}
    assert not crawl["stored"]
    assert "robots.txt" in crawl["result"].stderr  # the log says why nothing was fetched


@pytest.mark.parametrize("status", [404, 410])
def test_no_robots_txt_allows_everything(tmp_path, status):
    # RFC 9309 2.3.1.3: 4xx means there is no robots.txt.
    crawl = _crawl(tmp_path, {"status": status, "body": "không có"})
    assert FORBIDDEN in crawl["hits"]
    assert "robots_txt" not in crawl["skips"] and "robots_unreachable" not in crawl["skips"]
