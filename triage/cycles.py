"""Run history and the database lock that makes a scheduled cycle run once.

Each scheduled cycle has a key (``nightly@2026-11-27T01:00+07:00``). The first process
to insert the key's ``cycle_runs`` row runs it; a second scheduler on another machine
finds the row and skips. A row left ``running`` whose heartbeat is older than
``STALE_AFTER`` belonged to a process that died: it is marked ``interrupted`` and the
cycle may be taken over, so a cycle killed mid-way is completed by the next one (every
stage is idempotent: crawls resume from their job folder, scoring takes what is
unscored, clustering what is unclustered).
"""

from __future__ import annotations

import os
import socket
import traceback
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from langnghe.settings import Settings
from triage.db import session_scope
from triage.models import CycleRun

STALE_AFTER = timedelta(minutes=15)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _dead_here(owner: str) -> bool:
    """True when ``owner`` is a process on this machine that no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def mark_stale(settings: Settings, now: datetime | None = None) -> int:
    """Mark runs whose process died as interrupted: no heartbeat for STALE_AFTER, or
    (on this machine) the owning process is gone."""
    now = now or _now()
    with session_scope(settings) as session:
        running = session.execute(
            select(CycleRun.id, CycleRun.owner, CycleRun.heartbeat_at).where(CycleRun.status == "running")
        ).all()
        dead = [r.id for r in running if r.heartbeat_at < now - STALE_AFTER or _dead_here(r.owner)]
        if dead:
            session.execute(
                update(CycleRun).where(CycleRun.id.in_(dead))
                .values(status="interrupted", finished_at=now, error="the process stopped mid-way")
            )
        return len(dead)


def acquire(settings: Settings, key: str, kind: str, now: datetime | None = None) -> int | None:
    """Take the cycle ``key``; returns the run id, or None when another process has it
    (running with a live heartbeat) or already finished it."""
    now = now or _now()
    mark_stale(settings, now)
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with session_scope(settings) as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(CycleRun).values(
            cycle_key=key, kind=kind, started_at=now, heartbeat_at=now, status="running", owner=owner,
            attempts=1, stages={},
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[CycleRun.cycle_key],
            set_={"status": "running", "owner": owner, "heartbeat_at": now, "started_at": now,
                  "finished_at": None, "error": "", "attempts": CycleRun.attempts + 1},
            where=CycleRun.status.in_(("interrupted", "failed")),
        )
        session.execute(stmt)
        session.flush()
        run = session.scalar(select(CycleRun).where(CycleRun.cycle_key == key))
        session.refresh(run)
        if run.owner != owner or run.status != "running":
            return None
        return run.id


def heartbeat(settings: Settings, run_id: int, stage: str | None = None, counts: dict[str, Any] | None = None) -> None:
    with session_scope(settings) as session:
        run = session.get(CycleRun, run_id)
        run.heartbeat_at = _now()
        if stage is not None:
            stages = dict(run.stages or {})
            stages[stage] = counts or {}
            run.stages = stages


def finish(settings: Settings, run_id: int, status: str, error: str = "") -> None:
    with session_scope(settings) as session:
        run = session.get(CycleRun, run_id)
        run.status = status
        run.finished_at = _now()
        run.heartbeat_at = run.finished_at
        run.error = error[-4000:]


@contextmanager
def cycle_run(settings: Settings, key: str, kind: str) -> Iterator[int | None]:
    """``with cycle_run(...) as run_id:`` — None when this process must not run it."""
    run_id = acquire(settings, key, kind)
    if run_id is None:
        yield None
        return
    try:
        yield run_id
    except BaseException as exc:
        finish(settings, run_id, "failed", "".join(traceback.format_exception_only(type(exc), exc)).strip())
        raise
    else:
        finish(settings, run_id, "ok")


def recent_runs(settings: Settings, limit: int = 10) -> list[CycleRun]:
    with session_scope(settings, write=False) as session:
        runs = list(session.scalars(select(CycleRun).order_by(CycleRun.started_at.desc()).limit(limit)))
        session.expunge_all()
        return runs
