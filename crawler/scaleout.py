"""Scale-out: several ``langnghe crawl`` processes (on several machines) share one crawl.

With ``LANGNGHE_REDIS_URL`` set, every spider uses scrapy-redis: one request queue and
one duplicate filter per source and cycle, in Redis, so each page is fetched by exactly
one process, and all of them write to the shared PostgreSQL store. Keys::

    langnghe:<cycle>:<source>:requests     shared priority queue (scrapy-redis)
    langnghe:<cycle>:<source>:dupefilter   fingerprints of every request scheduled
    langnghe:<cycle>:<source>:workers      worker -> "busy|idle:<unix time>"
    langnghe:<cycle>:<source>:matched      article/thread URLs the relevance filter kept

``<cycle>`` is ``--cycle-id`` (every process of one crawl must get the same one), or
``manual`` without it.

Two things plain scrapy-redis does not do, added here:

- *Start URLs once*: every process yields the same start URLs with ``dont_filter``;
  :class:`SharedScheduler` passes them through the shared filter instead, so the feed
  is fetched once and the others wait for the links it yields.
- *Stay until the crawl is over*: a process whose queue is empty does not close while
  another process is busy (it may still yield links): :class:`SharedCrawl` keeps it open
  and polls the queue. The last process to finish cleans up: keys of a ``manual`` crawl
  are deleted; keys of a cycle are kept for :data:`KEEP_SECONDS` so a late process of
  the same cycle does not crawl it again.

A process killed mid-page loses the requests it had taken from the queue for this
cycle (the next cycle, and the revisit of young items, fetch them again).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from langnghe.errors import UserError

log = logging.getLogger(__name__)

KEY_ROOT = "langnghe"
#: A busy worker not heard from for this long is taken for dead.
STALE_SECONDS = 60.0
#: How long the keys of a finished cycle stay (late processes of that cycle find it done).
KEEP_SECONDS = 2 * 24 * 3600
#: How often an idle process looks at the shared queue again.
POLL_SECONDS = 0.2


def key_prefix(cycle_id: str | None) -> str:
    return f"{KEY_ROOT}:{cycle_id or 'manual'}"


def check_redis(url: str) -> None:
    """Fail early, as a UserError, when Redis cannot be reached."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise UserError(f"cannot reach Redis at {url} ({exc}). Start Redis, fix LANGNGHE_REDIS_URL, "
                        "or unset it to crawl in this process alone.") from exc


def scrapy_redis_settings(redis_url: str, cycle_id: str | None) -> dict[str, Any]:
    """The Scrapy settings that make a crawl shared through Redis."""
    prefix = key_prefix(cycle_id)
    return {
        "SCHEDULER": "crawler.scaleout.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": prefix + ":%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": prefix + ":%(spider)s:dupefilter",
        "REDIS_URL": redis_url,
        "LANGNGHE_SHARED_PREFIX": prefix,
        "LANGNGHE_SHARED_KEEP": bool(cycle_id),
    }


def shared_for(crawler: Any) -> "SharedCrawl | None":
    """The running :class:`SharedCrawl` of this crawler, or None when not scaled out."""
    if not crawler.settings.get("LANGNGHE_SHARED_PREFIX"):
        return None
    try:
        return crawler.get_extension(SharedCrawl)
    except RuntimeError:
        return None


class _Stats:
    """Scrapy >= 2.13 deprecates ``inc_value(spider=...)``, which scrapy-redis 0.9.1 still passes."""

    def __init__(self, stats: Any):
        self._stats = stats

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
        self._stats.inc_value(key, count, start)


class SharedScheduler(RedisScheduler):
    """scrapy-redis's scheduler, plus: start URLs through the shared filter; "busy" on pop."""

    crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any):
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.stats = _Stats(crawler.stats)
        return instance

    def enqueue_request(self, request: Any) -> bool:
        if request.dont_filter and request.meta.get("is_start_request"):
            if self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            self.queue.push(request)
            return True
        return super().enqueue_request(request)

    def next_request(self) -> Any:
        request = super().next_request()
        if request is not None and self.crawler is not None:
            shared = shared_for(self.crawler)
            if shared is not None:
                shared.mark_busy()
        return request


