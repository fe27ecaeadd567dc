"""RSS 2.0 and Atom feeds (news sites' own and aggregator search feeds) -> FeedEntry.

Aggregator feeds wrap the article link in a redirect (``...apiclick.aspx?url=<real>``);
the real URL is taken out when it is in the query, so the article is fetched directly.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree, html as lxml_html

from crawler.parsers.dates import parse_any
from crawler.parsers.errors import ParseError
from crawler.parsers.text import as_text, clean
from langnghe.records import nfc


@dataclass(frozen=True)
class FeedEntry:
    """One feed entry: where the article is and what the feed says about it."""

    url: str
    title: str
    summary: str
    published_at: datetime | None
    #: The publisher named by an aggregator feed (``<source>``), if any.
    publisher: str = ""


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return "".join(el.itertext()).strip()


def _strip_html(fragment: str) -> str:
    if not fragment or "<" not in fragment:
        return clean(html_lib.unescape(fragment or ""))
    try:
        return clean(lxml_html.fromstring(f"<div>{fragment}</div>").text_content())
    except (etree.ParserError, ValueError):
        return clean(fragment)


def _date(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return parse_any(value)


def unwrap_redirect(link: str) -> str:
    """The real article URL inside an aggregator click-tracking link, else ``link``."""
    query = parse_qs(urlsplit(link).query)
    for key in ("url", "u", "q"):
        for value in query.get(key, []):
            if value.startswith(("http://", "https://")):
                return value
    return link


def _rss_items(channel: etree._Element, base: str) -> list[FeedEntry]:
    out = []
    for item in channel:
        if _local(item.tag) != "item":
            continue
        link = _text(_child(item, "link"))
        guid = _child(item, "guid")
        if not link and guid is not None and guid.get("isPermaLink", "true") != "false":
            link = _text(guid)
        if not link:
            continue
        source = _child(item, "source")
        date_el = _child(item, "pubdate")
        if date_el is None:
            date_el = _child(item, "date")
        out.append(
            FeedEntry(
                url=unwrap_redirect(urljoin(base, link)),
                title=nfc(_strip_html(_text(_child(item, "title")))),
                summary=_strip_html(_text(_child(item, "description"))),
                published_at=_date(_text(date_el)),
                publisher=nfc(_text(source)),
            )
        )
    return out


def _atom_publisher(entry: etree._Element) -> str:
    source = _child(entry, "source")
    return _text(_child(source, "title")) if source is not None else ""


def _atom_entries(feed: etree._Element, base: str) -> list[FeedEntry]:
    out = []
    for entry in feed:
        if _local(entry.tag) != "entry":
            continue
        link = ""
        for c in entry:
            if _local(c.tag) == "link" and c.get("rel", "alternate") == "alternate" and c.get("href"):
                link = c.get("href")
                break
        if not link:
            continue
        summary = _child(entry, "summary")
        if summary is None:
            summary = _child(entry, "content")
        date_el = _child(entry, "published")
        if date_el is None:
            date_el = _child(entry, "updated")
        out.append(
            FeedEntry(
                url=unwrap_redirect(urljoin(base, link)),
                title=nfc(_strip_html(_text(_child(entry, "title")))),
                summary=_strip_html(_text(summary)),
                published_at=_date(_text(date_el)),
                publisher=nfc(_atom_publisher(entry)),
            )
        )
    return out


def parse(html_or_text: str | bytes, url: str) -> list[FeedEntry]:
    """Entries of an RSS 2.0 or Atom feed at ``url``; :class:`ParseError` if it is not a feed."""
    data = html_or_text if isinstance(html_or_text, bytes) else as_text(html_or_text).encode("utf-8")
    data = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not data:
        raise ParseError("empty feed", url, reason="empty_feed")
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"feed is not XML: {exc}", url, reason="not_a_feed") from exc
    if root is None:
        raise ParseError("feed is not XML", url, reason="not_a_feed")
    kind = _local(root.tag)
    if kind == "rss":
        channel = _child(root, "channel")
        if channel is None:
            raise ParseError("RSS without <channel>", url, reason="not_a_feed")
        return _rss_items(channel, url)
    if kind == "rdf":
        return _rss_items(root, url)
    if kind == "feed":
        return _atom_entries(root, url)
    raise ParseError(f"not an RSS or Atom feed (root <{kind}>)", url, reason="not_a_feed")
