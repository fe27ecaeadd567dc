"""``langnghe score``: predict every stored item that the current models have not seen."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="classify stored items with the current models, then cluster them")
    p.add_argument("--no-cluster", action="store_true", help="only predict; do not regroup stories")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings) -> int:
    from triage.clustering import cluster_items
    from triage.db import get_engine, require_current_schema
    from triage.scoring import print_progress, score_pending

    require_current_schema(get_engine(settings))
    summary = score_pending(settings, progress=print_progress)
    print(summary.line())
    if not args.no_cluster:
        print(cluster_items(settings).line())
    return 0
