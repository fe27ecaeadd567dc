"""Scrapy settings derived from our one Settings object (no other source of truth).

Polite by default: robots.txt obeyed, AutoThrottle, a per-domain concurrency cap, a
delay, retries with backoff, and size caps that stop 10 MB pages and gzip bombs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.pipelines import PIPELINES
from langnghe.settings import Settings


def scrapy_settings(settings: Settings, jobdir: Path | None = None, cycle_id: str | None = None) -> dict[str, Any]:
    """The Scrapy settings dict for one crawl (``jobdir``: resume state of that crawl)."""
    maxsize = int(settings.max_page_bytes)
    delay = float(settings.download_delay)
    out: dict[str, Any] = {
        "LANGNGHE_SETTINGS": settings,
        "LANGNGHE_CYCLE_ID": cycle_id,
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
        "LOG_LEVEL": settings.log_level.upper(),
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            # Lower than HttpCompressionMiddleware (590): sees decompressed bodies.
            "crawler.middlewares.CharsetFixMiddleware": 580,
            # Higher than RedirectMiddleware (600): sees the redirect response first.
            "crawler.middlewares.RedirectLoopMiddleware": 610,
        },
        "SPIDER_MIDDLEWARES": {"crawler.middlewares.PageCounterMiddleware": 10},
        "ITEM_PIPELINES": dict(PIPELINES),
        "EXTENSIONS": {"crawler.progress.ProgressExtension": 500},
    }
    if jobdir is not None:
        out["JOBDIR"] = str(jobdir)
    return out
