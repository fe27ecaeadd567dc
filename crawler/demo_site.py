"""Render the demo content (``data/demo/content/*.jsonl``) into a static site to crawl.

The site looks like what the crawler meets in production: a provincial news site
(RSS feed, article pages with a server-rendered comment list and a second comment page,
a robots.txt that forbids ``/news/admin/``) and a XenForo 2.2 forum (paginated listing,
threads of 5 posts per page). Served by :class:`crawler.replay.ReplayServer`, it lets
``langnghe demo`` and the tests run the real spiders end to end, offline.

Labels and topics in the content are kept out of the pages; ``out_dir/_truth.json``
maps each item's canonical URL to them so tests can check what was crawled.
"""

from __future__ import annotations

import html
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from crawler.canonical import canonical_url
from crawler.parsers.comments import comment_url
from crawler.relevance import fold
from crawler.sources import SourceConfig, source_from_table
from langnghe.errors import UserError

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COMMENTS_PER_PAGE = 5
POSTS_PER_PAGE = 5
SITE_NAME = "Báo điện tử Lai Châu 24h"
FORUM_NAME = "Diễn đàn Người lao động Tây Bắc"
WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]
#: Fictional member names shown in forum reaction bars.
REACTORS = ["minh_anh92", "thuhuong_lc", "vanthanh.td"]


@dataclass
class DemoSources:
    """What :func:`build_demo_site` made: the sources to crawl and the ground truth."""

    sources: list[SourceConfig]
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)

    def toml(self) -> str:
        """The sources as a sources-file text (for ``langnghe crawl --sources``)."""
        lines = []
        for s in self.sources:
            lines.append("[[source]]")
            lines.append(f"name = {json.dumps(s.name)}")
            lines.append(f"kind = {json.dumps(s.kind)}")
            lines.append(f"urls = {json.dumps(list(s.urls), ensure_ascii=False)}")
            lines.append(f"weight = {s.weight}")
            lines.append(f"filter = {json.dumps(s.filter)}")
            for key, value in s.options.items():
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
            lines.append("")
        return "\n".join(lines)


# --- helpers ---------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    """``"Công nhân bị nợ lương"`` -> ``"cong-nhan-bi-no-luong"``."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:80] or "bai-viet"


def when(today: datetime, days_ago: int | float, hhmm: str | None) -> datetime:
    """The moment ``days_ago`` days before ``today`` (Vietnam date) at ``hhmm`` Vietnam time."""
    base = today.astimezone(VN) if today.tzinfo else today.replace(tzinfo=VN)
    hour, minute = (int(x) for x in (hhmm or "08:00").split(":")[:2])
    day: date = base.date() - timedelta(days=int(days_ago or 0))
    return datetime.combine(day, time(hour, minute), tzinfo=VN)


def vi_datetime(dt: datetime) -> str:
    """``"Thứ năm, 14/11/2024 08:30 (GMT+7)"``."""
    return f"{WEEKDAYS[dt.weekday()]}, {dt:%d/%m/%Y %H:%M} (GMT+7)"


