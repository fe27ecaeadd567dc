"""Facebook Graph API responses (Page posts, comments, replies) -> CrawledItem.

Pure functions: JSON text in, a :class:`GraphPage` out (items plus the ``paging.next``
URL to follow). An ``{"error": ...}`` body raises :class:`GraphError`, classified so the
spider knows whether to stop the whole source (expired token, rate limit) or only skip
one edge. URLs are the public permalinks, run through :func:`canonical_url` so they
are the same strings the pipeline stores:
post ``https://facebook.com/<page_id>/posts/<post_id>``, comment ``<post>?comment_id=<c>``,
reply ``<post>?comment_id=<c>&reply_comment_id=<r>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from crawler.canonical import canonical_url
from crawler.parsers.errors import ParseError
from crawler.parsers.text import as_text, clean
from langnghe.records import CrawledItem, Engagement, Skip

DEFAULT_API_BASE = "https://graph.facebook.com/v19.0"
POST_FIELDS = (
    "id,message,created_time,permalink_url,shares,"
    "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)
COMMENT_FIELDS = "id,message,created_time,like_count,comment_count,from"

#: Graph error codes meaning "the token is not usable": stop, a person must act.
AUTH_CODES = frozenset({102, 190, 463, 467})
#: Throttling (app, user, page, custom-rate and business-use-case limits): stop for now.
RATE_CODES = frozenset({4, 17, 32, 341, 613, *range(80001, 80015)})
#: Permission errors (missing permission or Page Public Content Access feature).
PERMISSION_CODES = frozenset({10, *range(200, 300)})


class GraphError(Exception):
    """The Graph API answered with an error object.

    ``kind`` is a short stats key (``facebook_auth``, ``facebook_rate_limit``,
    ``facebook_permission``, ``facebook_api_error``); ``stop_source`` says whether
    carrying on with this source is pointless until a person or time fixes it.
    """

    def __init__(self, message: str, kind: str, code: int | None, stop_source: bool, url: str = ""):
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.stop_source = stop_source
        self.url = url


@dataclass
class GraphPage:
    """One page of a Graph edge: items, records deliberately skipped, next page URL."""

    items: list[CrawledItem] = field(default_factory=list)
    next_url: str | None = None
    skips: list[Skip] = field(default_factory=list)
    #: Graph ids of comments that have replies to fetch (``comment_count > 0``).
    with_replies: list[tuple[str, str]] = field(default_factory=list)
    #: For a posts page: (post Graph id, post URL) of posts with comments.
    with_comments: list[tuple[str, str]] = field(default_factory=list)


# --- URLs the spider requests -------------------------------------------------------


def posts_url(api_base: str, page_id: str, token: str, limit: int = 25, since: int | None = None) -> str:
    """``GET /{page-id}/posts`` with the fields we read (token in the query, as documented)."""
    params: dict[str, Any] = {"fields": POST_FIELDS, "limit": limit}
    if since is not None:
        params["since"] = since
    params["access_token"] = token
    return f"{api_base.rstrip('/')}/{page_id}/posts?{urlencode(params)}"


def comments_url(api_base: str, object_id: str, token: str, limit: int = 100) -> str:
    """``GET /{post-or-comment-id}/comments``, top-level order (replies come per comment)."""
    params = {"fields": COMMENT_FIELDS, "filter": "toplevel", "limit": limit, "access_token": token}
    return f"{api_base.rstrip('/')}/{object_id}/comments?{urlencode(params)}"


def post_permalink(graph_id: str, page_id: str | None = None) -> str:
    """``<page>_<post>`` -> the canonical post URL (page id from the Graph id if not given)."""
    if "_" in graph_id:
        owner, post = graph_id.split("_", 1)
    else:
        owner, post = page_id or "", graph_id
    return canonical_url(f"https://www.facebook.com/{page_id or owner}/posts/{post}")


def _local_id(graph_id: str) -> str:
    """The comment's own id: the part after the last ``_`` of ``<object>_<comment>``."""
    return graph_id.rsplit("_", 1)[-1]


def comment_permalink(post_url: str, comment_id: str, reply_id: str | None = None) -> str:
    params = {"comment_id": _local_id(comment_id)}
    if reply_id:
        params["reply_comment_id"] = _local_id(reply_id)
    return canonical_url(f"{post_url}?{urlencode(params)}")


# --- parsing ------------------------------------------------------------------------


def parse_time(value: str | None) -> datetime | None:
    """Graph ``created_time`` (``2024-11-14T08:30:00+0000``) -> aware datetime."""
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def classify_error(error: dict[str, Any], url: str = "", status: int | None = None) -> GraphError:
    """Turn a Graph ``error`` object into a :class:`GraphError` with a kind and a fix."""
    try:
        code = int(error.get("code")) if error.get("code") is not None else None
    except (TypeError, ValueError):
        code = None
    message = str(error.get("message") or "unknown error")
    etype = str(error.get("type") or "")
    if code in RATE_CODES:
        return GraphError(
            f"Facebook rate limit reached (code {code}: {message}). The next crawl will try again; "
            "crawl fewer pages or less often if it keeps happening.",
            "facebook_rate_limit", code, True, url,
        )
    if code in AUTH_CODES or (etype == "OAuthException" and code is None):
        return GraphError(
            f"Facebook access token is expired or invalid (code {code}: {message}). "
            "Create a new Page access token and set LANGNGHE_FACEBOOK_TOKEN.",
            "facebook_auth", code, True, url,
        )
    if code in PERMISSION_CODES:
        return GraphError(
            f"Facebook refused access (code {code}: {message}). Check that the app has the "
            "Page Public Content Access feature or the pages_read_user_content permission.",
            "facebook_permission", code, False, url,
        )
    server_side = status is not None and status >= 500
    return GraphError(
        f"Facebook API error (code {code}, HTTP {status}: {message}).",
        "facebook_api_error" if not server_side else f"http_{status}", code, False, url,
    )


