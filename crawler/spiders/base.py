"""What every source spider shares: its SourceConfig, its CrawlStats, and failure counting.

A subclass sets ``kind`` and implements ``parse_start(response)`` (called for each start
URL) plus its own callbacks. Build requests with :meth:`BaseSourceSpider.request` so
download failures land in the stats (``errback``), parse pages with
:meth:`BaseSourceSpider.parse_with` so a :class:`ParseError` becomes a recorded skip,
and pass items through :meth:`BaseSourceSpider.item` so they carry the source name.

Each spider has a :class:`~crawler.ledger.PageLedger` (``spider.ledger``) that knows
when a page is done; callbacks named in ``incremental_callbacks`` are fetched
conditionally and skipped when unchanged (:mod:`crawler.incremental`). A spider whose
pages carry comment threads implements :meth:`revisit_requests` to fetch its young
items again (``revisit_days``), even when no feed lists them any more.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, ClassVar, Iterable, TypeVar

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.parsers.errors import ParseError
from crawler.sources import SourceConfig
from langnghe.records import CrawledItem, CrawlStats

log = logging.getLogger(__name__)
T = TypeVar("T")

#: HTTP statuses counted as skips (the page is gone), not errors.
GONE_STATUSES = frozenset({404, 410, 451})


def classify_failure(failure: Failure) -> tuple[str, str]:
    """``("skip" | "error", reason)`` for a download failure, for the crawl-run record."""
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as net

    exc = failure.value
    message = str(exc).lower()
    if isinstance(exc, HttpError):
        status = exc.response.status
        return ("skip" if status in GONE_STATUSES else "error", f"http_{status}")
    if "robots.txt unreachable" in message:
        return "skip", "robots_unreachable"
    if "robots.txt" in message:
        return "skip", "robots_txt"
    if "larger than" in message or "max size" in message or "maxsize" in message or isinstance(exc, DownloadCancelledError):
        return "skip", "too_large"
    if "redirection" in message or "redirect" in message:
        return "error", "redirect_loop"
    if isinstance(exc, (DownloadTimeoutError, net.TimeoutError, TimeoutError)) or "timeout" in message or "took longer" in message:
        return "error", "timeout"
    if isinstance(exc, (net.ConnectionRefusedError, net.DNSLookupError, net.ConnectError)):
        return "error", "connection"
    if isinstance(exc, IgnoreRequest):
        return "skip", "ignored"
    return "error", "download"


class BaseSourceSpider(scrapy.Spider):
    """One crawl of one source. Construct with ``source=SourceConfig``."""

    kind: ClassVar[str] = ""
    name = "langnghe"
    #: Callbacks whose pages may be fetched conditionally and skipped when unchanged:
    #: generators whose whole effect is what they yield (see crawler.incremental).
    incremental_callbacks: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, source: SourceConfig, *args: Any, **kwargs: Any):
        super().__init__(*args, name=source.name, **kwargs)
        self.source = source
        self.crawl_stats = CrawlStats(source=source.name)
        self.close_reason: str | None = None
        self.ledger: Any = None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        from crawler.ledger import PageLedger

        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.ledger = PageLedger(crawler, spider)
        crawler.signals.connect(spider._on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider._on_item_error, signal=signals.item_error)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    # --- our Settings ------------------------------------------------------------------
    @property
    def app_settings(self):
        """The :class:`langnghe.settings.Settings` this crawl runs with."""
        return self.crawler.settings["LANGNGHE_SETTINGS"]

    # --- start -------------------------------------------------------------------------
    async def start(self):
        for request in self.start_requests_for_source():
            yield request
        if self.ledger is not None:
            for request in self.ledger.resume_requests():
                yield request
        for request in self.revisit_requests():
            yield request

    def revisit_requests(self) -> Iterable[scrapy.Request]:
        """Requests for stored items whose comments are still worth reading (default: none)."""
        return ()

    def young_items(self, kinds: tuple[str, ...]) -> list[Any]:
        """Stored items of this source younger than ``revisit_days`` (source option or setting)."""
        from crawler.store_queries import young_items

        try:
            days = int(self.source.option("revisit_days", self.app_settings.revisit_days))
            return young_items(self.app_settings, self.source.name, days, kinds=kinds)
        except Exception as exc:  # noqa: BLE001 - no revisits this time; the crawl itself goes on
            self.error("revisit_query", detail=str(exc)[:200])
            return []

    def start_requests_for_source(self) -> Iterable[scrapy.Request]:
        for url in self.source.urls:
            yield self.request(url, self.parse_start, dont_filter=True)

    def parse_start(self, response):  # pragma: no cover - subclasses implement it
        raise NotImplementedError(f"{type(self).__name__} must implement parse_start")

    def parse(self, response, **kwargs: Any):
        return self.parse_start(response)

    # --- helpers for subclasses ---------------------------------------------------------
    def request(self, url: str, callback: Callable, **kwargs: Any) -> scrapy.Request:
        """A request whose download failures are counted (use for every request)."""
        kwargs.setdefault("errback", self.on_download_error)
        return scrapy.Request(url, callback=callback, **kwargs)

    def item(self, item: CrawledItem, **extra: Any) -> CrawledItem:
        """Stamp the source name on a parsed item before yielding it."""
        item.source = self.source.name
        if extra:
            item.extra.update(extra)
        return item

    def skip(self, reason: str, url: str = "") -> None:
        self.crawl_stats.skip(reason)
        self.logger.debug("skip %s: %s", reason, url)

    def error(self, kind: str, url: str = "", detail: str = "") -> None:
        self.crawl_stats.error(kind)
        self.logger.warning("error %s: %s %s", kind, url, detail)

    def parse_with(self, parser: Callable[..., T], response, *args: Any, **kwargs: Any) -> T | None:
        """Run a pure parser on ``response``; a ParseError becomes a skip and gives None."""
        try:
            return parser(response.text if hasattr(response, "text") else response.body, response.url, *args, **kwargs)
        except ParseError as exc:
            self.skip(exc.reason, response.url)
            return None
        except AttributeError:  # not a text response (binary download)
            self.skip("not_text", response.url)
            return None

    # --- failure accounting ---------------------------------------------------------------
    def on_download_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else ""
        what, reason = classify_failure(failure)
        if what == "skip":
            self.skip(reason, url)
        else:
            self.error(reason, url, str(failure.value)[:200])
        if request is not None and self.ledger is not None:
            self.ledger.request_failed(request)

    def _on_item_dropped(self, item: Any, response: Any, exception: BaseException, spider: scrapy.Spider) -> None:
        if spider is self:
            self.crawl_stats.skip(getattr(exception, "reason", "dropped"))
            if self.ledger is not None:
                self.ledger.item_dropped(item)

    def _on_item_error(self, item: Any, response: Any, spider: scrapy.Spider, failure: Failure) -> None:
        if spider is self:
            self.crawl_stats.error("pipeline")
            if self.ledger is not None:
                self.ledger.item_dropped(item)

    def _on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is self:
            self.close_reason = reason

    def _on_spider_error(self, failure: Failure, response: Any, spider: scrapy.Spider) -> None:
        if spider is not self:
            return
        if isinstance(failure.value, ParseError):
            self.crawl_stats.skip(failure.value.reason)
        else:
            self.crawl_stats.error("spider_exception")
