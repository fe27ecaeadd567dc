"""``langnghe digest --date YYYY-MM-DD --out FILE``: the daily digest as HTML or XLSX."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "digest",
        help="bản tin ngày / the daily digest (HTML or XLSX by the file's extension)",
        description="Viết bản tin ngày: tin cần xử lý, hành động, thẻ còn mở, phản ánh của người lao động. "
        "(Write the daily digest: flagged stories, actions, open cards, support cases.)",
    )
    p.add_argument("--date", help="ngày / day, YYYY-MM-DD (default: today in the configured time zone)")
    p.add_argument("--out", required=True, help="output file: .html or .xlsx")
    p.add_argument("--lang", choices=("vi", "en"), help="language (default: the language setting)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings) -> int:
    from datetime import date
    from pathlib import Path

    from langnghe.errors import UserError
    from triage.db import get_engine, require_current_schema
    from triage.digest import FORMATS, build_digest, write_digest
    from triage.trends import today

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        raise UserError(f"cannot write a digest as {out.name!r}. Give a file ending in .html or .xlsx.")
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError as exc:
            raise UserError(f"the date {args.date!r} is not a date. Write it as YYYY-MM-DD, e.g. 2026-11-27.") from exc
    else:
        day = today(settings.timezone)
    require_current_schema(get_engine(settings))
    lang = args.lang or (settings.language if settings.language in ("vi", "en") else "vi")
    print(f"building the digest of {day.isoformat()}", file=sys.stderr)
    digest = build_digest(settings, day, lang)
    write_digest(digest, out)
    print(f"{digest.line()} -> {out}")
    return 0
