"""Run crawls: every source of one call in one Scrapy ``CrawlerProcess``.

A Twisted reactor can't be restarted, so this runs once per process; the scheduler
calls ``langnghe crawl`` as a subprocess for each cycle.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from crawler.sources import SourceConfig
from langnghe.errors import UserError
from langnghe.records import CrawlStats
from langnghe.settings import Settings

log = logging.getLogger(__name__)


def require_schema(settings: Settings) -> None:
    """Fail with "Run `langnghe db upgrade`" unless the database schema is current."""
    from triage.db import get_engine, require_current_schema

    require_current_schema(get_engine(settings))


def _safe_dirname(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name) or "source"


@dataclass
class CrawlOutcome:
    """Stats of one source's crawl plus what the CLI tells the user about it."""

    stats: CrawlStats
    reason: str | None = None
    pages_unchanged: int = 0

    @property
    def interrupted(self) -> bool:
        """Stopped by a signal (Ctrl-C, SIGTERM) before the end."""
        return self.reason in ("shutdown", "cancelled")


def run_crawl(
    settings: Settings,
    sources: list[SourceConfig],
    cycle_id: str | None = None,
    jobdir: Path | None = None,
    check_schema: bool = True,
    on_start: Callable[[SourceConfig], None] | None = None,
    full: bool = False,
    outcomes: list[CrawlOutcome] | None = None,
) -> list[CrawlStats]:
    """Crawl ``sources`` (all at once, one CrawlerProcess) and return their stats.

    ``jobdir``: keep resume state there (one sub-folder per source); a crawl that was
    interrupted (Ctrl-C, SIGTERM, even ``kill -9``) continues where it stopped when run
    again with the same folder, and a crawl that finished leaves it empty. Ignored when
    the crawl is shared through Redis (``settings.redis_url``): the shared queue is the
    resume state then. ``full``: ignore the page cache (read every page in full).
    ``outcomes``: if given, filled with one :class:`CrawlOutcome` per source.
    """
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings as ScrapySettings

    from crawler.scrapy_settings import jobdir_settings, scrapy_settings
    from crawler.spiders import NOT_CRAWLED, spider_class

    if check_schema:
        require_schema(settings)
    if settings.redis_url:
        from crawler.scaleout import check_redis

        check_redis(settings.redis_url)
        if jobdir is not None:
            log.info("crawl shared through Redis: --jobdir %s is not used (the shared queue keeps the state)", jobdir)
            jobdir = None
    settings.ensure_home()
    settings.secret_bytes()  # create the key before spiders run in parallel
    crawlable = [s for s in sources if s.kind not in NOT_CRAWLED]
    for s in sources:
        if s.kind in NOT_CRAWLED:
            log.info("source %s (kind %s) is not crawled; use `langnghe import`", s.name, s.kind)
    if not crawlable:
        return []
    classes = {s.name: spider_class(s.kind) for s in crawlable}  # fail before starting anything
    # The CLI already installed a root log handler; Scrapy's own would print every line twice.
    root_configured = bool(logging.getLogger().handlers)
    from scrapy.settings import default_settings

    base = scrapy_settings(settings, cycle_id=cycle_id, full=full)
    if hasattr(default_settings, "LOG_INSTALL_ROOT_HANDLER"):  # Scrapy >= 2.14; the argument is deprecated there
        base["LOG_INSTALL_ROOT_HANDLER"] = not root_configured
        process = CrawlerProcess(ScrapySettings(base))
    else:  # pragma: no cover - older Scrapy
        process = CrawlerProcess(ScrapySettings(base), install_root_handler=not root_configured)
    if root_configured:
        for name in ("scrapy", "twisted", "crawler", "py.warnings"):
            logging.getLogger(name).setLevel(settings.log_level.upper())
    crawlers = []
    for source in crawlable:
        cls = classes[source.name]
        if jobdir is not None:
            # One resume folder per source: a subclass carries it as its own setting.
            own = {**(cls.custom_settings or {}), **jobdir_settings(Path(jobdir) / _safe_dirname(source.name))}
            cls = type(cls.__name__, (cls,), {"custom_settings": own, "__module__": cls.__module__})
        crawler = process.create_crawler(cls)
        crawlers.append((source, crawler))
        if on_start is not None:
            on_start(source)
        process.crawl(crawler, source=source)
    process.start()
    results = []
    for source, crawler in crawlers:
        spider = crawler.spider
        stats = spider.crawl_stats if spider is not None else CrawlStats(source=source.name, errors={"not_started": 1})
        results.append(stats)
        if outcomes is not None:
            ledger = getattr(spider, "ledger", None)
            outcomes.append(CrawlOutcome(stats, getattr(spider, "close_reason", None),
                                         ledger.pages_unchanged if ledger is not None else 0))
    return results