def load_graph(text_or_bytes: str | bytes, url: str, status: int | None = None) -> dict[str, Any]:
    """The JSON object of a Graph response; raise :class:`GraphError`/``ParseError``."""
    text = as_text(text_or_bytes)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if status is not None and status >= 400:
            raise GraphError(f"Facebook answered HTTP {status} without a JSON body.", f"http_{status}", None, False, url) from exc
        raise ParseError(f"Graph API response is not JSON ({exc.msg})", url, "facebook_bad_json") from exc
    if not isinstance(data, dict):
        raise ParseError("Graph API response is not a JSON object", url, "facebook_bad_json")
    if isinstance(data.get("error"), dict):
        raise classify_error(data["error"], url, status)
    if status is not None and status >= 400:
        raise GraphError(f"Facebook answered HTTP {status}.", f"http_{status}", None, status < 500 and status != 429, url)
    return data


def _count(obj: Any, *path: str) -> int:
    for key in path:
        if not isinstance(obj, dict):
            return 0
        obj = obj.get(key)
    try:
        return int(obj or 0)
    except (TypeError, ValueError):
        return 0


def _next(data: dict[str, Any]) -> str | None:
    paging = data.get("paging")
    if isinstance(paging, dict) and isinstance(paging.get("next"), str) and paging["next"]:
        return paging["next"]
    return None


def parse_posts(text_or_bytes: str | bytes, url: str, source: str = "", page_id: str | None = None,
                status: int | None = None) -> GraphPage:
    """A ``/{page-id}/posts`` response -> posts (kind ``post``) and the next page URL.

    Posts without text (a photo alone) are recorded as ``facebook_no_text`` skips.
    """
    data = load_graph(text_or_bytes, url, status)
    page = GraphPage(next_url=_next(data))
    for raw in data.get("data") or []:
        if not isinstance(raw, dict) or not raw.get("id"):
            page.skips.append(Skip(source, url, "facebook_bad_record"))
            continue
        graph_id = str(raw["id"])
        post_url = post_permalink(graph_id, page_id)
        n_comments = _count(raw, "comments", "summary", "total_count")
        if n_comments:
            page.with_comments.append((graph_id, post_url))
        message = clean(raw.get("message"))
        if not message:
            page.skips.append(Skip(source, post_url, "facebook_no_text"))
            continue
        extra: dict[str, Any] = {"graph_id": graph_id}
        if raw.get("permalink_url"):
            extra["permalink_url"] = str(raw["permalink_url"])
        page.items.append(
            CrawledItem(
                source=source,
                kind="post",
                url=post_url,
                text=message,
                external_id=graph_id,
                published_at=parse_time(raw.get("created_time")),
                engagement=Engagement(
                    likes=_count(raw, "reactions", "summary", "total_count"),
                    comments=n_comments,
                    shares=_count(raw, "shares", "count"),
                ),
                extra=extra,
            )
        )
    return page


def parse_comments(text_or_bytes: str | bytes, url: str, post_url: str, source: str = "",
                   parent_comment_id: str | None = None, status: int | None = None) -> GraphPage:
    """A ``/{object-id}/comments`` response -> comments (or replies, with ``parent_comment_id``).

    ``from`` is only present where Facebook permits it; a missing author stays None.
    """
    data = load_graph(text_or_bytes, url, status)
    page = GraphPage(next_url=_next(data))
    parent_url = comment_permalink(post_url, parent_comment_id) if parent_comment_id else post_url
    for raw in data.get("data") or []:
        if not isinstance(raw, dict) or not raw.get("id"):
            page.skips.append(Skip(source, url, "facebook_bad_record"))
            continue
        graph_id = str(raw["id"])
        if parent_comment_id:
            item_url = comment_permalink(post_url, parent_comment_id, graph_id)
        else:
            item_url = comment_permalink(post_url, graph_id)
            if _count(raw, "comment_count"):
                page.with_replies.append((graph_id, item_url))
        message = clean(raw.get("message"))
        if not message:
            page.skips.append(Skip(source, item_url, "facebook_no_text"))
            continue
        author = raw.get("from")
        page.items.append(
            CrawledItem(
                source=source,
                kind="comment",
                url=item_url,
                text=message,
                parent_url=parent_url,
                external_id=graph_id,
                author=clean(author.get("name")) or None if isinstance(author, dict) else None,
                published_at=parse_time(raw.get("created_time")),
                engagement=Engagement(likes=_count(raw, "like_count"), comments=_count(raw, "comment_count")),
                extra={"graph_id": graph_id},
            )
        )
    return page
