"""The replay server, and the comment-API navigation that runs through it."""

from __future__ import annotations

import gzip
import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from crawler.replay import ReplayServer
from tests.crawler.helpers import cli, rows

FIX = Path(__file__).resolve().parents[1] / "fixtures"


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture()
def site(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<html>chỉ mục</html>", encoding="utf-8")
    (tmp_path / "feed.rss").write_text("<rss/>", encoding="utf-8")
    (tmp_path / "page-2").write_text("<!DOCTYPE html><html></html>", encoding="utf-8")
    (tmp_path / "data.json").write_text('{"x": 1}', encoding="utf-8")
    (tmp_path / "_routes.json").write_text(json.dumps({
        "/api?b=2&a=1": {"file": "data.json"},
        "/busy": {"body": "ok", "first": {"status": 429, "headers": {"Retry-After": "1"}}},
        "/zipped.html": {"body": "<p>nén</p>", "gzip": True},
        "/moved": {"redirect": "/a/"},
    }), encoding="utf-8")
    with ReplayServer(tmp_path) as server:
        yield server


def test_files_and_content_types(site):
    status, headers, body = _get(site.base_url + "/a/")
    assert status == 200 and "text/html" in headers["Content-Type"] and "chỉ mục" in body.decode()
    assert "rss" in _get(site.base_url + "/feed.rss")[1]["Content-Type"]
    assert "text/html" in _get(site.base_url + "/page-2")[1]["Content-Type"]
    assert _get(site.base_url + "/nothing.html")[0] == 404
    assert _get(site.base_url + "/_routes.json")[0] == 404
    assert _get(site.base_url + "/../../etc/passwd")[0] == 404


def test_routes_by_query_once_gzip_and_redirect(site):
    assert _get(site.base_url + "/api?a=1&b=2")[2] == b'{"x": 1}'
    first, second = _get(site.base_url + "/busy"), _get(site.base_url + "/busy")
    assert first[0] == 429 and first[1]["Retry-After"] == "1" and second[0] == 200
    status, headers, body = _get(site.base_url + "/zipped.html")
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body).decode() == "<p>nén</p>"
    assert _get(site.base_url + "/moved")[2].decode() == "<html>chỉ mục</html>"
    assert site.hits["/busy"] == 2


def test_article_with_comment_api_end_to_end(tmp_path):
    """An article source whose comments come from a JSON comment service (format b)."""
    folder = tmp_path / "site"
    (folder / "tin").mkdir(parents=True)
    shutil.copy(FIX / "robustness" / "ok.html", folder / "tin" / "bai-viet-4812345.html")
    shutil.copy(FIX / "comments" / "json_api.json", folder / "comments.json")
    (folder / "_routes.json").write_text(json.dumps({"/api/comments?objectid=4812345&offset=0": {"file": "comments.json"}}))
    home = tmp_path / "home"
    with ReplayServer(folder) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[[source]]\nname = "api"\nkind = "article"\n'
            f'urls = ["{server.base_url}/tin/bai-viet-4812345.html"]\n'
            f'comments_url = "{server.base_url}/api/comments?objectid={{article_id}}&offset={{offset}}"\n'
            'article_id_pattern = "-(\\\\d+)\\\\.html"\n', encoding="utf-8")
        assert cli(home, "db", "upgrade").returncode == 0
        result = cli(home, "crawl", "--sources", str(sources))
    assert result.returncode == 0, result.stderr
    kinds = dict(rows(home, "select kind, count(*) from items group by kind"))
    assert kinds == {"article": 1, "comment": 3}
    (likes,) = rows(home, "select likes from items where url like '%comment_id=55012100'")[0]
    assert likes == 1200


def test_routes_written_after_start_are_picked_up(tmp_path):
    with ReplayServer(tmp_path) as server:
        assert _get(server.base_url + "/late")[0] == 404
        (tmp_path / "_routes.json").write_text(json.dumps({"/late": {"body": "muộn"}}), encoding="utf-8")
        assert _get(server.base_url + "/late")[2].decode() == "muộn"
