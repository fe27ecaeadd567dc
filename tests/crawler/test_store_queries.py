"""The crawler's read-only store queries, on real SQLite and real PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.store_queries import source_item_count, stored_urls, young_items
from langnghe.records import CrawledItem, Engagement
from triage import migrate
from triage.db import dispose_engines
from triage.store import Store

NOW = datetime(2024, 11, 14, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def stored(db_settings):
    migrate.upgrade(db_settings)
    store = Store(db_settings)

    def art(n: int, days: float | None, kind: str = "article", source: str = "bao", **extra) -> CrawledItem:
        return CrawledItem(source=source, kind=kind, url=f"https://bao.example.vn/{kind}-{n}.html",
                           title=f"Bài {n}", text=f"Công đoàn {n}", extra=extra,
                           engagement=Engagement(comments=n, views=10 * n),
                           published_at=None if days is None else NOW - timedelta(days=days),
                           fetched_at=NOW - timedelta(days=days or 0))

    store.upsert_items([
        art(1, 1), art(2, 3, fetch_url="https://www.bao.example.vn/article-2.html"), art(3, 30),
        art(4, None),  # no date: first seen counts (fetched "now")
        art(5, 2, kind="post"), art(6, 1, source="other"),
        CrawledItem(source="bao", kind="comment", url="https://bao.example.vn/article-1.html?comment_id=1",
                    parent_url="https://bao.example.vn/article-1.html", text="ok", fetched_at=NOW),
    ])
    yield db_settings
    dispose_engines()


def test_young_items_of_a_source_newest_first(stored):
    young = young_items(stored, "bao", 7, now=NOW, kinds=("article",))
    assert [y.url.rsplit("/", 1)[1] for y in young] == ["article-4.html", "article-1.html", "article-2.html"]
    assert young[2].fetch_url == "https://www.bao.example.vn/article-2.html"
    assert young[1].fetch_url == young[1].url
    posts = young_items(stored, "bao", 7, now=NOW, kinds=("post",))
    assert [(p.comments, p.views) for p in posts] == [(5, 50)]
    assert young_items(stored, "bao", 0, now=NOW) == []


def test_counts_and_known_urls(stored):
    assert source_item_count(stored, "bao") == 6
    assert source_item_count(stored, "nobody") == 0
    urls = ["https://bao.example.vn/article-1.html", "https://bao.example.vn/nothing.html"]
    assert stored_urls(stored, urls) == {urls[0]}
