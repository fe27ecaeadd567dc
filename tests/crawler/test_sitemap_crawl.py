"""Sitemap spider end to end: robots.txt -> index -> news sitemap (gzip-encoded) and a
``.xml.gz`` file -> article pages, on a replay server on 127.0.0.1, into real SQLite."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.replay import ReplayServer
from langnghe.settings import subprocess_env
from triage import migrate
from triage.db import session_scope
from triage.models import CrawlRun, Item, Source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sitemap"
BODY = ("Chiều 14/11, Liên đoàn Lao động tỉnh Lai Châu đã tổ chức trao quà cho đoàn viên, người lao động "
        "có hoàn cảnh khó khăn trên địa bàn tỉnh. Tổng giá trị quà tặng là 500 triệu đồng. ")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def article(title: str, published: str | None) -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title}
    if published:
        ld["datePublished"] = published
    return (f"<html><head><meta charset='utf-8'><title>{title}</title>"
            f"<script type='application/ld+json'>{json.dumps(ld, ensure_ascii=False)}</script></head>"
            f"<body><article><h1>{title}</h1><div class='article-content'><p>{BODY}</p><p>{BODY}</p></div>"
            f"</article></body></html>")


def build_site(site: Path, base: str) -> None:
    (site / "robots.txt").write_text(f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap_index.xml\n")
    (site / "sitemap_index.xml").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{base}/sitemap-news.xml</loc><lastmod>2024-11-14T09:00:00+07:00</lastmod></sitemap>
  <sitemap><loc>{base}/sitemap-2024-11.xml.gz</loc><lastmod>2024-11-12</lastmod></sitemap>
  <sitemap><loc>{base}/sitemap-2023-01.xml.gz</loc><lastmod>2023-01-31</lastmod></sitemap>
</sitemapindex>""", encoding="utf-8")
    news = (FIXTURES / "news_sitemap.xml").read_text(encoding="utf-8").replace("https://baolaichau.example.vn", base)
    news = news.replace("</urlset>", f"""<url><loc>{base}/private/noi-bo.html</loc><news:news><news:publication>
<news:name>x</news:name><news:language>vi</news:language></news:publication>
<news:publication_date>2024-11-14</news:publication_date><news:title>Nội bộ</news:title></news:news></url></urlset>""")
    (site / "sitemap-news.xml").write_text(news, encoding="utf-8")
    plain = (FIXTURES / "plain_urlset.xml").read_text(encoding="utf-8").replace("https://tintuc.example.vn", base)
    plain = plain.replace("/lao-dong/bai-3.html", "/lao-dong/khong-co.html").replace("2024-11-01", "2024-11-11")
    (site / "sitemap-2024-11.xml.gz").write_bytes(gzip.compress(plain.encode("utf-8")))
    pages = {
        "xa-hoi/cong-doan-trao-qua-tet-2025-12345.html": ("Công đoàn tỉnh trao quà Tết", "2024-11-14T08:30:00+07:00"),
        "xa-hoi/hoi-nghi-nguoi-lao-dong-12346.html": ("Hội nghị người lao động năm 2024", None),
        "xa-hoi/tin-cu-12000.html": ("Tin cũ", "2024-10-01T07:00:00+07:00"),
        "private/noi-bo.html": ("Nội bộ", None),
        "lao-dong/bai-1.html": ("Bài 1 về công đoàn", "2024-11-12T17:00:00+07:00"),
        "lao-dong/bai-2.html": ("Bài 2 về công đoàn", "2024-11-12T18:00:00+07:00"),
    }
    for rel, (title, published) in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(article(title, published), encoding="utf-8")
    routes = {"/sitemap-news.xml": {"file": "sitemap-news.xml", "gzip": True}}  # Content-Encoding: gzip
    (site / "_routes.json").write_text(json.dumps(routes), encoding="utf-8")


@pytest.fixture
def crawled(settings, tmp_path):
    migrate.upgrade(settings)
    site = tmp_path / "site"
    site.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    build_site(site, base)
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "sm"\nkind = "sitemap"\nurl = "{base}/robots.txt"\n'
                       f'since = "2024-11-10"\nfilter = "none"\n\n'
                       f'[[source]]\nname = "sm-bad"\nkind = "sitemap"\nurl = "{base}/lao-dong/bai-1.html"\nfilter = "none"\n',
                       encoding="utf-8")
    env = subprocess_env(settings, LANGNGHE_DOWNLOAD_DELAY="0", LANGNGHE_RETRY_TIMES="0")
    env.pop("LANGNGHE_CONFIG", None)
    with ReplayServer(site, port=port):
        result = subprocess.run([sys.executable, "-m", "langnghe", "crawl", "--sources", str(sources)],
                                env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return settings, base


def test_sitemap_crawl(crawled):
    settings, base = crawled
    with session_scope(settings) as s:
        items = {i.url: i for i in s.scalars(select(Item))}
        runs = {name: run for name, run in s.execute(
            select(Source.name, CrawlRun).join(CrawlRun, CrawlRun.source_id == Source.id)).all()}
        host = base.replace("http://", "")
        assert set(items) == {
            f"http://{host}/xa-hoi/cong-doan-trao-qua-tet-2025-12345.html",
            f"http://{host}/xa-hoi/hoi-nghi-nguoi-lao-dong-12346.html",
            f"http://{host}/lao-dong/bai-1.html",
            f"http://{host}/lao-dong/bai-2.html",
        }
        assert all(i.kind == "article" for i in items.values())
        undated = items[f"http://{host}/xa-hoi/hoi-nghi-nguoi-lao-dong-12346.html"]
        assert undated.published_at.isoformat() == "2024-11-12T17:00:00+00:00"  # the news sitemap's date (VN midnight)
        run = runs["sm"]
        assert run.status == "ok" and run.items_new == 4
        assert run.skips.get("too_old") == 2  # the 2023 sitemap and the October article
        assert run.skips.get("robots_txt") == 1 and run.skips.get("http_404") == 1
        bad = runs["sm-bad"]  # an HTML page given as a sitemap: recorded, not a crash
        assert bad.items_new == 0 and bad.skips == {"sitemap_not_sitemap": 1}
