"""Crawl throughput against Scrapy's own ceiling (``scrapy bench``), on this machine.

    .venv/bin/python bench/crawl_throughput.py [--articles 2500] [--concurrency 16] [--profile FILE]

1. Generates a news site of ``2 * articles + 1`` pages (feed, articles with comments,
   second comment pages; the demo site's markup, Vietnamese text about the union) and
   serves it with the replay server on 127.0.0.1.
2. Crawls it with ``langnghe crawl`` in a child process: the full pipeline (extraction,
   relevance, pseudonyms, dedup, SQLite store), politeness off (no delay, no
   AutoThrottle, high concurrency) but robots.txt obeyed.
3. Runs ``scrapy bench`` (a do-nothing spider against Scrapy's own local server).
4. Prints both rates in pages/min and their ratio as the last three lines; exits 1 when
   the ratio is under the target (0.5).

Rates are pages over the time the spider was open (start-up excluded on both sides:
``crawl_runs`` start/finish for ours, ``elapsed_time_seconds`` for scrapy bench).
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET = 0.5


def _env(home: Path, concurrency: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_")}
    env.update(LANGNGHE_HOME=str(home), LANGNGHE_DOWNLOAD_DELAY="0", LANGNGHE_CONCURRENT_PER_DOMAIN=str(concurrency),
               LANGNGHE_PSEUDONYM_SECRET="bench-secret", LANGNGHE_LOG_LEVEL="WARNING", LANGNGHE_RETRY_TIMES="1")
    return env


def langnghe_rate(articles: int, concurrency: int, work: Path, profile: Path | None) -> dict[str, float]:
    from crawler.replay import ReplayServer
    from crawler.synthetic_site import build_synthetic_news

    site_dir, home = work / "site", work / "home"
    site_dir.mkdir(parents=True, exist_ok=True)
    env = _env(home, concurrency)
    with ReplayServer(site_dir) as server:
        t = time.perf_counter()
        site = build_synthetic_news(site_dir, server.base_url, articles, comments_per_article=8, seed=1)
        print(f"site: {site.pages} pages, {len(site.truth)} items, generated in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
        sources = work / "sources.toml"
        sources.write_text(site.toml(), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "langnghe", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        cmd = [sys.executable, "-m", "langnghe", "crawl", "--sources", str(sources)]
        if profile is not None:
            cmd = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "langnghe", *cmd[3:]]
        t = time.perf_counter()
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if result.returncode != 0:
            sys.exit(f"the crawl failed:\n{result.stderr[-3000:]}")
    with sqlite3.connect(home / "langnghe.db") as conn:
        pages, new, started, finished = conn.execute(
            "select pages_fetched, items_new, started_at, finished_at from crawl_runs").fetchone()
    seconds = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    print(f"langnghe crawl: {pages} pages, {new} items stored in {seconds:.1f} s ({wall:.1f} s with start-up)",
          file=sys.stderr)
    if new != len(site.truth):
        sys.exit(f"the crawl stored {new} items, expected {len(site.truth)}")
    return {"pages": pages, "seconds": seconds, "per_min": pages / seconds * 60}


def scrapy_bench_rate(work: Path) -> dict[str, float]:
    scrapy = Path(sys.executable).with_name("scrapy")
    cmd = [str(scrapy)] if scrapy.exists() else [sys.executable, "-m", "scrapy"]
    result = subprocess.run([*cmd, "bench", "-s", "LOG_LEVEL=INFO"], cwd=work, capture_output=True, text=True)
    out = result.stderr + result.stdout
    count = re.search(r"'response_received_count': (\d+)", out)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", out)
    if result.returncode != 0 or not count or not elapsed:
        sys.exit(f"scrapy bench did not report its stats:\n{out[-3000:]}")
    pages, seconds = int(count.group(1)), float(elapsed.group(1))
    print(f"scrapy bench: {pages} pages in {seconds:.1f} s", file=sys.stderr)
    return {"pages": pages, "seconds": seconds, "per_min": pages / seconds * 60}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2500, help="articles (pages = 2 x articles + 1)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent requests per domain")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the crawl process here")
    args = parser.parse_args(argv)
    if 2 * args.articles + 1 < 5000:
        print("note: fewer than 5,000 pages; the figures are less stable", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="langnghe-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        ours = langnghe_rate(args.articles, args.concurrency, work, args.profile)
        theirs = scrapy_bench_rate(work)
    ratio = ours["per_min"] / theirs["per_min"]
    print(f"scrapy bench: {theirs['per_min']:.0f} pages/min")
    print(f"langnghe crawl: {ours['per_min']:.0f} pages/min")
    print(f"ratio: {ratio:.2f} (target >= {TARGET})")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
