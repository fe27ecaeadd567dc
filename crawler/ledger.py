"""When is a page really done? Only once everything it produced is committed.

A page is *done* when (1) its callback has run to the end, (2) each item it yielded
has been dropped by a pipeline stage or appended to the store batch, and (3) the store
batch holding those items has been committed. Only then does the ledger write what it
knows about the page, in this order:

1. the store commit (:class:`crawler.pipelines.StorePipeline` calls :meth:`commit`);
2. the frontier (``--jobdir``): the page is ``done``, its child requests ``pending``;
3. the page cache: validators, content fingerprint, item count and child requests.

A kill between any two steps only makes the next run fetch the page again, which the
store's upsert makes harmless. A batch the store refused marks its pages lost: they
are neither done nor cached, so a resume (or the next crawl) fetches them again.

Unchanged pages (a ``304``, or a ``200`` whose fingerprint matches the cache) are not
parsed: the cached child requests are replayed instead and the cached item count is
added to ``items_unchanged``.
"""

from __future__ import annotations

import logging
import pickle
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from crawler.canonical import canonical_url
from crawler.page_cache import CachedPage, PageCache, body_fingerprint, config_hash

log = logging.getLogger(__name__)

#: Seconds after which completed pages are committed even if no item filled a batch:
#: often when resumable (a kill then re-fetches little), rarely otherwise (bigger batches).
COMMIT_EVERY_RESUMABLE = 0.25
COMMIT_EVERY = 2.0
#: Requests whose URL carries a secret are never written to disk (API tokens).
_SECRET_QUERY = re.compile(r"[?&](?:access_token|key|token|api_key|apikey|secret)=", re.I)
#: Meta key holding the fingerprint a request had when its page yielded it (kept across redirects).
FP_META = "langnghe_fp"


@dataclass(eq=False)
class Page:
    """One response (or failed request) on its way to being done."""

    key: str
    fp: str
    incremental: bool = False
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    children: list[dict[str, Any]] = field(default_factory=list)
    child_rows: list[tuple[str, bytes]] = field(default_factory=list)
    persistable: bool = True
    cacheable: bool = False
    outstanding: int = 0
    stored: int = 0
    exhausted: bool = False
    failed: bool = False
    lost: bool = False
    completed: bool = False
    unchanged: CachedPage | None = None


def callback_name(request: Any) -> str:
    cb = getattr(request, "callback", None)
    return getattr(cb, "__name__", "") if cb is not None else "parse"


