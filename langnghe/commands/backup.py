"""``langnghe backup --out FILE`` and ``langnghe restore FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="write a backup of the database to a new file")
    p.add_argument("--out", type=Path, required=True, help="the backup file to create")
    p.set_defaults(func=run_backup)
    r = sub.add_parser("restore", help="replace the database's contents with a backup")
    r.add_argument("file", type=Path, help="a file made by `langnghe backup`")
    r.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace, settings) -> int:
    from triage.backup import backup

    out = backup(settings, args.out)
    print(f"backup written to {out} ({out.stat().st_size:,} bytes)")
    return 0


def run_restore(args: argparse.Namespace, settings) -> int:
    from triage.backup import restore

    restore(settings, args.file)
    print(f"restored {args.file}; run `langnghe db upgrade` if it came from an older version")
    return 0
