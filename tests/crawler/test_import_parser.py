"""CSV/JSONL import parser: column mapping, encodings, bad rows with line numbers, NFC."""

from __future__ import annotations

import codecs
import json
import unicodedata
from pathlib import Path

import pytest

from crawler.parsers import imports as imp
from crawler.parsers.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
CASES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    call = expected["call"]
    data = (FIXTURES / call["fixture"]).read_bytes()
    columns = imp.ColumnMap(**call["columns"])
    if "error" in expected:
        with pytest.raises(ParseError) as info:
            imp.parse_import(data, call["format"], call["source"], columns)
        assert info.value.reason == expected["error"]["reason"]
        return
    result = imp.parse_import(data, call["format"], call["source"], columns)
    assert result.encoding == expected["encoding"], f"{name}: encoding"
    assert len(result.rows) == len(expected["rows"]), f"{name}: number of rows"
    for (line, got), want in zip(result.rows, expected["rows"]):
        assert line == want["line"], f"{name}: line numbers"
        if "error" in want:
            assert isinstance(got, imp.RowError) and got.reason == want["error"], f"{name}: line {line} error"
            continue
        assert not isinstance(got, imp.RowError), f"{name}: line {line}: {got}"
        actual = got.as_dict()
        for field, value in want["item"].items():
            assert actual[field] == value, f"{name}: line {line} field {field}"


def test_text_is_nfc_whatever_the_file_had():
    result = imp.parse_import((FIXTURES / "export_utf8.csv").read_bytes(), "csv", "s")
    texts = [item.text for _, item in result.rows if not isinstance(item, imp.RowError)]
    assert "Lương tháng này chậm, công đoàn có biết không?" in texts
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "a,b".encode(), "utf-8-sig"),
        ("công đoàn".encode("utf-16"), "utf-16"),
        ("text\ncông đoàn".encode("utf-16-le"), "utf-16-le"),
        ("text\ncông đoàn".encode("utf-16-be"), "utf-16-be"),
        ("công đoàn".encode("utf-8"), "utf-8"),
        (b"plain ascii", "utf-8"),
    ],
)
def test_encoding_detection(data, encoding):
    assert imp.detect_encoding(data) == encoding


def test_windows_1258_round_trip():
    text, enc = imp.decode((FIXTURES / "legacy_cp1258.csv").read_bytes())
    assert enc == "cp1258" and "Người lao động phản ánh việc trừ lương vô lý" in text


def test_unknown_encoding_says_what_to_do():
    with pytest.raises(ParseError, match="save it as UTF-8"):
        imp.decode((FIXTURES / "unknown_cp1251.csv").read_bytes())


def test_explicit_wrong_encoding_is_a_clear_error():
    with pytest.raises(ParseError, match="not valid utf-8"):
        imp.decode("công".encode("cp1258", errors="ignore") + b"\xff\xfe\xfd", "utf-8")


def test_same_row_without_url_gets_the_same_made_up_url():
    assert imp.synthetic_url("s", "Công  đoàn") == imp.synthetic_url("s", "Công đoàn")
    assert imp.synthetic_url("s", "a").startswith("https://import.langnghe.invalid/s/")


@pytest.mark.parametrize(
    ("value", "iso"),
    [("2024-11-14T08:30:00+07:00", "2024-11-14T08:30:00+07:00"), ("14/11/2024 08:30", "2024-11-14T08:30:00+07:00"),
     (1731573000, "2024-11-14T08:30:00+00:00"), ("1731573000000", "2024-11-14T08:30:00+00:00"), ("", None)],
)
def test_dates(value, iso):
    parsed = imp.parse_date(value)
    assert (parsed.isoformat() if parsed else None) == iso


def test_format_from_file_name():
    assert imp.guess_format("a.CSV") == "csv" and imp.guess_format("x.jsonl") == "jsonl"
    with pytest.raises(ParseError, match="--format"):
        imp.guess_format("export.xlsx")
