"""Every way the database setting can be wrong ends in one `error:` line and exit 2.

Run as real subprocesses of ``python -m langnghe`` with the environment a user would
set. (Tests run as root, which ignores permission bits, so "unwritable" uses /proc.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from triage import migrate


def run_cli(tmp_path: Path, *args: str, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_") or k.startswith("LANGNGHE_TEST_")}
    env.setdefault("LANGNGHE_HOME", str(tmp_path / "home"))
    env.update(env_vars)
    return subprocess.run([sys.executable, "-m", "langnghe", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=60)


def assert_one_error_line(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    "db_url, fragment",
    [
        ("postgresql://nobody@127.0.0.1:1/x", "cannot connect"),  # nothing listens on port 1
        ("notaurl", "cannot be parsed"),
        ("mysql://root@127.0.0.1/langnghe", "not supported"),
    ],
)
def test_bad_database_url(tmp_path, db_url, fragment):
    assert_one_error_line(run_cli(tmp_path, "db", "current", LANGNGHE_DB=db_url), fragment, "Check LANGNGHE_DB")


def test_database_that_does_not_exist_on_the_server(tmp_path, pg_server_url):
    missing = pg_server_url.rsplit("/", 1)[0] + "/langnghe_no_such_db"
    assert_one_error_line(run_cli(tmp_path, "db", "upgrade", LANGNGHE_DB=missing), "does not exist",
                          "Check LANGNGHE_DB")


def test_home_is_a_file(tmp_path):
    home = tmp_path / "a-file"
    home.write_text("not a folder")
    assert_one_error_line(run_cli(tmp_path, "db", "upgrade", LANGNGHE_HOME=str(home)), "LANGNGHE_HOME")
    assert_one_error_line(run_cli(tmp_path, "db", "upgrade", LANGNGHE_HOME=str(home / "sub")), "LANGNGHE_HOME")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("home", ["/proc/langnghe", "/proc/self"])
def test_home_cannot_be_written(tmp_path, home):
    assert_one_error_line(run_cli(tmp_path, "db", "upgrade", LANGNGHE_HOME=home), "LANGNGHE_HOME")


def test_empty_and_old_schema(db_settings, tmp_path):
    env = {"LANGNGHE_HOME": str(db_settings.home)}
    if db_settings.db:
        env["LANGNGHE_DB"] = db_settings.db

    def together(*commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
        """Independent read-only commands, run at once to keep the test fast."""
        with ThreadPoolExecutor(len(commands)) as pool:
            return list(pool.map(lambda args: run_cli(tmp_path, *args, **env), commands))

    check, users = together(("db", "check"), ("users", "list"))
    assert_one_error_line(check, "the database is empty. Run `langnghe db upgrade`.")
    assert_one_error_line(users, "the database is empty. Run `langnghe db upgrade`.")

    migrate.upgrade(db_settings)
    migrate.stamp(db_settings, "base")  # tables of an old install, no current revision
    check, current, upgrade = together(("db", "check"), ("db", "current"), ("db", "upgrade"))
    assert_one_error_line(check, "the database schema is older than this version of Lắng Nghe. Run `langnghe db upgrade`.")
    assert current.returncode == 0 and migrate.head_revision() in current.stdout, current.stderr
    # tables without a revision cannot be upgraded blindly; an admin can adopt them
    assert_one_error_line(upgrade, "no schema revision", "db stamp head")

    stamped = run_cli(tmp_path, "db", "stamp", "head", **env)
    assert stamped.returncode == 0, stamped.stderr
    assert run_cli(tmp_path, "db", "check", **env).returncode == 0


def test_upgrade_reports_from_and_to(tmp_path):
    proc = run_cli(tmp_path, "db", "upgrade", LANGNGHE_LANGUAGE="en")
    assert proc.returncode == 0, proc.stderr
    assert f"(empty) → {migrate.head_revision()}" in proc.stdout
    assert "Running upgrade" in proc.stderr  # progress on stderr
    again = run_cli(tmp_path, "db", "upgrade", LANGNGHE_LANGUAGE="en")
    assert "nothing to do" in again.stdout


def test_passwords_never_appear_in_errors(tmp_path):
    from langnghe.errors import UserError
    from langnghe.settings import load_settings
    from triage.db import get_engine

    for url in ("postgresql://nobody:hunter2@127.0.0.1:1/x", "postgresql://nobody:hunter2@127.0.0.1:notaport/x"):
        with pytest.raises(UserError) as caught:
            get_engine(load_settings(env={}, home=tmp_path, db=url))
        assert "hunter2" not in str(caught.value) and "Check LANGNGHE_DB" in str(caught.value)
