"""Hostile and broken pages end as stored items or recorded skips/errors, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.replay import ReplayServer
from tests.crawler.helpers import cli, rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "robustness"
PAGES = ["ok.html", "missing.html", "error500.html", "slow.html", "loop-a.html", "gzipped.html",
         "wrong_charset.html", "big.html", "malformed.html", "garbage.html", "bomb.html", "ratelimited.html"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("robust")
    home = tmp / "home"
    with ReplayServer(FIXTURES) as server:
        sources = tmp / "sources.toml"
        urls = ", ".join(f'"{server.base_url}/{p}"' for p in PAGES)
        sources.write_text(f'[[source]]\nname = "hostile"\nkind = "article"\nurls = [{urls}]\n', encoding="utf-8")
        assert cli(home, "db", "upgrade").returncode == 0
        result = cli(home, "crawl", "--sources", str(sources),
                     LANGNGHE_DOWNLOAD_TIMEOUT="1", LANGNGHE_RETRY_TIMES="1", LANGNGHE_MAX_PAGE_BYTES=str(5 * 1024 * 1024))
        hits = server.hits
    (status, pages, skips, errors) = rows(home, "select status, pages_fetched, skips, errors from crawl_runs")[0]
    stored = {url.rsplit("/", 1)[-1]: (title, text) for url, title, text in rows(home, "select url, title, text from items")}
    return {"result": result, "status": status, "pages": pages, "skips": json.loads(skips),
            "errors": json.loads(errors), "stored": stored, "hits": hits}


def test_the_crawl_finishes_without_a_crash(run):
    assert run["result"].returncode == 0, run["result"].stderr
    assert "Traceback" not in run["result"].stderr
    assert run["status"] == "ok"


def test_every_page_is_accounted_for(run):
    accounted = len(run["stored"]) + sum(run["skips"].values()) + sum(run["errors"].values())
    assert accounted >= len(PAGES), (run["stored"].keys(), run["skips"], run["errors"])


def test_good_pages_are_stored(run):
    assert {"ok.html", "gzipped.html", "ratelimited.html", "malformed.html"} <= set(run["stored"])


def test_wrong_charset_is_decoded_as_utf8(run):
    title, text = run["stored"]["wrong_charset.html"]
    assert title == "Trang khai báo sai bảng mã: Công đoàn tỉnh họp báo"
    assert "Liên đoàn Lao động tỉnh" in text


def test_http_errors_are_recorded(run):
    assert run["skips"].get("http_404") == 1
    assert run["errors"].get("http_500") == 1
    assert run["hits"]["/error500.html"] == 2  # retried once


def test_slow_page_times_out_as_an_error(run):
    assert run["errors"].get("timeout") == 1


def test_redirect_loop_is_an_error(run):
    assert run["errors"].get("redirect_loop") == 1


def test_big_page_and_gzip_bomb_are_skipped_as_too_large(run):
    assert run["skips"].get("too_large") == 2
    assert "big.html" not in run["stored"] and "bomb.html" not in run["stored"]


def test_429_is_retried_after_the_wait(run):
    assert run["hits"]["/ratelimited.html"] == 2


def test_garbage_is_a_recorded_skip(run):
    assert "garbage.html" not in run["stored"]
    assert run["skips"].get("no_title", 0) + run["skips"].get("no_body", 0) + run["skips"].get("irrelevant", 0) >= 1
