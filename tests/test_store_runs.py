"""Crawl run bookkeeping and the gap rule, on real SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from langnghe.records import CrawlStats
from triage import migrate
from triage.models import CrawlRun, Source
from triage.store import Store


@pytest.fixture
def store(db_settings) -> Store:
    migrate.upgrade(db_settings)
    return Store(db_settings)


def run(store: Store, source: str = "bao-lai-chau", status: str = "ok", **counts) -> tuple[int, bool]:
    run_id = store.start_crawl_run(source, cycle_id="c1")
    gap = store.finish_crawl_run(run_id, CrawlStats(source=source, **counts), status=status)
    return run_id, gap


def test_a_run_is_recorded(store):
    store.ensure_source("bao-lai-chau", "news", url="https://baolaichau.vn")
    run_id = store.start_crawl_run("bao-lai-chau", cycle_id="2026-11-27T03")
    with store.session(write=False) as s:
        r = s.get(CrawlRun, run_id)
        assert (r.status, r.cycle_id, r.finished_at) == ("running", "2026-11-27T03", None)
    stats = CrawlStats(source="bao-lai-chau", pages_fetched=12, items_new=3, items_updated=1, items_unchanged=8)
    stats.skip("not_relevant")
    stats.skip("not_relevant")
    stats.error("http_500")
    assert store.finish_crawl_run(run_id, stats) is False
    with store.session(write=False) as s:
        r = s.get(CrawlRun, run_id)
        assert r.status == "ok" and r.finished_at is not None and r.finished_at >= r.started_at
        assert (r.pages_fetched, r.items_new, r.items_updated, r.items_unchanged) == (12, 3, 1, 8)
        assert r.skips == {"not_relevant": 2} and r.errors == {"http_500": 1} and r.gap is False

    run(store, source="nguon-la", pages_fetched=1, items_new=1)  # a source not declared first
    with store.session(write=False) as s:
        assert s.scalars(select(Source.kind).where(Source.name == "nguon-la")).one() == "unknown"


def test_pages_but_no_items_is_a_gap(store):
    assert run(store, pages_fetched=5)[1] is True  # the parser no longer matches the site


def test_nothing_from_a_source_that_used_to_yield_is_a_gap(store):
    assert run(store, pages_fetched=0)[1] is False  # never yielded: no gap
    run(store, pages_fetched=3, items_new=4)
    assert run(store, status="failed")[1] is True
    # the look-back covers the last 3 ok runs only
    for _ in range(3):
        run(store, pages_fetched=0)
    assert run(store, pages_fetched=0)[1] is False
    # per source: another source's history does not count
    run(store, source="a", pages_fetched=2, items_new=2)
    assert run(store, source="b", pages_fetched=0)[1] is False


def test_bad_status_and_unknown_run_are_refused(store):
    run_id = store.start_crawl_run("a")
    with pytest.raises(ValueError, match="status"):
        store.finish_crawl_run(run_id, CrawlStats(source="a"), status="done")
    with pytest.raises(ValueError, match="no crawl run"):
        store.finish_crawl_run(run_id + 99, CrawlStats(source="a"))
