"""Dashboard at scale: the queue's data query and the Queue page's AppTest run, one run.

    .venv/bin/python bench/dashboard_scale.py --home /tmp/langnghe-scale [--generate] [--runs 5]

Targets (200,000 items, 10,000 flagged cards): the queue's data query ≤ 300 ms, the Queue
page's AppTest run ≤ 2 s. The store is filled by ``bench/generate_items.py`` when it is
empty (or ``--generate``). The query figure is what the Queue page asks the database for
(the two counts and one page of cards, uncached); the AppTest figure is a fresh session
rendering the page with empty caches, after one warm-up run that pays Python's imports.
Prints one line per figure and a JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUERY_TARGET_MS = 300
APPTEST_TARGET_S = 2.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", required=True, help="data folder of the (generated) store")
    ap.add_argument("--db", help="database URL instead of SQLite under --home")
    ap.add_argument("--generate", action="store_true", help="fill the store first (it must be empty)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    # The dashboard reads its settings from the environment, as under `langnghe dashboard`.
    os.environ["LANGNGHE_HOME"] = str(Path(args.home).resolve())
    os.environ.setdefault("LANGNGHE_PSEUDONYM_SECRET", "bench")
    if args.db:
        os.environ["LANGNGHE_DB"] = args.db

    from sqlalchemy import func, select

    from langnghe.settings import load_settings
    from triage import queue as tq
    from triage.db import session_scope
    from triage.migrate import upgrade
    from triage.models import Cluster, Item

    settings = load_settings()
    upgrade(settings)
    with session_scope(settings, write=False) as s:
        n_items = s.scalar(select(func.count(Item.id))) or 0
    if args.generate or n_items == 0:
        import generate_items  # noqa: PLC0415 - the sibling script

        generate_items.main(["--home", args.home] + (["--db", args.db] if args.db else []))
    with session_scope(settings, write=False) as s:
        n_items = s.scalar(select(func.count(Item.id))) or 0
        n_flagged = s.scalar(select(func.count(Cluster.id)).where(Cluster.flagged.is_(True))) or 0
    print(f"store: {n_items} items, {n_flagged} flagged cards ({settings.db_url})")

    def queue_query() -> float:
        """What the Queue page asks the database for, uncached: two counts and a page of cards."""
        started = time.perf_counter()
        with session_scope(settings, write=False) as s:
            tq.queue_size(s, "rebuttal", tq.OPEN_STATUSES)
            tq.queue_size(s, "rebuttal", tq.OPEN_STATUSES, overdue_only=True)
            cards = tq.cards(s, "rebuttal", tq.OPEN_STATUSES, limit=25)
        assert cards, "the queue is empty; generate the store with --generate"
        return (time.perf_counter() - started) * 1000

    cold_query = queue_query()
    query_ms = [queue_query() for _ in range(args.runs)]

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from triage.workflow import Actor

    with session_scope(settings, write=False) as s:
        from triage.models import User

        admin = s.scalars(select(User).where(User.role == "admin").limit(1)).one()
        actor = Actor(admin.id, admin.username, admin.role)

    def page_run() -> tuple[float, int]:
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
        at.session_state["user"] = actor
        started = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - started
        if at.exception:
            raise SystemExit(f"the Queue page failed: {at.exception[0].message}")
        return elapsed, len([b for b in at.button if b.key and b.key.startswith("open_")])

    warmup, _ = page_run()
    runs = [page_run() for _ in range(args.runs)]
    page_s = [r[0] for r in runs]
    result = {
        "items": n_items,
        "flagged_cards": n_flagged,
        "queue_query_ms_median": round(statistics.median(query_ms), 1),
        "queue_query_ms_max": round(max(query_ms), 1),
        "queue_query_ms_first": round(cold_query, 1),
        "queue_page_apptest_s_median": round(statistics.median(page_s), 3),
        "queue_page_apptest_s_max": round(max(page_s), 3),
        "queue_page_apptest_s_warmup": round(warmup, 3),
        "cards_on_page": runs[0][1],
        "query_target_ms": QUERY_TARGET_MS,
        "apptest_target_s": APPTEST_TARGET_S,
    }
    result["ok"] = result["queue_query_ms_max"] <= QUERY_TARGET_MS and result["queue_page_apptest_s_max"] <= APPTEST_TARGET_S
    print(f"queue data query: median {result['queue_query_ms_median']} ms, max {result['queue_query_ms_max']} ms "
          f"(first {result['queue_query_ms_first']} ms; target ≤ {QUERY_TARGET_MS} ms)")
    print(f"Queue page AppTest run: median {result['queue_page_apptest_s_median']} s, max "
          f"{result['queue_page_apptest_s_max']} s with empty caches (warm-up {result['queue_page_apptest_s_warmup']} s "
          f"incl. imports; target ≤ {APPTEST_TARGET_S} s), {result['cards_on_page']} cards shown")
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
