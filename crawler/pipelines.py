"""Item pipeline stages, in order. Each does one thing and returns the item or raises
:class:`Skipped` (a ``DropItem`` with a ``reason`` the spider counts in its stats).

Validate -> Canonicalise -> Relevance -> Pseudonymise -> Dedup -> Store.
Nothing raw leaves this chain: the store only ever sees canonical URLs and pseudonyms.
"""

from __future__ import annotations

import logging
from typing import Any

from urllib.parse import urlsplit

from scrapy.exceptions import DropItem

from crawler.canonical import canonical_url
from crawler.component import CrawlerComponent
from crawler.pseudonym import pseudonymise
from crawler.relevance import Watchlist
from langnghe.records import CrawledItem, nfc

log = logging.getLogger(__name__)

#: Longest text kept for one item; longer is a scraping accident, not an article.
MAX_TEXT_CHARS = 200_000

#: Order of the stages in ITEM_PIPELINES.
PIPELINES: dict[str, int] = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.CanonicalisePipeline": 200,
    "crawler.pipelines.RelevancePipeline": 300,
    "crawler.pipelines.PseudonymisePipeline": 400,
    "crawler.pipelines.DedupPipeline": 500,
    "crawler.pipelines.StorePipeline": 900,
}


class Skipped(DropItem):
    """An item deliberately not stored; ``reason`` is the stats key ("irrelevant")."""

    def __init__(self, reason: str, url: str = ""):
        super().__init__(f"{reason}: {url}", log_level="DEBUG")
        self.reason = reason


class _Stage(CrawlerComponent):
    """Keeps the crawler so a stage can reach the spider and our Settings."""

    @property
    def spider(self):
        return self.crawler.spider

    @property
    def app_settings(self):
        return self.crawler.settings["LANGNGHE_SETTINGS"]


class ValidatePipeline(_Stage):
    """Only CrawledItems with a URL and some text, under the size cap."""

    def process_item(self, item: Any) -> CrawledItem:
        if not isinstance(item, CrawledItem):
            raise Skipped("not_an_item", repr(item)[:100])
        if not item.url or not item.url.startswith(("http://", "https://")):
            raise Skipped("no_url", item.url)
        item.text = nfc(item.text).strip()
        item.title = nfc(item.title).strip()
        if not item.text and not item.title:
            raise Skipped("empty_text", item.url)
        if len(item.text) > MAX_TEXT_CHARS:
            raise Skipped("text_too_long", item.url)
        return item


class CanonicalisePipeline(_Stage):
    """URL and parent URL in their canonical spelling (the item's identity).

    An article or thread fetched at another spelling (``www.``, ``m.``) keeps that address
    in ``extra["fetch_url"]``: the canonical host may not answer when it is revisited.
    """

    def process_item(self, item: CrawledItem) -> CrawledItem:
        raw = item.url
        item.url = canonical_url(raw)
        if item.kind != "comment" and raw != item.url and urlsplit(raw).hostname != urlsplit(item.url).hostname:
            item.extra.setdefault("fetch_url", raw)
        if item.parent_url:
            item.parent_url = canonical_url(item.parent_url)
        for key in ("reply_to",):
            if isinstance(item.extra.get(key), str):
                item.extra[key] = canonical_url(item.extra[key])
        return item


class RelevancePipeline(_Stage):
    """Keep what mentions the watchlist (or the source's own keywords).

    A comment is kept when it matched or its article/thread was kept: earlier in this
    run, by another crawler process of a shared crawl (Redis), or by an earlier run
    (the article is in the store: a resumed crawl, a revisited or unchanged article).
    ``filter = "none"`` keeps everything. Matched terms go to ``extra["watch_terms"]``.
    """

    def __init__(self, crawler: Any = None):
        super().__init__(crawler)
        self.watchlist: Watchlist | None = None
        self.matched_parents: set[str] = set()
        self.parent_known: dict[str, bool] = {}
        self.shared = None

    def open_spider(self) -> None:
        from crawler.scaleout import shared_for

        entries: list[dict] = []
        source = self.spider.source
        self.shared = shared_for(self.crawler)
        if source.filter == "none":
            return
        base = Watchlist.from_file(self.app_settings.watchlist_file)
        if source.keywords:
            entries = [{"name": k, "group": "source"} for k in source.keywords]
            base = Watchlist(base.terms + Watchlist.from_terms(entries).terms)
        self.watchlist = base

    def process_item(self, item: CrawledItem) -> CrawledItem:
        if self.watchlist is None:
            self.matched_parents.add(item.url)
            return item
        terms = self.watchlist.matches(f"{item.title}\n{item.text}")
        if terms:
            item.extra["watch_terms"] = terms
            if item.kind != "comment":
                self.matched_parents.add(item.url)
                if self.shared is not None:
                    self.shared.add_matched(item.url)
            return item
        if item.kind == "comment" and item.parent_url and self._parent_kept(item.parent_url):
            return item
        raise Skipped("irrelevant", item.url)

    def _parent_kept(self, url: str) -> bool:
        if url in self.matched_parents:
            return True
        if self.shared is not None and self.shared.is_matched(url):
            self.matched_parents.add(url)
            return True
        if url not in self.parent_known:
            from crawler.store_queries import stored_urls

            self.parent_known[url] = bool(stored_urls(self.app_settings, [url]))
        return self.parent_known[url]


