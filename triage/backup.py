"""Backups: SQLite's online backup API, or pg_dump/pg_restore for PostgreSQL.

A backup is one file. SQLite backups are SQLite files (open them with any SQLite tool);
PostgreSQL backups are pg_dump's custom format. Restoring checks that the file's kind
matches the configured database and says so clearly when it does not.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from langnghe.errors import UserError
from langnghe.settings import Settings
from triage.db import dispose_engines, parse_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _sqlite_file(settings: Settings) -> Path:
    return Path(parse_url(settings.db_url).database or "")


def _pg_url(settings: Settings) -> str:
    url = parse_url(settings.db_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise UserError(f"{name} is not installed. Install the PostgreSQL client tools (Debian: postgresql-client).")
    return path


def _sqlite_copy(src_path: Path, dst_path: Path) -> None:
    """SQLite's online backup API: a consistent copy even while others write."""
    src = sqlite3.connect(src_path)
    dst = sqlite3.connect(dst_path)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def backup(settings: Settings, out: Path) -> Path:
    out = Path(out)
    if out.exists():
        raise UserError(f"{out} already exists. Choose a new file name; backups are never overwritten.")
    out.parent.mkdir(parents=True, exist_ok=True)
    if settings.is_sqlite:
        src_path = _sqlite_file(settings)
        if not src_path.exists():
            raise UserError(f"there is no database at {src_path} to back up. Run `langnghe db upgrade` first.")
        _sqlite_copy(src_path, out)
        return out
    result = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(out), _pg_url(settings)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        out.unlink(missing_ok=True)
        raise UserError(f"pg_dump failed: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode}. "
                        "Check LANGNGHE_DB and that the server is reachable.")
    return out


def restore(settings: Settings, file: Path) -> None:
    file = Path(file)
    if not file.is_file():
        raise UserError(f"backup file {file} does not exist. Give the path of a file made by `langnghe backup`.")
    head = file.read_bytes()[:16]
    dispose_engines()
    if settings.is_sqlite:
        if not head.startswith(SQLITE_MAGIC):
            raise UserError(f"{file} is not a SQLite backup (the configured database is SQLite). "
                            "Restore a PostgreSQL backup with LANGNGHE_DB pointing at PostgreSQL.")
        dst_path = _sqlite_file(settings)
        settings.ensure_home()
        _sqlite_copy(file, dst_path)
        return
    if not head.startswith(PGDUMP_MAGIC):
        raise UserError(f"{file} is not a pg_dump backup (the configured database is PostgreSQL). "
                        "Restore a SQLite backup with the default SQLite database.")
    result = subprocess.run(
        [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--dbname", _pg_url(settings), str(file)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else str(result.returncode)
        raise UserError(f"pg_restore failed: {last}. The database was left as it was; check LANGNGHE_DB.")
