"""YouTube Data API v3 responses (search, videos, commentThreads, comments) -> CrawledItem.

Pure functions: JSON text in, a :class:`YouTubePage` out. ``search.list`` only names
videos (its descriptions are cut short), so the spider asks ``videos.list`` for the
full description and statistics; comment threads carry the top-level comment and
some replies, and ``comments.list`` brings the rest. An ``{"error": ...}`` body raises
:class:`YouTubeError` (quota and key problems stop the source; disabled comments do not).
URLs: ``https://youtube.com/watch?v=<id>``, comments ``...&lc=<commentId>`` (canonical form).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.canonical import canonical_url
from crawler.parsers.errors import ParseError
from crawler.parsers.text import as_text, clean
from langnghe.records import CrawledItem, Engagement, Skip

DEFAULT_API_BASE = "https://www.googleapis.com/youtube/v3"

_QUOTA_REASONS = frozenset({"quotaExceeded", "rateLimitExceeded", "dailyLimitExceeded", "userRateLimitExceeded"})
_AUTH_REASONS = frozenset({"keyInvalid", "keyExpired", "forbidden", "accessNotConfigured", "ipRefererBlocked"})


class YouTubeError(Exception):
    """The API answered with an error. ``kind`` is a stats key; ``stop_source`` as for Graph."""

    def __init__(self, message: str, kind: str, reason: str, stop_source: bool, url: str = ""):
        super().__init__(message)
        self.kind = kind
        self.reason = reason
        self.stop_source = stop_source
        self.url = url


@dataclass
class YouTubePage:
    """One API page: items, skips, video ids found (search) and the next page URL."""

    items: list[CrawledItem] = field(default_factory=list)
    next_url: str | None = None
    skips: list[Skip] = field(default_factory=list)
    video_ids: list[str] = field(default_factory=list)
    #: (top-level comment id, its URL) whose replies were not all embedded in the thread.
    more_replies: list[tuple[str, str]] = field(default_factory=list)


# --- URLs the spider requests -------------------------------------------------------


def _api(api_base: str, method: str, params: dict[str, Any]) -> str:
    return f"{api_base.rstrip('/')}/{method}?{urlencode(params)}"


def search_url(api_base: str, key: str, query: str, published_after: datetime | None = None,
               channel_id: str | None = None, max_results: int = 50) -> str:
    params: dict[str, Any] = {"part": "snippet", "q": query, "type": "video", "order": "date", "maxResults": max_results}
    if published_after is not None:
        params["publishedAfter"] = published_after.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if channel_id:
        params["channelId"] = channel_id
    params["key"] = key
    return _api(api_base, "search", params)


def videos_url(api_base: str, key: str, video_ids: Iterable[str]) -> str:
    """``videos.list`` for up to 50 ids (full description + statistics, 1 quota unit)."""
    return _api(api_base, "videos", {"part": "snippet,statistics", "id": ",".join(video_ids), "key": key})


def threads_url(api_base: str, key: str, video_id: str) -> str:
    return _api(
        api_base,
        "commentThreads",
        {"part": "snippet,replies", "videoId": video_id, "maxResults": 100, "textFormat": "plainText", "key": key},
    )


def replies_url(api_base: str, key: str, parent_id: str) -> str:
    return _api(
        api_base, "comments", {"part": "snippet", "parentId": parent_id, "maxResults": 100, "textFormat": "plainText", "key": key}
    )


def with_page_token(url: str, token: str) -> str:
    """``url`` with ``pageToken`` set (other parameters kept in order)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "pageToken"]
    query.append(("pageToken", token))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def video_permalink(video_id: str) -> str:
    return canonical_url(f"https://www.youtube.com/watch?v={video_id}")


def comment_permalink(video_id: str, comment_id: str) -> str:
    return canonical_url(f"https://www.youtube.com/watch?{urlencode({'v': video_id, 'lc': comment_id})}")


# --- parsing ------------------------------------------------------------------------


