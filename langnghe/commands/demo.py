"""``langnghe demo``: crawl the bundled sample sources, score, cluster, open the dashboard."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the whole chain on bundled sample sources and open the dashboard")
    p.add_argument("--no-dashboard", action="store_true", help="stop after the summary")
    p.add_argument("--port", type=int, default=None, help="dashboard port (default: the dashboard_port setting, 8501)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings) -> int:
    from langnghe.dashboard_launch import check_port_free, launch_dashboard
    from langnghe.demo import DEMO_USERS, run_demo

    port = args.port or settings.dashboard_port
    if not args.no_dashboard:
        check_port_free(port)  # fail before the work, not after
    summary = run_demo(settings, log=print)
    for line in summary.lines():
        print(line)
    users = "; ".join(f"{u} / {p} ({r})" for u, p, r in DEMO_USERS)
    print(f"log in with: {users}")
    if args.no_dashboard:
        return 0
    print(f"opening the dashboard at http://127.0.0.1:{port} (Ctrl+C to stop)", file=sys.stderr)
    return launch_dashboard(settings, port)