class PseudonymisePipeline(_Stage):
    """Raw author name -> keyed pseudonym; the raw name is cleared."""

    def __init__(self, crawler: Any = None):
        super().__init__(crawler)
        self._secret: bytes | None = None

    def process_item(self, item: CrawledItem) -> CrawledItem:
        if item.author:
            if self._secret is None:
                self._secret = self.app_settings.secret_bytes()
            item.author_pseudonym = pseudonymise(item.author, self._secret)
        item.author = None
        return item


class DedupPipeline(_Stage):
    """Each canonical URL once per run, and each (parent, text) once: re-listed pages
    and the same comment shown on two comment pages are not stored twice."""

    def __init__(self, crawler: Any = None):
        super().__init__(crawler)
        self.urls: set[str] = set()
        self.hashes: set[tuple[str | None, str]] = set()

    def process_item(self, item: CrawledItem) -> CrawledItem:
        if item.url in self.urls:
            raise Skipped("duplicate", item.url)
        key = (item.parent_url if item.kind == "comment" else item.kind, item.content_hash)
        if key in self.hashes:
            raise Skipped("duplicate_content", item.url)
        self.urls.add(item.url)
        self.hashes.add(key)
        return item


class StorePipeline(_Stage):
    """Batches items to ``Store.upsert_items`` and records the crawl run (last stage).

    After each commit the spider's :class:`~crawler.ledger.PageLedger` records the pages
    whose items are now all stored (resume state, page cache); a refused batch marks
    its pages lost, so they are fetched again rather than remembered as done.
    """

    #: Items per store transaction. The ledger also flushes at least every second, so a
    #: slow crawl's items reach the store (and a kill loses little) long before this fills.
    batch_size = 500

    def __init__(self, crawler: Any = None):
        super().__init__(crawler)
        self.store = None
        self.run_id: int | None = None
        self.batch: list[CrawledItem] = []
        self.pages: list[Any] = []
        self.failed = False
        self.ledger = None

    def open_spider(self) -> None:
        from triage.store import Store

        source = self.spider.source
        self.store = Store(self.app_settings)
        self.store.ensure_source(source.name, source.kind, url=source.url, weight=source.weight,
                                 enabled=source.enabled, config=source.as_store_config())
        self.run_id = self.store.start_crawl_run(source.name, cycle_id=self.crawler.settings.get("LANGNGHE_CYCLE_ID"))
        self.ledger = getattr(self.spider, "ledger", None)
        if self.ledger is not None:
            self.ledger.flush_hook = self.flush

    def process_item(self, item: CrawledItem) -> CrawledItem:
        if item.author:  # never reached with the standard chain; guard for custom pipelines
            raise Skipped("raw_author", item.url)
        self.batch.append(item)
        if self.ledger is not None:
            page = self.ledger.item_reached_store(item)
            if page is not None:
                self.pages.append(page)
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Store the batch, then let the ledger record the pages that are now done."""
        if self.store is None:
            return
        if not self.batch:
            self._commit_ledger()
            return
        stats = self.spider.crawl_stats
        batch, self.batch = self.batch, []
        pages, self.pages = self.pages, []
        try:
            result = self.store.upsert_items(batch)
        except Exception as exc:  # noqa: BLE001 - a failed batch is recorded, the crawl goes on
            log.error("could not store %d items of %s: %s", len(batch), stats.source, exc)
            stats.errors["store"] = stats.errors.get("store", 0) + len(batch)
            self.failed = True
            for page in pages:
                page.lost = True
        else:
            stats.items_new += result.new
            stats.items_updated += result.updated
            stats.items_unchanged += result.unchanged
        self._commit_ledger()

    def _commit_ledger(self) -> None:
        if self.ledger is None:
            return
        try:
            self.ledger.commit()
        except Exception as exc:  # noqa: BLE001 - resume state/cache behind: pages are just fetched again
            log.error("could not record done pages of %s: %s", self.spider.source.name, exc)
            self.spider.crawl_stats.error("crawl_state")

    @classmethod
    def from_crawler(cls, crawler: Any):
        from scrapy import signals

        stage = cls(crawler)
        crawler.signals.connect(stage._finish_run, signal=signals.spider_closed)
        return stage

    def close_spider(self) -> None:
        self.flush()

    def _finish_run(self, spider: Any, reason: str) -> None:
        """Record the run once the close reason is known (after close_spider)."""
        if self.store is None or self.run_id is None:
            return
        stats = spider.crawl_stats
        if reason not in (None, "finished"):
            status = "interrupted" if reason in ("shutdown", "cancelled") else "failed"
        elif self.failed or (stats.pages_fetched == 0 and stats.errors):
            status = "failed"
        else:
            status = "ok"
        self.store.finish_crawl_run(self.run_id, stats, status=status)
