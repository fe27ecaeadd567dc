"""Backup then restore gives equal row counts, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from langnghe.errors import UserError
from tests.triage.factory import add_item, add_users
from triage.backup import backup, restore
from triage.db import dispose_engines, session_scope
from triage.migrate import upgrade
from triage.models import Base


def counts(settings) -> dict[str, int]:
    with session_scope(settings, write=False) as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_backup_restore_round_trip(db_settings, tmp_path):
    upgrade(db_settings)
    add_users(db_settings)
    for i in range(5):
        add_item(db_settings, f"bài số {i} về đoàn phí công đoàn", cluster=i % 2 == 0)
    before = counts(db_settings)
    assert before["items"] == 5
    out = backup(db_settings, tmp_path / "backup.bin")
    add_item(db_settings, "bài viết sau khi sao lưu")
    assert counts(db_settings)["items"] == 6
    restore(db_settings, out)
    dispose_engines()
    assert counts(db_settings) == before


def test_backup_never_overwrites_and_restore_checks_the_kind(settings, tmp_path):
    upgrade(settings)
    out = backup(settings, tmp_path / "b.sqlite")
    with pytest.raises(UserError, match="already exists"):
        backup(settings, out)
    bogus = tmp_path / "not-a-backup.bin"
    bogus.write_bytes(b"PGDMP fake")
    with pytest.raises(UserError, match="not a SQLite backup"):
        restore(settings, bogus)
    with pytest.raises(UserError, match="does not exist"):
        restore(settings, tmp_path / "missing.bin")
