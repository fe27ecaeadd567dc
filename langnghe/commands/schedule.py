"""``langnghe schedule``: run the overnight jobs (APScheduler), or one cycle with --once."""

from __future__ import annotations

import argparse
import logging


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="run the nightly and hourly jobs (or the nightly cycle once)")
    p.add_argument("--once", action="store_true", help="run the nightly cycle now and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings) -> int:
    from datetime import datetime, timezone

    from langnghe.scheduler import build_scheduler, resume_interrupted, run_named_cycle
    from triage.db import get_engine, require_current_schema

    require_current_schema(get_engine(settings))
    log = logging.getLogger("langnghe.schedule")
    if args.once:
        key = f"once@{datetime.now(timezone.utc).isoformat(timespec='seconds')}"
        result = run_named_cycle(settings, "nightly", key=key)
        print(f"cycle {result.key}: {result.status}. {result.summary}")
        return 0
    for result in resume_interrupted(settings):
        log.info("resumed interrupted cycle %s: %s", result.key, result.status)
    scheduler = build_scheduler(settings, blocking=True)
    for job in scheduler.get_jobs():
        log.info("job %s: next run %s", job.id, getattr(job, "next_run_time", None) or job.trigger)
    print("scheduler started (Ctrl+C to stop)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0
