"""Dashboard accounts on real SQLite and PostgreSQL, and the `langnghe users` command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from langnghe.errors import UserError
from triage import migrate
from triage.db import session_scope
from triage.models import AuditLog, User
from triage.users import add_user, disable_user, get_user, list_users, verify_password


@pytest.fixture
def db(db_settings):
    migrate.upgrade(db_settings)
    return db_settings


def test_add_verify_disable(db):
    user = add_user(db, "Lan.Nguyen", "mật khẩu dài", "analyst", display_name="Lan")
    assert (user.username, user.role, user.active) == ("lan.nguyen", "analyst", True)
    assert "mật khẩu" not in user.password_hash and user.password_hash.startswith("$argon2id$")

    assert verify_password(db, "lan.nguyen", "mật khẩu dài").id == user.id
    assert verify_password(db, "LAN.NGUYEN ", "mật khẩu dài").id == user.id  # names are case-blind
    decomposed = "ma\u0323\u0302t kha\u0302\u0309u da\u0300i"  # same password, other input method
    assert verify_password(db, "lan.nguyen", decomposed).id == user.id
    assert verify_password(db, "lan.nguyen", "sai mật khẩu") is None
    assert verify_password(db, "khong-co", "mật khẩu dài") is None

    disable_user(db, "lan.nguyen")
    assert verify_password(db, "lan.nguyen", "mật khẩu dài") is None
    assert [u.active for u in list_users(db)] == [False]
    with session_scope(db, write=False) as s:
        assert [a.action for a in s.scalars(select(AuditLog).order_by(AuditLog.id))] == ["user.add", "user.disable"]

    with pytest.raises(UserError, match="already exists"):
        add_user(db, "LAN.nguyen", "mật khẩu khác", "admin")
    with pytest.raises(UserError, match="no user 'minh'"):
        disable_user(db, "minh")


@pytest.mark.parametrize(
    "name, password, role, message",
    [
        ("lan", "mật khẩu dài", "boss", "role 'boss' does not exist"),
        ("lan", "ngắn", "viewer", "too short"),
        ("l", "mật khẩu dài", "viewer", "not valid"),
        ("lan nguyen", "mật khẩu dài", "viewer", "not valid"),
    ],
)
def test_invalid_accounts_are_refused(settings, name, password, role, message):
    migrate.upgrade(settings)
    with pytest.raises(UserError, match=message):
        add_user(settings, name, password, role)
    assert list_users(settings) == []


def test_old_hash_is_upgraded_on_login(settings):
    migrate.upgrade(settings)
    add_user(settings, "lan", "mật khẩu dài", "admin")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("mật khẩu dài")
    with session_scope(settings) as s:
        s.execute(update(User).where(User.username == "lan").values(password_hash=weak))
    assert verify_password(settings, "lan", "mật khẩu dài") is not None
    stored = get_user(settings, "lan").password_hash
    assert stored != weak and not PasswordHasher().check_needs_rehash(stored)


def cli(settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_") or k.startswith("LANGNGHE_TEST_")}
    env.update(LANGNGHE_HOME=str(settings.home), LANGNGHE_LANGUAGE="en")
    return subprocess.run([sys.executable, "-m", "langnghe", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=settings.home, timeout=60)


def test_users_command(settings):
    migrate.upgrade(settings)
    added = cli(settings, "users", "add", "Hoa", "--role", "viewer", "--password-stdin", stdin="mật khẩu dài\n")
    assert added.returncode == 0, added.stderr
    assert "hoa" in added.stdout
    assert verify_password(settings, "hoa", "mật khẩu dài") is not None

    no_tty = cli(settings, "users", "add", "minh", "--role", "viewer")
    assert no_tty.returncode == 2 and no_tty.stderr.strip().startswith("error: ")
    assert "--password-stdin" in no_tty.stderr and "Traceback" not in no_tty.stderr

    listed = cli(settings, "users", "list")
    assert listed.returncode == 0 and "hoa" in listed.stdout and "viewer" in listed.stdout


def _read_until(fd: int, marker: bytes, timeout: float = 30.0) -> bytes:
    import select as _select
    import time

    seen = b""
    end = time.monotonic() + timeout
    while marker not in seen:
        ready, _, _ = _select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            raise AssertionError(f"no {marker!r} in {seen!r}")
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_users_add_asks_twice_on_a_terminal(settings):
    import pty

    migrate.upgrade(settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_") or k.startswith("LANGNGHE_TEST_")}
    env.update(LANGNGHE_HOME=str(settings.home), LANGNGHE_LANGUAGE="vi")
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal, as when an admin types the command
        os.chdir(settings.home)
        os.execve(sys.executable, [sys.executable, "-m", "langnghe", "users", "add", "tuan", "--role", "admin"], env)
    _read_until(fd, "Mật khẩu: ".encode())
    os.write(fd, "mật khẩu dài\n".encode())
    _read_until(fd, "Nhập lại mật khẩu: ".encode())
    os.write(fd, "mật khẩu dài\n".encode())
    output = _read_until(fd, b"\x00", timeout=30)  # to the end
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, output
    assert "mật khẩu dài".encode() not in output  # not echoed
    assert verify_password(settings, "tuan", "mật khẩu dài").role == "admin"
