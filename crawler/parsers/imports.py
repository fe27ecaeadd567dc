"""CSV and JSONL files exported from other tools -> CrawledItem, row by row.

Exports arrive in whatever encoding the tool or Excel wrote: UTF-8, UTF-8 with BOM,
UTF-16 (Excel's "Unicode text") or legacy Windows-1258 with combining tone marks.
:func:`detect_encoding` tells them apart and refuses to guess beyond that. A bad row
never stops the file: it becomes a :class:`RowError` with its line number, and the
caller counts it as a skip. Columns are found by name (a mapping or common names).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Iterator
from urllib.parse import quote

from crawler.canonical import canonical_url
from crawler.parsers.dates import DEFAULT_TZ, parse_any
from crawler.parsers.errors import ParseError
from crawler.parsers.text import clean, parse_count
from langnghe.records import ITEM_KINDS, CrawledItem, Engagement, nfc

FORMATS = ("csv", "jsonl")
#: Host of URLs made up for rows that have none (``.invalid`` never resolves, RFC 2606).
SYNTHETIC_HOST = "import.langnghe.invalid"

#: Column names tried, in order, when no mapping is given (compared case-insensitively).
CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("text", "message", "content", "body", "nội dung", "noi_dung", "noidung", "comment", "bình luận"),
    "url": ("url", "link", "permalink", "permalink_url", "đường dẫn", "duong_dan"),
    "date": ("date", "published_at", "created_time", "created_at", "publishedat", "time", "timestamp",
             "ngày", "ngày đăng", "thời gian", "thoi_gian", "published"),
    "author": ("author", "author.name", "from.name", "from", "user", "user.name", "username", "author_name",
               "tác giả", "người đăng", "nguoi_dang"),
    "title": ("title", "tiêu đề", "tieu_de", "headline"),
    "kind": ("kind", "type", "loại"),
    "parent_url": ("parent_url", "parent", "parent_link"),
    "likes": ("likes", "like_count", "reactions", "lượt thích", "luot_thich"),
    "comments": ("comments", "comment_count", "comments_count", "lượt bình luận"),
    "shares": ("shares", "share_count", "lượt chia sẻ", "luot_chia_se"),
    "views": ("views", "view_count", "lượt xem", "luot_xem"),
}
_KIND_ALIASES = {"bài viết": "post", "bai viet": "post", "bình luận": "comment", "binh luan": "comment",
                 "reply": "comment", "bài báo": "article", "news": "article"}
#: Letters and combining marks that Vietnamese text decoded as Windows-1258 is made of.
_VI_CHARS = set("ăâđêôơưĂÂĐÊÔƠƯàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵÀÁÈÉÌÍÒÓÙÚÝ\u0300\u0301\u0303\u0309\u0323")


@dataclass(frozen=True)
class ColumnMap:
    """Which column holds what. ``None`` means: look for a common name."""

    text: str | None = None
    url: str | None = None
    date: str | None = None
    author: str | None = None
    title: str | None = None
    kind: str | None = None
    parent_url: str | None = None
    likes: str | None = None
    comments: str | None = None
    shares: str | None = None
    views: str | None = None

    def resolve(self, columns: list[str], strict: bool = True) -> "ColumnMap":
        """Fill unset fields from :data:`CANDIDATES`.

        ``strict`` (a CSV header): a named column that is absent, or no text column at
        all, is an error for the whole file. Not strict (one JSONL object, whose keys
        vary from line to line): absent columns are simply empty for that row.
        """
        by_folded = {nfc(c).strip().casefold(): c for c in columns}
        values: dict[str, str | None] = {}
        for name in CANDIDATES:
            wanted = getattr(self, name)
            if wanted:
                found = by_folded.get(nfc(wanted).strip().casefold())
                if found is None and not strict:
                    values[name] = wanted
                    continue
                if found is None:
                    raise ParseError(
                        f"the file has no column {wanted!r} (for {name}); its columns are: {', '.join(columns) or '(none)'}",
                        reason="import_missing_column",
                    )
                values[name] = found
            else:
                values[name] = next((by_folded[c] for c in CANDIDATES[name] if c in by_folded), None)
        if not values["text"] and strict:
            raise ParseError(
                f"no text column found among: {', '.join(columns) or '(none)'}; name it with --text-col",
                reason="import_missing_column",
            )
        return replace(self, **values)


@dataclass(frozen=True)
class RowError:
    """A row not imported: its line number (1-based, header included) and why."""

    line: int
    reason: str
    message: str


def _looks_vietnamese(text: str) -> bool:
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return True
    hits = sum(1 for ch in non_ascii if ch in _VI_CHARS)
    return hits / len(non_ascii) >= 0.8


def detect_encoding(data: bytes) -> str:
    """``utf-8-sig``, ``utf-16``, ``utf-8`` or ``cp1258``; ``ParseError`` when none fits."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4000]
    if len(sample) >= 4 and sample.count(b"\x00") >= len(sample) // 4:
        # UTF-16 without a BOM: ASCII letters leave a zero byte beside them.
        return "utf-16-le" if sample[1::2].count(b"\x00") > sample[0::2].count(b"\x00") else "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        legacy = data.decode("cp1258")
    except UnicodeDecodeError:
        legacy = ""
    if legacy and _looks_vietnamese(legacy):
        return "cp1258"
    raise ParseError(
        "cannot tell the file's text encoding (it is not UTF-8, UTF-16 or Windows-1258 Vietnamese); "
        "save it as UTF-8 (CSV UTF-8 in Excel) or pass --encoding",
        reason="import_unknown_encoding",
    )


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The file's text (NFC) and the encoding used."""
    enc = encoding or detect_encoding(data)
    try:
        text = data.decode(enc)
    except LookupError as exc:
        raise ParseError(f"unknown encoding {enc!r}; use e.g. utf-8, utf-16 or cp1258", reason="import_unknown_encoding") from exc
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"the file is not valid {enc} (byte {exc.start}); check --encoding or save it as UTF-8",
            reason="import_bad_encoding",
        ) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text), enc


