"""``langnghe report --year YYYY [--half 1|2] --out FILE.xlsx``: the summary tables offline."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="báo cáo 6 tháng / năm (six-monthly or yearly summary as XLSX)",
        description="Bảng tổng hợp: số bài theo loại và chủ đề, thời gian và tỷ lệ phản hồi. "
        "(Summary tables: volumes by category and topic, response times, share answered.)",
    )
    p.add_argument("--year", type=int, required=True, help="năm / year, e.g. 2026")
    p.add_argument("--half", type=int, choices=(1, 2), help="1 = January-June, 2 = July-December (default: whole year)")
    p.add_argument("--out", required=True, help="output file (.xlsx)")
    p.add_argument("--lang", choices=("vi", "en"), help="language (default: the language setting)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings) -> int:
    from pathlib import Path

    from langnghe.errors import UserError
    from triage.db import get_engine, require_current_schema, session_scope
    from triage.reports import Period, summarize, write_xlsx

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"cannot write a report as {out.name!r}. Give a file ending in .xlsx.")
    if not out.parent.exists():
        raise UserError(f"the folder {out.parent} does not exist. Create it or choose another --out.")
    require_current_schema(get_engine(settings))
    lang = args.lang or (settings.language if settings.language in ("vi", "en") else "vi")
    period = Period.year(args.year) if args.half is None else Period.half_year(args.year, args.half)
    print(f"summarising {period.label} ({period.first} to {period.last})", file=sys.stderr)
    with session_scope(settings, write=False) as session:
        summary = summarize(session, settings.timezone, period, lang)
    write_xlsx(summary.tables, out, lang, cover=[(period.label, ""), ("Lắng Nghe", "")])
    volume = sum(r[1] for r in summary.table("volume_category").rows)
    cards = sum(r[2] for r in summary.table("responses").rows)
    answered = sum(r[3] for r in summary.table("responses").rows)
    print(f"report {period.label}: {volume} items, {cards} cards, {answered} answered -> {out}")
    return 0
