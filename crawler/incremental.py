"""Incremental crawling: ask "changed since?" and skip what did not change.

- :class:`ConditionalRequestMiddleware` (downloader): for pages the last crawl saw,
  sends ``If-None-Match`` / ``If-Modified-Since`` with the validators it kept, and lets
  the ``304 Not Modified`` answer reach the spider.
- :class:`PageTrackingMiddleware` (spider): hands every response to the spider's
  :class:`~crawler.ledger.PageLedger`. An unchanged page (``304``, or a body whose
  fingerprint matches the cache) is not parsed: the callback's output is discarded
  unread and the page's cached child requests are replayed. Every other page's
  requests and items are tracked until they are committed.

Only callbacks a spider lists in ``incremental_callbacks`` are conditional: they must
be generators (so discarding their output costs nothing) whose whole effect is what
they yield.
"""

from __future__ import annotations

import inspect
from typing import Any, AsyncIterator, Iterable

from crawler.component import CrawlerComponent

_OURS = "langnghe_conditional"


class ConditionalRequestMiddleware(CrawlerComponent):
    def process_request(self, request: Any, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        ledger = getattr(spider, "ledger", None)
        if request.meta.pop(_OURS, False):  # a redirect/retry copy: its old validators may not apply
            request.headers.pop(b"If-None-Match", None)
            request.headers.pop(b"If-Modified-Since", None)
        if ledger is None or request.method != "GET" or not ledger.is_incremental(request):
            return None
        cached = ledger.cached(request.url)
        if cached is None or not (cached.etag or cached.last_modified):
            return None
        if cached.etag:
            request.headers[b"If-None-Match"] = cached.etag
        if cached.last_modified:
            request.headers[b"If-Modified-Since"] = cached.last_modified
        request.meta[_OURS] = True
        allowed = set(request.meta.get("handle_httpstatus_list", ()))
        request.meta["handle_httpstatus_list"] = sorted(allowed | {304})
        return None


def _close(result: Any) -> None:
    """Drop a callback's output unread (a generator that never started does no work)."""
    close = getattr(result, "close", None)
    if close is not None and inspect.isgenerator(result):
        close()


async def _aclose(result: Any) -> None:
    """Drop an async callback's output unread."""
    aclose = getattr(result, "aclose", None)
    if aclose is not None:
        await aclose()


class PageTrackingMiddleware(CrawlerComponent):
    def _ledger(self, spider: Any):
        return getattr(spider or self.crawler.spider, "ledger", None)

    def process_spider_output(self, response: Any, result: Iterable[Any], spider: Any = None) -> Iterable[Any]:
        ledger = self._ledger(spider)
        if ledger is None:
            yield from result
            return
        page = ledger.open_page(response)
        if page.unchanged is not None:
            _close(result)
            yield from ledger.replay(page)
            return
        if response.status == 304:  # not modified, but nothing cached to replay: nothing to parse
            _close(result)
            ledger.page_failed(page)
            return
        try:
            for out in result:
                ledger.track(page, out)
                yield out
        except BaseException:
            ledger.page_failed(page)
            raise
        ledger.exhausted(page)

    async def process_spider_output_async(self, response: Any, result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        ledger = self._ledger(spider)
        if ledger is None:
            async for out in result:
                yield out
            return
        page = ledger.open_page(response)
        if page.unchanged is not None:
            await _aclose(result)
            for request in ledger.replay(page):
                yield request
            return
        if response.status == 304:
            await _aclose(result)
            ledger.page_failed(page)
            return
        try:
            async for out in result:
                ledger.track(page, out)
                yield out
        except BaseException:
            ledger.page_failed(page)
            raise
        ledger.exhausted(page)
