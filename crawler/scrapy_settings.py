"""Scrapy settings derived from our one Settings object (no other source of truth).

Polite by default: robots.txt obeyed, AutoThrottle, a per-domain concurrency cap, a
delay, retries with backoff, and size caps that stop 10 MB pages and gzip bombs.
Incremental (conditional requests, unchanged pages skipped) unless ``full``; resumable
with a ``jobdir`` (:mod:`crawler.frontier`); shared through Redis when
``settings.redis_url`` is set (:mod:`crawler.scaleout`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.pipelines import PIPELINES
from langnghe.settings import Settings


def jobdir_settings(jobdir: Path) -> dict[str, Any]:
    """Settings that make one source's crawl resumable from ``jobdir`` (our frontier, not Scrapy's JOBDIR)."""
    return {"LANGNGHE_JOBDIR": str(jobdir), "DUPEFILTER_CLASS": "crawler.frontier.FrontierDupeFilter"}


def scrapy_settings(settings: Settings, jobdir: Path | None = None, cycle_id: str | None = None,
                    full: bool = False) -> dict[str, Any]:
    """The Scrapy settings dict for one crawl.

    ``jobdir``: resume state of that crawl (one source); ``full``: ignore the page cache
    (every page fetched and parsed in full, the cache rewritten).
    """
    maxsize = int(settings.max_page_bytes)
    delay = float(settings.download_delay)
    out: dict[str, Any] = {
        "LANGNGHE_SETTINGS": settings,
        "LANGNGHE_CYCLE_ID": cycle_id,
        "LANGNGHE_FULL": bool(full),
        "LANGNGHE_BACKOFF_BASE": max(delay, 0.0),
        "BOT_NAME": "langnghe",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        "ROBOTSTXT_USER_AGENT": settings.user_agent,
        "CONCURRENT_REQUESTS": max(8, settings.concurrent_per_domain * 4),
        "CONCURRENT_REQUESTS_PER_DOMAIN": settings.concurrent_per_domain,
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if delay > 0 else 0.0,
        "AUTOTHROTTLE_ENABLED": delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.5),
        "AUTOTHROTTLE_MAX_DELAY": max(30.0, delay * 10),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(settings.concurrent_per_domain),
        "DOWNLOAD_TIMEOUT": float(settings.download_timeout),
        "DOWNLOAD_MAXSIZE": maxsize,
        "DOWNLOAD_WARNSIZE": max(1, maxsize // 2),
        "REDIRECT_ENABLED": True,
        "REDIRECT_MAX_TIMES": settings.redirect_max,
        "RETRY_ENABLED": settings.retry_times > 0,
        "RETRY_TIMES": settings.retry_times,
        "HTTPCACHE_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        # Our pipelines are synchronous: more concurrent items gain nothing, and Scrapy
        # starts that many tasks for every response (a third of the CPU at 100).
        "CONCURRENT_ITEMS": 8,
        # Twisted's own reactor (epoll on Linux), not Scrapy's default asyncio bridge: with
        # Twisted 26 / Scrapy 2.19 the bridge stalls downloads for 0.2-1 s at random (a
        # 5,000-page local crawl: 379 s wall for 50 s of CPU, against 45 s here). Nothing
        # here needs asyncio; the remote-control extension does, so it is off.
        "TWISTED_REACTOR": None,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": settings.log_level.upper(),
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.robots.RobotsTxtMiddleware": 100,  # every waiter checked; unreachable = disallow
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            # Lower than HttpCompressionMiddleware (590): sees decompressed bodies.
            "crawler.middlewares.CharsetFixMiddleware": 580,
            # Higher than RedirectMiddleware (600): sees the redirect response first.
            "crawler.middlewares.RedirectLoopMiddleware": 610,
            "crawler.incremental.ConditionalRequestMiddleware": 560,
        },
        "SPIDER_MIDDLEWARES": {
            "crawler.middlewares.PageCounterMiddleware": 10,
            # Engine side of Depth/UrlLength/Referer: records the requests actually scheduled.
            "crawler.incremental.PageTrackingMiddleware": 15,
        },
        "ITEM_PIPELINES": dict(PIPELINES),
        "EXTENSIONS": {"crawler.progress.ProgressExtension": 500},
    }
    if settings.redis_url:
        from crawler.scaleout import scrapy_redis_settings

        out.update(scrapy_redis_settings(settings.redis_url, cycle_id))
        out["EXTENSIONS"] = {**out["EXTENSIONS"], "crawler.scaleout.SharedCrawl": 400}
    elif jobdir is not None:
        out.update(jobdir_settings(jobdir))
    return out
