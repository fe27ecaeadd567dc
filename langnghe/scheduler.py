"""Overnight and hourly jobs (APScheduler 3, job store in the project's database).

Jobs (defaults; override in the config file's ``[schedule]`` table with crontab strings):
- ``nightly`` ``0 1 * * *``: crawl every enabled source (one child process each), then
  score, cluster, alert, enforce retention (its deletions go to the audit log);
- ``light`` ``15 * * * *``: crawl sources with ``weight >= light_min_weight`` (2.0), then
  score and cluster.

Every job runs with ``coalesce=True`` (a backlog of missed runs runs once),
``max_instances=1`` and a misfire grace time, in the time zone of the settings
(Asia/Ho_Chi_Minh). The job store only remembers *when*; *whether* a cycle runs is
decided by :mod:`triage.cycles`' database lock, so two schedulers started by mistake on
two machines never run the same cycle.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from langnghe import logs
from langnghe.errors import UserError
from langnghe.settings import Settings
from triage import cycles

log = logging.getLogger(__name__)

DEFAULT_SCHEDULE = {"nightly": "0 1 * * *", "light": "15 * * * *"}
MISFIRE_GRACE = {"nightly": int(timedelta(hours=20).total_seconds()), "light": int(timedelta(minutes=50).total_seconds())}
LIGHT_MIN_WEIGHT = 2.0

#: The settings of the running scheduler (jobs are stored by reference, not pickled with state).
_SETTINGS: Settings | None = None


@dataclass
class CycleResult:
    key: str
    ran: bool
    status: str
    summary: str = ""


def schedule_config(settings: Settings) -> dict[str, str]:
    table = dict(settings.extra.get("schedule", {}) or {})
    out = dict(DEFAULT_SCHEDULE)
    for name in DEFAULT_SCHEDULE:
        if name in table:
            out[name] = str(table[name])
    return out


def trigger(settings: Settings, name: str) -> CronTrigger:
    expr = schedule_config(settings)[name]
    try:
        return CronTrigger.from_crontab(expr, timezone=ZoneInfo(settings.timezone))
    except (ValueError, KeyError) as exc:
        raise UserError(
            f"the schedule for {name!r} ({expr!r}) is not a crontab expression ({exc}). "
            "Fix [schedule] in the config file, e.g. nightly = \"0 1 * * *\"."
        ) from exc


def scheduled_time(trig: CronTrigger, now: datetime) -> datetime:
    """The latest fire time of ``trig`` at or before ``now`` (names the cycle)."""
    probe = now - timedelta(days=8)
    last = None
    nxt = trig.get_next_fire_time(None, probe)
    while nxt is not None and nxt <= now:
        last = nxt
        nxt = trig.get_next_fire_time(nxt, nxt + timedelta(seconds=1))
    return last or now


def cycle_key(settings: Settings, name: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    when = scheduled_time(trigger(settings, name), now.astimezone(ZoneInfo(settings.timezone)))
    return f"{name}@{when.isoformat(timespec='minutes')}"


def run_named_cycle(settings: Settings, name: str, key: str | None = None,
                    work: Callable[[Settings, int], str] | None = None) -> CycleResult:
    """Run the cycle ``name`` under the database lock for ``key``."""
    key = key or cycle_key(settings, name)
    work = work or (nightly_work if name == "nightly" else light_work)
    with cycles.cycle_run(settings, key, name) as run_id:
        if run_id is None:
            log.info("cycle %s is running or done elsewhere; skipped", key)
            return CycleResult(key, False, "skipped")
        with logs.run_id(f"cycle-{run_id}"):
            log.info("cycle %s started", key)
            summary = work(settings, run_id)
            log.info("cycle %s done: %s", key, summary)
    return CycleResult(key, True, "ok", summary)


def _stages(settings: Settings, run_id: int, source_names: list[str] | None) -> str:
    from triage.clustering import cluster_items
    from langnghe.cycle import crawl_subprocess
    from triage.scoring import score_pending

    from crawler.sources import load_sources

    sources = [s for s in load_sources(settings.sources_file) if s.enabled]
    if source_names is not None:
        sources = [s for s in sources if s.name in source_names]
    codes = {}
    # One job folder per cycle run: a cycle killed mid-way and taken over (same run id)
    # resumes its crawls; a finished cycle's folder is removed, so the next cycle
    # revisits pages instead of remembering them as seen.
    jobs = settings.home / "jobs" / f"run-{run_id}"
    for source in sources:
        jobdir = jobs / source.name
        codes[source.name] = crawl_subprocess(settings, settings.sources_file, cycle_id=str(run_id),
                                              sources=[source.name], jobdir=jobdir)
        cycles.heartbeat(settings, run_id, "crawl", {"exit_codes": codes})
    scored = score_pending(settings)
    cycles.heartbeat(settings, run_id, "score", {"scored": scored.scored, "flagged": scored.flagged,
                                                 "support": scored.support, "errors": scored.errors})
    clustered = cluster_items(settings)
    cycles.heartbeat(settings, run_id, "cluster", {"items": clustered.items, "new": clustered.new_clusters})
    failed = [name for name, code in codes.items() if code not in (0, 1)]
    if not failed:
        shutil.rmtree(jobs, ignore_errors=True)
    return f"{len(sources)} sources crawled ({len(failed)} failed); {scored.line()}; {clustered.line()}"


def nightly_work(settings: Settings, run_id: int) -> str:
    from triage.alerts import check_and_send
    from triage.retention import enforce

    summary = _stages(settings, run_id, None)
    sent = check_and_send(settings)
    cycles.heartbeat(settings, run_id, "alerts", {"sent": sent})
    purged = enforce(settings)
    cycles.heartbeat(settings, run_id, "retention", {"purged": purged.purged})
    return f"{summary}; {sent} alerts sent; {purged.line()}"


def light_work(settings: Settings, run_id: int) -> str:
    from crawler.sources import load_sources

    names = [s.name for s in load_sources(settings.sources_file)
             if s.enabled and s.weight >= float(settings.extra.get("schedule", {}).get("light_min_weight", LIGHT_MIN_WEIGHT))]
    if not names:
        return "no high-weight sources"
    return _stages(settings, run_id, names)


# --- job entry points (stored in the job store by reference) --------------------------
def nightly_job() -> None:
    assert _SETTINGS is not None
    result = run_named_cycle(_SETTINGS, "nightly")
    log.info("nightly %s: %s %s", result.key, result.status, result.summary)


def light_job() -> None:
    assert _SETTINGS is not None
    result = run_named_cycle(_SETTINGS, "light")
    log.info("light %s: %s %s", result.key, result.status, result.summary)


JOBS = {"nightly": nightly_job, "light": light_job}


def build_scheduler(settings: Settings, blocking: bool = True, clock=None):
    """A configured scheduler whose job store lives in the project's database."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    from triage.db import get_engine

    global _SETTINGS
    _SETTINGS = settings
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        jobstores={"default": SQLAlchemyJobStore(engine=get_engine(settings), tablename="apscheduler_jobs")},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=ZoneInfo(settings.timezone),
    )
    for name, func in JOBS.items():
        scheduler.add_job(func, trigger(settings, name), id=name, name=name, replace_existing=True,
                          misfire_grace_time=MISFIRE_GRACE[name], coalesce=True, max_instances=1)
    return scheduler


def resume_interrupted(settings: Settings) -> list[CycleResult]:
    """At start-up: finish cycles whose process died mid-way (same key, taken over)."""
    cycles.mark_stale(settings)
    results = []
    for run in cycles.recent_runs(settings, limit=20):
        if run.status == "interrupted" and run.kind in JOBS:
            age = datetime.now(timezone.utc) - run.started_at
            if age < timedelta(seconds=MISFIRE_GRACE[run.kind]):
                results.append(run_named_cycle(settings, run.kind, key=run.cycle_key))
    return results
