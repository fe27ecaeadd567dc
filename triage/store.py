"""The store: what the crawler writes and the scorer reads, idempotent and concurrency-safe.

Identity and duplicates (:meth:`Store.upsert_items`):

- An item is its canonical ``url``. Storing the same URL again refreshes it: title/text
  (kept when the new crawl brought no text at all), engagement counts, ``fetched_at``,
  and ``published_at``/``parent_url``/``external_id``/``author_pseudonym``/``extra``
  when the new crawl has them. ``first_seen_at``, ``source_id`` and ``kind`` never change.
- A *new* URL whose content hash equals a stored item's of the same source and the same
  kind (article/post/comment) is a duplicate (the same article under a second address):
  it is counted as unchanged and not inserted. For comments the parent URL and the
  author pseudonym must match too, so two people writing "Đúng vậy" stay two comments.
  Items with no title and no text are never treated as duplicates. This check is not a
  database constraint: two processes inserting the same content under two new URLs at
  the same instant may both succeed.
- ``parent_id`` is linked from ``parent_url`` after every batch, in both directions:
  children stored now find parents stored earlier, and orphans stored earlier find the
  parents arriving now (same batch or a later call). On PostgreSQL the linking is its own
  transaction after the batch commits, so two processes storing a comment and its
  article at the same instant cannot both miss each other.

Every batch of :data:`BATCH_SIZE` items is one transaction using ``INSERT ... ON
CONFLICT (url)``; rows are written in URL order (no lock-order deadlocks) and a batch
that loses a deadlock or finds SQLite busy is retried. Two processes storing the same
URLs at once end with one row per URL, and their ``new`` counts add up to the number
of rows (PostgreSQL reports per row whether it inserted; SQLite serialises writers).
"""

from __future__ import annotations

import logging
import random
import time
import unicodedata
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, TypeVar

from sqlalchemy import Boolean, and_, exists, func, literal_column, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, aliased

from langnghe.records import ITEM_KINDS, CrawledItem, CrawlStats, content_hash, utcnow
from triage.db import get_engine, require_current_schema, session_scope, write_engine
from triage.models import AuditLog, CrawlRun, Item, Prediction, Source

if TYPE_CHECKING:
    from langnghe.settings import Settings

log = logging.getLogger(__name__)

BATCH_SIZE = 500
#: Source kind given to a source first met in an item (not declared with ensure_source).
UNKNOWN_SOURCE_KIND = "unknown"
RUN_STATUSES = ("running", "ok", "failed", "interrupted")
#: How many earlier ok runs the gap rule looks back on.
GAP_LOOKBACK = 3
RETRIES = 6
EMPTY_HASH = content_hash("\n")

#: Item columns refreshed when a stored URL is stored again.
_REFRESHED = (
    "external_id", "parent_id", "parent_url", "content_hash", "title", "text", "author_pseudonym",
    "published_at", "fetched_at", "likes", "comments", "shares", "views", "lang", "extra",
)
#: Columns whose change makes a re-stored item count as "updated" (not "unchanged").
_COMPARED = (
    "external_id", "parent_url", "title", "text", "author_pseudonym", "published_at",
    "likes", "comments", "shares", "views", "lang", "extra",
)
_LIMITS = {"url": 2048, "parent_url": 2048, "external_id": 200, "author_pseudonym": 64, "lang": 8, "source": 200}

_PRED_REQUIRED = ("item_id", "model_version", "category", "category_proba", "topic", "topic_proba",
                  "toxicity", "toxicity_proba")
_PRED_DEFAULTS: dict[str, Callable[[], Any]] = {
    "probabilities": dict, "explanation": dict, "facets": dict, "claim_matches": list,
    "flagged": lambda: False, "support": lambda: False, "priority": lambda: 0.0,
}

T = TypeVar("T")


class UpsertResult(NamedTuple):
    """What :meth:`Store.upsert_items` did; every item given is counted exactly once."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: object) -> "UpsertResult":  # type: ignore[override]
        if not isinstance(other, UpsertResult):
            return NotImplemented
        return UpsertResult(self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


class ItemText(NamedTuple):
    """An item as the scorer reads it."""

    item_id: int
    title: str
    text: str
    kind: str


@dataclass
class _Planned:
    item: CrawledItem
    row: dict[str, Any]
    existing: dict[str, Any] | None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _name(value: str) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def _is_transient(exc: OperationalError) -> bool:
    """A failure that retrying the whole transaction can fix (lost deadlock, busy file)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("40P01", "40001"):
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


