"""Shared by the crawler end-to-end tests: run the real CLI, read the real SQLite store."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``langnghe ARGS`` in a subprocess with LANGNGHE_HOME=home and no download delay."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_")}
    full_env.update(
        LANGNGHE_HOME=str(home),
        LANGNGHE_DOWNLOAD_DELAY="0",
        LANGNGHE_PSEUDONYM_SECRET="e2e-secret",
        LANGNGHE_LOG_LEVEL="WARNING",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "langnghe", *args],
        cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=240,
    )


def rows(home: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(home / "langnghe.db") as conn:
        return conn.execute(sql, params).fetchall()
