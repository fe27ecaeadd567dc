"""``langnghe status``: last runs, queue sizes, model versions, collection gaps."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="show the last cycles, queue sizes, model versions and collection gaps")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings) -> int:
    from sqlalchemy import func, select

    from triage.cycles import recent_runs
    from triage.db import get_engine, require_current_schema, session_scope
    from triage.models import CrawlRun, Source
    from triage.queue import queue_size

    require_current_schema(get_engine(settings))
    print("Chu kỳ gần đây / recent cycles:")
    runs = recent_runs(settings, limit=8)
    for r in runs:
        stages = ", ".join(f"{k}: {v}" for k, v in (r.stages or {}).items())
        print(f"  {r.cycle_key:<40} {r.status:<11} {r.started_at:%Y-%m-%d %H:%M} {stages} {r.error or ''}".rstrip())
    if not runs:
        print("  (none yet)")
    with session_scope(settings, write=False) as session:
        print(f"Hàng đợi / queues: rebuttal {queue_size(session)}, support {queue_size(session, 'support')}")
        latest = select(CrawlRun.source_id, func.max(CrawlRun.id).label("id")).group_by(CrawlRun.source_id).subquery()
        gaps = session.execute(
            select(Source.name, CrawlRun.started_at).join(latest, latest.c.id == CrawlRun.id)
            .join(Source, Source.id == CrawlRun.source_id).where(CrawlRun.gap.is_(True))
        ).all()
    print("Mất dữ liệu / collection gaps: " + (", ".join(f"{n} ({t:%d/%m %H:%M})" for n, t in gaps) or "none"))
    try:
        from nlp.artifacts import read_current

        versions = read_current(settings.models_dir)
        print("Mô hình / models: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    except Exception as exc:  # noqa: BLE001 - status must print whatever it can
        print(f"Mô hình / models: unknown ({exc})")
    return 0
