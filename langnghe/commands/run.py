"""``langnghe run``: one nightly cycle now — crawl → score → cluster."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="one collection cycle now: crawl, score, cluster")
    p.add_argument("--sources", type=Path, help="sources file (default: the sources_file setting)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings) -> int:
    from langnghe.cycle import run_cycle
    from triage.db import get_engine, require_current_schema

    require_current_schema(get_engine(settings))
    summary = run_cycle(settings, sources_file=args.sources or settings.sources_file)
    print(summary.score_line)
    print(summary.cluster_line)
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in summary.stages.items())
    print(f"cycle {summary.cycle_id} done in {summary.seconds:.1f}s ({stages}); crawl exit {summary.crawl_returncode}")
    return 0
