"""Retention: item texts older than ``retention_months`` are purged (default 24 months).

The row stays (counts in the six-monthly and yearly reports stay right) but its title
and text are emptied and the purge is marked in ``extra``. Every run is logged in the
audit log with its counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, func, or_, select, update

from langnghe.settings import Settings
from triage.db import session_scope
from triage.models import AuditLog, Item


@dataclass
class RetentionResult:
    cutoff: datetime
    purged: int

    def line(self) -> str:
        return f"retention: purged the text of {self.purged} items published before {self.cutoff:%Y-%m-%d}"


def enforce(settings: Settings, now: datetime | None = None, actor: str = "retention") -> RetentionResult:
    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=30.44 * settings.retention_months)
    old = and_(
        or_(Item.published_at < cutoff, and_(Item.published_at.is_(None), Item.fetched_at < cutoff)),
        or_(Item.text != "", Item.title != ""),
    )
    with session_scope(settings) as session:
        count = int(session.scalar(select(func.count(Item.id)).where(old)) or 0)
        if count:
            session.execute(update(Item).where(old).values(text="", title="").execution_options(synchronize_session=False))
        session.add(AuditLog(actor=actor, action="retention.purge", at=now,
                             detail={"cutoff": cutoff.isoformat(), "purged": count,
                                     "retention_months": settings.retention_months}))
    return RetentionResult(cutoff, count)
