"""Resume state of one source's crawl (``langnghe crawl --jobdir DIR``): the frontier.

Why not Scrapy's own ``JOBDIR``: it marks a request "seen" the moment it is scheduled,
writes its queue index only on a clean close, and knows nothing about the item batch
still in memory. After a ``kill -9`` the queue is lost while the "seen" file is not,
and pages whose items never reached the store are never fetched again.

Here, ``<DIR>/frontier.sqlite`` holds one row per request fingerprint:

- ``done``: the page was handled and everything it produced is committed to the
  store (its items) and to this file (the requests it led to);
- ``pending``: a request a done page led to, not yet done; it is re-issued on resume.

Rows are written by :class:`crawler.ledger.PageLedger` only after the store commit
of the page's items, in one SQLite transaction, so a kill at any instant leaves
either the old or the new state. A page not yet marked done is simply fetched again
(the store's upsert makes that harmless: same URL, same row). When a crawl finishes
normally, the done rows are deleted: the next run with the same folder is a fresh
crawl, and only pages that could not be stored stay pending and are retried.

:class:`FrontierDupeFilter` is Scrapy's duplicate filter for this mode: its "seen"
set starts from the frontier (done and pending), and nothing else is persisted.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
from pathlib import Path
from typing import Any, Iterable

from scrapy.dupefilters import BaseDupeFilter

log = logging.getLogger(__name__)

FILE_NAME = "frontier.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    fp TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    request BLOB
)
"""


class Frontier:
    """The frontier file of one source's crawl."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / FILE_NAME
        self.folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def fingerprints(self) -> set[str]:
        """Every request of the interrupted crawl, done or pending (the dupefilter's start)."""
        return {fp for (fp,) in self._db.execute("SELECT fp FROM requests")}

    def pending(self) -> list[dict[str, Any]]:
        """Request dicts (``Request.to_dict``) still to do; unreadable rows are skipped."""
        out = []
        for fp, blob in self._db.execute("SELECT fp, request FROM requests WHERE state = 'pending'"):
            try:
                out.append(pickle.loads(blob))
            except Exception:  # noqa: BLE001 - a damaged row: the page is rediscovered from its parent
                log.warning("frontier %s: unreadable pending request %s dropped", self.path, fp)
        return out

    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT state, count(*) FROM requests GROUP BY state").fetchall())

    def commit(self, done: Iterable[str], pending: Iterable[tuple[str, bytes]]) -> None:
        """Mark pages done and add the requests they led to, in one transaction."""
        done = list(done)
        pending = list(pending)
        if not done and not pending:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                "INSERT INTO requests (fp, state, request) VALUES (?, 'pending', ?) ON CONFLICT(fp) DO NOTHING",
                pending,
            )
            self._db.executemany(
                "INSERT INTO requests (fp, state, request) VALUES (?, 'done', NULL) "
                "ON CONFLICT(fp) DO UPDATE SET state = 'done', request = NULL",
                [(fp,) for fp in done],
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def finish(self) -> int:
        """After a crawl that ran to its end: forget done pages; returns how many stay pending."""
        self._db.execute("DELETE FROM requests WHERE state = 'done'")
        left = int(self._db.execute("SELECT count(*) FROM requests").fetchone()[0])
        return left

    def close(self, remove_if_empty: bool = False) -> None:
        empty = remove_if_empty and int(self._db.execute("SELECT count(*) FROM requests").fetchone()[0]) == 0
        self._db.close()
        if empty:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)


class FrontierDupeFilter(BaseDupeFilter):
    """Request fingerprints seen in this crawl, seeded from the frontier; never written to disk."""

    def __init__(self, crawler: Any, debug: bool = False):
        self.crawler = crawler
        self.fingerprinter = crawler.request_fingerprinter
        self.seen: set[str] = set()
        self.debug = debug
        self.logdupes = True

    @classmethod
    def from_crawler(cls, crawler: Any):
        return cls(crawler, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))

    def open(self) -> None:
        ledger = getattr(self.crawler.spider, "ledger", None)
        frontier = ledger.frontier if ledger is not None else None
        if frontier is not None:
            self.seen.update(frontier.fingerprints())
            if self.seen:
                log.info("resuming: %d requests known from %s", len(self.seen), frontier.path)
        return None

    def request_seen(self, request: Any) -> bool:
        fp = self.fingerprinter.fingerprint(request).hex()
        if fp in self.seen:
            return True
        self.seen.add(fp)
        return False

    def log(self, request: Any, spider: Any) -> None:
        if self.debug or self.logdupes:
            log.debug("filtered duplicate request %s", request)
            self.logdupes = self.debug
        self.crawler.stats.inc_value("dupefilter/filtered")
