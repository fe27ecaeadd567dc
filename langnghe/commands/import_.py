"""``langnghe import FILE --source NAME``: load a CSV/JSONL export from another tool.

Rows go through the crawler's own pipeline stages (validate, canonicalise, relevance
when the source has ``filter = "watchlist"``, pseudonymise, dedup, store), called
directly without Scrapy, and the import is recorded as a crawl run of that source.
Bad rows are skipped and reported with their line numbers; the file never half-fails.

Column options (flags win over the source's ``text_col``/``url_col``/... options):
``--text-col --url-col --date-col --author-col --title-col --kind-col --parent-col``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

#: Row errors printed one per line before the summary (the rest are only counted).
SHOWN_ROW_ERRORS = 20
PROGRESS_EVERY = 500
_COLUMN_FLAGS = ("text", "url", "date", "author", "title", "kind", "parent")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "import",
        help="nhập tệp CSV/JSONL xuất từ công cụ khác (import a CSV/JSONL export)",
        description="Nhập bài viết/bình luận từ tệp CSV hoặc JSONL vào một nguồn. "
        "Import posts/comments from a CSV or JSONL file into a source.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the CSV or JSONL file")
    p.add_argument("--source", required=True, metavar="NAME",
                   help="source the rows belong to (from the sources file, or a new name)")
    p.add_argument("--format", choices=("csv", "jsonl"), help="default: from the file name")
    p.add_argument("--encoding", help="text encoding (default: detect UTF-8, UTF-8-SIG, UTF-16, Windows-1258)")
    p.add_argument("--kind", choices=("post", "comment", "article"), help="kind of rows without a kind column (default post)")
    p.add_argument("--filter", choices=("watchlist", "none"),
                   help="keep only rows matching the watchlist (default: the source's filter; none for a new source)")
    p.add_argument("--sources", type=Path, help="sources file (default: sources_file setting)")
    for name in _COLUMN_FLAGS:
        p.add_argument(f"--{name}-col", metavar="COLUMN", help=f"column holding the {name}")
    p.set_defaults(func=run)


def resolve_source(settings: Any, name: str, sources_file: Path | None, filter_: str | None, log: Callable[[str], None]):
    """The source named ``name`` from the sources file, or a new ``import`` source."""
    from types import MappingProxyType

    from crawler.sources import SourceConfig, load_sources

    path = sources_file or settings.sources_file
    known = {s.name: s for s in load_sources(path)} if (sources_file or Path(path).exists()) else {}
    source = known.get(name)
    if source is None:
        source = SourceConfig(name=name, kind="import", filter=filter_ or "none", options=MappingProxyType({}))
        log(f"Nguồn {name!r} chưa có trong tệp nguồn: tạo nguồn nhập mới, lọc = {source.filter} "
            f"(source {name!r} is not in {path}; a new import source is used, filter = {source.filter}).")
    elif filter_ and filter_ != source.filter:
        from dataclasses import replace

        source = replace(source, filter=filter_)
    return source


def column_map(args: argparse.Namespace, source) -> Any:
    from crawler.parsers.imports import ColumnMap

    def pick(flag: str) -> str | None:
        value = getattr(args, f"{flag}_col", None) or source.option(f"{flag}_col")
        return str(value) if value else None

    return ColumnMap(text=pick("text"), url=pick("url"), date=pick("date"), author=pick("author"),
                     title=pick("title"), kind=pick("kind"), parent_url=pick("parent"))


class _Harness:
    """What the pipeline stages read from a Scrapy crawler: our Settings and the "spider"."""

    def __init__(self, settings: Any, source: Any, stats: Any):
        from types import SimpleNamespace

        self.settings = {"LANGNGHE_SETTINGS": settings, "LANGNGHE_CYCLE_ID": None}
        self.spider = SimpleNamespace(source=source, crawl_stats=stats, name=source.name)


@dataclass
class ImportReport:
    """What one import did: the crawl-run stats, the rows refused, the encoding read."""

    stats: Any
    errors: list[Any] = field(default_factory=list)
    encoding: str = ""


def import_file(
    settings: Any,
    path: Path,
    source: Any,
    columns: Any = None,
    fmt: str | None = None,
    encoding: str | None = None,
    default_kind: str = "post",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``path`` into ``source`` and record it as a crawl run of that source.

    Raises :class:`UserError` for problems with the whole file (missing, encoding,
    no text column) before anything is stored.
    """
    from crawler import pipelines as stages
    from crawler.parsers.errors import ParseError
    from crawler.parsers.imports import RowError, guess_format, iter_import
    from langnghe.errors import UserError
    from langnghe.records import CrawlStats

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"file {path} does not exist. Check the path and run again.") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder, not a file. Give the CSV or JSONL file itself.") from None
    except OSError as exc:
        raise UserError(f"cannot read {path} ({exc.strerror}). Check its permissions.") from None
    try:
        fmt = fmt or source.option("format") or guess_format(path.name)
        encoding_used, rows = iter_import(data, fmt, source.name, columns, encoding or source.option("encoding"), default_kind)
        first = next(rows, None)  # a missing text column shows up here, before storing
    except ParseError as exc:
        raise UserError(f"{path.name}: {exc}.") from None

    stats = CrawlStats(source=source.name, pages_fetched=1)
    harness = _Harness(settings, source, stats)
    chain = [stages.ValidatePipeline(harness), stages.CanonicalisePipeline(harness), stages.RelevancePipeline(harness),
             stages.PseudonymisePipeline(harness), stages.DedupPipeline(harness)]
    store = stages.StorePipeline(harness)
    for stage in (*chain, store):
        opener = getattr(stage, "open_spider", None)
        if opener is not None:
            opener()
    errors: list[RowError] = []
    done = 0
    try:
        for _line, row in rows if first is None else _chain_first(first, rows):
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
            if isinstance(row, RowError):
                errors.append(row)
                stats.skip(row.reason)
                continue
            row.extra["import_file"] = path.name
            try:
                for stage in chain:
                    row = stage.process_item(row)
            except stages.Skipped as exc:
                stats.skip(exc.reason)
                continue
            store.process_item(row)
        store.close_spider()
    except KeyboardInterrupt:
        store._finish_run(harness.spider, "shutdown")
        raise
    store._finish_run(harness.spider, "finished")
    return ImportReport(stats=stats, errors=errors, encoding=encoding_used)


