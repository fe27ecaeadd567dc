"""Scheduler behaviour with a travelled clock, on the real database."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from langnghe import scheduler as sch
from triage import cycles
from triage.db import session_scope
from triage.migrate import upgrade
from triage.models import CycleRun

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_nightly_fires_at_one_in_the_morning_local_time(settings):
    trig = sch.trigger(settings, "nightly")
    now = datetime(2026, 11, 27, 14, 0, tzinfo=HCM)
    nxt = trig.get_next_fire_time(None, now)
    assert nxt == datetime(2026, 11, 28, 1, 0, tzinfo=HCM)
    assert nxt.astimezone(timezone.utc).hour == 18  # 01:00 +07:00 is 18:00 UTC the day before


def test_cycle_key_names_the_scheduled_time_not_the_wall_clock(settings):
    late = datetime(2026, 11, 27, 6, 30, tzinfo=HCM)  # woke up at 06:30, the 01:00 run was missed
    assert sch.cycle_key(settings, "nightly", late) == "nightly@2026-11-27T01:00+07:00"
    assert sch.cycle_key(settings, "nightly", late + timedelta(hours=2)) == "nightly@2026-11-27T01:00+07:00"


def test_missed_run_is_caught_up_once(settings):
    """The machine slept through three nights: coalesce runs the job once on waking."""
    upgrade(settings)
    scheduler = sch.build_scheduler(settings, blocking=False)
    scheduler.start(paused=True)
    job = scheduler.get_job("nightly")
    assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time >= 3600
    # Travel: pretend the job was due three days ago (as after a long sleep).
    scheduler.modify_job("nightly", next_run_time=datetime.now(timezone.utc) - timedelta(days=3),
                         func=_count_run, args=[str(settings.home)])
    scheduler.resume()
    deadline = datetime.now() + timedelta(seconds=10)
    while datetime.now() < deadline and not (settings.home / "runs.txt").exists():
        threading.Event().wait(0.1)
    threading.Event().wait(1.0)
    scheduler.shutdown(wait=True)
    ran = (settings.home / "runs.txt").read_text().splitlines()
    assert len(ran) == 1


def _count_run(home: str) -> None:
    from pathlib import Path

    with open(Path(home) / "runs.txt", "a") as fh:
        fh.write("run\n")


def test_two_schedulers_never_run_the_same_cycle(db_settings):
    upgrade(db_settings)
    key = "nightly@2026-11-27T01:00+07:00"
    started = threading.Barrier(2)
    done = []

    def work(settings, run_id):
        done.append(run_id)
        return "ok"

    def scheduler_process():
        started.wait()
        done.append(sch.run_named_cycle(db_settings, "nightly", key=key, work=work).status)

    threads = [threading.Thread(target=scheduler_process) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [d for d in done if isinstance(d, str)]
    assert sorted(statuses) == ["ok", "skipped"]
    # The finished cycle is not run again by a late scheduler either.
    assert sch.run_named_cycle(db_settings, "nightly", key=key, work=work).status == "skipped"


def test_a_cycle_killed_mid_way_is_completed_by_the_next(db_settings):
    upgrade(db_settings)
    key = "nightly@2026-11-27T01:00+07:00"
    long_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    run_id = cycles.acquire(db_settings, key, "nightly", now=long_ago)  # then the process "dies"
    assert run_id is not None
    result = sch.run_named_cycle(db_settings, "nightly", key=key, work=lambda s, r: "finished")
    assert result.status == "ok" and result.summary == "finished"
    with session_scope(db_settings, write=False) as s:
        run = s.scalar(select(CycleRun).where(CycleRun.cycle_key == key))
        assert run.status == "ok" and run.attempts == 2


def test_a_live_cycle_is_not_taken_over(db_settings):
    upgrade(db_settings)
    key = "light@2026-11-27T03:15+07:00"
    assert cycles.acquire(db_settings, key, "light") is not None
    assert cycles.acquire(db_settings, key, "light") is None


def test_bad_crontab_is_a_clear_error(settings):
    from langnghe.errors import UserError

    bad = settings.replace(extra={"schedule": {"nightly": "every night"}})
    with pytest.raises(UserError, match="crontab"):
        sch.trigger(bad, "nightly")
