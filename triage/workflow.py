"""The review workflow: leases on cards, status transitions, labels.

Every decision is an append-only ``events`` row (who, when, note, what the person saw);
a card's status is its latest event. Taking a card is a lease that expires, so two
analysts never work the same card; the lease is won atomically in the database
(``INSERT ... ON CONFLICT DO UPDATE ... WHERE expired``), so it holds across processes
and machines. Roles are checked here as well as in the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from langnghe.errors import UserError
from langnghe.settings import Settings
from triage.db import session_scope
from triage.models import Cluster, Event, Label, Lease, User

LEASE_MINUTES = 20
#: status -> statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"in_review", "dismissed", "escalated", "forwarded"}),
    "in_review": frozenset({"new", "responded", "dismissed", "escalated", "forwarded"}),
    "escalated": frozenset({"in_review", "responded", "dismissed"}),
    "responded": frozenset({"in_review"}),
    "dismissed": frozenset({"in_review"}),
    "forwarded": frozenset({"in_review", "responded"}),
}
#: SLA: hours to a decision by priority band (highest band first).
SLA_HOURS: tuple[tuple[float, int], ...] = ((2.0, 4), (1.0, 12), (0.3, 24), (0.0, 72))
EDIT_ROLES = frozenset({"admin", "analyst"})
LABEL_TASKS = frozenset({"category", "topic", "toxicity"})


class WorkflowError(UserError):
    """A decision that cannot be taken now (shown to the analyst as is)."""


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    role: str


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def require_editor(actor: Actor | None) -> Actor:
    if actor is None or actor.role not in EDIT_ROLES:
        raise WorkflowError("Bạn chỉ có quyền xem. (Viewers can change nothing; ask an admin for the analyst role.)")
    return actor


def require_admin(actor: Actor | None) -> Actor:
    if actor is None or actor.role != "admin":
        raise WorkflowError("Chỉ quản trị viên được làm việc này. (Only an admin can do this; ask an admin.)")
    return actor


def status_of(session, cluster_id: int) -> str:
    latest = session.scalar(
        select(Event.status).where(Event.cluster_id == cluster_id).order_by(Event.id.desc()).limit(1)
    )
    return latest or "new"


def sla_due(priority: float, since: datetime) -> datetime:
    for floor, hours in SLA_HOURS:
        if priority >= floor:
            return _aware(since) + timedelta(hours=hours)
    return _aware(since) + timedelta(hours=SLA_HOURS[-1][1])


def lease_holder(session, cluster_id: int, now: datetime | None = None) -> tuple[int, datetime] | None:
    lease = session.get(Lease, cluster_id)
    if lease is None or _aware(lease.expires_at) <= _now(now):
        return None
    return lease.user_id, _aware(lease.expires_at)


def claim(settings: Settings, cluster_id: int, actor: Actor, minutes: int = LEASE_MINUTES,
          now: datetime | None = None) -> datetime:
    """Take (or extend) the lease on a card; raises WorkflowError if someone else holds it."""
    require_editor(actor)
    now = _now(now)
    expires = now + timedelta(minutes=minutes)
    with session_scope(settings) as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(Lease).values(cluster_id=cluster_id, user_id=actor.id, expires_at=expires)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Lease.cluster_id],
            set_={"user_id": actor.id, "expires_at": expires},
            where=(Lease.expires_at <= now) | (Lease.user_id == actor.id),
        )
        session.execute(stmt)
        session.flush()
        lease = session.get(Lease, cluster_id, populate_existing=True)
        if lease.user_id != actor.id:
            holder = session.get(User, lease.user_id)
            name = holder.username if holder else "?"
            raise WorkflowError(
                f"Thẻ này đang được {name} xử lý đến {_aware(lease.expires_at):%H:%M}. "
                "(Another analyst holds this card; pick another card or wait for the lease to expire.)"
            )
    return expires


def release(settings: Settings, cluster_id: int, actor: Actor) -> None:
    with session_scope(settings) as session:
        lease = session.get(Lease, cluster_id)
        if lease is not None and lease.user_id == actor.id:
            session.delete(lease)


def transition(settings: Settings, cluster_id: int, actor: Actor, status: str, note: str = "",
               reason: str = "", seen: dict[str, Any] | None = None, now: datetime | None = None) -> int:
    """Append a status event for a card (and all items in its cluster). Returns the event id."""
    require_editor(actor)
    with session_scope(settings) as session:
        return transition_in(session, cluster_id, actor, status, note=note, reason=reason, seen=seen, now=now)


def transition_in(session, cluster_id: int, actor: Actor, status: str, note: str = "", reason: str = "",
                  seen: dict[str, Any] | None = None, now: datetime | None = None) -> int:
    """:func:`transition` inside the caller's write transaction (so a reply and its
    ``responded`` event are stored together or not at all)."""
    require_editor(actor)
    now = _now(now)
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        raise WorkflowError(f"Không tìm thấy thẻ {cluster_id}. (No such card; reload the queue.)")
    current = status_of(session, cluster_id)
    if status not in TRANSITIONS.get(current, frozenset()):
        raise WorkflowError(
            f"Không thể chuyển từ '{current}' sang '{status}'. "
            f"(Cannot move a card from {current} to {status}; reload the card.)"
        )
    if status == "forwarded" and not cluster.support:
        raise WorkflowError("Chỉ chuyển tiếp được phản ánh của người lao động. (Only grievances are forwarded.)")
    if status == "dismissed" and not reason.strip():
        raise WorkflowError("Hãy ghi lý do bỏ qua. (A dismissal needs a reason.)")
    holder = lease_holder(session, cluster_id, now)
    if holder is not None and holder[0] != actor.id:
        raise WorkflowError("Thẻ đang do người khác xử lý. (Another analyst holds this card.)")
    event = Event(cluster_id=cluster_id, user_id=actor.id, status=status, note=note, reason=reason,
                  seen=seen or {}, created_at=now)
    session.add(event)
    if status in {"responded", "dismissed", "forwarded", "new"}:
        lease = session.get(Lease, cluster_id)
        if lease is not None and lease.user_id == actor.id:
            session.delete(lease)
    session.flush()
    return event.id


def bulk_transition(settings: Settings, cluster_ids: list[int], actor: Actor, status: str, note: str = "",
                    reason: str = "", seen: dict[str, Any] | None = None,
                    now: datetime | None = None) -> tuple[list[int], dict[int, str]]:
    """The same decision on several cards, each in its own transaction.

    Returns (cards moved, {card: why not}); one refused card never blocks the others.
    """
    require_editor(actor)
    done: list[int] = []
    refused: dict[int, str] = {}
    for cid in cluster_ids:
        try:
            transition(settings, cid, actor, status, note=note, reason=reason,
                       seen={**(seen or {}), "bulk": True, "cluster_id": cid}, now=now)
            done.append(cid)
        except WorkflowError as exc:
            refused[cid] = str(exc)
    return done, refused


def add_label(settings: Settings, item_id: int, actor: Actor, task: str, value: str,
              prediction_id: int | None = None, shown_value: str | None = None,
              now: datetime | None = None) -> int:
    """Record a person's label with the prediction that was on screen (append-only)."""
    require_editor(actor)
    if task not in LABEL_TASKS:
        raise WorkflowError(f"unknown label task {task!r}; use one of {sorted(LABEL_TASKS)}.")
    with session_scope(settings) as session:
        label = Label(item_id=item_id, user_id=actor.id, task=task, value=value,
                      prediction_id=prediction_id, shown_value=shown_value, created_at=_now(now))
        session.add(label)
        session.flush()
        return label.id