def e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL file; a bad line is a UserError naming the line."""
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise UserError(f"{path} line {n} is not valid JSON ({exc.msg}). Fix or remove that line.") from exc
    return out


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- news site -------------------------------------------------------------------------------------

_NEWS_SECTIONS_MENU = ["Thời sự", "Công đoàn", "Việc làm", "Pháp luật", "Du lịch", "Thể thao"]


def _news_header(today: datetime) -> str:
    menu = "".join(f'<li><a href="/news/{slugify(s)}/">{e(s)}</a></li>' for s in _NEWS_SECTIONS_MENU)
    return (
        '<header class="site-header"><div class="header-top">'
        f'<span class="today">{e(vi_datetime(today.astimezone(VN)).split(" (")[0])}</span>'
        '<a href="/news/rss/cong-doan.rss">RSS</a></div>'
        f'<a class="logo" href="/news/">{e(SITE_NAME)}</a>'
        f'<nav class="main-menu"><ul>{menu}</ul></nav></header>'
    )


_NEWS_FOOTER = (
    '<footer class="site-footer"><p>Cơ quan chủ quản: Công ty Truyền thông Tây Bắc (tên hư cấu, dùng cho bản demo).</p>'
    "<p>Giấy phép số 00/GP-DEMO. Địa chỉ: Đường Trần Hưng Đạo, TP Lai Châu.</p>"
    "<p>© Bản quyền thuộc về Lai Châu 24h. Cấm sao chép khi chưa được phép.</p></footer>"
)


def _comment_li(c: dict[str, Any], today: datetime) -> str:
    dt = when(today, c.get("days_ago", 0), c.get("time"))
    replies = "".join(_comment_li(r, today) for r in c.get("replies") or [])
    replies_html = f'<ul class="comment-replies">{replies}</ul>' if replies else ""
    likes = int(c.get("likes", 0))
    return (
        f'<li class="comment-item" id="comment-{e(c["id"])}" data-comment-id="{e(c["id"])}">'
        f'<div class="comment-header"><span class="comment-author">{e(c.get("author", "Khách"))}</span> '
        f'<time class="comment-time" datetime="{dt.isoformat()}">{dt:%H:%M %d/%m/%Y}</time></div>'
        f'<div class="comment-content"><p>{e(c.get("text", ""))}</p></div>'
        f'<div class="comment-actions"><span class="comment-likes" data-count="{likes}">{likes} thích</span>'
        ' <a href="javascript:void(0)" class="comment-reply">Trả lời</a></div>'
        f"{replies_html}</li>"
    )


def _count_comments(comments: list[dict[str, Any]]) -> int:
    return sum(1 + _count_comments(c.get("replies") or []) for c in comments)


def _comment_box(article: dict[str, Any], chunk: list[dict[str, Any]], page: int, pages: int, today: datetime) -> str:
    total = _count_comments(article.get("comments") or [])
    items = "".join(_comment_li(c, today) for c in chunk)
    pager = ""
    if page > 1:
        prev = "" if page == 2 else f"page-{page - 1}.html"
        prev_href = f"/news/comments/{article['id']}/{prev}" if prev else article["_path"]
        pager += f'<a class="comment-prev" rel="prev" href="{e(prev_href)}">Bình luận trước</a> '
    if page < pages:
        pager += f'<a class="comment-next" rel="next" href="/news/comments/{article["id"]}/page-{page + 1}.html">Xem thêm bình luận</a>'
    return (
        f'<section class="box-comment" id="box_comment" data-article-id="{article["id"]}" data-total="{total}">'
        f'<h3 class="box-comment__title">Ý kiến bạn đọc ({total})</h3>'
        f'<ul class="comment-list">{items}</ul><nav class="comment-pager">{pager}</nav></section>'
    )


def _article_page(a: dict[str, Any], others: list[dict[str, Any]], base_url: str, today: datetime) -> str:
    dt = when(today, a.get("days_ago", 0), a.get("time"))
    url = base_url + a["_path"]
    body = "".join(f"<p>{e(p)}</p>" for p in a.get("body") or [])
    tags = "".join(f'<a href="/news/tag/{slugify(t)}.html">{e(t)}</a>' for t in a.get("tags") or [])
    related = "".join(
        f'<li><a href="{e(o["_path"])}">{e(o["title"])}</a> <span class="time">{when(today, o.get("days_ago", 0), o.get("time")):%d/%m/%Y}</span></li>'
        for o in others[:4]
    )
    comments = a.get("comments") or []
    chunks = [comments[i:i + COMMENTS_PER_PAGE] for i in range(0, len(comments), COMMENTS_PER_PAGE)] or [[]]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a["title"],
        "datePublished": dt.isoformat(),
        "author": {"@type": "Person", "name": a.get("author", "")},
        "articleSection": a.get("section", ""),
        "publisher": {"@type": "Organization", "name": SITE_NAME},
        "mainEntityOfPage": url,
    }
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{e(a["title"])} | {e(SITE_NAME)}</title>
<meta name="description" content="{e(a.get("sapo", ""))}">
<meta property="og:type" content="article"><meta property="og:title" content="{e(a["title"])}">
<meta property="og:url" content="{e(url)}"><meta property="article:published_time" content="{dt.isoformat()}">
<meta property="article:section" content="{e(a.get("section", ""))}">
<link rel="canonical" href="{e(url)}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body>
{_news_header(today)}
<main class="container"><div class="breadcrumb"><a href="/news/">Trang chủ</a> › <a href="/news/{a["_section_slug"]}/">{e(a.get("section", ""))}</a></div>
<article class="detail">
<h1 class="detail-title">{e(a["title"])}</h1>
<div class="detail-meta"><span class="detail-time">{e(vi_datetime(dt))}</span></div>
<h2 class="detail-sapo">{e(a.get("sapo", ""))}</h2>
<div class="detail-content">{body}</div>
<p class="detail-author">{e(a.get("author", ""))}</p>
<div class="detail-tags">Từ khóa: {tags}</div>
<div class="social-share"><a href="#">Chia sẻ Facebook</a> <a href="#">Zalo</a></div>
</article>
<section class="related-news"><h3>Tin liên quan</h3><ul>{related}</ul></section>
{_comment_box(a, chunks[0], 1, len(chunks), today)}
</main>
<aside class="sidebar"><h3>Đọc nhiều</h3><ul>{related}</ul></aside>
{_NEWS_FOOTER}
</body></html>
"""


