"""The database schema (SQLAlchemy 2 declarative). Alembic migrations mirror it.

Design rules kept here:
- ``items`` holds content, one row per canonical URL; authors only as pseudonyms.
- ``predictions`` (what a model said) are kept apart from human decisions
  (``events``, ``labels``), which are append-only and record what the person saw.
- Every query the dashboard runs has an index declared here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from langnghe.records import utcnow


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware on every dialect.

    SQLite has no time zones: SQLAlchemy silently drops ``tzinfo``, so a ``+07:00``
    value would be stored seven hours off and read back naive. Here aware values are
    converted to UTC before storing (naive ones are taken as UTC) and values read
    back are always aware UTC, on SQLite as on PostgreSQL. Migrations see it as
    ``DateTime(timezone=True)``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _ts(nullable: bool = False, **kw: Any) -> Any:
    return mapped_column(UTCDateTime(), nullable=nullable, **kw)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[Optional[str]] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _ts(default=utcnow)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    #: Groups the crawls of one cycle (``langnghe run`` / the scheduler).
    cycle_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = _ts(default=utcnow)
    finished_at: Mapped[Optional[datetime]] = _ts(nullable=True)
    #: running | ok | failed | interrupted
    status: Mapped[str] = mapped_column(String(20), default="running")
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    items_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skips: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: True when the source yielded nothing where it used to yield items.
    gap: Mapped[bool] = mapped_column(Boolean, default=False)


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        Index("ix_items_published", "published_at"),
        Index("ix_items_source_published", "source_id", "published_at"),
        Index("ix_items_content_hash", "content_hash"),
        Index("ix_items_parent", "parent_id"),
        #: Finds orphans whose parent has just arrived (store's parent linking).
        Index("ix_items_parent_url", "parent_url"),
        Index("ix_items_cluster", "cluster_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    #: article | post | comment
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    external_id: Mapped[Optional[str]] = mapped_column(String(200))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("items.id"))
    parent_url: Mapped[Optional[str]] = mapped_column(String(2048))
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    author_pseudonym: Mapped[Optional[str]] = mapped_column(String(64))
    published_at: Mapped[Optional[datetime]] = _ts(nullable=True)
    fetched_at: Mapped[datetime] = _ts(default=utcnow)
    first_seen_at: Mapped[datetime] = _ts(default=utcnow)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    lang: Mapped[str] = mapped_column(String(8), default="vi")
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cluster_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clusters.id"))


class Prediction(Base):
    """What a model version said about an item. Never edited by people."""

    __tablename__ = "predictions"
    __table_args__ = (
        UniqueConstraint("item_id", "model_version", name="uq_predictions_item_model"),
        Index("ix_predictions_queue", "flagged", "priority"),
        Index("ix_predictions_category", "category"),
        Index("ix_predictions_topic", "topic"),
        #: "the current prediction of this item": leads with item_id so that a join from
        #: items never scans every current prediction (a lone index on ``current`` did).
        Index("ix_predictions_item_current", "item_id", "current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    #: e.g. ``category-1.0.0-2026-11-27+topic-...+toxicity-...``
    model_version: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = _ts(default=utcnow)
    category: Mapped[str] = mapped_column(String(40))
    category_proba: Mapped[float] = mapped_column(Float)
    topic: Mapped[str] = mapped_column(String(40))
    topic_proba: Mapped[float] = mapped_column(Float)
    toxicity: Mapped[str] = mapped_column(String(20))
    toxicity_proba: Mapped[float] = mapped_column(Float)
    #: Full distributions: {"category": {...}, "topic": {...}, "toxicity": {...}}
    probabilities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: {"category": [["từ", weight], ...], ...} in Vietnamese words
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Facets found in the text: {"place": [...], "organisation": [...], "policy": [...]}
    facets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Best-matching rebutted claims: [{"claim_id": 1, "score": 0.71}, ...]
    claim_matches: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Goes to the rebuttal queue (misinformation, scam, criticism, or offensive).
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Goes to the support queue (grievance).
    support: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    #: True for the prediction of the model version currently in use.
    current: Mapped[bool] = mapped_column(Boolean, default=True)


class Cluster(Base):
    """A story: near-duplicate items and reposts grouped together (one queue card)."""

    __tablename__ = "clusters"
    __table_args__ = (Index("ix_clusters_queue", "flagged", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key (the first member's content hash) so re-clustering keeps the id.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)
    updated_at: Mapped[datetime] = _ts(default=utcnow)
    #: ``use_alter``: items and clusters point at each other, so this key is added
    #: after both tables exist (and dropped first).
    representative_item_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("items.id", use_alter=True, name="clusters_representative_item_id_fkey")
    )
    size: Mapped[int] = mapped_column(Integer, default=1)
    total_reach: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[Optional[str]] = mapped_column(String(40))
    topic: Mapped[Optional[str]] = mapped_column(String(40))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    support: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    first_seen_at: Mapped[Optional[datetime]] = _ts(nullable=True)
    last_seen_at: Mapped[Optional[datetime]] = _ts(nullable=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    #: admin | analyst | viewer
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)


class Event(Base):
    """An append-only workflow decision on a cluster (card) or item. Never updated.

    The status of a card is the status of its latest status event.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_cluster_created", "cluster_id", "created_at"),
        Index("ix_events_item_created", "item_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clusters.id"))
    item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("items.id"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    #: new | in_review | responded | dismissed | escalated | forwarded
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    #: What the person saw when deciding (prediction ids, priority, cluster size...).
    seen: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _ts(default=utcnow)


class Lease(Base):
    """A claim on a card that expires, so two analysts never work the same card."""

    __tablename__ = "leases"

    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = _ts()


class Label(Base):
    """A person's label on an item, with the prediction that was shown. Append-only."""

    __tablename__ = "labels"
    __table_args__ = (Index("ix_labels_item_task", "item_id", "task", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    #: category | topic | toxicity
    task: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))
    prediction_id: Mapped[Optional[int]] = mapped_column(ForeignKey("predictions.id"))
    shown_value: Mapped[Optional[str]] = mapped_column(String(40))
    created_at: Mapped[datetime] = _ts(default=utcnow)


class Claim(Base):
    """A claim the union has already checked and answered (the rebuttal library)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    #: false | misleading | true | unverified | scam
    verdict: Mapped[str] = mapped_column(String(20))
    rebuttal: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    topic: Mapped[Optional[str]] = mapped_column(String(40))
    claim_date: Mapped[Optional[datetime]] = _ts(nullable=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


class Rebuttal(Base):
    """A reply the office wrote for a card, and where and when it was posted."""

    __tablename__ = "rebuttals"
    __table_args__ = (Index("ix_rebuttals_cluster", "cluster_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clusters.id"))
    claim_id: Mapped[Optional[int]] = mapped_column(ForeignKey("claims.id"))
    text: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    posted_where: Mapped[str] = mapped_column(String(500), default="")
    posted_at: Mapped[Optional[datetime]] = _ts(nullable=True)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = _ts(default=utcnow)


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = _ts(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CycleRun(Base):
    """One scheduled (or manual) cycle: its key is the lock that makes it run once."""

    __tablename__ = "cycle_runs"
    __table_args__ = (Index("ix_cycle_runs_started", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``nightly@2026-11-27T01:00+07:00``: unique, so two schedulers cannot both run it.
    cycle_key: Mapped[str] = mapped_column(String(100), unique=True)
    #: nightly | light | manual
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = _ts(default=utcnow)
    finished_at: Mapped[Optional[datetime]] = _ts(nullable=True)
    heartbeat_at: Mapped[datetime] = _ts(default=utcnow)
    #: running | ok | failed | interrupted
    status: Mapped[str] = mapped_column(String(20), default="running")
    owner: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    #: Per-stage counts: {"crawl": {...}, "score": {...}, "cluster": {...}}
    stages: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")


class AlertLog(Base):
    """Alerts sent, suppressed by the rate limit, or failed; the key deduplicates."""

    __tablename__ = "alert_log"
    __table_args__ = (Index("ix_alert_log_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: sent | suppressed | failed
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = _ts(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