def parse_time(value: str | None) -> datetime | None:
    """RFC 3339 ``publishedAt`` (``2024-11-14T01:30:00Z``) -> aware datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def classify_error(error: dict[str, Any], url: str = "", status: int | None = None) -> YouTubeError:
    """Map an API ``error`` object to a :class:`YouTubeError` (kind, whether to stop)."""
    details = error.get("errors") if isinstance(error.get("errors"), list) else []
    reason = next((str(d.get("reason")) for d in details if isinstance(d, dict) and d.get("reason")), "")
    message = re.sub(r"<[^>]+>", "", str(error.get("message") or reason or "unknown error"))
    code = error.get("code", status)
    if reason in _QUOTA_REASONS:
        return YouTubeError(
            f"YouTube quota exceeded ({reason}: {message}). The quota resets daily at midnight Pacific time; "
            "the next crawl will continue.",
            "youtube_quota", reason, True, url,
        )
    if reason in _AUTH_REASONS or (reason == "badRequest" and "key" in message.lower()):
        return YouTubeError(
            f"YouTube refused the API key ({reason}: {message}). Check LANGNGHE_YOUTUBE_KEY and that the "
            "YouTube Data API v3 is enabled for it.",
            "youtube_auth", reason, True, url,
        )
    if reason == "commentsDisabled":
        return YouTubeError(f"comments are disabled on this video ({message}).", "youtube_comments_disabled", reason, False, url)
    if reason in ("videoNotFound", "commentNotFound", "channelNotFound"):
        return YouTubeError(f"YouTube: not found ({reason}).", "youtube_not_found", reason, False, url)
    kind = f"http_{code}" if isinstance(code, int) and code >= 500 else "youtube_api_error"
    return YouTubeError(f"YouTube API error (HTTP {code}, {reason or 'no reason'}: {message}).", kind, reason, False, url)


def load_api(text_or_bytes: str | bytes, url: str, status: int | None = None) -> dict[str, Any]:
    """The JSON object of a response; raise :class:`YouTubeError` or ``ParseError``."""
    text = as_text(text_or_bytes)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if status is not None and status >= 400:
            raise YouTubeError(f"YouTube answered HTTP {status} without a JSON body.", f"http_{status}", "", False, url) from exc
        raise ParseError(f"YouTube API response is not JSON ({exc.msg})", url, "youtube_bad_json") from exc
    if not isinstance(data, dict):
        raise ParseError("YouTube API response is not a JSON object", url, "youtube_bad_json")
    if isinstance(data.get("error"), dict):
        raise classify_error(data["error"], url, status)
    if status is not None and status >= 400:
        raise YouTubeError(f"YouTube answered HTTP {status}.", f"http_{status}", "", False, url)
    return data


def _int(value: Any) -> int:
    """Counts arrive as strings (``"1234"``) in ``statistics``; junk counts as 0."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _next(data: dict[str, Any], url: str) -> str | None:
    token = data.get("nextPageToken")
    return with_page_token(url, str(token)) if token else None


def parse_search(text_or_bytes: str | bytes, url: str, status: int | None = None) -> YouTubePage:
    """``search.list`` -> video ids (in order, each once) and the next page URL."""
    data = load_api(text_or_bytes, url, status)
    page = YouTubePage(next_url=_next(data, url))
    for raw in data.get("items") or []:
        rid = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(rid, dict) and rid.get("videoId") and rid["videoId"] not in page.video_ids:
            page.video_ids.append(str(rid["videoId"]))
    return page


def parse_videos(text_or_bytes: str | bytes, url: str, source: str = "", status: int | None = None) -> YouTubePage:
    """``videos.list`` -> one ``post`` per video: title, full description, statistics."""
    data = load_api(text_or_bytes, url, status)
    page = YouTubePage(next_url=_next(data, url))
    for raw in data.get("items") or []:
        if not isinstance(raw, dict) or not raw.get("id"):
            page.skips.append(Skip(source, url, "youtube_bad_record"))
            continue
        vid = str(raw["id"])
        snippet = raw.get("snippet") or {}
        stats = raw.get("statistics") or {}
        title = clean(snippet.get("title"))
        description = clean(snippet.get("description"))
        item_url = video_permalink(vid)
        if not (title or description):
            page.skips.append(Skip(source, item_url, "youtube_no_text"))
            continue
        page.video_ids.append(vid)
        page.items.append(
            CrawledItem(
                source=source,
                kind="post",
                url=item_url,
                title=title,
                text=description or title,
                external_id=vid,
                author=clean(snippet.get("channelTitle")) or None,
                published_at=parse_time(snippet.get("publishedAt")),
                engagement=Engagement(
                    likes=_int(stats.get("likeCount")),
                    comments=_int(stats.get("commentCount")),
                    views=_int(stats.get("viewCount")),
                ),
                extra={"channel_id": str(snippet.get("channelId") or ""), "comment_count": _int(stats.get("commentCount"))},
            )
        )
    return page