def _header(response: Any, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class PageLedger:
    """Per-spider bookkeeping of pages in flight. Built by ``BaseSourceSpider.from_crawler``."""

    def __init__(self, crawler: Any, spider: Any):
        from scrapy import signals

        self.crawler = crawler
        self.spider = spider
        self.app_settings = crawler.settings["LANGNGHE_SETTINGS"]
        self.full = crawler.settings.getbool("LANGNGHE_FULL")
        jobdir = crawler.settings.get("LANGNGHE_JOBDIR")
        self.jobdir = Path(jobdir) if jobdir else None
        self._frontier: Any = None
        self._cache: PageCache | None = None
        self._cache_checked = False
        self._owner: dict[int, Page] = {}
        self.completed: list[Page] = []
        self.pages_unchanged = 0
        self.flush_hook: Callable[[], None] | None = None
        self._last_commit = time.monotonic()
        self._commit_scheduled = False
        self.commit_every = COMMIT_EVERY_RESUMABLE if self.jobdir is not None else COMMIT_EVERY
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    # --- the two files -------------------------------------------------------------------
    @property
    def frontier(self):
        """The resume state (``--jobdir``), or None."""
        if self._frontier is None and self.jobdir is not None:
            from crawler.frontier import Frontier

            self._frontier = Frontier(self.jobdir)
        return self._frontier

    @property
    def cache(self) -> PageCache:
        if self._cache is None:
            source = self.spider.source
            watchlist = b""
            if source.filter != "none":
                try:
                    watchlist = Path(self.app_settings.watchlist_file).read_bytes()
                except OSError:
                    watchlist = b""
            config = config_hash(source.kind, source.as_store_config(), watchlist.decode("utf-8", "replace"))
            self._cache = PageCache.for_home(self.app_settings.home, source.name, config)
        if not self._cache_checked:
            self._cache_checked = True
            self._drop_cache_if_store_empty()
        return self._cache

    def _drop_cache_if_store_empty(self) -> None:
        """A cache without the items it vouches for (new or emptied database) is worthless."""
        from crawler.store_queries import source_item_count

        try:
            empty = source_item_count(self.app_settings, self.spider.source.name) == 0
        except Exception as exc:  # noqa: BLE001 - without the answer, trust nothing
            log.warning("cannot count stored items of %s (%s); reading every page in full",
                        self.spider.source.name, exc)
            self.full = True
            return
        if empty and self._cache is not None and self._cache.forget_source():
            log.info("no stored items for %s: its page cache was cleared", self.spider.source.name)

    def cached(self, url: str) -> CachedPage | None:
        """What the last crawl saw at ``url`` (canonical spelling), unless ``--full``."""
        if self.full:
            return None
        return self.cache.get(canonical_url(url))

    # --- requests and responses ----------------------------------------------------------------
    def is_incremental(self, request: Any) -> bool:
        return callback_name(request) in getattr(self.spider, "incremental_callbacks", ())

    def fingerprint(self, request: Any) -> str:
        return request.meta.get(FP_META) or self.crawler.request_fingerprinter.fingerprint(request).hex()

    def open_page(self, response: Any) -> Page:
        """Start tracking a response; decides whether it is unchanged since the last crawl."""
        request = response.request
        page = Page(key=canonical_url(response.url), fp=self.fingerprint(request),
                    incremental=self.is_incremental(request))
        if not page.incremental:
            return page
        if response.status == 304:
            cached = self.cached(response.url)
            if cached is not None:
                cached.etag = _header(response, b"ETag") or cached.etag
                cached.last_modified = _header(response, b"Last-Modified") or cached.last_modified
                page.unchanged = cached
            else:
                self.spider.crawl_stats.skip("not_modified_unknown")
                page.failed = True
            return page
        if 200 <= response.status < 300:
            page.cacheable = True
            page.etag = _header(response, b"ETag")
            page.last_modified = _header(response, b"Last-Modified")
            page.body_hash = body_fingerprint(response.body)
            cached = self.cached(response.url)
            if cached is not None and cached.body_hash == page.body_hash:
                cached.etag, cached.last_modified = page.etag, page.last_modified
                page.unchanged = cached
        return page

    def replay(self, page: Page) -> Iterator[Any]:
        """The requests an unchanged page led to last time; its items count as unchanged."""
        from scrapy.utils.request import request_from_dict

        cached = page.unchanged
        assert cached is not None
        requests = []
        try:
            for d in cached.children:
                requests.append(request_from_dict(d, spider=self.spider))
        except Exception as exc:  # noqa: BLE001 - e.g. a callback renamed since: read it in full next time
            log.warning("cannot replay the links of unchanged page %s (%s); it will be read in full next time",
                        page.key, exc)
            page.failed = True
            requests = []
        self.pages_unchanged += 1
        self.crawler.stats.inc_value("langnghe/pages_unchanged")
        self.spider.crawl_stats.items_unchanged += cached.items
        if not page.failed:
            page.cacheable = True
            page.etag, page.last_modified, page.body_hash = cached.etag, cached.last_modified, cached.body_hash
            page.stored = cached.items
        for request in requests:
            self.add_child(page, request)
        self.exhausted(page)
        return iter(requests)

    def track(self, page: Page, out: Any) -> None:
        """Note one thing a callback yielded (a request to follow, or an item)."""
        from scrapy import Request

        if isinstance(out, Request):
            self.add_child(page, out)
        elif out is not None:
            page.outstanding += 1
            self._owner[id(out)] = page

    def add_child(self, page: Page, request: Any) -> None:
        if self.jobdir is None and not page.incremental:
            return  # neither a frontier nor a cache entry will need it
        fp = self.crawler.request_fingerprinter.fingerprint(request).hex()
        request.meta.setdefault(FP_META, fp)
        if _SECRET_QUERY.search(request.url):
            page.persistable = False
            return
        try:
            snapshot = request.to_dict(spider=self.spider)
            blob = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - not a spider method, unpicklable meta: keep it in memory only
            page.persistable = False
            return
        page.children.append(snapshot)
        page.child_rows.append((fp, blob))

    def exhausted(self, page: Page) -> None:
        page.exhausted = True
        self._maybe_complete(page)

    def page_failed(self, page: Page) -> None:
        """The callback raised: the page is handled (the error is counted) but not cached."""
        page.failed = True
        self.exhausted(page)

    def request_failed(self, request: Any) -> None:
        """A download failure handled by the errback: the request is done, nothing to cache."""
        page = Page(key=canonical_url(request.url), fp=self.fingerprint(request), failed=True)
        self.exhausted(page)

    # --- items -----------------------------------------------------------------------------------
    def item_reached_store(self, item: Any) -> Page | None:
        page = self._owner.pop(id(item), None)
        if page is not None:
            page.stored += 1
            page.outstanding -= 1
            self._maybe_complete(page)
        return page

    def item_dropped(self, item: Any) -> None:
        page = self._owner.pop(id(item), None)
        if page is not None:
            page.outstanding -= 1
            self._maybe_complete(page)

    def _maybe_complete(self, page: Page) -> None:
        if page.completed or not page.exhausted or page.outstanding > 0:
            return
        page.completed = True
        self.completed.append(page)
        due = time.monotonic() - self._last_commit > self.commit_every
        if due and self.flush_hook is not None and not self._commit_scheduled:
            from twisted.internet import reactor

            self._commit_scheduled = True
            reactor.callLater(0, self._scheduled_flush)

    def _scheduled_flush(self) -> None:
        self._commit_scheduled = False
        if self.flush_hook is not None:
            self.flush_hook()

    # --- commit ------------------------------------------------------------------------------------
    def commit(self) -> None:
        """Write done pages to the frontier and the cache. Call right after a store commit."""
        self._last_commit = time.monotonic()
        pages, self.completed = self.completed, []
        good = [p for p in pages if not p.lost]
        if self.frontier is not None:
            done = [p.fp for p in good if p.persistable]
            pending = [row for p in good if p.persistable for row in p.child_rows]
            self.frontier.commit(done, pending)
        entries = [
            CachedPage(url=p.key, etag=p.etag, last_modified=p.last_modified, body_hash=p.body_hash,
                       items=p.stored, children=p.children)
            for p in good if p.incremental and p.cacheable and p.persistable and not p.failed
        ]
        if entries:
            self.cache.put_many(entries)

    def resume_requests(self) -> list[Any]:
        """Pending requests of an interrupted crawl (``--jobdir``), to issue again."""
        from scrapy.utils.request import request_from_dict

        if self.frontier is None:
            return []
        out = []
        for d in self.frontier.pending():
            try:
                request = request_from_dict(d, spider=self.spider)
            except Exception as exc:  # noqa: BLE001 - its parent is fetched again and leads to it
                log.warning("cannot resume a pending request (%s); it is found again from its page", exc)
                continue
            out.append(request.replace(dont_filter=True))
        if out:
            log.info("resuming %s: %d pending requests", self.spider.source.name, len(out))
        return out

    def close(self, spider: Any = None, reason: str = "") -> None:
        if spider is not None and spider is not self.spider:
            return
        if self._frontier is not None:
            if reason == "finished":
                left = self._frontier.finish()
                if left:
                    log.info("%d pages of %s could not be stored; they are retried on the next run",
                             left, self.spider.source.name)
            self._frontier.close(remove_if_empty=reason == "finished")
            self._frontier = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None
