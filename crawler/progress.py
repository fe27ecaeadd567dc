"""Progress lines on stderr while a crawl runs (one per source at start, every N pages, at end).

Scrapy's own log is for engineers; these lines are for the person who ran
``langnghe crawl`` and wants to know it is moving.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from scrapy import signals

from langnghe.records import CrawlStats

EVERY_PAGES = 25


def describe(stats: CrawlStats, pages_unchanged: int = 0) -> str:
    """``12 trang (3 không đổi), 30 mới, 2 cập nhật, 4 không đổi, 5 bỏ qua, 1 lỗi`` for one source."""
    skipped = sum(stats.skips.values())
    errors = sum(stats.errors.values())
    same = f" ({pages_unchanged} không đổi)" if pages_unchanged else ""
    return (f"{stats.pages_fetched} trang{same}, {stats.items_new} mới, {stats.items_updated} cập nhật, "
            f"{stats.items_unchanged} không đổi, {skipped} bỏ qua, {errors} lỗi")


def _unchanged_pages(spider: Any) -> int:
    ledger = getattr(spider, "ledger", None)
    return ledger.pages_unchanged if ledger is not None else 0


class ProgressExtension:
    def __init__(self, crawler: Any, out: TextIO | None = None):
        self.crawler = crawler
        self.out = out or sys.stderr
        self.started = time.monotonic()
        self.last_reported = 0

    @classmethod
    def from_crawler(cls, crawler: Any):
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.page, signal=signals.response_received)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        source = getattr(spider, "source", None)
        where = f" ({source.url})" if source is not None and source.url else ""
        self._print(f"[{spider.name}] bắt đầu thu thập{where}")

    def page(self, response: Any = None, request: Any = None, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        stats = getattr(spider, "crawl_stats", None)
        if stats is not None and stats.pages_fetched - self.last_reported >= EVERY_PAGES:
            self.last_reported = stats.pages_fetched
            self._print(f"[{spider.name}] … {describe(stats, _unchanged_pages(spider))}")

    def closed(self, spider: Any, reason: str) -> None:
        stats = getattr(spider, "crawl_stats", None)
        if stats is None:
            return
        seconds = time.monotonic() - self.started
        note = "" if reason == "finished" else f" (dừng: {reason})"
        self._print(f"[{spider.name}] xong: {describe(stats, _unchanged_pages(spider))} trong {seconds:.1f} s{note}")
