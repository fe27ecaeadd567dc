"""Reader comments -> ``CrawledItem(kind="comment")``, from two kinds of comment system.

(a) ``parse_html``: server-rendered comment lists, as the demo news site (and many
    provincial papers' CMSes) print them under the article::

      <section class="box-comment" data-article-id="..">
        <li class="comment-item" data-comment-id="..">
          <span class="comment-author">..</span> <time datetime="..">
          <div class="comment-content">..</div> <span class="comment-likes" data-count="..">
          <ul class="comment-replies"> nested comment-items </ul>
      ... <a rel="next" class="comment-next" href="..">

(b) ``parse_json``: the JSON that large news sites load by XHR from a comment service
    (``{"error":0,"data":{"total":..,"items":[{"comment_id","parent_id","content",
    "full_name","creation_time","userlike","replys":{"items":[..]}}]}}``).

Comments have no URL of their own, so the item URL is the article URL with
``comment_id=<id>`` added to the query (fragments are stripped by canonicalisation).
``parent_url`` is always the article; a reply names its parent comment in
``extra["reply_to"]``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree, html as lxml_html

from crawler.parsers.dates import parse_any, parse_vi_text
from crawler.parsers.errors import ParseError
from crawler.parsers.text import as_text, clean, element_text, parse_count
from langnghe.records import CrawledItem, Engagement, nfc


@dataclass
class CommentPage:
    """Comments found on one page, and where the next page of them is (if any)."""

    comments: list[CrawledItem] = field(default_factory=list)
    next_url: str | None = None
    total: int | None = None


def comment_url(article_url: str, comment_id: str) -> str:
    """``<article url>?comment_id=<id>`` (query kept sorted, fragment dropped)."""
    parts = urlsplit(article_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "comment_id"]
    query.append(("comment_id", str(comment_id)))
    query.sort()
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _make(source: str, article_url: str, cid: str, text: str, author: str, published: datetime | None,
          likes: int, reply_to: str | None, replies: int = 0) -> CrawledItem:
    extra: dict[str, Any] = {}
    if reply_to:
        extra["reply_to"] = comment_url(article_url, reply_to)
    return CrawledItem(
        source=source,
        kind="comment",
        url=comment_url(article_url, cid),
        parent_url=article_url,
        external_id=str(cid),
        text=text,
        author=nfc(author).strip() or None,
        published_at=published,
        engagement=Engagement(likes=likes, comments=replies),
        extra=extra,
    )


# --- (a) server-rendered HTML ----------------------------------------------------------------------

_ITEM_XPATH = ".//*[contains(concat(' ', normalize-space(@class), ' '), ' comment-item ')]"


def _first(el: etree._Element, xpath: str) -> etree._Element | None:
    found = el.xpath(xpath)
    return found[0] if found else None


_FIELDS = ("comment-content", "comment-author", "comment-time", "comment-likes")


def _own_fields(el: etree._Element) -> dict[str, etree._Element]:
    """For each of :data:`_FIELDS`, the first descendant of ``el`` with that class that is
    not inside a nested comment (one walk in document order instead of one XPath each)."""
    found: dict[str, etree._Element] = {}
    stack = list(reversed(el))
    while stack and len(found) < len(_FIELDS):
        node = stack.pop()
        if not isinstance(node.tag, str):
            continue
        classes = (node.get("class") or "").split()
        if "comment-item" in classes:
            continue  # a reply: its fields are its own
        for cls in _FIELDS:
            if cls in classes and cls not in found:
                found[cls] = node
        stack.extend(reversed(node))
    return found


def _own(el: etree._Element, cls: str) -> etree._Element | None:
    """The first descendant with class ``cls`` that is not inside a nested comment."""
    if cls in _FIELDS:
        return _own_fields(el).get(cls)
    for cand in el.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"):
        owner = next((a for a in cand.iterancestors() if "comment-item" in (a.get("class") or "").split()), None)
        if owner is el:
            return cand
    return None


def parse_html(html_or_text: str | bytes, article_url: str, source: str = "", page_url: str | None = None,
               tree: etree._Element | None = None) -> CommentPage:
    """Comments in the server-rendered list of an article page or comment page.

    ``article_url`` is the article the comments belong to; ``page_url`` (default the
    article URL) resolves the next-page link. A page without a comment box gives an
    empty :class:`CommentPage`. ``tree``: the page already parsed (read-only here).
    """
    if tree is None:
        text = as_text(html_or_text)
        if not text.strip():
            return CommentPage()
        try:
            tree = lxml_html.document_fromstring(text)
        except (etree.ParserError, ValueError) as exc:
            raise ParseError(f"comment page is not HTML: {exc}", page_url or article_url) from exc
    box = _first(tree, "//*[contains(concat(' ', normalize-space(@class), ' '), ' box-comment ') or @id='comments']")
    if box is None:
        return CommentPage()
    page = CommentPage()
    total = box.get("data-total")
    page.total = int(total) if total and total.isdigit() else None
    for item in box.xpath(_ITEM_XPATH):
        cid = item.get("data-comment-id") or (item.get("id") or "").removeprefix("comment-")
        fields = _own_fields(item)
        body = fields.get("comment-content")
        if not cid or body is None:
            continue
        author_el = fields.get("comment-author")
        time_el = fields.get("comment-time")
        likes_el = fields.get("comment-likes")
        published = None
        if time_el is not None:
            published = parse_any(time_el.get("datetime")) or parse_vi_text(clean(time_el.text_content()))
        likes = parse_count(likes_el.get("data-count") or likes_el.text_content()) if likes_el is not None else 0
        parent = next((a for a in item.iterancestors() if "comment-item" in (a.get("class") or "").split()), None)
        reply_to = (parent.get("data-comment-id") if parent is not None else None) or item.get("data-parent-id")
        nested = len(item.xpath(_ITEM_XPATH))
        page.comments.append(
            _make(source, article_url, cid, element_text(body),
                  clean(author_el.text_content()) if author_el is not None else "",
                  published, likes, reply_to, nested)
        )
    nxt = _first(box, ".//a[@rel='next'][@href]")
    if nxt is None:
        nxt = _first(tree, "//link[@rel='next'][contains(@href, 'comment') or contains(@href, 'binh-luan')]")
    if nxt is not None:
        page.next_url = urljoin(page_url or article_url, nxt.get("href"))
    return page


# --- (b) JSON comment API ---------------------------------------------------------------------------


def _ts(value: Any) -> datetime | None:
    if value in (None, "", 0):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value)
        if seconds > 1e12:  # milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    return parse_any(str(value))


def parse_json(html_or_text: str | bytes, article_url: str, source: str = "") -> CommentPage:
    """Comments from a JSON comment-API response (see the module docstring)."""
    text = as_text(html_or_text).strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"comment API answer is not JSON: {exc.msg}", article_url, reason="bad_json") from exc
    if not isinstance(data, dict):
        raise ParseError("comment API answer is not a JSON object", article_url, reason="bad_json")
    if data.get("error") not in (None, 0, "0"):
        raise ParseError(f"comment API error {data.get('error')}: {data.get('errorDescription', '')}", article_url,
                         reason="api_error")
    body = data.get("data") or {}
    items = body.get("items") or []
    page = CommentPage(total=body.get("total"))

    def walk(entries: list[dict[str, Any]], reply_to: str | None) -> None:
        for e in entries:
            if not isinstance(e, dict) or not e.get("comment_id"):
                continue
            cid = str(e["comment_id"])
            replies = (e.get("replys") or e.get("replies") or {})
            reply_items = replies.get("items", []) if isinstance(replies, dict) else replies
            parent = reply_to or (str(e["parent_id"]) if e.get("parent_id") not in (None, "", 0, "0", e["comment_id"]) else None)
            page.comments.append(
                _make(source, article_url, cid, element_text(lxml_html.fromstring(f"<div>{e.get('content') or ''}</div>")),
                      str(e.get("full_name") or e.get("user_name") or ""), _ts(e.get("creation_time") or e.get("time")),
                      parse_count(str(e.get("userlike", 0))), parent,
                      int(replies.get("total", len(reply_items))) if isinstance(replies, dict) else len(reply_items))
            )
            walk(reply_items, cid)

    walk(items, None)
    return page


def parse(html_or_text: str | bytes, url: str, source: str = "", article_url: str | None = None) -> CommentPage:
    """Either format: JSON when the text starts with ``{``, else server-rendered HTML."""
    text = as_text(html_or_text)
    if text.lstrip().startswith("{"):
        return parse_json(text, article_url or url, source)
    return parse_html(text, article_url or url, source, page_url=url)