def _comment_page(a: dict[str, Any], chunk: list[dict[str, Any]], page: int, pages: int, today: datetime) -> str:
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Bình luận trang {page}: {e(a["title"])}</title>
<meta name="robots" content="noindex"></head><body>
{_news_header(today)}
<main class="container"><p class="back"><a href="{e(a["_path"])}">← {e(a["title"])}</a></p>
{_comment_box(a, chunk, page, pages, today)}</main>{_NEWS_FOOTER}</body></html>
"""


def _rss(articles: list[dict[str, Any]], base_url: str, today: datetime, extra_items: str = "") -> str:
    items = []
    for a in sorted(articles, key=lambda x: when(today, x.get("days_ago", 0), x.get("time")), reverse=True):
        dt = when(today, a.get("days_ago", 0), a.get("time"))
        items.append(
            f"<item><title>{e(a['title'])}</title><link>{e(base_url + a['_path'])}</link>"
            f"<guid isPermaLink=\"true\">{e(base_url + a['_path'])}</guid>"
            f"<description><![CDATA[<p>{e(a.get('sapo', ''))}</p>]]></description>"
            f"<pubDate>{format_datetime(dt)}</pubDate><category>{e(a.get('section', ''))}</category></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{e(SITE_NAME)} - Công đoàn</title><link>{e(base_url)}/news/</link>"
        f"<description>Tin mới nhất</description><language>vi-vn</language>"
        f"<lastBuildDate>{format_datetime(today.astimezone(VN))}</lastBuildDate>"
        + "".join(items) + extra_items + "</channel></rss>\n"
    )


def _admin_preview(base_url: str, today: datetime) -> tuple[str, str, str]:
    """A draft preview the CMS leaks into the feed; robots.txt forbids crawling it."""
    path = "/news/admin/preview/ban-nhap-cong-doan-9999.html"
    dt = today.astimezone(VN)
    page = (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bản nháp</title></head><body>'
        "<article><h1>Bản nháp: Công đoàn tỉnh chuẩn bị đại hội</h1>"
        "<p>Nội dung nháp chưa duyệt về công đoàn và đoàn viên, không được phép thu thập. "
        "Bài viết này chỉ dành cho biên tập viên và không được xuất bản ra ngoài.</p></article></body></html>"
    )
    item = (
        f"<item><title>Bản nháp: Công đoàn tỉnh chuẩn bị đại hội</title><link>{e(base_url + path)}</link>"
        f"<pubDate>{format_datetime(dt)}</pubDate></item>"
    )
    return path, page, item


def _build_news(articles: list[dict[str, Any]], out: Path, base_url: str, today: datetime, truth: dict,
                feed_articles: list[dict[str, Any]] | None = None) -> str:
    """Render the news site; the feed lists ``feed_articles`` (default: all of them)."""
    for a in articles:
        a["_section_slug"] = slugify(a.get("section", "tin-tuc"))
        a["_path"] = f"/news/{a['_section_slug']}/{slugify(a['title'])}-{a['id']}.html"
    for a in articles:
        others = [o for o in articles[:5] if o is not a]  # the related box shows the first four others
        _write(out / a["_path"].lstrip("/"), _article_page(a, others, base_url, today))
        url = canonical_url(base_url + a["_path"])
        truth[url] = {"kind": "article", "label": a.get("label"), "topic": a.get("topic"), "relevant": a.get("relevant", True)}
        comments = a.get("comments") or []
        chunks = [comments[i:i + COMMENTS_PER_PAGE] for i in range(0, len(comments), COMMENTS_PER_PAGE)]
        for n, chunk in enumerate(chunks[1:], start=2):
            _write(out / f"news/comments/{a['id']}/page-{n}.html", _comment_page(a, chunk, n, len(chunks), today))

        def walk(cs: Iterable[dict[str, Any]]) -> None:
            for c in cs:
                truth[canonical_url(comment_url(base_url + a["_path"], str(c["id"])))] = {
                    "kind": "comment", "label": c.get("label"), "topic": c.get("topic"), "parent": url,
                }
                walk(c.get("replies") or [])

        walk(comments)
    path, page, item = _admin_preview(base_url, today)
    _write(out / path.lstrip("/"), page)
    _write(out / "news/rss/cong-doan.rss", _rss(articles if feed_articles is None else feed_articles, base_url, today, item))
    index = "".join(f'<li><a href="{e(a["_path"])}">{e(a["title"])}</a></li>' for a in articles)
    _write(out / "news/index.html", f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{e(SITE_NAME)}</title>'
           f'<link rel="alternate" type="application/rss+xml" href="/news/rss/cong-doan.rss"></head><body>'
           f"{_news_header(today)}<main><ul>{index}</ul></main>{_NEWS_FOOTER}</body></html>")
    return f"{base_url}/news/rss/cong-doan.rss"


# --- XenForo forum -----------------------------------------------------------------------------------


def _xf_time(dt: datetime) -> str:
    return (
        f'<time class="u-dt" dir="auto" datetime="{dt.strftime("%Y-%m-%dT%H:%M:%S%z")}" data-time="{int(dt.timestamp())}" '
        f'data-date-string="{dt:%d/%m/%Y}" data-time-string="{dt:%H:%M}" title="{dt:%d/%m/%Y} lúc {dt:%H:%M}">{dt:%d/%m/%Y}</time>'
    )


def _xf_page(title: str, body: str, crumbs: str = "") -> str:
    return f"""<!DOCTYPE html>
