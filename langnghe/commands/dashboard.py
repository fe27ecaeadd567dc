"""``langnghe dashboard``: serve the analysts' dashboard on localhost."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboard", help="open the analysts' dashboard (Streamlit) on localhost")
    p.add_argument("--port", type=int, default=None, help="port (default: the dashboard_port setting, 8501)")
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings) -> int:
    from langnghe.dashboard_launch import launch_dashboard
    from triage.db import get_engine, require_current_schema

    require_current_schema(get_engine(settings))
    port = args.port or settings.dashboard_port
    print(f"dashboard at http://127.0.0.1:{port} (Ctrl+C to stop)")
    return launch_dashboard(settings, port, headless=args.headless)
