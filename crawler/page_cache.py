"""What the last crawl saw on each page, so the next crawl can skip pages that did not change.

Kept in a sidecar SQLite file, ``<home>/crawl-cache/pages.sqlite`` (no migration of the
main database, and it also covers feeds, listings and comment pages, which are not
items). One row per (source, canonical page URL):

- ``etag`` / ``last_modified``: the validators the server sent, replayed as
  ``If-None-Match`` / ``If-Modified-Since``; a ``304`` means "unchanged".
- ``body_hash``: :func:`body_fingerprint` of the page, for servers that send no
  validators: the same fingerprint means "unchanged" and the page is not parsed again.
- ``items``: how many items the page handed to the store (counted as unchanged).
- ``children``: the requests the page led to (comment pages, articles of a feed,
  thread pages), replayed when the page is unchanged, so navigation goes on as if
  it had been parsed. Pickled request dicts (``Request.to_dict``), the format of
  Scrapy's own disk queues; the file is ours, under the data folder.
- ``config``: hash of what decides the parse (source options, watchlist, parser
  version). A row written under another config is ignored: a changed watchlist
  re-reads every page once.

A row is written only after the page's items were committed to the store
(:mod:`crawler.ledger`), so a crash never leaves a page "known" whose items are missing.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

#: Bump when parsers change what they extract: every page is then read in full once.
CACHE_VERSION = "2"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    source TEXT NOT NULL,
    url TEXT NOT NULL,
    config TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    items INTEGER NOT NULL DEFAULT 0,
    children BLOB,
    checked_at REAL NOT NULL,
    PRIMARY KEY (source, url)
)
"""
#: Parts of a page that change on every request without the content changing.
_VOLATILE = re.compile(
    rb"<(?:script\b.*?</script\s*>|style\b.*?</style\s*>|!--.*?-->|input[^>]+type=[\"']?hidden[^>]*>)",
    re.I | re.S,
)
_SPACE = re.compile(rb"\s+")


def body_fingerprint(body: bytes) -> str:
    """Hash of a page without scripts, styles, comments, hidden inputs and whitespace runs.

    Cheap (regexes on bytes, no parse), and blind to the per-request noise (CSRF tokens,
    analytics snippets, build comments) that would make every fetch look new.
    """
    cleaned = _SPACE.sub(b" ", _VOLATILE.sub(b"", body or b"")).strip()
    return hashlib.sha256(cleaned).hexdigest()


def config_hash(*parts: Any) -> str:
    """A stable hash of what decides how pages are parsed (plus :data:`CACHE_VERSION`)."""
    blob = json.dumps([CACHE_VERSION, *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@dataclass
class CachedPage:
    """One page as the last crawl left it."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    items: int = 0
    children: list[dict[str, Any]] = field(default_factory=list)


class PageCache:
    """The sidecar file for one source under one config. Open, read, write, close."""

    def __init__(self, path: Path, source: str, config: str):
        self.path = Path(path)
        self.source = source
        self.config = config
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    @classmethod
    def for_home(cls, home: Path, source: str, config: str) -> "PageCache":
        return cls(Path(home) / "crawl-cache" / "pages.sqlite", source, config)

    def get(self, url: str) -> CachedPage | None:
        """The page as last seen under this config, or None."""
        row = self._db.execute(
            "SELECT etag, last_modified, body_hash, items, children FROM pages "
            "WHERE source = ? AND url = ? AND config = ?",
            (self.source, url, self.config),
        ).fetchone()
        if row is None:
            return None
        try:
            children = pickle.loads(row[4]) if row[4] else []
        except Exception:  # noqa: BLE001 - an unreadable row is a cache miss, not a crash
            return None
        return CachedPage(url=url, etag=row[0], last_modified=row[1], body_hash=row[2], items=int(row[3] or 0),
                          children=children)

    def put_many(self, pages: Iterable[CachedPage]) -> int:
        """Write (or replace) these pages in one transaction; returns how many."""
        now = time.time()
        rows = [
            (self.source, p.url, self.config, p.etag, p.last_modified, p.body_hash, int(p.items),
             pickle.dumps(p.children, protocol=pickle.HIGHEST_PROTOCOL), now)
            for p in pages
        ]
        if not rows:
            return 0
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                "INSERT OR REPLACE INTO pages (source, url, config, etag, last_modified, body_hash, items, "
                "children, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return len(rows)

    def forget_source(self) -> int:
        """Drop every page of this source (its items are gone from the store)."""
        cur = self._db.execute("DELETE FROM pages WHERE source = ?", (self.source,))
        return cur.rowcount or 0

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM pages WHERE source = ?", (self.source,)).fetchone()[0])

    def close(self) -> None:
        self._db.close()
