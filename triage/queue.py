"""The prioritised queues: rebuttal cards (flagged stories) and support cases.

A card is a cluster; its status is the status of its latest event (``new`` when it has
none). Queries here back the dashboard and the summaries; each is served by an index
declared in ``triage.models`` (clusters(flagged, priority), events(cluster_id, created_at)).

The status is a correlated scalar subquery (the latest event of *this* cluster, found
through the events index), not a join against "latest event of every cluster": the
join materialises the whole events table per query and, on SQLite with a bound LIMIT,
loses its automatic index and turns quadratic. Walking clusters(flagged, priority) and
probing each card's latest event stops as soon as a page of cards is found.

SLA: a card is due ``workflow.SLA_HOURS`` after it entered the store (``created_at``,
when the office could first see it); ``overdue`` filters compare ``created_at`` with
a threshold per priority band, so they stay plain indexed comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from triage.models import Cluster, Event, Item, Prediction, Source

OPEN_STATUSES = ("new", "in_review")
ALL_STATUSES = ("new", "in_review", "responded", "dismissed", "escalated", "forwarded")
#: Statuses after which a card needs nothing more from the office.
CLOSED_STATUSES = ("responded", "dismissed", "forwarded")


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
    created_at: datetime | None = None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None


def current_prediction():
    """``predictions.current`` as a condition no planner will drive a join with.

    The boolean index on ``current`` matches nearly every row; SQLite nevertheless
    picks it to drive joins such as "the current prediction of these items", reading
    all predictions once per outer row (38 s instead of 30 ms at 200,000 items).
    Wrapped in ``coalesce`` the column cannot use that index, so the join goes through
    predictions(item_id, model_version) as it should, on SQLite and PostgreSQL alike.
    """
    return func.coalesce(Prediction.current, False).is_(True)


def latest_status_subquery():
    """(cluster_id, status) of each cluster's latest event (for reports over many cards)."""
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


def status_column():
    """The card's current status as a column expression (correlated on ``Cluster``)."""
    latest = (
        select(Event.status)
        .where(Event.cluster_id == Cluster.id)
        .order_by(Event.id.desc())
        .limit(1)
        .correlate(Cluster)
        .scalar_subquery()
    )
    return func.coalesce(latest, "new")


def overdue_clause(now: datetime | None = None):
    """True for cards past their SLA (by priority band; see ``workflow.SLA_HOURS``)."""
    from triage.workflow import SLA_HOURS

    now = now or datetime.now(timezone.utc)
    parts = []
    upper: float | None = None
    for i, (floor, hours) in enumerate(SLA_HOURS):
        conds = [Cluster.created_at < now - timedelta(hours=hours)]
        if i < len(SLA_HOURS) - 1:  # the last band also takes anything below its floor
            conds.append(Cluster.priority >= floor)
        if upper is not None:
            conds.append(Cluster.priority < upper)
        parts.append(and_(*conds))
        upper = floor
    return or_(*parts)


def _filtered(query, queue: str, statuses: tuple[str, ...], category: str | None, topic: str | None,
              source: str | None, overdue_only: bool, now: datetime | None):
    flag_col = Cluster.flagged if queue == "rebuttal" else Cluster.support
    query = query.where(flag_col.is_(True)).where(status_column().in_(statuses))
    if category:
        query = query.where(Cluster.category == category)
    if topic:
        query = query.where(Cluster.topic == topic)
    if source:
        query = query.where(Source.name == source)
    if overdue_only:
        query = query.where(overdue_clause(now))
    return query


def cards(
    session: Session,
    queue: str = "rebuttal",
    statuses: tuple[str, ...] = OPEN_STATUSES,
    category: str | None = None,
    topic: str | None = None,
    limit: int = 50,
    offset: int = 0,
    source: str | None = None,
    overdue_only: bool = False,
    now: datetime | None = None,
) -> list[Card]:
    """The cards of a queue ("rebuttal" or "support"), highest priority first.

    The support queue is ordered newest story first (grievances are not ranked by
    how harmful they are).
    """
    order = (Cluster.priority.desc(), Cluster.id) if queue == "rebuttal" else (Cluster.last_seen_at.desc(), Cluster.id)
    query = (
        select(
            Cluster.id, Cluster.priority, Cluster.category, Cluster.topic, Cluster.size,
            Cluster.total_reach, status_column().label("status"), Item.id.label("item_id"),
            Item.title, Item.text, Item.url, Source.name.label("source"), Item.published_at,
            Cluster.created_at, Cluster.first_seen_at, Cluster.last_seen_at,
        )
        .join(Item, Item.id == Cluster.representative_item_id)
        .join(Source, Source.id == Item.source_id)
    )
    query = _filtered(query, queue, statuses, category, topic, source, overdue_only, now)
    query = query.order_by(*order).limit(limit).offset(offset)
    return [Card(*row) for row in session.execute(query).all()]


def queue_size(session: Session, queue: str = "rebuttal", statuses: tuple[str, ...] = OPEN_STATUSES,
               category: str | None = None, topic: str | None = None, source: str | None = None,
               overdue_only: bool = False, now: datetime | None = None) -> int:
    """How many cards :func:`cards` would page through with the same filters."""
    query = select(func.count(Cluster.id))
    if source:
        query = query.join(Item, Item.id == Cluster.representative_item_id).join(Source, Source.id == Item.source_id)
    query = _filtered(query, queue, statuses, category, topic, source, overdue_only, now)
    return int(session.scalar(query) or 0)