def check_item(item: CrawledItem) -> None:
    """Refuse what must never be stored (a raw author name) or cannot be (too long)."""
    if item.author:
        raise ValueError(
            f"item {item.url!r} still has a raw author name; pseudonymise it before storing "
            "(raw names are never stored)"
        )
    if not item.url:
        raise ValueError(f"an item from {item.source!r} has no url")
    if not _name(item.source):
        raise ValueError(f"item {item.url!r} has no source")
    if item.kind not in ITEM_KINDS:
        raise ValueError(f"item {item.url!r} has unknown kind {item.kind!r}; expected one of {ITEM_KINDS}")
    for field, limit in _LIMITS.items():
        value = getattr(item, field)
        if value is not None and len(value) > limit:
            raise ValueError(f"item {item.url!r}: {field} is longer than {limit} characters")


class Store:
    """Reads and writes of the crawl and scoring stages. Build with ``Store(settings)``.

    Construction checks the schema is current (UserError "Run `langnghe db upgrade`."
    otherwise).
    """

    def __init__(self, settings: "Settings", *, check_schema: bool = True) -> None:
        self.settings = settings
        self.engine = get_engine(settings)
        if check_schema:
            require_current_schema(self.engine)
        self._writer = write_engine(self.engine)
        self.dialect = self.engine.dialect.name
        self._upsert = self._upsert_statement()

    @classmethod
    def from_settings(cls, settings: "Settings") -> "Store":
        return cls(settings)

    def session(self, *, write: bool = True) -> AbstractContextManager[Session]:
        """An ORM session (see :func:`triage.db.session_scope`)."""
        return session_scope(self.settings, write=write)

    # --- plumbing ------------------------------------------------------------------------

    def _insert(self, model: Any) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(model)

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction, retrying lost deadlocks / busy SQLite."""
        for attempt in range(RETRIES):
            try:
                with self._writer.begin() as conn:
                    return work(conn)
            except OperationalError as exc:
                if attempt + 1 >= RETRIES or not _is_transient(exc):
                    raise
                delay = 0.05 * (2**attempt) * (1 + random.random())
                log.info("database busy (%s); retrying in %.2fs", str(exc.orig).splitlines()[0], delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    # --- sources -------------------------------------------------------------------------

    def ensure_source(
        self,
        name: str,
        kind: str,
        url: str | None = None,
        weight: float = 1.0,
        enabled: bool = True,
        config: dict[str, Any] | None = None,
    ) -> int:
        """Create or update the source called ``name``; returns its id."""
        name = _name(name)
        if not name:
            raise ValueError("a source needs a name")
        values = {"kind": kind, "url": url, "weight": float(weight), "enabled": bool(enabled), "config": config or {}}
        stmt = self._insert(Source).values(name=name, created_at=utcnow(), **values)
        stmt = stmt.on_conflict_do_update(index_elements=["name"], set_=values).returning(Source.id)
        return self._write(lambda conn: int(conn.execute(stmt).scalar_one()))

    def _source_ids(self, conn: Connection, names: set[str]) -> dict[str, int]:
        found = dict(conn.execute(select(Source.name, Source.id).where(Source.name.in_(names))).all())
        missing = names - found.keys()
        if missing:
            rows = [{"name": n, "kind": UNKNOWN_SOURCE_KIND, "weight": 1.0, "enabled": True, "config": {},
                     "created_at": utcnow()} for n in sorted(missing)]
            conn.execute(self._insert(Source).values(rows).on_conflict_do_nothing(index_elements=["name"]))
            found = dict(conn.execute(select(Source.name, Source.id).where(Source.name.in_(names))).all())
        return found

    def source_id(self, name: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(select(Source.id).where(Source.name == _name(name))).scalar_one_or_none()

    # --- crawl runs ------------------------------------------------------------------------

    def start_crawl_run(self, source_name: str, cycle_id: str | None = None) -> int:
        """Record that a crawl of ``source_name`` started (status ``running``); returns its id."""
        def work(conn: Connection) -> int:
            source_id = self._source_ids(conn, {_name(source_name)})[_name(source_name)]
            return int(conn.execute(
                CrawlRun.__table__.insert().values(
                    source_id=source_id, cycle_id=cycle_id, started_at=utcnow(), status="running",
                    pages_fetched=0, items_new=0, items_updated=0, items_unchanged=0,
                    skips={}, errors={}, gap=False,
                ).returning(CrawlRun.id)
            ).scalar_one())

        if not _name(source_name):
            raise ValueError("a crawl run needs a source name")
        return self._write(work)

    def finish_crawl_run(self, run_id: int, stats: CrawlStats, status: str = "ok") -> bool:
        """Write the run's counts and status; returns whether it is a *gap*.

        Gap rule: the run stored nothing (new + updated + unchanged == 0) and either it
        fetched pages (pages came back but yielded no items: the parser no longer
        matches the site) or one of the source's last 3 earlier ``ok`` runs stored
        items (the source used to yield and now does not). Applies whatever the status,
        so a failing source that used to yield is a gap too.
        """
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown crawl run status {status!r}; expected one of {RUN_STATUSES}")
        stored = stats.items_new + stats.items_updated + stats.items_unchanged

        def work(conn: Connection) -> bool:
            run = conn.execute(select(CrawlRun.source_id).where(CrawlRun.id == run_id)).first()
            if run is None:
                raise ValueError(f"there is no crawl run {run_id}")
            gap = False
            if stored == 0:
                if stats.pages_fetched > 0:
                    gap = True
                else:
                    earlier = conn.execute(
                        select(CrawlRun.items_new + CrawlRun.items_updated + CrawlRun.items_unchanged)
                        .where(CrawlRun.source_id == run.source_id, CrawlRun.id != run_id, CrawlRun.status == "ok")
                        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
                        .limit(GAP_LOOKBACK)
                    ).scalars().all()
                    gap = any(n > 0 for n in earlier)
            conn.execute(
                update(CrawlRun).where(CrawlRun.id == run_id).values(
                    finished_at=utcnow(), status=status, pages_fetched=stats.pages_fetched,
                    items_new=stats.items_new, items_updated=stats.items_updated,
                    items_unchanged=stats.items_unchanged, skips=dict(stats.skips),
                    errors=dict(stats.errors), gap=gap,
                )
            )
            return gap

        return self._write(work)

    # --- items -------------------------------------------------------------------------------

    def upsert_items(self, items: Iterable[CrawledItem]) -> UpsertResult:
        """Store crawled items idempotently (see the module docstring for the rules).

        Every item is checked first (:func:`check_item`, e.g. a raw ``author`` raises
        ValueError), so a refused item means nothing of this call was stored.
        """
        items = list(items)
        for item in items:
            check_item(item)
        result = UpsertResult()
        for start in range(0, len(items), BATCH_SIZE):
            chunk = items[start:start + BATCH_SIZE]
            by_url: dict[str, CrawledItem] = {}
            for item in chunk:
                by_url.pop(item.url, None)
                by_url[item.url] = item  # the last copy of a URL wins
            repeated = len(chunk) - len(by_url)
            batch = list(by_url.values())
            batch_result = self._write(lambda conn: self._upsert_batch(conn, batch))
            if self.dialect == "postgresql":
                # After the batch commits, not inside it: a comment stored here and its
                # article stored by another process at the same instant would each miss
                # the other's uncommitted row. Whichever link runs last sees both.
                self._write(lambda conn: self._link_parents(conn, [i.url for i in batch]))
            result = result + batch_result + UpsertResult(unchanged=repeated)
        return result

    def _upsert_batch(self, conn: Connection, items: list[CrawledItem]) -> UpsertResult:
        source_ids = self._source_ids(conn, {_name(i.source) for i in items})
        urls = [i.url for i in items]
        cols = [Item.id, Item.parent_id, *(getattr(Item, c) for c in _COMPARED)]
        existing = {r.url: r._asdict() for r in conn.execute(select(Item.url, *cols).where(Item.url.in_(urls)))}

        planned: list[_Planned] = []
        duplicates = 0
        seen = self._stored_content_keys(conn, [i for i in items if i.url not in existing], source_ids)
        for item in items:
            old = existing.get(item.url)
            row = self._row(item, source_ids[_name(item.source)], old)
            if old is None:
                key = self._content_key(item, row)
                if key is not None:
                    if key in seen:
                        duplicates += 1
                        continue
                    seen.add(key)
            planned.append(_Planned(item, row, old))
        if not planned:
            return UpsertResult(unchanged=duplicates)

        planned.sort(key=lambda p: p.item.url)
        rows = [p.row for p in planned]
        if self.dialect == "postgresql":
            inserted = {r.url: bool(r.inserted) for r in conn.execute(self._upsert, rows)}
        else:
            conn.execute(self._upsert, rows)
            inserted = {p.item.url: p.existing is None for p in planned}

        new = updated = 0
        unchanged = duplicates
        for p in planned:
            if inserted[p.item.url]:
                new += 1
            elif p.existing is None:
                unchanged += 1  # another writer stored the same URL a moment earlier
            elif any(p.row[c] != p.existing[c] for c in _COMPARED):
                updated += 1
            else:
                unchanged += 1
        if self.dialect != "postgresql":  # SQLite serialises writers: link in the same transaction
            self._link_parents(conn, [p.item.url for p in planned])
        log.debug("stored %d new, %d updated, %d unchanged", new, updated, unchanged)
        return UpsertResult(new, updated, unchanged)

    def _upsert_statement(self) -> Any:
        """``INSERT ... ON CONFLICT (url) DO UPDATE``, executed with a list of rows.

        One statement for every batch: SQLAlchemy compiles it once and sends the rows
        as multi-row VALUES in their order (``insertmanyvalues``). A ``.values(rows)``
        statement is compiled again for every batch (half the time of a 500-item batch).
        """
        stmt = self._insert(Item)
        stmt = stmt.on_conflict_do_update(index_elements=["url"], set_={c: stmt.excluded[c] for c in _REFRESHED})
        if self.dialect == "postgresql":  # per row: inserted (xmax = 0) or updated
            stmt = stmt.returning(Item.url, literal_column("(xmax = 0)", Boolean).label("inserted"))
        return stmt

    @staticmethod
    def _row(item: CrawledItem, source_id: int, old: dict[str, Any] | None) -> dict[str, Any]:
        """The row to write: the new crawl, keeping what it lacks from the stored row."""
        fetched = _utc(item.fetched_at) or utcnow()
        row: dict[str, Any] = {
            "source_id": source_id,
            "kind": item.kind,
            "url": item.url,
            "external_id": item.external_id,
            "parent_id": None,
            "parent_url": item.parent_url or None,
            "content_hash": item.content_hash,
            "title": item.title,
            "text": item.text,
            "author_pseudonym": item.author_pseudonym,
            "published_at": _utc(item.published_at),
            "fetched_at": fetched,
            "first_seen_at": fetched,
            "likes": int(item.engagement.likes),
            "comments": int(item.engagement.comments),
            "shares": int(item.engagement.shares),
            "views": int(item.engagement.views),
            "lang": item.lang or "vi",
            "extra": dict(item.extra or {}),
        }
        if old is None:
            return row
        if row["content_hash"] == EMPTY_HASH:
            row["title"], row["text"] = old["title"], old["text"]
            row["content_hash"] = content_hash(f"{old['title']}\n{old['text']}")
        for key in ("external_id", "parent_url", "author_pseudonym", "published_at"):
            if row[key] is None:
                row[key] = old[key]
        if not row["extra"]:
            row["extra"] = old["extra"]
        row["parent_id"] = old["parent_id"] if row["parent_url"] == old["parent_url"] else None
        return row

    @staticmethod
    def _content_key(item: CrawledItem, row: dict[str, Any]) -> tuple[Any, ...] | None:
        if row["content_hash"] == EMPTY_HASH:
            return None
        key: tuple[Any, ...] = (row["source_id"], item.kind, row["content_hash"])
        if item.kind == "comment":
            key += (row["parent_url"], row["author_pseudonym"])
        return key

    def _stored_content_keys(
        self, conn: Connection, fresh: list[CrawledItem], source_ids: dict[str, int]
    ) -> set[tuple[Any, ...]]:
        """Content keys already stored that new URLs of this batch could duplicate."""
        hashes = {i.content_hash for i in fresh} - {EMPTY_HASH}
        if not hashes:
            return set()
        rows = conn.execute(
            select(Item.source_id, Item.kind, Item.content_hash, Item.parent_url, Item.author_pseudonym).where(
                Item.content_hash.in_(hashes), Item.source_id.in_(set(source_ids.values()))
            )
        )
        keys: set[tuple[Any, ...]] = set()
        for r in rows:
            key: tuple[Any, ...] = (r.source_id, r.kind, r.content_hash)
            keys.add(key + (r.parent_url, r.author_pseudonym) if r.kind == "comment" else key)
        return keys

    @staticmethod
    def _link_parents(conn: Connection, urls: list[str]) -> int:
        """Set ``parent_id`` for children among ``urls`` and for orphans whose parent is in ``urls``."""
        parent = aliased(Item)
        parent_id = (
            select(parent.id).where(parent.url == Item.parent_url, parent.id != Item.id).scalar_subquery()
        )
        result = conn.execute(
            update(Item)
            .where(
                Item.parent_id.is_(None),
                Item.parent_url.is_not(None),
                or_(Item.url.in_(urls), Item.parent_url.in_(urls)),
                exists(select(parent.id).where(parent.url == Item.parent_url, parent.id != Item.id)),
            )
            .values(parent_id=parent_id)
        )
        return result.rowcount or 0

    def item_by_url(self, url: str) -> Item | None:
        """The stored item (detached ORM object), or None."""
        with self.session(write=False) as session:
            return session.scalars(select(Item).where(Item.url == url)).one_or_none()

    def count_items(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count(Item.id))).scalar_one())

    def count_items_by_kind(self) -> dict[str, int]:
        """Items per kind; every kind is present (0 when none)."""
        counts = dict.fromkeys(ITEM_KINDS, 0)
        with self.engine.connect() as conn:
            for kind, n in conn.execute(select(Item.kind, func.count(Item.id)).group_by(Item.kind)):
                counts[kind] = int(n)
        return counts

    # --- predictions -------------------------------------------------------------------------

    def items_needing_prediction(self, model_version: str, limit: int | None = None) -> list[ItemText]:
        """Items without a prediction of ``model_version``, oldest id first."""
        stmt = (
            select(Item.id, Item.title, Item.text, Item.kind)
            .outerjoin(Prediction, and_(Prediction.item_id == Item.id, Prediction.model_version == model_version))
            .where(Prediction.id.is_(None))
            .order_by(Item.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            return [ItemText(*row) for row in conn.execute(stmt)]

    def save_predictions(self, rows: list[dict[str, Any]]) -> int:
        """Insert or replace predictions (one per item and model version); returns how many.

        The saved version becomes the item's ``current`` prediction; the item's
        predictions of other versions are kept but marked ``current=False``.
        """
        columns = {c.name for c in Prediction.__table__.columns} - {"id"}
        latest: dict[tuple[int, str], dict[str, Any]] = {}
        for raw in rows:
            unknown = set(raw) - columns
            missing = [k for k in _PRED_REQUIRED if raw.get(k) is None]
            if unknown or missing:
                raise ValueError(f"bad prediction row: unknown keys {sorted(unknown)}, missing keys {missing}")
            row = {k: default() for k, default in _PRED_DEFAULTS.items()}
            row.update({k: v for k, v in raw.items() if v is not None or k not in _PRED_DEFAULTS})
            row["created_at"] = _utc(raw.get("created_at")) or utcnow()
            row["current"] = True
            latest[(int(row["item_id"]), str(row["model_version"]))] = row  # last one wins
        clean = [latest[key] for key in sorted(latest)]
        keys = sorted({k for row in clean for k in row})
        for row in clean:  # one INSERT needs the same columns in every row
            for k in keys:
                row.setdefault(k, None)

        def work(batch: list[dict[str, Any]]) -> Callable[[Connection], None]:
            def run(conn: Connection) -> None:
                stmt = self._insert(Prediction).values(batch)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["item_id", "model_version"],
                    set_={k: stmt.excluded[k] for k in keys if k not in ("item_id", "model_version", "created_at")},
                )
                conn.execute(stmt)
                by_version: dict[str, set[int]] = {}
                for row in batch:
                    by_version.setdefault(row["model_version"], set()).add(row["item_id"])
                for version, item_ids in by_version.items():
                    conn.execute(
                        update(Prediction)
                        .where(Prediction.item_id.in_(item_ids), Prediction.model_version != version,
                               Prediction.current.is_(True))
                        .values(current=False)
                    )
            return run

        for start in range(0, len(clean), BATCH_SIZE):
            self._write(work(clean[start:start + BATCH_SIZE]))
        return len(clean)

    # --- audit ---------------------------------------------------------------------------------

    def audit(self, actor: str, action: str, detail: dict[str, Any] | None = None) -> None:
        """Append to the audit log (who did what; never updated)."""
        stmt = AuditLog.__table__.insert().values(at=utcnow(), actor=actor, action=action, detail=detail or {})
        self._write(lambda conn: conn.execute(stmt))
