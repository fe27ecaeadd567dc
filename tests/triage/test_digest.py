"""The daily digest (HTML and XLSX) and ``langnghe digest``, on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from langnghe.cli import main
from langnghe.errors import UserError
from tests.triage import scene as sc
from triage import workflow as wf
from triage.digest import build_digest, write_digest
from triage.migrate import upgrade
from triage.rebuttals import Reply, respond

NOW = datetime(2026, 11, 20, 5, 0, tzinfo=timezone.utc)  # 12:00 in Hà Nội
DAY = NOW.date()


@pytest.fixture
def world(db_settings):
    upgrade(db_settings)
    scene = sc.build(db_settings, now=NOW)
    an = wf.Actor(scene.users["an"], "an", "analyst")
    cid = scene.cards["A"]
    wf.claim(db_settings, cid, an, now=NOW - timedelta(hours=1))
    wf.transition(db_settings, cid, an, "in_review", now=NOW - timedelta(hours=1))
    respond(db_settings, cid, an, Reply(text="Không có chủ trương thu thêm 5% lương.",
                                        sources=["Luật Công đoàn"], posted_where="https://facebook.com/ldld/9",
                                        posted_at=NOW - timedelta(minutes=30), claim_id=scene.claim_id),
            now=NOW - timedelta(minutes=30))
    return db_settings, scene


def test_digest_of_a_day(world):
    settings, scene = world
    d = build_digest(settings, DAY, now=NOW + timedelta(days=3))
    assert [r[0] for r in d.flagged.rows] == [scene.cards["B"], scene.cards["A"]]  # by priority; C is old
    statuses = {r[0]: r[6] for r in d.flagged.rows}
    assert statuses[scene.cards["A"]] == "Đã phản hồi" and statuses[scene.cards["B"]] == "Mới"
    assert [(r[1], r[2]) for r in d.actions.rows] == [(scene.cards["A"], "Đang xử lý"), (scene.cards["A"], "Đã phản hồi")]
    assert d.replies.rows[0][2] == "https://facebook.com/ldld/9"
    assert [r[0] for r in d.open_cards.rows] == [scene.cards["B"]]
    assert d.open_cards.rows[0][5] == "QUÁ HẠN"  # due 4 h after it came in
    support = d.support.rows[0]
    assert support[0] == scene.cards["D"] and support[2] == "Ban Chính sách - Pháp luật"
    assert support[6] == "Tam Đường" and support[7] == "Doanh nghiệp may mặc"
    assert d.figures == {"flagged": 2, "actions": 2, "replies": 1, "open": 1, "overdue": 1, "support": 1}


def test_a_past_day_reads_the_statuses_of_that_day(world):
    settings, scene = world
    before = build_digest(settings, DAY - timedelta(days=6), now=NOW)  # card C came in, unanswered
    assert [r[0] for r in before.flagged.rows] == [scene.cards["C"]]
    assert before.flagged.rows[0][6] == "Mới" and [r[0] for r in before.open_cards.rows] == [scene.cards["C"]]
    after = build_digest(settings, DAY - timedelta(days=5), now=NOW)  # answered that day
    assert after.flagged.rows == [] and after.open_cards.rows == []
    assert [r[2] for r in after.actions.rows] == ["Đang xử lý", "Đã phản hồi"]


def test_both_formats_are_written(world, tmp_path):
    settings, scene = world
    d = build_digest(settings, DAY, "en", now=NOW)
    html = write_digest(d, tmp_path / "d.html").read_text(encoding="utf-8")
    assert "Lắng Nghe daily digest" in html and "Replies posted" in html
    assert "Nghe nói công đoàn sắp thu thêm 5% lương" in html and "<script" not in html
    wb = load_workbook(write_digest(build_digest(settings, DAY, now=NOW), tmp_path / "d.xlsx"))
    assert wb.sheetnames[0] == "Tóm tắt"
    assert "Tin cần xử lý trong ngày" in wb.sheetnames
    sheet = wb["Tin cần xử lý trong ngày"]
    assert sheet["A1"].value == "Thẻ" and sheet["A2"].value == scene.cards["B"]
    with pytest.raises(UserError):
        write_digest(d, tmp_path / "d.pdf")


def test_digest_command(world, tmp_path, capsys):
    settings, _ = world
    base = ["--home", str(settings.home)] + (["--db", settings.db] if settings.db else [])
    assert main(base + ["digest", "--date", DAY.isoformat(), "--out", str(tmp_path / "d.xlsx")]) == 0
    assert main(base + ["digest", "--date", DAY.isoformat(), "--out", str(tmp_path / "d.html"), "--lang", "en"]) == 0
    out = capsys.readouterr()
    assert "digest 2026-11-20: 2 flagged stories" in out.out
    assert (tmp_path / "d.xlsx").stat().st_size > 0 and (tmp_path / "d.html").stat().st_size > 0
    assert main(base + ["digest", "--date", "20/11/2026", "--out", str(tmp_path / "x.html")]) == 2
    assert main(base + ["digest", "--out", str(tmp_path / "x.docx")]) == 2
    err = capsys.readouterr().err
    assert "YYYY-MM-DD" in err and ".html or .xlsx" in err and "Traceback" not in err