class SharedCrawl:
    """Extension: worker registry, stay-open-while-others-work, shared relevance set, cleanup."""

    def __init__(self, crawler: Any):
        from scrapy_redis.connection import get_redis_from_settings

        self.crawler = crawler
        self.server = get_redis_from_settings(crawler.settings)
        self.prefix = crawler.settings["LANGNGHE_SHARED_PREFIX"]
        self.keep = crawler.settings.getbool("LANGNGHE_SHARED_KEEP")
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.base = ""
        self.state = ""
        self.last_write = 0.0
        self.waiting = False
        self.loop: Any = None
        self.last_ttl = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any):
        if not crawler.settings.get("LANGNGHE_SHARED_PREFIX"):
            raise NotConfigured("not scaled out")
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    # --- keys ------------------------------------------------------------------------------------
    def key(self, what: str) -> str:
        return f"{self.base}:{what}"

    @property
    def queue_key(self) -> str:
        return self.key("requests")

    def all_keys(self) -> list[str]:
        return [self.key(k) for k in ("requests", "dupefilter", "workers", "matched")]

    # --- relevance shared between processes ----------------------------------------------------------
    def add_matched(self, url: str) -> None:
        self.server.sadd(self.key("matched"), url)

    def is_matched(self, url: str) -> bool:
        return bool(self.server.sismember(self.key("matched"), url))

    # --- worker state -----------------------------------------------------------------------------
    def _write(self, state: str, force: bool = False) -> None:
        now = time.time()
        if force or state != self.state or now - self.last_write > 2.0:
            self.server.hset(self.key("workers"), self.worker, f"{state}:{now:.3f}")
            self.state, self.last_write = state, now

    def mark_busy(self) -> None:
        self.waiting = False
        self._write("busy")

    def others_busy(self) -> list[str]:
        now = time.time()
        busy = []
        for worker, value in self.server.hgetall(self.key("workers")).items():
            worker = worker.decode() if isinstance(worker, bytes) else worker
            value = value.decode() if isinstance(value, bytes) else value
            if worker == self.worker:
                continue
            state, _, stamp = value.partition(":")
            try:
                fresh = now - float(stamp) < STALE_SECONDS
            except ValueError:
                fresh = False
            if state == "busy" and fresh:
                busy.append(worker)
        return busy

    def queued(self) -> int:
        return int(self.server.zcard(self.queue_key))

    # --- signals -------------------------------------------------------------------------------------
    def opened(self, spider: Any) -> None:
        from twisted.internet.task import LoopingCall

        self.base = f"{self.prefix}:{spider.name}"
        self._write("busy", force=True)
        self.loop = LoopingCall(self._tick)
        self.loop.start(POLL_SECONDS, now=False)
        log.info("shared crawl %s as worker %s", self.base, self.worker)

    def _refresh_ttl(self) -> None:
        """Keys expire if every process dies without cleaning up (kill -9)."""
        if time.time() - self.last_ttl > 30:
            for key in self.all_keys():
                self.server.expire(key, KEEP_SECONDS)
            self.last_ttl = time.time()

    def _tick(self) -> None:
        try:
            self._refresh_ttl()
            if self.waiting:
                self._poke_engine()
            elif self.state == "busy":
                self._write("busy")  # heartbeat (throttled)
        except Exception as exc:  # noqa: BLE001 - Redis hiccup: the next tick tries again
            log.warning("shared crawl heartbeat failed: %s", exc)

    def _poke_engine(self) -> None:
        """Make the engine ask the (shared) scheduler again now, not at its 5 s heartbeat."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        if slot is not None and getattr(slot, "closing", None) is None:
            slot.nextcall.schedule()

    def idle(self, spider: Any) -> None:
        self._write("idle")
        if self.queued() > 0 or self.others_busy():
            self.waiting = True
            raise DontCloseSpider("other crawler processes are still working on this source")
        self.waiting = False

    def closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        try:
            self.server.hdel(self.key("workers"), self.worker)
            if reason != "finished" or self.queued() > 0 or self.others_busy():
                self.last_ttl = 0.0
                self._refresh_ttl()
                return
            if self.keep:
                for key in self.all_keys():
                    self.server.expire(key, KEEP_SECONDS)
            else:
                self.server.delete(*self.all_keys())
                log.info("shared crawl %s finished; its Redis keys were removed", self.base)
        except Exception as exc:  # noqa: BLE001 - cleanup is best effort; keys expire anyway
            log.warning("could not clean up the shared crawl keys of %s: %s", self.base, exc)
