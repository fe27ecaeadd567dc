"""The prioritised queues: rebuttal cards (flagged stories) and support cases.

A card is a cluster; its status is the status of its latest event (``new`` when it has
none). Queries here back the dashboard and the summaries; each is served by an index
declared in ``triage.models`` (clusters(flagged, priority), events(cluster_id, created_at)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from triage.models import Cluster, Event, Item, Source

OPEN_STATUSES = ("new", "in_review")
ALL_STATUSES = ("new", "in_review", "responded", "dismissed", "escalated", "forwarded")


@dataclass(frozen=True)
class Card:
    cluster_id: int
    priority: float
    category: str | None
    topic: str | None
    size: int
    total_reach: int
    status: str
    item_id: int
    title: str
    text: str
    url: str
    source: str
    published_at: datetime | None


def latest_status_subquery():
    """(cluster_id, status) of each cluster's latest event."""
    last = (
        select(Event.cluster_id, func.max(Event.id).label("event_id"))
        .where(Event.cluster_id.is_not(None))
        .group_by(Event.cluster_id)
        .subquery()
    )
    return (
        select(last.c.cluster_id, Event.status)
        .join(Event, Event.id == last.c.event_id)
        .subquery()
    )


def cards(
    session: Session,
    queue: str = "rebuttal",
    statuses: tuple[str, ...] = OPEN_STATUSES,
    category: str | None = None,
    topic: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Card]:
    """The cards of a queue ("rebuttal" or "support"), highest priority first."""
    status = latest_status_subquery()
    status_col = func.coalesce(status.c.status, "new")
    flag_col = Cluster.flagged if queue == "rebuttal" else Cluster.support
    order = (Cluster.priority.desc(), Cluster.id) if queue == "rebuttal" else (Cluster.last_seen_at.desc(), Cluster.id)
    query = (
        select(
            Cluster.id, Cluster.priority, Cluster.category, Cluster.topic, Cluster.size,
            Cluster.total_reach, status_col.label("status"), Item.id.label("item_id"),
            Item.title, Item.text, Item.url, Source.name.label("source"), Item.published_at,
        )
        .join(Item, Item.id == Cluster.representative_item_id)
        .join(Source, Source.id == Item.source_id)
        .outerjoin(status, status.c.cluster_id == Cluster.id)
        .where(flag_col.is_(True))
        .where(status_col.in_(statuses))
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    if category:
        query = query.where(Cluster.category == category)
    if topic:
        query = query.where(Cluster.topic == topic)
    return [Card(*row) for row in session.execute(query).all()]


def queue_size(session: Session, queue: str = "rebuttal", statuses: tuple[str, ...] = OPEN_STATUSES) -> int:
    status = latest_status_subquery()
    status_col = func.coalesce(status.c.status, "new")
    flag_col = Cluster.flagged if queue == "rebuttal" else Cluster.support
    query = (
        select(func.count(Cluster.id))
        .outerjoin(status, status.c.cluster_id == Cluster.id)
        .where(flag_col.is_(True))
        .where(status_col.in_(statuses))
    )
    return int(session.scalar(query) or 0)
