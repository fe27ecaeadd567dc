"""The demo's Facebook Page, rendered as Graph API responses for the replay server.

``langnghe demo`` has no internet and no token, yet it must run the real
``facebook_graph`` spider. :func:`render_graph` writes what the Graph API would answer
for the demo Page "Công đoàn tỉnh Lai Châu (demo)": post pages with ``paging.next``,
per-post comment pages and per-comment replies, dated relative to ``today``. Routes go
into ``_routes.json`` of the served root (``out_dir.parent``), merged with what is there.

Input: rows of ``data/demo/content/facebook.jsonl``::

    {"id", "message", "days_ago", "time": "08:30", "reactions", "shares", "label", "topic",
     "comments": [{"id", "author", "text", "likes", "days_ago", "time", "label", "topic",
                   "replies": [...same shape...]}]}
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

PAGE_ID = "100000000000001"
PAGE_NAME = "Công đoàn tỉnh Lai Châu (demo)"
API_VERSION = "v19.0"
POSTS_PER_PAGE = 10
COMMENTS_PER_PAGE = 25
DEMO_TOKEN = "demo-token"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_POST_BASE = 200_000_000_000_000
_COMMENT_BASE = 300_000_000_000_000


def _when(row: dict[str, Any], today: datetime, default: datetime | None = None) -> datetime:
    """``days_ago`` + ``time`` (Vietnam time) relative to ``today``; missing parts from ``default``."""
    local_today = today.astimezone(TZ)
    if "days_ago" not in row and default is not None:
        base = default.astimezone(TZ)
    else:
        base = local_today - timedelta(days=int(row.get("days_ago", 0)))
    hh, mm = 9, 0
    if row.get("time"):
        hh, mm = (int(x) for x in str(row["time"]).split(":")[:2])
    elif default is not None:
        later = default.astimezone(TZ) + timedelta(minutes=30)
        hh, mm = later.hour, later.minute
    moment = min(base.replace(hour=hh, minute=mm, second=0, microsecond=0), local_today - timedelta(minutes=1))
    if default is not None and moment < default:  # a reply never precedes what it answers
        moment = default + timedelta(minutes=5)
    return moment


def _replies(row: dict[str, Any]) -> list[dict[str, Any]]:
    """A comment's replies, deeper levels flattened in order (Facebook nests only one level)."""
    out: list[dict[str, Any]] = []
    for reply in row.get("replies") or []:
        if isinstance(reply, dict):
            out.append(reply)
            out.extend(_replies(reply))
    return out


