"""Six-monthly and yearly summaries and their XLSX, on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from langnghe.errors import UserError
from tests.triage import scene as sc
from triage import workflow as wf
from triage.db import session_scope
from triage.migrate import upgrade
from triage.reports import Period, summarize, write_xlsx

NOW = datetime(2026, 11, 20, 5, 0, tzinfo=timezone.utc)
TZ = "Asia/Ho_Chi_Minh"


@pytest.fixture
def world(db_settings):
    upgrade(db_settings)
    scene = sc.build(db_settings, now=NOW)
    an = wf.Actor(scene.users["an"], "an", "analyst")
    wf.transition(db_settings, scene.cards["D"], an, "forwarded", note="Ban Chính sách", now=NOW + timedelta(hours=2))
    return db_settings, scene


def test_half_year_summary(world):
    settings, _ = world
    with session_scope(settings, write=False) as s:
        summary = summarize(s, TZ, Period.half_year(2026, 2))
    by_cat = {r[0]: r[1] for r in summary.table("volume_category").rows}
    assert by_cat == {"Tin sai lệch": 2, "Lừa đảo": 6, "Phản ánh, kiến nghị": 1, "Chỉ trích": 1, "Trung tính": 28}
    topics = {r[0]: r[-1] for r in summary.table("volume_topic").rows}
    assert topics["Hoạt động công đoàn"] == 29 and topics["Tiền lương"] == 1
    months = summary.table("volume_month")
    assert [r[0] for r in months.rows] == ["2026-10", "2026-11"] and sum(r[-1] for r in months.rows) == 38
    resp = {(r[0], r[1]): r for r in summary.table("responses").rows}
    crit = resp[("Phản bác tin sai", "Chỉ trích")]
    assert crit[2:5] == [1, 1, 100.0] and crit[7] == 24.0 and crit[9] == 100.0  # answered in 24 h, on time
    scam = resp[("Phản bác tin sai", "Lừa đảo")]
    assert scam[2:7] == [1, 0, 0.0, 0, 1] and scam[7] is None
    support = resp[("Hỗ trợ người lao động", "Phản ánh, kiến nghị")]
    assert support[2:5] == [1, 1, 100.0] and support[7] == 5.0  # forwarded 5 h after it came in


def test_other_periods_and_english(world, tmp_path):
    settings, _ = world
    with session_scope(settings, write=False) as s:
        first_half = summarize(s, TZ, Period.half_year(2026, 1))
        year = summarize(s, TZ, Period.year(2026), "en")
    assert first_half.table("volume_category").rows == []
    assert year.table("volume_category").header("en") == ["Category", "Items", "Share %"]
    assert {r[0] for r in year.table("volume_category").rows} >= {"Scam", "Neutral"}
    write_xlsx(year.tables, tmp_path / "y.xlsx", "en")
    wb = load_workbook(tmp_path / "y.xlsx")
    assert wb.sheetnames == ["Items by category", "Items by topic and category", "Items by month",
                             "Responses and response times"]
    with pytest.raises(UserError):
        Period.half_year(2026, 3)


def test_report_command(world, tmp_path, capsys):
    settings, _ = world
    from langnghe.cli import main

    base = ["--home", str(settings.home)] + (["--db", settings.db] if settings.db else [])
    assert main(base + ["report", "--year", "2026", "--half", "2", "--out", str(tmp_path / "r.xlsx")]) == 0
    assert "38 items, 4 cards, 2 answered" in capsys.readouterr().out
    assert load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "Tóm tắt"
    assert main(base + ["report", "--year", "2026", "--out", str(tmp_path / "r.csv")]) == 2
    assert ".xlsx" in capsys.readouterr().err
