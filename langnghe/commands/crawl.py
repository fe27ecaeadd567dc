"""``langnghe crawl``: crawl the configured sources once and store what is relevant."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "crawl",
        help="thu thập các nguồn một lần (crawl the sources once)",
        description="Thu thập các nguồn trong tệp nguồn và lưu nội dung liên quan. "
        "Crawl the sources in the sources file once and store the relevant content.",
    )
    p.add_argument("--sources", type=Path, help="sources file (default: sources_file setting, config/sources.toml)")
    p.add_argument("--source", action="append", metavar="NAME", help="crawl only this source (repeatable)")
    p.add_argument("--jobdir", type=Path,
                   help="folder for resume state: an interrupted crawl run again with the same folder continues "
                        "where it stopped (thư mục lưu trạng thái để chạy tiếp)")
    p.add_argument("--cycle-id", help="group this crawl with others of the same cycle "
                                      "(with LANGNGHE_REDIS_URL: every process of one shared crawl needs the same one)")
    p.add_argument("--full", action="store_true",
                   help="đọc lại mọi trang, bỏ qua bộ nhớ trang đã thu thập (ignore the page cache: no conditional "
                        "requests, every page parsed)")
    p.set_defaults(func=run)


def summary_line(stats_list, seconds: float) -> str:
    pages = sum(s.pages_fetched for s in stats_list)
    new = sum(s.items_new for s in stats_list)
    updated = sum(s.items_updated for s in stats_list)
    unchanged = sum(s.items_unchanged for s in stats_list)
    skipped = sum(sum(s.skips.values()) for s in stats_list)
    errors = sum(sum(s.errors.values()) for s in stats_list)
    return (f"Thu thập xong {len(stats_list)} nguồn: {pages} trang, {new} mới, {updated} cập nhật, "
            f"{unchanged} không đổi, {skipped} bỏ qua, {errors} lỗi, {seconds:.1f} s "
            f"(crawled {len(stats_list)} sources: {pages} pages, {new} new, {updated} updated, "
            f"{unchanged} unchanged, {skipped} skipped, {errors} errors)")


def run(args: argparse.Namespace, settings) -> int:
    from crawler.run import run_crawl
    from crawler.sources import load_sources, select_sources

    started = time.monotonic()
    sources = select_sources(load_sources(args.sources or settings.sources_file), args.source)
    if not sources:
        print("Không có nguồn nào được bật (no enabled sources). Enable one in the sources file.", file=sys.stderr)
        return 0
    outcomes: list = []
    stats = run_crawl(settings, sources, cycle_id=args.cycle_id, jobdir=args.jobdir, full=args.full,
                      outcomes=outcomes)
    stopped = [o.stats.source for o in outcomes if o.interrupted]
    if stopped:
        again = f" with --jobdir {args.jobdir}" if args.jobdir else ""
        print(f"Đã dừng giữa chừng: {', '.join(stopped)}. Chạy lại lệnh{' với cùng --jobdir' if args.jobdir else ''} "
              f"để tiếp tục (interrupted; run the same command again{again} to continue).", file=sys.stderr)
    print(summary_line(stats, time.monotonic() - started), file=sys.stderr)
    return 130 if stopped else 0
