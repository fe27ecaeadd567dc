"""`langnghe demo --no-dashboard`: the whole chain on the bundled sources, twice."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_")}
    env["LANGNGHE_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "langnghe", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "home"
    first = run_cli(home, "demo", "--no-dashboard")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "rebuttal queue:" in first.stdout
    return home


def counts(home: Path) -> dict[str, int]:
    db = sqlite3.connect(home / "langnghe.db")
    try:
        return {
            "items": db.execute("select count(*) from items").fetchone()[0],
            "urls": db.execute("select count(distinct url) from items").fetchone()[0],
            "unpredicted": db.execute(
                "select count(*) from items i where not exists "
                "(select 1 from predictions p where p.item_id = i.id and p.current)"
            ).fetchone()[0],
            "open_cards": db.execute("select count(*) from clusters where flagged").fetchone()[0],
            "support": db.execute("select count(*) from clusters where support").fetchone()[0],
            "raw_authors": db.execute(
                "select count(*) from items where author_pseudonym is not null and author_pseudonym not like 'a\\_%' escape '\\'"
            ).fetchone()[0],
        }
    finally:
        db.close()


def test_demo_leaves_scored_items_and_a_queue(demo_home):
    c = counts(demo_home)
    assert c["items"] >= 300
    assert c["unpredicted"] == 0
    assert c["open_cards"] > 0 and c["support"] > 0
    assert c["raw_authors"] == 0


def test_demo_again_adds_no_duplicates(demo_home):
    before = counts(demo_home)
    again = run_cli(demo_home, "demo", "--no-dashboard")
    assert again.returncode == 0, again.stderr[-3000:]
    after = counts(demo_home)
    assert after["items"] == before["items"] == after["urls"]
    assert after["unpredicted"] == 0


def test_demo_with_the_port_in_use_fails_before_any_work(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_cli(tmp_path / "home", "demo", "--port", str(port), timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: port") and "--port" in lines[-1]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "home" / "langnghe.db").exists()