def parse_date(value: Any) -> datetime | None:
    """ISO 8601, Vietnamese ``14/11/2024 08:30`` or Unix seconds; raise ``ValueError`` on junk."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10_000_000_000 else value
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    text = str(value).strip()
    if text.isdigit() and len(text) >= 9:
        return parse_date(int(text))
    parsed = parse_any(text, DEFAULT_TZ)
    if parsed is None:
        raise ValueError(f"date {text!r} is not understood")
    return parsed


def synthetic_url(source: str, text: str) -> str:
    """A stable made-up URL for a row without one: same source and text, same URL."""
    digest = hashlib.sha256(f"{source}\n{' '.join(text.split())}".encode("utf-8")).hexdigest()[:24]
    return f"https://{SYNTHETIC_HOST}/{quote(source, safe='')}/{digest}"


def _get(record: dict[str, Any], column: str | None) -> Any:
    return record.get(column) if column else None


def row_to_item(record: dict[str, Any], columns: ColumnMap, source: str, default_kind: str = "post") -> CrawledItem:
    """One row (column name -> value) -> CrawledItem; ``ValueError`` says what is wrong."""
    text = clean(str(_get(record, columns.text) or ""))
    if not text:
        raise ValueError(f"import_no_text: the text column ({columns.text or 'none found'}) is empty")
    kind_raw = clean(str(_get(record, columns.kind) or "")).casefold() or default_kind
    kind = _KIND_ALIASES.get(kind_raw, kind_raw)
    if kind not in ITEM_KINDS:
        raise ValueError(f"import_bad_kind: kind {kind_raw!r} is not one of {', '.join(ITEM_KINDS)}")
    extra: dict[str, Any] = {"imported": True}
    raw_url = clean(str(_get(record, columns.url) or ""))
    if raw_url:
        if not raw_url.startswith(("http://", "https://")):
            raise ValueError(f"import_bad_url: url {raw_url[:80]!r} is not an http(s) address")
        url = canonical_url(raw_url)
    else:
        url = synthetic_url(source, text)
        extra["synthetic_url"] = True
    parent_raw = clean(str(_get(record, columns.parent_url) or ""))
    parent_url = canonical_url(parent_raw) if parent_raw.startswith(("http://", "https://")) else None
    try:
        published_at = parse_date(_get(record, columns.date))
    except (ValueError, OverflowError, OSError) as exc:
        raise ValueError(f"import_bad_date: {exc}") from exc
    author = clean(str(_get(record, columns.author) or "")) or None
    return CrawledItem(
        source=source,
        kind=kind,  # type: ignore[arg-type]
        url=url,
        text=text,
        title=clean(str(_get(record, columns.title) or "")),
        parent_url=parent_url,
        author=author,
        published_at=published_at,
        engagement=Engagement(
            likes=parse_count(str(_get(record, columns.likes) or "")),
            comments=parse_count(str(_get(record, columns.comments) or "")),
            shares=parse_count(str(_get(record, columns.shares) or "")),
            views=parse_count(str(_get(record, columns.views) or "")),
        ),
        extra=extra,
    )


def _error(line: int, exc: Exception) -> RowError:
    message = str(exc)
    reason, _, detail = message.partition(": ")
    if not reason.startswith("import_"):
        reason, detail = "import_bad_row", message
    return RowError(line, reason, detail)


def _csv_records(text: str) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ParseError(f"the CSV header cannot be read ({exc})", reason="import_bad_csv") from exc
    header = [nfc(h).strip() for h in header]
    yield 1, {"__header__": header}
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, ValueError(f"import_bad_csv: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield line, ValueError(f"import_bad_row: {len(row)} cells but the header has {len(header)} columns")
            continue
        yield line, dict(zip(header, row))


def _jsonl_records(text: str) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, ValueError(f"import_bad_json: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(record, dict):
            yield number, ValueError("import_bad_json: the line is not a JSON object")
            continue
        yield number, _flatten(record)


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become dotted keys (``{"from": {"name": x}}`` -> ``from.name``) too."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def guess_format(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    raise ParseError(f"cannot tell the format of {filename!r} from its name; pass --format csv or --format jsonl",
                     reason="import_unknown_format")


@dataclass
class ImportRows:
    """Rows read from a file: the encoding used and the rows in order."""

    encoding: str
    rows: list[tuple[int, CrawledItem | RowError]] = field(default_factory=list)


def iter_import(data: bytes, fmt: str, source: str, columns: ColumnMap | None = None,
                encoding: str | None = None, default_kind: str = "post") -> tuple[str, Iterator[tuple[int, CrawledItem | RowError]]]:
    """Decode ``data`` and return ``(encoding, rows)`` with rows yielded lazily.

    Raises ``ParseError`` for problems with the whole file (encoding, no text column).
    """
    if fmt not in FORMATS:
        raise ParseError(f"unknown format {fmt!r}; use csv or jsonl", reason="import_unknown_format")
    text, enc = decode(data, encoding)
    columns = columns or ColumnMap()
    records = _csv_records(text) if fmt == "csv" else _jsonl_records(text)

    def rows() -> Iterator[tuple[int, CrawledItem | RowError]]:
        resolved: ColumnMap | None = None
        for line, record in records:
            if isinstance(record, dict) and "__header__" in record:
                resolved = columns.resolve(record["__header__"])
                continue
            if isinstance(record, Exception):
                yield line, _error(line, record)
                continue
            row_columns = resolved or columns.resolve(list(record), strict=False)  # JSONL: per object
            try:
                yield line, row_to_item(record, row_columns, source, default_kind)
            except ValueError as exc:
                yield line, _error(line, exc)

    return enc, rows()


def parse_import(data: bytes, fmt: str, source: str, columns: ColumnMap | None = None,
                 encoding: str | None = None, default_kind: str = "post") -> ImportRows:
    """Everything :func:`iter_import` yields, in a list (for tests and small files)."""
    enc, rows = iter_import(data, fmt, source, columns, encoding, default_kind)
    return ImportRows(encoding=enc, rows=list(rows))
