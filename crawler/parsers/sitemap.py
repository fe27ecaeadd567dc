"""XML sitemaps (sitemaps.org), sitemap indexes, Google News sitemaps, ``.xml.gz``.

Pure: bytes in, a :class:`SitemapPage` out, listing article URLs (with the date the
sitemap gives: ``news:publication_date`` first, else ``lastmod``) and child sitemaps.
A ``since`` cutoff drops entries known to be older; entries without any date are
kept, because the sitemap cannot tell and the article page will. ``robots.txt``
text is accepted too: its ``Sitemap:`` lines become child sitemaps.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from lxml import etree

from crawler.parsers.dates import DEFAULT_TZ, parse_iso
from crawler.parsers.errors import ParseError
from crawler.parsers.text import clean

#: Largest decompressed sitemap read (the protocol allows 50 MB uncompressed).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_SINCE_DAYS = re.compile(r"^\s*(\d+)\s*(d|day|days|ngày)\s*$", re.I)
_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` (an article to fetch) or one ``<sitemap>`` (a child sitemap)."""

    url: str
    lastmod: datetime | None = None
    published_at: datetime | None = None
    title: str = ""

    @property
    def date(self) -> datetime | None:
        """The best date known: the news publication date, else ``lastmod``."""
        return self.published_at or self.lastmod


@dataclass
class SitemapPage:
    """What one sitemap file lists, after the ``since`` cutoff."""

    entries: list[SitemapEntry] = field(default_factory=list)
    sitemaps: list[SitemapEntry] = field(default_factory=list)
    #: Entries dropped because their date is before ``since``.
    too_old: int = 0


def parse_since(value: object, now: datetime | None = None) -> datetime | None:
    """The ``since`` option: ``"7 days"``/``"7d"``/``"7 ngày"``, an int (days), or a date.

    Raises ``ValueError`` with a readable message for anything else.
    """
    if value is None or value == "":
        return None
    now = now or datetime.now(timezone.utc)
    if isinstance(value, bool):
        raise ValueError(f"since = {value!r} is not a date or a number of days")
    if isinstance(value, (int, float)):
        return now - timedelta(days=float(value))
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=DEFAULT_TZ)
    if hasattr(value, "year") and hasattr(value, "month"):  # a TOML date
        return datetime(value.year, value.month, value.day, tzinfo=DEFAULT_TZ)  # type: ignore[attr-defined]
    text = str(value).strip()
    m = _SINCE_DAYS.match(text)
    if m:
        return now - timedelta(days=int(m.group(1)))
    parsed = parse_iso(text)
    if parsed is None:
        raise ValueError(f"since = {value!r} is neither a date (2024-11-01) nor a number of days ('7 days')")
    return parsed


def _ungzip(body: bytes, url: str) -> bytes:
    """Decompress a gzip body, refusing more than :data:`MAX_SITEMAP_BYTES`."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            data = fh.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ParseError(f"sitemap is not valid gzip ({exc})", url, "sitemap_bad_gzip") from exc
    if len(data) > MAX_SITEMAP_BYTES:
        raise ParseError("sitemap is larger than 50 MB uncompressed", url, "sitemap_too_large")
    return data


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _find(el: etree._Element, *path: str) -> etree._Element | None:
    """First descendant along ``path`` of local names (namespace-agnostic)."""
    current: etree._Element | None = el
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == name), None)
    return current


def _text(el: etree._Element | None) -> str:
    return clean("".join(el.itertext())) if el is not None else ""


def _date(value: str) -> datetime | None:
    return parse_iso(value) if value else None


def _keep(entry: SitemapEntry, since: datetime | None) -> bool:
    return since is None or entry.date is None or entry.date >= since


def parse_sitemap(body: str | bytes, url: str, since: datetime | None = None) -> SitemapPage:
    """A sitemap, sitemap index (plain or gzip) or robots.txt -> :class:`SitemapPage`."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if body[:2] == b"\x1f\x8b":
        body = _ungzip(body, url)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        found = _ROBOTS_SITEMAP.findall(stripped.decode("utf-8", "replace"))
        if found:
            return SitemapPage(sitemaps=[SitemapEntry(urljoin(url, u)) for u in dict.fromkeys(found)])
        raise ParseError("not a sitemap (no XML and no Sitemap: lines)", url, "sitemap_not_xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(stripped, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"sitemap XML is broken ({exc})", url, "sitemap_bad_xml") from exc
    if root is None:
        raise ParseError("sitemap XML is empty or broken", url, "sitemap_bad_xml")
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise ParseError(f"XML root <{kind}> is not <urlset> or <sitemapindex>", url, "sitemap_not_sitemap")
    page = SitemapPage()
    child_tag = "url" if kind == "urlset" else "sitemap"
    seen: set[str] = set()
    for el in root:
        if _local(el.tag) != child_tag:
            continue
        loc = _text(_find(el, "loc"))
        if not loc:
            continue
        loc = urljoin(url, loc)
        if loc in seen:
            continue
        seen.add(loc)
        entry = SitemapEntry(
            url=loc,
            lastmod=_date(_text(_find(el, "lastmod"))),
            published_at=_date(_text(_find(el, "news", "publication_date"))),
            title=_text(_find(el, "news", "title")),
        )
        if not _keep(entry, since):
            page.too_old += 1
            continue
        (page.entries if kind == "urlset" else page.sitemaps).append(entry)
    return page
