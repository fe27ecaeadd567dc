"""End to end: demo site -> replay server -> `langnghe crawl` subprocess -> SQLite store."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.demo_site import build_demo_site
from crawler.replay import ReplayServer
from tests.crawler.helpers import cli, rows

CONTENT = Path(__file__).resolve().parents[1] / "fixtures" / "demo_content"
TODAY = datetime(2024, 11, 14, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Crawl the demo site twice (engagement changed in between); keep both outputs."""
    tmp = tmp_path_factory.mktemp("e2e")
    content = tmp / "content"
    shutil.copytree(CONTENT, content)
    (content / "facebook.jsonl").unlink()  # the Graph demo has its own tests
    site, home = tmp / "site", tmp / "home"
    site.mkdir()
    with ReplayServer(site) as server:
        demo = build_demo_site(content, site, server.base_url, TODAY, threads_per_page=2)
        sources = tmp / "sources.toml"
        sources.write_text(demo.toml(), encoding="utf-8")
        up = cli(home, "db", "upgrade")
        assert up.returncode == 0, up.stderr
        first = cli(home, "crawl", "--sources", str(sources))
        snapshot = rows(home, "select url, likes from items")
        # Engagement changes on the site; the second crawl must refresh it, not duplicate.
        news = [json.loads(line) for line in (content / "news.jsonl").read_text(encoding="utf-8").splitlines()]
        news[0]["comments"][0]["likes"] += 100
        (content / "news.jsonl").write_text("".join(json.dumps(n, ensure_ascii=False) + "\n" for n in news), encoding="utf-8")
        build_demo_site(content, site, server.base_url, TODAY, threads_per_page=2)
        second = cli(home, "crawl", "--sources", str(sources))
        hits = server.hits
    return {"home": home, "demo": demo, "first": first, "second": second, "snapshot": dict(snapshot), "hits": hits,
            "truth": json.loads((site / "_truth.json").read_text(encoding="utf-8"))}


def test_crawl_succeeds_with_progress_and_a_summary(crawled):
    first = crawled["first"]
    assert first.returncode == 0, first.stderr
    lines = [line for line in first.stderr.splitlines() if line.strip()]
    assert any("[demo-news] bắt đầu" in line for line in lines)
    assert lines[-1].startswith("Thu thập xong 2 nguồn") and "23 mới" in lines[-1], lines[-1]


def test_articles_comments_and_forum_posts_are_stored(crawled):
    kinds = dict(rows(crawled["home"], "select kind, count(*) from items group by kind"))
    assert kinds == {"article": 2, "comment": 19, "post": 2}
    truth = crawled["truth"]
    stored = {url for (url,) in rows(crawled["home"], "select url from items")}
    off_topic = {u for u in truth if ("-103.html" in u and "7002" not in u) or "-104.html" in u or ".203/" in u}
    assert stored == set(truth) - off_topic
    # Both comment pages of article 101 were read (8 comments incl. a reply).
    assert sum(1 for u in stored if "-101.html?comment_id=" in u) == 8
    # Comments and replies point at their article / thread.
    orphans = rows(crawled["home"], "select count(*) from items where kind = 'comment' and parent_url is null")
    assert orphans == [(0,)]


def test_off_topic_pages_are_dropped_and_counted(crawled):
    stored = {url for (url,) in rows(crawled["home"], "select url from items")}
    assert not any("hoa-dao" in u and "comment_id" not in u for u in stored)  # off-topic article
    assert not any("bong-chuyen" in u for u in stored)
    assert not any("cau-ca" in u for u in stored)  # off-topic forum thread
    # ...but a comment that itself mentions the union, under an off-topic article, is kept.
    assert any("hoa-dao" in u and "comment_id=7002" in u for u in stored)
    runs = dict(rows(crawled["home"], "select s.name, r.skips from crawl_runs r join sources s on s.id = r.source_id order by r.id limit 2"))
    news_skips, forum_skips = json.loads(runs["demo-news"]), json.loads(runs["demo-forum"])
    assert news_skips["irrelevant"] == 3  # two articles and one comment
    assert forum_skips["irrelevant"] == 2


def test_robots_txt_disallow_is_obeyed(crawled):
    stored = {url for (url,) in rows(crawled["home"], "select url from items")}
    assert not any("/news/admin/" in u for u in stored)
    assert not any(path.startswith("/news/admin/") for path in crawled["hits"])
    (skips,) = rows(crawled["home"], "select r.skips from crawl_runs r join sources s on s.id = r.source_id where s.name = 'demo-news' order by r.id limit 1")[0]
    assert json.loads(skips)["robots_txt"] == 1


def test_only_pseudonyms_are_stored(crawled):
    home = crawled["home"]
    pseudonyms = [p for (p,) in rows(home, "select author_pseudonym from items")]
    assert all(p and p.startswith("a_") and len(p) == 14 for p in pseudonyms)
    # Same person, same pseudonym (Nguyễn Văn Tùng wrote two comments; hoa.nguyen three posts).
    assert len(set(pseudonyms)) < len(pseudonyms)
    dump = "\n".join(str(r) for r in rows(home, "select * from items"))
    for raw in ("Nguyễn Văn Tùng", "hoa.nguyen", "Minh Hằng", "linh_may"):
        assert raw not in dump


def test_dates_and_engagement_come_through(crawled):
    home = crawled["home"]
    (published, comments) = rows(home, "select published_at, comments from items where kind = 'article' and url like '%-101.html'")[0]
    assert published.startswith("2024-11-13 01:30")  # 1 day ago, 08:30 Vietnam time
    assert comments == 8
    (likes,) = rows(home, "select likes from items where url like '%post-9102'")[0]
    assert likes == 11


def test_rerun_adds_no_duplicates_and_refreshes_engagement(crawled):
    second = crawled["second"]
    assert second.returncode == 0, second.stderr
    assert "0 mới" in second.stderr.splitlines()[-1]
    home = crawled["home"]
    assert rows(home, "select count(*) from items")[0][0] == len(crawled["snapshot"])
    url = next(u for u in crawled["snapshot"] if u.endswith("comment_id=5001"))
    (likes,) = rows(home, "select likes from items where url = ?", url)[0]
    assert likes == crawled["snapshot"][url] + 100
    runs = rows(home, "select status, items_new, items_updated from crawl_runs order by id")
    assert [r[0] for r in runs] == ["ok"] * 4
    assert sum(r[1] for r in runs[2:]) == 0 and sum(r[2] for r in runs[2:]) >= 1
