"""Incremental crawling and comment revisits, with real crawls against the replay server.

- Unchanged pages answer 304 to conditional requests; a server without validators is
  caught by the content fingerprint. Either way the page is not parsed again (its items
  keep their fetched_at) and its items count as unchanged.
- Articles younger than revisit_days are fetched again for new comments even when the
  feed no longer lists them; older ones are not.
- ``--full`` reads everything; an emptied database makes the page cache forget itself.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.replay import ReplayServer
from crawler.synthetic_site import synthetic_articles, write_news
from tests.crawler.helpers import cli, rows

TODAY = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)


def _run(home: Path, *args: str) -> dict:
    result = cli(home, "crawl", *args)
    assert result.returncode == 0, result.stderr
    run = rows(home, "select pages_fetched, items_new, items_updated, items_unchanged from crawl_runs "
                     "order by id desc")[0]
    return {"stderr": result.stderr, "pages": run[0], "new": run[1], "updated": run[2], "unchanged": run[3]}


def _fetched(home: Path) -> dict[str, str]:
    return dict(rows(home, "select url, fetched_at from items"))


def _comment(cid: str, text: str) -> dict:
    return {"id": cid, "author": "Bạn đọc mới", "text": text, "likes": 0, "days_ago": 0, "time": "09:00"}


@pytest.fixture(scope="module")
def with_validators(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    site_dir, home = tmp / "site", tmp / "home"
    records = synthetic_articles(5, comments_per_article=8, seed=11)
    records[4]["days_ago"] = 20  # too old to be revisited
    out = {"home": home}
    site_dir.mkdir()
    with ReplayServer(site_dir) as server:
        site = write_news(copy.deepcopy(records), site_dir, server.base_url, TODAY)
        sources = tmp / "sources.toml"
        sources.write_text(site.toml(), encoding="utf-8")
        crawl = ("--sources", str(sources))
        assert cli(home, "db", "upgrade").returncode == 0
        out["first"] = _run(home, *crawl)
        out["fetched_first"] = _fetched(home)
        before = server.statuses
        out["second"] = _run(home, *crawl)
        out["second_statuses"] = {k: v - before.get(k, 0) for k, v in server.statuses.items() if v > before.get(k, 0)}
        out["fetched_second"] = _fetched(home)

        # New comments under a young and an old article; the feed drops both of them.
        changed = copy.deepcopy(records)
        changed[0]["comments"].append(_comment("990001", "Công đoàn trả lời rồi, cảm ơn (bình luận mới)."))
        changed[4]["comments"].append(_comment("990004", "Bài cũ nhưng công đoàn vẫn cần xem (bình luận mới)."))
        site = write_news(changed, site_dir, server.base_url, TODAY, feed=changed[1:4])
        hits = server.hits
        out["third"] = _run(home, *crawl)
        out["third_hits"] = {k: v - hits.get(k, 0) for k, v in server.hits.items() if v > hits.get(k, 0)}
        out["paths"] = [r["_path"] for r in changed]
        before = server.statuses
        out["full"] = _run(home, *crawl, "--full")
        out["full_statuses"] = {k: v - before.get(k, 0) for k, v in server.statuses.items() if v > before.get(k, 0)}
    out["total_first"] = len(out["fetched_first"])
    return out


def test_first_crawl_stores_everything(with_validators):
    first = with_validators["first"]
    assert first["new"] == with_validators["total_first"] == 5 * 11
    assert first["unchanged"] == 0


def test_unchanged_site_is_answered_304_and_not_parsed(with_validators):
    second = with_validators["second"]
    statuses = with_validators["second_statuses"]
    pages = {path for (path, status) in statuses if path != "/robots.txt"}
    assert pages and all(status == 304 for (path, status) in statuses if path != "/robots.txt"), statuses
    assert len(pages) == 1 + 5 * 2  # the feed, 5 articles, 5 second comment pages
    assert (second["new"], second["updated"], second["unchanged"]) == (0, 0, with_validators["total_first"])
    assert with_validators["fetched_second"] == with_validators["fetched_first"]  # nothing re-stored
    assert "(11 không đổi)" in second["stderr"]


def test_young_article_is_revisited_for_new_comments_though_the_feed_dropped_it(with_validators):
    home, paths = with_validators["home"], with_validators["paths"]
    hits = with_validators["third_hits"]
    assert hits.get(paths[0]) == 1
    stored = {u for (u,) in rows(home, "select url from items")}
    assert any(u.endswith("comment_id=990001") for u in stored)
    assert with_validators["third"]["new"] == 1


def test_old_article_is_not_revisited(with_validators):
    home, paths = with_validators["home"], with_validators["paths"]
    assert paths[4] not in with_validators["third_hits"]
    stored = {u for (u,) in rows(home, "select url from items")}
    assert not any(u.endswith("comment_id=990004") for u in stored)


def test_full_reads_every_page_again(with_validators):
    statuses = with_validators["full_statuses"]
    assert not any(status == 304 for (_, status) in statuses)
    full = with_validators["full"]
    # Articles 1-3 (feed) and 0 (revisited), with the new comment; the old one is reached by neither.
    assert (full["new"], full["updated"], full["unchanged"]) == (0, 0, 4 * 11 + 1)


@pytest.fixture(scope="module")
def without_validators(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fingerprint")
    site_dir, home = tmp / "site", tmp / "home"
    site_dir.mkdir()
    out = {"home": home}
    with ReplayServer(site_dir, validators=False) as server:
        site = write_news(synthetic_articles(3, seed=5), site_dir, server.base_url, TODAY)
        sources = tmp / "sources.toml"
        sources.write_text(site.toml(), encoding="utf-8")
        assert cli(home, "db", "upgrade").returncode == 0
        out["first"] = _run(home, "--sources", str(sources))
        out["fetched_first"] = _fetched(home)
        out["second"] = _run(home, "--sources", str(sources))
        out["fetched_second"] = _fetched(home)
        out["conditional"] = sum(n for (_, status), n in server.statuses.items() if status == 304)
        # A new database (same home): the cache must not vouch for items it no longer has.
        (home / "langnghe.db").unlink()
        for extra in ("-wal", "-shm"):
            Path(str(home / "langnghe.db") + extra).unlink(missing_ok=True)
        assert cli(home, "db", "upgrade").returncode == 0
        out["fresh"] = _run(home, "--sources", str(sources))
    return out


def test_without_validators_the_content_fingerprint_skips_the_parse(without_validators):
    second = without_validators["second"]
    assert without_validators["conditional"] == 0
    assert (second["new"], second["updated"], second["unchanged"]) == (0, 0, 3 * 11)
    assert without_validators["fetched_second"] == without_validators["fetched_first"]
    assert "(7 không đổi)" in second["stderr"]


def test_an_emptied_database_is_filled_again(without_validators):
    fresh = without_validators["fresh"]
    assert fresh["new"] == 3 * 11 and fresh["unchanged"] == 0
    assert rows(without_validators["home"], "select count(*) from items") == [(33,)]


def test_replay_server_answers_conditional_requests(tmp_path):
    import urllib.error
    import urllib.request

    (tmp_path / "a.html").write_text("<p>công đoàn</p>", encoding="utf-8")
    (tmp_path / "_routes.json").write_text(json.dumps({"/r": {"body": "x"}, "/nv": {"body": "y", "validators": False}}))
    with ReplayServer(tmp_path) as server:
        with urllib.request.urlopen(server.base_url + "/a.html") as resp:
            etag, modified = resp.headers["ETag"], resp.headers["Last-Modified"]
        for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(urllib.request.Request(server.base_url + "/a.html", headers=headers))
            assert err.value.code == 304
        stale = urllib.request.Request(server.base_url + "/a.html", headers={"If-None-Match": '"other"'})
        with urllib.request.urlopen(stale) as resp:
            assert resp.status == 200
        with urllib.request.urlopen(server.base_url + "/r") as resp:
            assert resp.headers["ETag"] and "Last-Modified" not in resp.headers
        with urllib.request.urlopen(server.base_url + "/nv") as resp:
            assert "ETag" not in resp.headers
        assert server.not_modified() == 2