<html id="XF" lang="vi-VN" dir="LTR" data-app="public" data-template="thread_view" data-container-key="" data-content-key="" data-logged-in="false" class="has-no-js template-thread_view">
<head><meta charset="utf-8"><meta http-equiv="X-UA-Compatible" content="IE=Edge"><title>{e(title)} | {e(FORUM_NAME)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"></head>
<body data-template="thread_view">
<div class="p-pageWrapper" id="top">
<header class="p-header" id="header"><div class="p-header-inner"><div class="p-header-content"><div class="p-header-logo p-header-logo--image"><a href="/forum/">{e(FORUM_NAME)}</a></div></div></div></header>
<div class="p-navSticky p-navSticky--primary" data-xf-init="sticky-header"><nav class="p-nav"><div class="p-nav-inner"><div class="p-nav-scroller hScroller"><ul class="p-nav-list js-offCanvasNavSource"><li><div class="p-navEl is-selected"><a href="/forum/" class="p-navEl-link">Diễn đàn</a></div></li><li><div class="p-navEl"><a href="/forum/whats-new/" class="p-navEl-link">Có gì mới</a></div></li></ul></div></div></nav></div>
<div class="p-body"><div class="p-body-inner">
<ul class="p-breadcrumbs" itemscope itemtype="https://schema.org/BreadcrumbList"><li itemprop="itemListElement"><a href="/forum/" itemprop="item"><span itemprop="name">Diễn đàn</span></a></li>{crumbs}</ul>
<div class="p-body-header"><div class="p-title "><h1 class="p-title-value">{e(title)}</h1></div></div>
<div class="p-body-main"><div class="p-body-content"><div class="p-body-pageContent">
{body}
</div></div></div></div></div>
<footer class="p-footer" id="footer"><div class="p-footer-inner"><div class="p-footer-copyright">Community platform by XenForo® © 2010-2024 XenForo Ltd.</div></div></footer>
</div></body></html>
"""


def _xf_pagenav(base: str, page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    def href(n: int) -> str:
        return base if n == 1 else f"{base}page-{n}"
    links = "".join(
        f'<li class="pageNav-page {"pageNav-page--current" if n == page else ""}"><a href="{href(n)}">{n}</a></li>'
        for n in range(1, pages + 1)
    )
    prev = f'<a href="{href(page - 1)}" class="pageNav-jump pageNav-jump--prev">Trước</a>' if page > 1 else ""
    nxt = f'<a href="{href(page + 1)}" class="pageNav-jump pageNav-jump--next">Tiếp</a>' if page < pages else ""
    return (
        '<div class="block-outer"><div class="block-outer-main"><nav class="pageNavWrapper pageNavWrapper--mixed ">'
        f'<div class="pageNav  ">{prev}<ul class="pageNav-main">{links}</ul>{nxt}</div></nav></div></div>'
    )


def _xf_reactions(post: dict[str, Any]) -> str:
    likes = int(post.get("likes", 0))
    if likes <= 0:
        return '<div class="reactionsBar js-reactionsList "></div>'
    shown = REACTORS[: min(likes, 2)]
    names = ", ".join(f"<bdi>{n}</bdi>" for n in shown)
    rest = likes - len(shown)
    tail = f" và {rest} người khác" if rest else ""
    return (
        '<div class="reactionsBar js-reactionsList is-active"><ul class="reactionSummary"><li><span class="reaction reaction--small reaction--1" data-reaction-id="1"><i aria-hidden="true"></i></span></li></ul>'
        f'<span class="u-srOnly">Reactions:</span><a class="reactionsBar-link" href="/forum/posts/{post["id"]}/reactions" data-xf-click="overlay" data-cache="false" rel="nofollow">{names}{tail}</a></div>'
    )


def xf_number(content_id: Any) -> int:
    """XenForo ids are numbers: ``t010`` -> 10, ``t010p3`` -> 10003 (stable per content id)."""
    m = re.fullmatch(r"t?(\d+)(?:p(\d+))?", str(content_id))
    if m is None:
        return zlib.crc32(str(content_id).encode("utf-8")) % 10_000_000 + 1
    thread, post = int(m.group(1)), m.group(2)
    return thread if post is None else thread * 1000 + int(post)


def _xf_message(post: dict[str, Any], thread_path: str, n: int, today: datetime) -> str:
    dt = when(today, post.get("days_ago", 0), post.get("time"))
    author = post.get("author", "Khách")
    text = "<br />\n".join(e(line) for line in str(post.get("text", "")).split("\n"))
    uid = zlib.crc32(author.encode("utf-8")) % 9000 + 100
    pid = xf_number(post["id"])
    return f"""<article class="message message--post js-post js-inlineModContainer  " data-author="{e(author)}" data-content="post-{pid}" id="js-post-{pid}" itemscope itemtype="https://schema.org/Comment" itemid="/forum/posts/{pid}/">
<span class="u-anchorTarget" id="post-{pid}"></span>
<div class="message-inner"><div class="message-cell message-cell--user"><section class="message-user" itemprop="author" itemscope itemtype="https://schema.org/Person">
<div class="message-userDetails"><h4 class="message-name"><a href="/forum/members/{slugify(author)}.{uid}/" class="username " dir="auto" data-user-id="{uid}" data-xf-init="member-tooltip"><span itemprop="name">{e(author)}</span></a></h4><h5 class="userTitle message-userTitle" dir="auto">Thành viên</h5></div>
</section></div>
<div class="message-cell message-cell--main"><div class="message-main js-quickEditTarget">
<header class="message-attribution message-attribution--split"><ul class="message-attribution-main listInline "><li class="u-concealed"><a href="{thread_path}post-{pid}" rel="nofollow" itemprop="url">{_xf_time(dt)}</a></li></ul>
<ul class="message-attribution-opposite message-attribution-opposite--list "><li><a href="{thread_path}post-{pid}" class="message-attribution-gadget" data-xf-init="share-tooltip" rel="nofollow">#{n}</a></li></ul></header>
<div class="message-content js-messageContent"><div class="message-userContent lbContainer js-lbContainer " data-lb-id="post-{pid}" data-lb-caption-desc="{e(author)} · {dt:%d/%m/%Y} lúc {dt:%H:%M}">
<article class="message-body js-selectToQuote"><div itemprop="text"><div class="bbWrapper">{text}</div></div><div class="js-selectToQuoteEnd">&nbsp;</div></article>
</div></div>
<footer class="message-footer"><div class="message-actionBar actionBar"><div class="actionBar-set actionBar-set--external"><a href="/forum/posts/{pid}/react?reaction_id=1" class="reaction actionBar-action actionBar-action--reaction" rel="nofollow"><span class="reaction-text"><bdi>Thích</bdi></span></a></div></div>
{_xf_reactions(post)}</footer>
</div></div></div></article>
"""


def _build_forum(threads: list[dict[str, Any]], out: Path, base_url: str, today: datetime, truth: dict,
                 threads_per_page: int) -> list[str]:
    forums: dict[str, list[dict[str, Any]]] = {}
    for t in threads:
        forums.setdefault(t.get("forum", "Thảo luận chung"), []).append(t)
    listing_urls = []
    for fid, (forum, members) in enumerate(forums.items(), start=2):
        forum_path = f"/forum/forums/{slugify(forum)}.{fid}/"
        listing_urls.append(base_url + forum_path)
        crumb = f'<li itemprop="itemListElement"><a href="{forum_path}" itemprop="item"><span itemprop="name">{e(forum)}</span></a></li>'
        members = sorted(members, key=lambda t: when(today, t["posts"][-1].get("days_ago", 0) if t.get("posts") else 0,
                                                     t["posts"][-1].get("time") if t.get("posts") else None), reverse=True)
        rows = []
        for t in members:
            posts = t.get("posts") or []
            t["_path"] = f"/forum/threads/{slugify(t['title'])}.{xf_number(t['id'])}/"
            pages = max(1, (len(posts) + POSTS_PER_PAGE - 1) // POSTS_PER_PAGE)
            thread_url = canonical_url(base_url + t["_path"])
            for p in range(1, pages + 1):
                chunk = posts[(p - 1) * POSTS_PER_PAGE: p * POSTS_PER_PAGE]
                messages = "".join(_xf_message(post, t["_path"], (p - 1) * POSTS_PER_PAGE + i + 1, today) for i, post in enumerate(chunk))
                nav = _xf_pagenav(t["_path"], p, pages)
                body = (f'{nav}<div class="block block--messages" data-xf-init="" data-type="post" data-href="/forum/inline-mod/">'
                        f'<div class="block-container lbContainer"><div class="block-body js-replyNewMessageContainer">{messages}</div></div></div>{nav}')
                target = out / t["_path"].lstrip("/") / ("index.html" if p == 1 else f"page-{p}")
                _write(target, _xf_page(t["title"], body, crumb))
            for i, post in enumerate(posts):
                url = thread_url if i == 0 else canonical_url(f"{base_url}{t['_path']}post-{xf_number(post['id'])}")
                truth[url] = {"kind": "post" if i == 0 else "comment", "label": post.get("label"), "topic": post.get("topic"),
                              "parent": None if i == 0 else thread_url}
            first = posts[0] if posts else {}
            start = when(today, t.get("days_ago", first.get("days_ago", 0)), t.get("time", first.get("time")))
            views = 23 * len(posts) + int(t["id"]) % 50 if str(t["id"]).isdigit() else 23 * len(posts)
            author = first.get("author", "Khách")
            rows.append(f"""<div class="structItem structItem--thread js-inlineModContainer js-threadListItem-{t["id"]}" data-author="{e(author)}">
<div class="structItem-cell structItem-cell--icon"><div class="structItem-iconContainer"><a href="/forum/members/{slugify(author)}.1/" class="avatar avatar--s avatar--default" data-user-id="1" data-xf-init="member-tooltip"><span class="avatar-u1-s">{e(author[:1].upper())}</span></a></div></div>
<div class="structItem-cell structItem-cell--main" data-xf-init="touch-proxy"><div class="structItem-title"><a href="{t["_path"]}" class="" data-tp-primary="on" data-xf-init="preview-tooltip" data-preview-url="{t["_path"]}preview">{e(t["title"])}</a></div>
<div class="structItem-minor"><ul class="structItem-parts"><li><a href="/forum/members/{slugify(author)}.1/" class="username " dir="auto" data-user-id="1" data-xf-init="member-tooltip">{e(author)}</a></li><li class="structItem-startDate"><a href="{t["_path"]}" rel="nofollow">{_xf_time(start)}</a></li></ul></div></div>
<div class="structItem-cell structItem-cell--meta" title="First message reaction score: {first.get("likes", 0)}"><dl class="pairs pairs--justified"><dt>Trả lời</dt><dd>{max(0, len(posts) - 1)}</dd></dl><dl class="pairs pairs--justified structItem-minor"><dt>Lượt xem</dt><dd>{views}</dd></dl></div>
</div>
""")
        pages = max(1, (len(rows) + threads_per_page - 1) // threads_per_page)
        for p in range(1, pages + 1):
            chunk = "".join(rows[(p - 1) * threads_per_page: p * threads_per_page])
            nav = _xf_pagenav(forum_path, p, pages)
            body = (f'{nav}<div class="block block--threadList"><div class="block-container"><div class="block-body">'
                    f'<div class="structItemContainer"><div class="structItemContainer-group js-threadList">{chunk}</div></div>'
                    f"</div></div></div>{nav}")
            target = out / forum_path.lstrip("/") / ("index.html" if p == 1 else f"page-{p}")
            _write(target, _xf_page(forum, body))
    return listing_urls


# --- entry point -------------------------------------------------------------------------------------


def _graph_source(posts: list[dict[str, Any]], out_dir: Path, base_url: str, today: datetime, truth: dict) -> list[SourceConfig]:
    """The Facebook Page demo: Graph-API-shaped JSON under ``graph/``, and its truth."""
    if not posts:
        return []
    from crawler import demo_graph

    table = demo_graph.render_graph(posts, out_dir / "graph", base_url, today)
    truth.update(demo_graph.graph_truth(posts))
    return [source_from_table(table, "crawler.demo_graph")]


def build_demo_site(content_dir: Path, out_dir: Path, base_url: str, today: datetime,
                    threads_per_page: int = 10) -> DemoSources:
    """Render the demo content under ``out_dir`` for serving at ``base_url``.

    Returns the sources to crawl (``demo-news`` rss, ``demo-forum`` xenforo, and
    ``demo-facebook`` when the Graph demo is available) and the ground truth.
    """
    content_dir, out_dir = Path(content_dir), Path(out_dir)
    base_url = base_url.rstrip("/")
    if not content_dir.is_dir():
        raise UserError(f"demo content folder {content_dir} does not exist. Restore data/demo/content from the repository.")
    news = read_jsonl(content_dir / "news.jsonl")
    threads = read_jsonl(content_dir / "forum.jsonl")
    posts = read_jsonl(content_dir / "facebook.jsonl")
    if not news and not threads and not posts:
        raise UserError(f"demo content folder {content_dir} has no news.jsonl, forum.jsonl or facebook.jsonl. "
                        "Restore them from the repository.")
    out_dir.mkdir(parents=True, exist_ok=True)
    truth: dict[str, dict[str, Any]] = {}
    sources: list[SourceConfig] = []
    _write(out_dir / "robots.txt", "User-agent: *\nDisallow: /news/admin/\nDisallow: /forum/search/\n"
                                   "Disallow: /forum/members/\n")
    if news:
        feed = _build_news(news, out_dir, base_url, today, truth)
        sources.append(SourceConfig(name="demo-news", kind="rss", urls=(feed,)))
    if threads:
        listings = _build_forum(threads, out_dir, base_url, today, truth, threads_per_page)
        sources.append(SourceConfig(name="demo-forum", kind="xenforo", urls=tuple(listings)))
    sources.extend(_graph_source(posts, out_dir, base_url, today, truth))
    _write(out_dir / "_truth.json", json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True))
    return DemoSources(sources=sources, truth=truth)