def _graph_time(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _numeric_id(raw: Any, base: int, index: int) -> str:
    text = str(raw or "")
    return text if text.isdigit() else str(base + index)


def _cursor(n: int) -> str:
    return f"Y3Vyc29yO{n:04d}"


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


class _Renderer:
    def __init__(self, out_dir: Path, base_url: str, today: datetime):
        self.out_dir = Path(out_dir)
        self.root = self.out_dir.parent
        self.api_path = f"/{self.out_dir.name}/{API_VERSION}"
        self.api_base = base_url.rstrip("/") + self.api_path
        self.today = today
        self.routes: dict[str, dict[str, Any]] = {}
        self.comment_counter = 0

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def paged(self, edge_path: str, records: list[dict[str, Any]], per_page: int) -> None:
        """Write ``records`` as cursor pages of the edge ``edge_path`` (e.g. ``/123/comments``).

        Page 1 is ``<edge>/index.html`` and page n ``<edge>/page-n.json``, so the replay
        server finds every page by path alone, whatever the query (token, fields) and
        even before it has read ``_routes.json``; the route only fixes page 1's type.
        """
        folder = self.out_dir / API_VERSION / edge_path.strip("/")
        pages = [records[i:i + per_page] for i in range(0, len(records), per_page)] or [[]]
        for n, chunk in enumerate(pages, 1):
            body: dict[str, Any] = {"data": chunk, "paging": {"cursors": {"before": _cursor(n * 2 - 1), "after": _cursor(n * 2)}}}
            if n < len(pages):
                query = urlencode({"access_token": DEMO_TOKEN, "after": _cursor(n * 2), "limit": per_page})
                body["paging"]["next"] = f"{self.api_base}{edge_path}/page-{n + 1}.json?{query}"
            if n > 1:
                query = urlencode({"access_token": DEMO_TOKEN, "before": _cursor(n * 2 - 1), "limit": per_page})
                previous = f"{edge_path}/page-{n - 1}.json" if n > 2 else edge_path
                body["paging"]["previous"] = f"{self.api_base}{previous}?{query}"
            file = folder / ("index.html" if n == 1 else f"page-{n}.json")
            _write(file, body)
            if n == 1:
                self.routes[f"{self.api_path}{edge_path}"] = {
                    "file": self.rel(file), "headers": {"Content-Type": "application/json; charset=utf-8"}}

    def comment_record(self, row: dict[str, Any], post_num: str, when: datetime, n_replies: int) -> tuple[str, dict[str, Any]]:
        self.comment_counter += 1
        local = _numeric_id(row.get("id"), _COMMENT_BASE, self.comment_counter)
        graph_id = f"{post_num}_{local}"
        record: dict[str, Any] = {
            "id": graph_id,
            "message": str(row.get("text", "")),
            "created_time": _graph_time(when),
            "like_count": int(row.get("likes", 0) or 0),
            "comment_count": n_replies,
        }
        if row.get("author"):
            digest = hashlib.sha256(str(row["author"]).encode("utf-8")).hexdigest()
            record["from"] = {"name": str(row["author"]), "id": str(10_000_000_000 + int(digest[:8], 16))}
        return graph_id, record

    def comments(self, rows: list[dict[str, Any]], object_id: str, post_num: str, parent_when: datetime,
                 top_level: bool = True) -> int:
        records = []
        total = 0
        for row in rows:
            when = _when(row, self.today, parent_when)
            replies = _replies(row) if top_level else []
            graph_id, record = self.comment_record(row, post_num, when, len(replies))
            records.append((when, record))
            total += 1
            if replies:
                total += self.comments(replies, graph_id, post_num, when, top_level=False)
        records.sort(key=lambda pair: pair[0])  # Graph lists comments oldest first
        if records:
            self.paged(f"/{object_id}/comments", [r for _, r in records], COMMENTS_PER_PAGE)
        return total

    def posts(self, rows: list[dict[str, Any]]) -> int:
        records = []
        for index, row in enumerate(rows, 1):
            post_num = _numeric_id(row.get("id"), _POST_BASE, index)
            graph_id = f"{PAGE_ID}_{post_num}"
            when = _when(row, self.today)
            comments = [c for c in row.get("comments") or [] if isinstance(c, dict)]
            n_comments = self.comments(comments, graph_id, post_num, when) if comments else 0
            record: dict[str, Any] = {
                "id": graph_id,
                "message": str(row.get("message", "")),
                "created_time": _graph_time(when),
                "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/{post_num}",
                "reactions": {"data": [], "summary": {"total_count": int(row.get("reactions", 0) or 0), "viewer_reaction": "NONE"}},
                "comments": {"data": [], "summary": {"order": "ranked", "total_count": n_comments, "can_comment": True}},
            }
            if row.get("shares"):
                record["shares"] = {"count": int(row["shares"])}
            records.append((when, record))
        records.sort(key=lambda pair: pair[0], reverse=True)  # newest first, like the Graph API
        self.paged(f"/{PAGE_ID}/posts", [r for _, r in records], POSTS_PER_PAGE)
        return len(records)

    def merge_routes(self) -> None:
        """Add our routes to the served root's ``_routes.json`` (others' entries kept)."""
        path = self.root / "_routes.json"
        existing: dict[str, Any] = {}
        if path.exists():
            existing = json.loads(path.read_text(encoding="utf-8") or "{}")
        existing.update(self.routes)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(existing, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)


def render_graph(posts: list[dict], out_dir: Path, base_url: str, today: datetime) -> dict:
    """Write the demo Page's Graph API responses under ``out_dir``; return its source config.

    ``base_url`` is the replay server's root URL (it serves ``out_dir.parent``);
    ``today`` anchors ``days_ago``. The returned dict is one ``[[source]]`` table.
    """
    renderer = _Renderer(out_dir, base_url, today)
    n_posts = renderer.posts([p for p in posts if isinstance(p, dict)])
    renderer.merge_routes()
    return {
        "name": "demo-facebook",
        "kind": "facebook_graph",
        "page_ids": [PAGE_ID],
        "api_base": renderer.api_base,
        "filter": "none",
        "limit": POSTS_PER_PAGE,
        "max_pages": n_posts // POSTS_PER_PAGE + 2,
        "max_comment_pages": 100,
    }


def graph_truth(posts: list[dict]) -> dict[str, dict[str, Any]]:
    """Ground truth for the demo Page keyed by canonical item URL (label, topic, parent).

    The same URLs the parser gives, so an evaluation can join stored items to labels.
    """
    from crawler.canonical import canonical_url

    truth: dict[str, dict[str, Any]] = {}
    counter = 0

    def walk(rows: list[dict], post_url: str, parent: str | None, parent_local: str | None) -> None:
        nonlocal counter
        for row in rows:
            if not isinstance(row, dict):
                continue
            counter += 1
            local = _numeric_id(row.get("id"), _COMMENT_BASE, counter)
            query = {"comment_id": parent_local, "reply_comment_id": local} if parent_local else {"comment_id": local}
            url = canonical_url(f"{post_url}?{urlencode(query)}")
            truth[url] = {"kind": "comment", "label": row.get("label"), "topic": row.get("topic"), "parent": parent or post_url}
            if parent_local is None:
                walk(_replies(row), post_url, url, local)

    for index, post in enumerate(p for p in posts if isinstance(p, dict)):
        post_num = _numeric_id(post.get("id"), _POST_BASE, index + 1)
        post_url = canonical_url(f"https://www.facebook.com/{PAGE_ID}/posts/{post_num}")
        truth[post_url] = {"kind": "post", "label": post.get("label"), "topic": post.get("topic"), "parent": None}
        walk(post.get("comments") or [], post_url, None, None)
    return truth


def load_posts(path: Path) -> list[dict]:
    """Rows of a ``facebook.jsonl`` file (blank lines ignored)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows
