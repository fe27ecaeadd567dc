"""XenForo 2 forums (the markup XenForo 2.2 renders) -> thread links and posts.

Three page types: a forum's thread listing (``.structItem--thread``), a search result
page (``.contentRow`` rows linking to posts) and a thread page (``article.message``).
A thread's first post becomes ``kind="post"`` with the thread URL (page 1, no
``page-N``) as its identity; the replies become ``kind="comment"`` at
``<thread url>post-<id>`` with the thread as ``parent_url``. Quoted text (``blockquote``
inside ``.bbWrapper``) is removed from a reply, so it is not counted twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree, html as lxml_html

from crawler.parsers.dates import parse_any, parse_iso
from crawler.parsers.errors import ParseError
from crawler.parsers.text import as_text, clean, element_text, parse_count
from langnghe.records import CrawledItem, Engagement, nfc

_PAGE_SUFFIX = re.compile(r"(?:page-\d+|post-\d+|unread|latest)/?$")
_THREAD_PATH = re.compile(r"^(.*/threads/[^/]+?\.\d+/)")
_OTHERS = re.compile(r"(?:và|and)\s+([\d.,]+[kK]?)\s+(?:người khác|others?)", re.I)


@dataclass(frozen=True)
class ThreadLink:
    """A thread as a listing or a search result shows it."""

    url: str
    title: str
    author: str = ""
    published_at: datetime | None = None
    replies: int = 0
    views: int = 0


@dataclass
class ForumPage:
    """What one XenForo page holds. ``kind`` is ``listing``, ``search`` or ``thread``."""

    kind: str
    threads: list[ThreadLink] = field(default_factory=list)
    posts: list[CrawledItem] = field(default_factory=list)
    next_url: str | None = None
    title: str = ""
    page: int = 1


def thread_url(url: str) -> str:
    """The thread's page-1 URL: ``.../threads/slug.123/page-3`` -> ``.../threads/slug.123/``."""
    parts = urlsplit(url)
    m = _THREAD_PATH.match(parts.path)
    path = m.group(1) if m else _PAGE_SUFFIX.sub("", parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def page_number(url: str) -> int:
    m = re.search(r"/page-(\d+)/?$", urlsplit(url).path)
    return int(m.group(1)) if m else 1


def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _first(el: etree._Element, xpath: str) -> etree._Element | None:
    found = el.xpath(xpath)
    return found[0] if found else None


def _time(el: etree._Element | None) -> datetime | None:
    if el is None:
        return None
    value = el.get("datetime")
    if value:
        return parse_iso(value)
    stamp = el.get("data-time")
    if stamp and stamp.isdigit():
        from datetime import timezone

        return datetime.fromtimestamp(int(stamp), tz=timezone.utc)
    return parse_any(clean(el.text_content()))


def _next(tree: etree._Element, base: str) -> str | None:
    a = _first(tree, f"//a[{_cls('pageNav-jump--next')}][@href]")
    if a is None:
        a = _first(tree, "//link[@rel='next'][@href]")
    return urljoin(base, a.get("href")) if a is not None else None


def _reactions(message: etree._Element) -> int:
    link = _first(message, f".//*[{_cls('reactionsBar-link')}]")
    if link is None:
        return 0
    names = len(link.xpath(".//bdi"))
    m = _OTHERS.search(clean(link.text_content()))
    return names + (parse_count(m.group(1)) if m else 0)


def _post_text(body: etree._Element) -> tuple[str, list[str]]:
    """Post text without quoted blocks, and the post ids it quotes."""
    quoted: list[str] = []
    for bq in body.xpath(f".//blockquote[{_cls('bbCodeBlock--quote')}]"):
        source = bq.get("data-source", "")
        m = re.search(r"post:\s*(\d+)", source)
        if m:
            quoted.append(m.group(1))
        bq.drop_tree()
    for junk in body.xpath(f".//*[{_cls('bbCodeSpoiler-button')}]|.//script|.//style"):
        junk.drop_tree()
    return element_text(body), quoted


def _title_text(h1: etree._Element | None) -> str:
    """Thread title without its prefix label ("Hỏi", "Thông báo")."""
    if h1 is None:
        return ""
    h1 = lxml_html.fromstring(etree.tostring(h1, encoding="unicode"))
    for label in h1.xpath(f".//*[{_cls('label')} or {_cls('label-append')}]"):
        label.drop_tree()
    return clean(h1.text_content())


def _parse_thread(tree: etree._Element, url: str, source: str) -> ForumPage:
    base = thread_url(url)
    title_el = _first(tree, f"//h1[{_cls('p-title-value')}]")
    if title_el is None:
        title_el = _first(tree, "//h1")
    title = _title_text(title_el)
    page = ForumPage(kind="thread", title=title, page=page_number(url), next_url=_next(tree, url))
    for i, msg in enumerate(tree.xpath(f"//article[{_cls('message')}][@data-content]")):
        m = re.match(r"post-(\d+)$", msg.get("data-content", ""))
        body = _first(msg, f".//*[{_cls('message-body')}]//*[{_cls('bbWrapper')}]")
        if not m or body is None:
            continue
        post_id = m.group(1)
        text, quoted = _post_text(body)
        first = page.page == 1 and i == 0
        extra: dict = {"thread_title": title}
        if quoted:
            extra["quotes"] = [f"{base}post-{q}" for q in quoted]
        time_el = _first(msg, f".//*[{_cls('message-attribution-main')}]//time")
        published = _time(time_el if time_el is not None else _first(msg, ".//time[@datetime]"))
        page.posts.append(
            CrawledItem(
                source=source,
                kind="post" if first else "comment",
                url=base if first else f"{base}post-{post_id}",
                parent_url=None if first else base,
                external_id=post_id,
                title=title if first else "",
                text=text,
                author=nfc(msg.get("data-author", "")).strip() or None,
                published_at=published,
                engagement=Engagement(likes=_reactions(msg)),
                extra=extra,
            )
        )
    return page


def _parse_listing(tree: etree._Element, url: str) -> ForumPage:
    page = ForumPage(kind="listing", next_url=_next(tree, url), page=page_number(url))
    title_el = _first(tree, f"//h1[{_cls('p-title-value')}]")
    page.title = clean(title_el.text_content()) if title_el is not None else ""
    for item in tree.xpath(f"//*[{_cls('structItem--thread')}]"):
        a = _first(item, f".//*[{_cls('structItem-title')}]//a[@href][not({_cls('labelLink')})][last()]")
        if a is None:
            continue
        counts = [clean(dd.text_content()) for dd in item.xpath(f".//*[{_cls('structItem-cell--meta')}]//dd")]
        page.threads.append(
            ThreadLink(
                url=thread_url(urljoin(url, a.get("href"))),
                title=clean(a.text_content()),
                author=nfc(item.get("data-author", "")),
                published_at=_time(_first(item, f".//*[{_cls('structItem-startDate')}]//time")),
                replies=parse_count(counts[0]) if counts else 0,
                views=parse_count(counts[1]) if len(counts) > 1 else 0,
            )
        )
    return page


def _parse_search(tree: etree._Element, url: str) -> ForumPage:
    page = ForumPage(kind="search", next_url=_next(tree, url), page=page_number(url))
    seen: set[str] = set()
    for row in tree.xpath(f"//*[{_cls('contentRow-main')}]"):
        a = _first(row, f".//*[{_cls('contentRow-title')}]//a[@href]")
        if a is None:
            continue
        link = thread_url(urljoin(url, a.get("href")))
        if "/threads/" not in link or link in seen:
            continue
        seen.add(link)
        li = next((x for x in row.iterancestors() if x.get("data-author") is not None), None)
        page.threads.append(
            ThreadLink(
                url=link,
                title=clean(a.text_content()),
                author=nfc(li.get("data-author", "")) if li is not None else "",
                published_at=_time(_first(row, ".//time")),
            )
        )
    return page


def parse(html_or_text: str | bytes, url: str, source: str = "") -> ForumPage:
    """Whatever XenForo page ``url`` is; :class:`ParseError` if it is none of the three."""
    text = as_text(html_or_text)
    if not text.strip():
        raise ParseError("empty page", url, reason="empty_page")
    try:
        tree = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not HTML: {exc}", url, reason="not_html") from exc
    if tree.xpath(f"//article[{_cls('message')}][@data-content]"):
        return _parse_thread(tree, url, source)
    if tree.xpath(f"//*[{_cls('structItem--thread')}]"):
        return _parse_listing(tree, url)
    if tree.xpath(f"//*[{_cls('contentRow-main')}]"):
        return _parse_search(tree, url)
    if tree.xpath(f"//*[{_cls('structItemContainer')}]|//*[{_cls('blockMessage')}]"):
        return ForumPage(kind="listing", next_url=_next(tree, url), page=page_number(url))
    raise ParseError("not a XenForo listing, search or thread page", url, reason="not_xenforo")
