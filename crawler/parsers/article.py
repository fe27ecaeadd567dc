"""A news article page -> ``CrawledItem(kind="article")``.

The body comes from trafilatura (it drops menus, related-news boxes and footers) on a
tree where comment lists, related boxes and navigation were already pruned; if it
finds nothing, the article container's paragraphs are used. Title, author and time
come from machine-readable metadata first (JSON-LD, OpenGraph, meta tags, ``<time>``),
then from Vietnamese text near the headline.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from typing import Any, Iterable

from lxml import etree, html as lxml_html

from crawler.parsers.dates import DEFAULT_TZ, parse_iso, parse_vi_text
from crawler.parsers.errors import ParseError
from crawler.parsers.text import as_text, clean
from langnghe.records import CrawledItem

MIN_BODY_CHARS = 80
_ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenews", "analysisnewsarticle", "webpage"}
#: Tags that are never the article body.
_PRUNE_TAGS = {"script", "style", "noscript", "template", "iframe", "form", "nav", "footer", "aside", "button", "select"}
#: class/id tokens (whole dash/underscore-separated parts) of boxes that are never the body.
_PRUNE_TOKEN = re.compile(
    r"(?:^|[-_])(?:comments?|binh-?luan|box-?comment|related|relate|lien-?quan|tinlienquan|most-?read|doc-?nhieu"
    r"|xem-?nhieu|other-?news|othernews|tin-?khac|cac-?tin|menu|breadcrumbs?|share|social|advert|ads|adv|quang-?cao"
    r"|banner|footer|newsletter|sidebar|widget|topbar|hot-?news|headline-?news|tin-?nong)(?:[-_]|$)",
    re.I,
)
#: Tokens of small boxes around the body (dates, bylines, lead): pruned only when small,
#: because CMSes also put words like "publish" on the article container itself.
_PRUNE_SMALL_TOKEN = re.compile(
    r"(?:^|[-_])(?:tags?|byline|sapo|lead|description|chapeau|chappeau|summary|date|time|datetime|publish|posted"
    r"|meta|info|author|tac-?gia|ngay-?dang|source)(?:[-_]|$)",
    re.I,
)
SMALL_BOX_CHARS = 400
_BODY_SELECTORS = (
    "//*[@itemprop='articleBody']",
    "//*[contains(@class, 'detail-content') or contains(@class, 'article-content') or contains(@class, 'fck_detail')"
    " or contains(@class, 'article__body') or contains(@class, 'content-detail') or contains(@class, 'entry-content')"
    " or contains(@class, 'news-content') or contains(@class, 'post-content') or contains(@class, 'article-body')]",
    "//article",
    "//*[@id='content' or @id='main-content']",
)
_LEAD_XPATH = (
    "//*[contains(@class, 'sapo') or contains(@class, 'lead') or contains(@class, 'description')"
    " or contains(@class, 'summary') or contains(@class, 'chapeau') or contains(@class, 'article__sapo')]"
    "[not(ancestor::header) and not(ancestor::footer) and not(ancestor::aside) and not(ancestor::nav)]"
)
_DATE_XPATH = (
    "//*[contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'publish')"
    " or contains(@class, 'ngay') or contains(@class, 'meta') or contains(@class, 'byline')"
    " or contains(@id, 'date') or contains(@id, 'time')]"
)
_AUTHOR_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'author') or contains(@class, 'tac-gia')"
    " or contains(@class, 'byline')][not(ancestor::*[contains(@class, 'comment')])]"
)


def _trafilatura_config():
    from trafilatura.settings import use_config

    cfg = use_config()
    cfg.set("DEFAULT", "MIN_EXTRACTED_SIZE", "60")
    cfg.set("DEFAULT", "MIN_OUTPUT_SIZE", "20")
    cfg.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    cfg.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return cfg


_CONFIG = None


def _config():
    global _CONFIG
    if _CONFIG is None:
        _CONFIG = _trafilatura_config()
    return _CONFIG


# --- metadata ------------------------------------------------------------------------------------


def _json_ld_objects(tree: etree._Element) -> Iterable[dict[str, Any]]:
    for script in tree.xpath("//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " ")))
            except json.JSONDecodeError:
                continue
        stack = [data]
        while stack:
            obj = stack.pop(0)
            if isinstance(obj, list):
                stack.extend(obj)
            elif isinstance(obj, dict):
                if "@graph" in obj:
                    stack.extend(obj["@graph"] if isinstance(obj["@graph"], list) else [obj["@graph"]])
                yield obj


def _ld_type(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type", "")
    types = t if isinstance(t, list) else [t]
    return {str(x).lower() for x in types}


def _article_ld(tree: etree._Element) -> dict[str, Any]:
    best: dict[str, Any] = {}
    for obj in _json_ld_objects(tree):
        types = _ld_type(obj)
        if types & _ARTICLE_TYPES and (obj.get("headline") or obj.get("datePublished")):
            if "webpage" in types and best:
                continue
            best = obj
            if "webpage" not in types:
                break
    return best


def _ld_author(obj: dict[str, Any]) -> str:
    author = obj.get("author")
    if isinstance(author, list):
        names = [_ld_author({"author": a}) for a in author]
        return ", ".join(n for n in names if n)
    if isinstance(author, dict):
        return str(author.get("name", "")).strip()
    if isinstance(author, str):
        return author.strip()
    return ""


def _meta(tree: etree._Element, *keys: str) -> str:
    for key in keys:
        for attr in ("property", "name", "itemprop"):
            values = tree.xpath(f"//meta[@{attr}=$k]/@content", k=key)
            for v in values:
                if v and v.strip():
                    return v.strip()
    return ""


def _ancestor_tags(el: etree._Element) -> set[str]:
    return {a.tag for a in el.iterancestors() if isinstance(a.tag, str)}


_JUNK_BOX = re.compile(
    r"comment|related|relate-|tin-lien-quan|most-read|doc-nhieu|sidebar|widget|menu|topbar|header-top"
    r"|other-?news|hot-?news|headline-news|tin-?nong",
    re.I,
)


def _in_junk(el: etree._Element) -> bool:
    """Inside navigation, a sidebar, a related box or comments (not the article's own header)."""
    ancestors = [a for a in el.iterancestors() if isinstance(a.tag, str)]
    in_article = any(a.tag in ("article", "main") for a in ancestors)
    for a in ancestors:
        if a.tag in ("nav", "footer", "aside"):
            return True
        if a.tag == "header" and not in_article and not a.xpath(".//h1"):
            return True
        cls = (a.get("class") or "") + " " + (a.get("id") or "")
        if _JUNK_BOX.search(cls):
            return True
    return False


def _headline(tree: etree._Element) -> etree._Element | None:
    for h in tree.xpath("//h1"):
        if not _in_junk(h) and clean(h.text_content()):
            return h
    return None


def _after(el: etree._Element, anchor: etree._Element | None, order: dict) -> bool:
    return anchor is None or order.get(el, 0) >= order.get(anchor, 0)


def _title_like(tree: etree._Element) -> str:
    """Old CMSes print the headline in a ``td.newstitle``/``div.post-title``, not an h1."""
    for el in tree.xpath("//body//*[contains(@class, 'title')][not(self::a)]"):
        text = clean(el.text_content())
        if 20 <= len(text) <= 300 and not _in_junk(el) and "\n" not in text:
            return text
    return ""


def find_title(tree: etree._Element, ld: dict[str, Any]) -> str:
    h1 = _headline(tree)
    candidates = [
        clean(h1.text_content()) if h1 is not None else "",
        str(ld.get("headline", "")),
        _meta(tree, "og:title", "twitter:title"),
        _title_like(tree),
        clean(" ".join(tree.xpath("//title//text()"))),
    ]
    for c in candidates:
        c = clean(c)
        if c:
            return re.sub(r"\s*[|\-–—]\s*[^|\-–—]{2,40}$", "", c) if c == candidates[-1] else c
    return ""


def find_published(tree: etree._Element, ld: dict[str, Any]) -> datetime | None:
    """JSON-LD, OpenGraph, meta tags, ``<time datetime>``, then Vietnamese text."""
    for value in (
        str(ld.get("datePublished", "") or ""),
        _meta(tree, "article:published_time", "og:article:published_time"),
        _meta(tree, "datePublished", "pubdate", "publishdate", "publish-date", "article.published",
              "dc.date.issued", "DC.date.issued", "dc.date", "date", "sailthru.date", "parsely-pub-date"),
    ):
        dt = parse_iso(value) or (parse_vi_text(value) if value else None)
        if dt:
            return dt
    order = {el: i for i, el in enumerate(tree.iter())}
    h1 = _headline(tree)
    times = [t for t in tree.xpath("//time[@datetime]") if not _in_junk(t)]
    times.sort(key=lambda t: (not _after(t, h1, order), order.get(t, 0)))
    for t in times:
        dt = parse_iso(t.get("datetime")) or parse_vi_text(t.get("datetime"))
        if dt:
            return dt
    nodes = [n for n in tree.xpath(_DATE_XPATH) if not _in_junk(n)]
    nodes.sort(key=lambda n: (not _after(n, h1, order), order.get(n, 0)))
    for n in nodes:
        text = clean(n.text_content())
        if 6 <= len(text) <= 160:
            dt = parse_vi_text(text)
            if dt:
                return dt
    return None


def find_author(tree: etree._Element, ld: dict[str, Any]) -> str:
    name = _ld_author(ld) or _meta(tree, "author", "article:author", "dc.creator")
    if name and not name.startswith("http"):
        return clean(name)
    for el in tree.xpath(_AUTHOR_XPATH):
        text = clean(el.text_content())
        text = re.sub(r"^(tác giả|theo|bài và ảnh|bài, ảnh|ảnh)\s*:?\s*", "", text, flags=re.I).strip()
        if 2 <= len(text) <= 60:
            return text
    return ""


def find_lead(tree: etree._Element, ld: dict[str, Any]) -> str:
    for el in tree.xpath(_LEAD_XPATH):
        if el.tag in ("meta", "head"):
            continue
        text = clean(el.text_content())
        if len(text) >= 30:
            return text
    return clean(str(ld.get("description", "") or "") or _meta(tree, "og:description", "description"))


def find_tags(tree: etree._Element) -> list[str]:
    tags = [t.strip() for t in tree.xpath("//meta[@property='article:tag']/@content") if t.strip()]
    if not tags:
        kw = _meta(tree, "keywords", "news_keywords")
        tags = [t.strip() for t in kw.split(",") if t.strip()]
    return tags[:20]


# --- body ----------------------------------------------------------------------------------------


def _is_boilerplate(el: etree._Element) -> bool:
    if el.tag in _PRUNE_TAGS:
        return True
    if el.tag == "header" and not any(a.tag in ("article", "main") for a in el.iterancestors()):
        return True
    tokens = f"{el.get('class') or ''} {el.get('id') or ''}".split()
    if any(_PRUNE_TOKEN.search(t) for t in tokens):
        return True
    return any(_PRUNE_SMALL_TOKEN.search(t) for t in tokens) and len(el.text_content()) < SMALL_BOX_CHARS


def _pruned(tree: etree._Element) -> etree._Element:
    """A copy of the page without navigation, comments, related boxes, bylines and dates."""
    pruned = copy.deepcopy(tree)
    doomed = [el for el in pruned.iter() if isinstance(el.tag, str) and el.tag not in ("html", "body", "head")
              and _is_boilerplate(el)]
    for el in doomed + pruned.xpath("//h1"):
        if el.getparent() is not None:
            el.drop_tree()  # keeps the tail text, unlike parent.remove()
    return pruned


def _fallback_body(tree: etree._Element) -> str:
    for xpath in _BODY_SELECTORS:
        for el in tree.xpath(xpath):
            paras = [clean(p.text_content()) for p in el.xpath(".//p|.//h2|.//h3|.//li")]
            text = "\n".join(p for p in paras if p) or clean(el.text_content())
            if len(text) >= MIN_BODY_CHARS:
                return text
    paras = [clean(p.text_content()) for p in tree.xpath("//p")]
    return "\n".join(p for p in paras if len(p) > 40)


def extract_body(tree: etree._Element, url: str) -> str:
    import trafilatura

    pruned = _pruned(tree)
    text = trafilatura.extract(
        pruned,
        url=url,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        deduplicate=False,
        config=_config(),
    )
    text = clean(text)
    if len(text) < MIN_BODY_CHARS:
        fallback = _fallback_body(pruned)
        if len(fallback) > len(text):
            text = fallback
    return text


# --- entry point ---------------------------------------------------------------------------------


def parse_tree(html_text: str, url: str) -> etree._Element:
    if not html_text.strip():
        raise ParseError("empty page", url, reason="empty_page")
    try:
        tree = lxml_html.document_fromstring(html_text)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not HTML: {exc}", url, reason="not_html") from exc
    return tree


def parse(html_or_text: str | bytes, url: str, source: str = "") -> CrawledItem:
    """The article at ``url``; :class:`ParseError` when no title or body is found.

    ``author`` is the raw byline (the pipeline pseudonymises it).
    """
    html_text = as_text(html_or_text)
    tree = parse_tree(html_text, url)
    ld = _article_ld(tree)
    title = find_title(tree, ld)
    if not title:
        raise ParseError("no title found", url, reason="no_title")
    lead = find_lead(tree, ld)
    body = extract_body(tree, url)
    if lead and lead[:60] not in body:
        body = f"{lead}\n{body}" if body else lead
    if len(body) < MIN_BODY_CHARS:
        raise ParseError(f"no article body found ({len(body)} chars)", url, reason="no_body")
    section = clean(str(ld.get("articleSection", "") or "")) or _meta(tree, "article:section")
    extra: dict[str, Any] = {}
    if section:
        extra["section"] = section
    tags = find_tags(tree)
    if tags:
        extra["tags"] = tags
    return CrawledItem(
        source=source,
        kind="article",
        url=url,
        title=title,
        text=body,
        author=find_author(tree, ld) or None,
        published_at=find_published(tree, ld),
        extra=extra,
    )


__all__ = ["parse", "ParseError", "DEFAULT_TZ"]