def _comment_item(raw: dict[str, Any], source: str, video_id: str, parent_url: str, replies: int = 0) -> CrawledItem | None:
    snippet = raw.get("snippet") or {}
    text = clean(snippet.get("textOriginal") or snippet.get("textDisplay"))
    if not text:
        return None
    cid = str(raw["id"])
    return CrawledItem(
        source=source,
        kind="comment",
        url=comment_permalink(video_id, cid),
        text=text,
        parent_url=parent_url,
        external_id=cid,
        author=clean(snippet.get("authorDisplayName")) or None,
        published_at=parse_time(snippet.get("publishedAt")),
        engagement=Engagement(likes=_int(snippet.get("likeCount")), comments=replies),
    )


def parse_comment_threads(text_or_bytes: str | bytes, url: str, source: str = "", video_id: str | None = None,
                          status: int | None = None) -> YouTubePage:
    """``commentThreads.list`` -> top-level comments and their embedded replies.

    Threads with more replies than embedded are listed in ``more_replies``.
    """
    data = load_api(text_or_bytes, url, status)
    page = YouTubePage(next_url=_next(data, url))
    for raw in data.get("items") or []:
        snippet = raw.get("snippet") if isinstance(raw, dict) else None
        top = snippet.get("topLevelComment") if isinstance(snippet, dict) else None
        if not isinstance(top, dict) or not top.get("id"):
            page.skips.append(Skip(source, url, "youtube_bad_record"))
            continue
        vid = str(snippet.get("videoId") or (top.get("snippet") or {}).get("videoId") or video_id or "")
        if not vid:
            page.skips.append(Skip(source, url, "youtube_bad_record"))
            continue
        total_replies = _int(snippet.get("totalReplyCount"))
        top_url = comment_permalink(vid, str(top["id"]))
        item = _comment_item(top, source, vid, video_permalink(vid), total_replies)
        if item is None:
            page.skips.append(Skip(source, top_url, "youtube_no_text"))
        else:
            page.items.append(item)
        embedded = [r for r in ((raw.get("replies") or {}).get("comments") or []) if isinstance(r, dict) and r.get("id")]
        for reply in embedded:
            r_item = _comment_item(reply, source, vid, top_url)
            if r_item is None:
                page.skips.append(Skip(source, comment_permalink(vid, str(reply["id"])), "youtube_no_text"))
            else:
                page.items.append(r_item)
        if total_replies > len(embedded):
            page.more_replies.append((str(top["id"]), top_url))
    return page


def parse_replies(text_or_bytes: str | bytes, url: str, parent_url: str, source: str = "",
                  status: int | None = None) -> YouTubePage:
    """``comments.list?parentId=...`` -> replies whose parent is ``parent_url``."""
    data = load_api(text_or_bytes, url, status)
    page = YouTubePage(next_url=_next(data, url))
    video_id = dict(parse_qsl(urlsplit(parent_url).query)).get("v", "")
    for raw in data.get("items") or []:
        if not isinstance(raw, dict) or not raw.get("id"):
            page.skips.append(Skip(source, url, "youtube_bad_record"))
            continue
        vid = str((raw.get("snippet") or {}).get("videoId") or video_id)
        item = _comment_item(raw, source, vid, parent_url)
        if item is None:
            page.skips.append(Skip(source, comment_permalink(vid, str(raw["id"])), "youtube_no_text"))
        else:
            page.items.append(item)
    return page
