"""Pure helpers: canonical URLs, pseudonyms, watchlist matching, charset, sources file."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.canonical import canonical_url
from crawler.charset import best_encoding, decode_html
from crawler.pseudonym import pseudonymise
from crawler.relevance import Watchlist
from crawler.sources import load_sources, parse_sources, select_sources
from langnghe.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw,canonical", [
    ("HTTPS://WWW.VnExpress.net/a.html?utm_source=fb&b=2&a=1#cmt", "https://vnexpress.net/a.html?a=1&b=2"),
    ("https://m.laodong.vn:443/x?fbclid=1&gclid=2&zarsrc=3&_gl=4", "https://laodong.vn/x"),
    ("http://mobile.example.vn:80", "http://example.vn/"),
    ("http://127.0.0.1:8080/p?vn_source=x&id=3", "http://127.0.0.1:8080/p?id=3"),
    ("https://example.vn/tin/công-đoàn.html", "https://example.vn/tin/c%C3%B4ng-%C4%91o%C3%A0n.html"),
])
def test_canonical_url(raw, canonical):
    assert canonical_url(raw) == canonical
    assert canonical_url(canonical) == canonical


def test_pseudonyms_are_keyed_stable_and_normalised():
    a = pseudonymise("Nguyễn Văn A", b"k1")
    assert a.startswith("a_") and len(a) == 14
    assert pseudonymise("  nguyễn   VĂN a ", b"k1") == a
    assert pseudonymise("Nguye\u0302\u0303n Va\u0306n A", b"k1") == a  # decomposed input
    assert pseudonymise("Nguyễn Văn A", b"k2") != a
    assert pseudonymise("Nguyễn Văn B", b"k1") != a


@pytest.fixture(scope="module")
def watchlist():
    return Watchlist.from_file(ROOT / "config" / "watchlist.toml")


@pytest.mark.parametrize("text,term", [
    ("Công đoàn cơ sở hỗ trợ", "công đoàn"),
    ("cong doan co so ho tro", "công đoàn cơ sở"),
    ("congdoan cty minh", "công đoàn"),
    ("CĐ phường vừa họp", "công đoàn"),
    ("chủ tịch cd nói", "công đoàn"),
    ("LĐLĐ tỉnh Lai Châu", "Liên đoàn Lao động"),
    ("ldld lai chau", "Liên đoàn Lao động"),
    ("TLĐ ban hành", "Tổng Liên đoàn Lao động Việt Nam"),
    ("đóng đoàn phí hằng tháng", "đoàn phí"),
    ("kinh phí công đoàn 2%", "kinh phí công đoàn"),
    ("rút bhxh 1 lần", "bảo hiểm xã hội"),
    ("bị nợ lương 3 tháng", "nợ lương"),
    ("người lao động bức xúc", "người lao động"),
])
def test_watchlist_matches(watchlist, text, term):
    assert term in watchlist.matches(text)


@pytest.mark.parametrize("text", ["abcd", "cdn.example.vn", "cdcd", "Thời tiết hôm nay đẹp", "mua đĩa nhạc", ""])
def test_watchlist_does_not_match(watchlist, text):
    assert watchlist.matches(text) == []


def test_watchlist_file_errors(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        Watchlist.from_file(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[term]\n")
    with pytest.raises(UserError, match="not valid TOML"):
        Watchlist.from_file(bad)


def test_charset_mislabelled_utf8_is_decoded_as_utf8():
    body = '<meta charset="windows-1252"><p>Công đoàn</p>'.encode("utf-8")
    assert best_encoding(body, "windows-1252") == "utf-8"
    assert "Công đoàn" in decode_html(body, "text/html; charset=iso-8859-1")
    legacy = "Công đoàn".encode("cp1258")
    assert best_encoding(legacy, "windows-1258") == "cp1258"


def test_shipped_sources_file_is_valid():
    sources = load_sources(ROOT / "config" / "sources.toml")
    assert {s.kind for s in sources} >= {"rss", "xenforo"}


def test_sources_file_fields_and_options():
    (src,) = parse_sources('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://x.vn/rss"\nmax_articles = 5\nkeywords = ["Lai Châu"]\n')
    assert src.url == "https://x.vn/rss" and src.weight == 1.0 and src.enabled and src.filter == "watchlist"
    assert src.option("max_articles") == 5 and src.keywords == ("Lai Châu",)


@pytest.mark.parametrize("text,message", [
    ("[[source]\n", "not valid TOML"),
    ('[[source]]\nname = "a"\nkind = "telegram"\nurl = "https://x"\n', "unknown kind"),
    ('[[source]]\nname = "a"\nkind = "rss"\n', "has no url"),
    ('[[source]]\nkind = "rss"\nurl = "https://x"\n', "has no name"),
    ('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://x"\n[[source]]\nname = "a"\nkind = "rss"\nurl = "https://y"\n', "appears twice"),
    ('[[source]]\nname = "a"\nkind = "rss"\nurl = "ftp://x"\n', "not http"),
    ('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://x"\nfilter = "maybe"\n', "unknown filter"),
])
def test_sources_file_errors(text, message):
    with pytest.raises(UserError, match=message):
        parse_sources(text, "s.toml")


def test_missing_sources_file_and_unknown_source_name(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        load_sources(tmp_path / "nope.toml")
    sources = parse_sources('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://x"\nenabled = false\n')
    assert select_sources(sources, None) == []
    assert select_sources(sources, ["a"])[0].name == "a"
    with pytest.raises(UserError, match="no source named 'b'"):
        select_sources(sources, ["b"])


def test_crawl_without_schema_tells_the_user_what_to_do(tmp_path):
    from tests.crawler.helpers import cli

    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nname = "a"\nkind = "rss"\nurl = "http://127.0.0.1:9/feed.rss"\n', encoding="utf-8")
    result = cli(tmp_path / "home", "crawl", "--sources", str(sources))
    assert result.returncode == 2
    assert "langnghe db upgrade" in result.stderr and "Traceback" not in result.stderr
    missing = cli(tmp_path / "home", "crawl", "--sources", str(tmp_path / "none.toml"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
