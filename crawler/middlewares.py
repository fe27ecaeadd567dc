"""Downloader and spider middlewares that make crawling polite and failures countable.

- :class:`BackoffRetryMiddleware` replaces Scrapy's RetryMiddleware: same retry rules,
  but waits before retrying (``Retry-After`` on 429/503 when the server sends it,
  else exponential backoff from ``download_delay``).
- :class:`CharsetFixMiddleware` re-decodes pages whose declared charset is wrong.
- :class:`PageCounterMiddleware` counts each page handed to a spider (after retries
  and redirects, before HTTP-error filtering) in the spider's CrawlStats.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import TextResponse

from crawler.charset import best_encoding, declared_charset
from crawler.component import CrawlerComponent

log = logging.getLogger(__name__)

#: Longest wait a ``Retry-After`` may impose; a longer one gives up on the page.
RETRY_AFTER_MAX = 300.0
BACKOFF_MAX = 60.0


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


async def _sleep(seconds: float) -> None:
    if seconds <= 0:
        return
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry with a pause: Retry-After when given (429/503), else base * 2**attempt."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("LANGNGHE_BACKOFF_BASE", 1.0)

    def _backoff(self, request: Any) -> float:
        attempt = request.meta.get("retry_times", 0)
        return min(BACKOFF_MAX, self.backoff_base * (2**attempt))

    async def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = self._backoff(request)
        if response.status in (429, 503):
            after = retry_after_seconds(response.headers.get(b"Retry-After"))
            if after is not None:
                if after > RETRY_AFTER_MAX:
                    log.warning("%s asks to wait %.0f s (Retry-After); giving up on %s", response.status, after, request.url)
                    return response
                wait = after
        reason = f"{response.status} response"
        new_request = self._retry(request, reason)
        if new_request is None:
            return response
        await _sleep(wait)
        return new_request

    async def process_exception(self, request: Any, exception: Exception, spider: Any = None) -> Any:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            wait = self._backoff(request)
            new_request = self._retry(request, exception)
            if new_request is not None:
                await _sleep(wait)
            return new_request
        return None


class CharsetFixMiddleware:
    """Decode with UTF-8 when a page labelled otherwise is really UTF-8 (and vice versa)."""

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        declared = declared_charset(response.body, response.headers.get(b"Content-Type", b"").decode("latin-1"))
        encoding = best_encoding(response.body, declared)
        current = (response.encoding or "").lower().replace("_", "-")
        if encoding.replace("_", "-") != current:
            log.debug("charset of %s: %s declared, decoding as %s", response.url, declared, encoding)
            return response.replace(encoding=encoding)
        return response


class PageCounterMiddleware(CrawlerComponent):
    """Counts pages in ``spider.crawl_stats.pages_fetched`` (spider middleware)."""

    def process_spider_input(self, response: Any, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        stats = getattr(spider, "crawl_stats", None)
        if stats is not None:
            stats.pages_fetched += 1
        return None


class RedirectLoopMiddleware:
    """Stop a redirect back to a URL already visited in the same chain, as an error.

    Scrapy's duplicate filter would otherwise drop the repeated URL silently, and the
    page would vanish without a trace in the crawl run.
    """

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        from urllib.parse import urljoin

        from scrapy.exceptions import IgnoreRequest
        from w3lib.url import safe_url_string

        target = safe_url_string(urljoin(request.url, response.headers[b"Location"].decode("latin-1")))
        seen = {*request.meta.get("redirect_urls", []), request.url}
        if target in seen:
            raise IgnoreRequest(f"redirect loop: {request.url} -> {target}")
        return response
