"""The few read-only questions the crawler asks the store (writes go through ``triage.store``).

- :func:`young_items`: articles/threads young enough to have their comments revisited;
- :func:`source_item_count`: is anything of this source stored at all (a fresh or
  emptied database makes the page cache meaningless);
- :func:`stored_urls`: which of these URLs are stored (a comment whose article was
  kept by an earlier run, or by another crawler process, belongs to a relevant article).

Each opens a read-only session (``write=False``): readers never wait for writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable

from sqlalchemy import func, select

from langnghe.settings import Settings

#: Item kinds whose pages carry a comment thread worth revisiting.
THREAD_KINDS = ("article", "post")


@dataclass(frozen=True)
class YoungItem:
    url: str
    kind: str
    published_at: datetime | None
    comments: int = 0
    views: int = 0
    #: Where to fetch it: the address it was fetched at when its host differs from the canonical one.
    fetch_url: str = ""


def young_items(settings: Settings, source: str, days: int, now: datetime | None = None,
                kinds: Iterable[str] = THREAD_KINDS, limit: int = 2000) -> list[YoungItem]:
    """Items of ``source`` of ``kinds`` published (else first seen) less than ``days`` ago, newest first."""
    from triage.db import session_scope
    from triage.models import Item, Source

    if days <= 0:
        return []
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    when = func.coalesce(Item.published_at, Item.first_seen_at)
    stmt = (
        select(Item.url, Item.kind, Item.published_at, Item.comments, Item.views, Item.extra)
        .join(Source, Source.id == Item.source_id)
        .where(Source.name == source, Item.kind.in_(list(kinds)), when >= cutoff)
        .order_by(when.desc())
        .limit(limit)
    )
    with session_scope(settings, write=False) as session:
        return [YoungItem(url, kind, published, comments or 0, views or 0,
                          str((extra or {}).get("fetch_url") or url) if isinstance(extra, dict) else url)
                for url, kind, published, comments, views, extra in session.execute(stmt)]


def source_item_count(settings: Settings, source: str) -> int:
    from triage.db import session_scope
    from triage.models import Item, Source

    stmt = select(func.count(Item.id)).join(Source, Source.id == Item.source_id).where(Source.name == source)
    with session_scope(settings, write=False) as session:
        return int(session.execute(stmt).scalar_one())


def stored_urls(settings: Settings, urls: Iterable[str]) -> set[str]:
    """The subset of ``urls`` stored as items (any source)."""
    from triage.db import session_scope
    from triage.models import Item

    wanted = sorted(set(urls))
    found: set[str] = set()
    with session_scope(settings, write=False) as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update(session.execute(select(Item.url).where(Item.url.in_(chunk))).scalars())
    return found
