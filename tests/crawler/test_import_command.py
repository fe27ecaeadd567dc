"""`langnghe import`: files in, rows through the real pipeline stages, into real SQLite/PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from langnghe.cli import main
from triage import migrate
from triage.db import session_scope
from triage.models import CrawlRun, Item, Source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def cli(settings, *args: str) -> int:
    base = ["--home", str(settings.home)]
    if settings.db:
        base += ["--db", settings.db]
    return main([*base, "import", *args])


def stored(settings) -> dict[str, Item]:
    with session_scope(settings) as s:
        items = s.scalars(select(Item)).all()
        for i in items:
            s.expunge(i)
    return {i.url: i for i in items}


def runs(settings, source: str) -> list[CrawlRun]:
    with session_scope(settings) as s:
        rows = s.scalars(select(CrawlRun).join(Source, Source.id == CrawlRun.source_id)
                         .where(Source.name == source).order_by(CrawlRun.id)).all()
        for r in rows:
            s.expunge(r)
    return list(rows)


@pytest.fixture
def db(db_settings):
    migrate.upgrade(db_settings)
    return db_settings


def test_csv_with_bad_rows(db, capsys):
    assert cli(db, str(FIXTURES / "export_utf8.csv"), "--source", "nhap-thu") == 0
    err = capsys.readouterr().err
    assert "dòng (line) 4: import_no_text" in err and "dòng (line) 5: import_bad_date" in err
    assert "dòng (line) 6: import_bad_row" in err and "dòng (line) 9: import_bad_url" in err
    assert "3 mới" in err and "Traceback" not in err
    items = stored(db)
    assert set(items) == {
        "https://facebook.com/groups/congnhanlaichau/posts/111",  # fbclid dropped, host canonical
        "https://forum.example.vn/threads/luong-cham.55/",
        next(u for u in items if u.startswith("https://import.langnghe.invalid/nhap-thu/")),
    }
    first = items["https://facebook.com/groups/congnhanlaichau/posts/111"]
    assert first.likes == 1200 and first.author_pseudonym.startswith("a_") and first.extra["import_file"] == "export_utf8.csv"
    assert "Nguyễn Văn A" not in json.dumps([i.extra for i in items.values()], ensure_ascii=False)
    (run,) = runs(db, "nhap-thu")
    assert run.status == "ok" and run.items_new == 3
    assert run.skips == {"import_no_text": 1, "import_bad_date": 1, "import_bad_row": 1, "import_bad_url": 1}

    # the same file again changes nothing and is a second recorded run
    assert cli(db, str(FIXTURES / "export_utf8.csv"), "--source", "nhap-thu") == 0
    second = runs(db, "nhap-thu")[-1]
    assert second.items_new == 0 and second.items_unchanged == 3


def test_jsonl_comments_link_to_their_post(db, capsys):
    assert cli(db, str(FIXTURES / "social_export.jsonl"), "--source", "fb-xuat", "--url-col", "permalink") == 0
    items = stored(db)
    post = items["https://facebook.com/100000000000001/posts/999"]
    comment = items["https://facebook.com/100000000000001/posts/999?comment_id=1"]
    assert comment.kind == "comment" and comment.parent_id == post.id
    assert runs(db, "fb-xuat")[0].skips == {"import_bad_json": 2, "import_no_text": 1, "import_bad_kind": 1}


@pytest.mark.parametrize(("name", "encoding", "count"),
                         [("legacy_cp1258.csv", "cp1258", 2), ("excel_utf16.txt", "utf-16", 1), ("excel_utf8sig.csv", "utf-8-sig", 2)])
def test_odd_encodings(settings, capsys, name, encoding, count):
    migrate.upgrade(settings)
    assert cli(settings, str(FIXTURES / name), "--source", "cu", "--format", "csv") == 0
    assert f"({encoding})" in capsys.readouterr().err
    texts = [i.text for i in stored(settings).values()]
    assert len(texts) == count
    assert any("đoàn" in t or "lương" in t or "Bảo hiểm" in t for t in texts)


def test_unknown_encoding_is_one_line_and_stores_nothing(settings, capsys):
    migrate.upgrade(settings)
    assert cli(settings, str(FIXTURES / "unknown_cp1251.csv"), "--source", "x") == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("error: unknown_cp1251.csv: cannot tell the file's text encoding")
    assert last.endswith("save it as UTF-8 (CSV UTF-8 in Excel) or pass --encoding.")
    assert stored(settings) == {} and runs(settings, "x") == []


def test_wrong_column_says_which_columns_exist(settings, capsys):
    migrate.upgrade(settings)
    assert cli(settings, str(FIXTURES / "export_utf8.csv"), "--source", "x", "--text-col", "noi_dung") == 2
    err = capsys.readouterr().err
    assert "no column 'noi_dung'" in err and "text, url, date, author, likes" in err


def test_missing_file(settings, capsys):
    migrate.upgrade(settings)
    assert cli(settings, str(FIXTURES / "nope.csv"), "--source", "x") == 2
    assert "does not exist" in capsys.readouterr().err


def test_source_from_the_sources_file_filters_by_watchlist(settings, tmp_path, capsys):
    migrate.upgrade(settings)
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "nhap-loc"\nkind = "import"\nfilter = "watchlist"\ntext_col = "Nội dung"\n'
                       'url_col = "Đường dẫn"\ndate_col = "Ngày đăng"\n', encoding="utf-8")
    assert cli(settings, str(FIXTURES / "excel_utf8sig.csv"), "--source", "nhap-loc", "--sources", str(sources)) == 0
    items = stored(settings)
    # "Đoàn viên được hỗ trợ..." mentions the union; "Bảo hiểm xã hội chậm chi trả" only if the watchlist has BHXH
    assert "https://laodong.example.vn/cong-doan/ho-tro-1.html" in items
    (run,) = runs(settings, "nhap-loc")
    assert run.items_new + run.skips.get("irrelevant", 0) == 2
    with session_scope(settings) as s:
        assert s.scalars(select(Source.kind).where(Source.name == "nhap-loc")).one() == "import"


def test_schema_must_exist(settings, capsys):
    assert cli(settings, str(FIXTURES / "export_utf8.csv"), "--source", "x") == 2
    assert "langnghe db upgrade" in capsys.readouterr().err
