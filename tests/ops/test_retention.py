"""Retention purges old texts, keeps the rows, and logs the counts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.triage.factory import NOW, add_item
from triage.db import session_scope
from triage.migrate import upgrade
from triage.models import AuditLog, Item
from triage.retention import enforce


def test_old_texts_are_purged_and_logged(db_settings):
    upgrade(db_settings)
    old = add_item(db_settings, "bài rất cũ về công đoàn", hours_ago=24 * 365 * 3)
    new = add_item(db_settings, "bài mới về công đoàn", hours_ago=2)
    result = enforce(db_settings, now=NOW)
    assert result.purged == 1
    with session_scope(db_settings, write=False) as s:
        assert s.get(Item, old).text == "" and s.get(Item, new).text == "bài mới về công đoàn"
        log = s.scalars(select(AuditLog).where(AuditLog.action == "retention.purge")).one()
        assert log.detail["purged"] == 1 and log.detail["retention_months"] == 24
    assert enforce(db_settings, now=NOW).purged == 0  # idempotent


def test_retention_months_is_configurable(settings):
    upgrade(settings)
    add_item(settings, "bài 2 tháng trước", hours_ago=24 * 60)
    assert enforce(settings.replace(retention_months=1), now=NOW).purged == 1