def _chain_first(first: Any, rest: Any):
    yield first
    yield from rest


def run(args: argparse.Namespace, settings: Any) -> int:
    import time

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    started = time.monotonic()
    source = resolve_source(settings, args.source, args.sources, args.filter, log)
    columns = column_map(args, source)

    def progress(n: int) -> None:
        print(f"\r… {n} dòng (rows)", end="", file=sys.stderr, flush=True)

    report = import_file(settings, args.file, source, columns, fmt=args.format, encoding=args.encoding,
                         default_kind=args.kind or str(source.option("kind", "post")), progress=progress)
    stats, errors = report.stats, report.errors
    if sum(stats.skips.values()) + stats.items_new + stats.items_updated + stats.items_unchanged >= PROGRESS_EVERY:
        print(file=sys.stderr)
    for err in errors[:SHOWN_ROW_ERRORS]:
        log(f"dòng (line) {err.line}: {err.reason} — {err.message}")
    if len(errors) > SHOWN_ROW_ERRORS:
        log(f"… và {len(errors) - SHOWN_ROW_ERRORS} dòng lỗi khác (and {len(errors) - SHOWN_ROW_ERRORS} more bad rows)")
    skipped = sum(stats.skips.values())
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(stats.skips.items())) or "-"
    log(f"Nhập xong {args.file.name} ({report.encoding}) vào nguồn {source.name}: {stats.items_new} mới, {stats.items_updated} cập nhật, "
        f"{stats.items_unchanged} không đổi, {skipped} bỏ qua ({reasons}), {time.monotonic() - started:.1f} s "
        f"(imported: {stats.items_new} new, {stats.items_updated} updated, {stats.items_unchanged} unchanged, "
        f"{skipped} skipped)")
    return 1 if stats.errors else 0
