"""A news article page -> ``CrawledItem(kind="article")``.

The body comes from trafilatura (it drops menus, related-news boxes and footers) on a
tree where comment lists, related boxes and navigation were already pruned; if it
finds nothing, the article container's paragraphs are used. Title, author and time
come from machine-readable metadata first (JSON-LD including ``@graph`` and ``@id``
references, OpenGraph, meta tags such as ``DC.date``/``parsely-pub-date``/``sailthru.date``,
microdata ``itemprop``, ``<time pubdate>``), then from text near the headline, read in
the page's language (``<html lang>``, which also becomes the item's ``lang``; "vi" when
the page does not say).
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from typing import Any, Iterable

from lxml import etree, html as lxml_html

from crawler.parsers.dates import DEFAULT_TZ, parse_any, parse_iso, parse_text
from crawler.parsers.errors import ParseError
from crawler.parsers.text import as_text, clean
from langnghe.records import CrawledItem

MIN_BODY_CHARS = 80
_ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenews", "analysisnewsarticle", "webpage",
                  "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle",
                  "liveblogposting", "socialmediaposting", "report", "techarticle", "scholarlyarticle", "posting"}
#: Tags that are never the article body.
_PRUNE_TAGS = {"script", "style", "noscript", "template", "iframe", "form", "nav", "footer", "aside", "button", "select"}
#: class/id tokens (whole dash/underscore-separated parts) of boxes that are never the body.
_PRUNE_TOKEN = re.compile(
    r"(?:^|[-_])(?:comments?|binh-?luan|box-?comment|related|relate|lien-?quan|tinlienquan|most-?read|doc-?nhieu"
    r"|xem-?nhieu|other-?news|othernews|tin-?khac|cac-?tin|menu|breadcrumbs?|share|social|advert|ads|adv|quang-?cao"
    r"|banner|footer|newsletter|sidebar|widget|topbar|hot-?news|headline-?news|tin-?nong"
    # other countries' CMSes: ad slots, paywalls, consent banners, "read also" boxes, tickers
    r"|ad|ad-?slot|dfp|leaderboard|cookies?|consent|gdpr|didomi"
    r"|recommended|recommendations|read-?more|read-?also|also-?read|lire-?aussi|te-?puede-?interesar"
    r"|mehr-?zum-?thema|leggi-?anche|popular|most-?popular|trending|outbrain|taboola|ticker|breaking-?bar"
    r"|compartir|teilen|partager)(?:[-_]|$)",
    re.I,
)
#: Tokens of small boxes around the body (dates, bylines, lead): pruned only when small,
#: because CMSes also put words like "publish" on the article container itself.
_PRUNE_SMALL_TOKEN = re.compile(
    r"(?:^|[-_])(?:tags?|byline|sapo|lead|description|chapeau|chappeau|summary|date|time|datetime|publish|posted"
    r"|meta|info|author|tac-?gia|ngay-?dang|source"
    # sites also put these words on the article's own container: only small boxes go
    r"|paywall|subscribe|subscription|promo|sponsored|standfirst|chapo|entradilla|firma|autor)(?:[-_]|$)",
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
    "//*[contains(@class, 'sapo') or contains(@class, 'lead') or contains(@class, 'lede')"
    " or contains(@class, 'description')"
    " or contains(@class, 'summary') or contains(@class, 'chap') or contains(@class, 'standfirst')"
    " or contains(@class, 'excerpt') or contains(@class, 'intro') or contains(@class, 'entradilla')"
    " or contains(@class, 'dek') or contains(@class, 'teaser')]"
    "[not(ancestor::header) and not(ancestor::footer) and not(ancestor::aside) and not(ancestor::nav)]"
)
#: A lead box's class token ends with one of these ("detail-sapo", "story__standfirst"), so
#: "leaderboard" or "summary-list" is not a lead.
_LEAD_TOKEN = re.compile(
    r"(?:^|[-_])(?:sapo|lead|lede|description|summary|chapo|chapeau|chappeau|standfirst|excerpt|intro|entradilla"
    r"|dek|teaser)$", re.I)
_DATE_XPATH = (
    "//*[contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'publish')"
    " or contains(@class, 'ngay') or contains(@class, 'meta') or contains(@class, 'byline')"
    " or contains(@id, 'date') or contains(@id, 'time')]"
)
_AUTHOR_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'author') or contains(@class, 'tac-gia')"
    " or contains(@class, 'byline') or contains(@class, 'autor') or contains(@class, 'firma')]"
    "[not(ancestor::*[contains(@class, 'comment')])]"
)
#: "By", "Par", "Por", "Von", "Автор:", "بقلم", "记者"... before a byline's name.
_BYLINE_PREFIX = re.compile(
    r"^(?:tác giả|theo|bài và ảnh|bài, ảnh|ảnh|by|written by|reported by|par|por|von|di|door|oleh|av|af|autor|"
    r"autora|auteur|author|автор|авторы|текст|بقلم|كتب|كتبت|记者|作者|文|記者)\s*[:：]?\s*",
    re.I,
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
    """Lower-case type names without vocabulary prefixes (``schema:NewsArticle``, ``http://schema.org/...``)."""
    t = obj.get("@type", "")
    types = t if isinstance(t, list) else [t]
    return {re.split(r"[/:#]", str(x))[-1].lower() for x in types}


def _article_ld(tree: etree._Element) -> dict[str, Any]:
    """The page's article object (an article type over ``WebPage``), its ``author``
    references (``{"@id": ...}``) resolved against the other objects of the page."""
    objects = list(_json_ld_objects(tree))
    by_id = {str(o["@id"]): o for o in objects if isinstance(o, dict) and o.get("@id")}
    best: dict[str, Any] = {}
    for obj in objects:
        types = _ld_type(obj)
        if types & _ARTICLE_TYPES and (obj.get("headline") or obj.get("datePublished")):
            if "webpage" in types and best:
                continue
            best = obj
            if "webpage" not in types:
                break
    if best and by_id:
        best = dict(best)
        best["author"] = _resolve(best.get("author"), by_id)
    return best


def _resolve(value: Any, by_id: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_resolve(v, by_id) for v in value]
    if isinstance(value, dict) and "name" not in value and str(value.get("@id", "")) in by_id:
        return by_id[str(value["@id"])]
    return value


def _ld_author(obj: dict[str, Any]) -> str:
    author = obj.get("author")
    if isinstance(author, list):
        names = [_ld_author({"author": a}) for a in author]
        return ", ".join(n for n in names if n)
    if isinstance(author, dict):
        name = author.get("name", "")
        return str(name[0] if isinstance(name, list) and name else name).strip()
    if isinstance(author, str):
        return author.strip()
    return ""


_META_INDEX: tuple[Any, dict[str, str]] | None = None


def _meta_index(tree: etree._Element) -> dict[str, str]:
    """``{"og:title": ..., "dc.date": ...}``: the first non-empty content of each meta name,
    property or itemprop, keys lower-cased (``DC.Date`` = ``dc.date``). Built once per page."""
    global _META_INDEX
    if _META_INDEX is not None and _META_INDEX[0] is tree:
        return _META_INDEX[1]
    index: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key:
                index.setdefault((attr, key), content)  # type: ignore[call-overload]
    flat: dict[str, str] = {}
    for attr in ("property", "name", "itemprop"):  # property wins over name, name over itemprop
        for (a, key), content in index.items():  # type: ignore[misc]
            if a == attr:
                flat.setdefault(key, content)
    _META_INDEX = (tree, flat)
    return flat


def _meta(tree: etree._Element, *keys: str) -> str:
    index = _meta_index(tree)
    for key in keys:
        value = index.get(key.lower())
        if value:
            return value
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


_LOGO = re.compile(r"logo|brand|site-?title|site-?name|masthead|marca", re.I)


def _logo_like(h: etree._Element, site_name: str) -> bool:
    """An ``<h1>`` that holds the site's name, not the story (common outside Vietnam)."""
    text = clean(h.text_content())
    if site_name and text.casefold() == site_name.casefold():
        return True
    for el in (h, *list(h.iterancestors())[:2]):
        if _LOGO.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return True
    links = h.xpath(".//a[@href]")
    return len(links) == 1 and links[0].get("href") in ("/", "./", "#") and clean(links[0].text_content()) == text


def _headlines(tree: etree._Element) -> list[etree._Element]:
    site = _meta(tree, "og:site_name", "application-name")
    return [h for h in tree.xpath("//h1") if not _in_junk(h) and clean(h.text_content()) and not _logo_like(h, site)]


def _headline(tree: etree._Element) -> etree._Element | None:
    found = _headlines(tree)
    return found[0] if found else None


def _after(el: etree._Element, anchor: etree._Element | None, order: dict) -> bool:
    return anchor is None or order.get(el, 0) >= order.get(anchor, 0)


def _title_like(tree: etree._Element) -> str:
    """Old CMSes print the headline in a ``td.newstitle``/``div.post-title``, not an h1."""
    for el in tree.xpath("//body//*[contains(@class, 'title')][not(self::a)]"):
        text = clean(el.text_content())
        if 20 <= len(text) <= 300 and not _in_junk(el) and "\n" not in text:
            return text
    return ""


_SUFFIX = re.compile(r"\s*[|\-–—]\s*[^|\-–—]{2,40}$")


def _strip_site(title: str, site: str) -> str:
    """``"Story | Site"`` -> ``"Story"`` (only when the tail is the site's name)."""
    if site and title.casefold().endswith(site.casefold()) and len(title) > len(site) + 3:
        return re.sub(r"[\s|\-–—:·•_]+$", "", title[: -len(site)]).strip()
    return title


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold()) if len(w) > 1 or not w.isascii()}


def _agrees(a: str, b: str) -> bool:
    fa, fb = a.casefold(), b.casefold()
    if not fa or not fb:
        return False
    if fa in fb or fb in fa:
        return True
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.6


def find_title(tree: etree._Element, ld: dict[str, Any]) -> str:
    """The story's ``<h1>`` (a logo ``<h1>`` skipped; among several, the one that agrees
    with the metadata title), else JSON-LD/OpenGraph titles, a CMS title box, ``<title>``."""
    site = _meta(tree, "og:site_name", "application-name")
    meta_titles = [t for t in (
        clean(str(ld.get("headline", "") or "")),
        _strip_site(clean(_meta(tree, "og:title", "twitter:title", "parsely-title", "sailthru.title")), site),
    ) if t]
    h1s = [clean(h.text_content()) for h in _headlines(tree)]
    if h1s:
        return next((h for h in h1s if any(_agrees(h, t) for t in meta_titles)), h1s[0])
    if meta_titles:
        return meta_titles[0]
    boxed = _title_like(tree)
    if boxed:
        return boxed
    page_title = _strip_site(clean(" ".join(tree.xpath("//title//text()"))), site)
    return _SUFFIX.sub("", page_title) if page_title else ""


#: Meta tags holding the publication time, in the order trusted.
_DATE_METAS = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished", "pubdate",
    "publishdate", "publish-date", "publish_date", "article.published", "article_date_original", "date.published",
    "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date",
    "parsely-pub-date", "sailthru.date", "cxenseparse:recs:publishtime", "citation_publication_date",
    "publication_date", "date",
)
_AUTHOR_METAS = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author", "sailthru.author",
                 "byl", "citation_author", "twitter:creator:name")


def _machine_date(value: str | None, lang: str | None) -> datetime | None:
    return parse_any(value, lang=lang) if value else None


def _parsely_page(tree: etree._Element) -> dict[str, Any]:
    """Parse.ly's older JSON meta tag (``<meta name="parsely-page" content='{"pub_date": ...}'>``)."""
    raw = _meta(tree, "parsely-page")
    try:
        data = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def find_published(tree: etree._Element, ld: dict[str, Any], lang: str | None = None) -> datetime | None:
    """JSON-LD, meta tags, microdata ``itemprop=datePublished``, ``<time pubdate>``,
    other ``<time datetime>`` (the story's before sidebars'), then text near the headline."""
    for value in (
        str(ld.get("datePublished", "") or ""),
        _meta(tree, *_DATE_METAS),
        str(_parsely_page(tree).get("pub_date", "") or ""),
    ):
        dt = _machine_date(value, lang)
        if dt:
            return dt
    for el in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateCreated'][not(self::meta)]"):
        dt = _machine_date(el.get("content") or el.get("datetime") or clean(el.text_content()), lang)
        if dt:
            return dt
    for t in tree.xpath("//time[@pubdate]"):
        dt = _machine_date(t.get("datetime") or clean(t.text_content()), lang)
        if dt:
            return dt
    order = {el: i for i, el in enumerate(tree.iter())}
    h1 = _headline(tree)
    times = [t for t in tree.xpath("//time[@datetime]") if not _in_junk(t)]
    times.sort(key=lambda t: (not _after(t, h1, order), order.get(t, 0)))
    for t in times:
        dt = parse_iso(t.get("datetime")) or parse_text(t.get("datetime"), lang)
        if dt:
            return dt
    nodes = [n for n in tree.xpath(_DATE_XPATH) if not _in_junk(n)]
    nodes.sort(key=lambda n: (not _after(n, h1, order), order.get(n, 0)))
    for n in nodes:
        text = clean(n.text_content())
        if 6 <= len(text) <= 160:
            dt = parse_text(text, lang)
            if dt:
                return dt
    return None


def _byline_name(text: str) -> str:
    """``"By Jane Doe | 14 Nov"`` -> ``"Jane Doe"``; "Par", "Por", "Von", "Автор:", "بقلم"... too."""
    text = clean(text).split("\n")[0]
    text = re.split(r"\s+[|·•]\s+|\s+[-–—]\s+(?=\d)", text)[0]
    for _ in range(2):
        text = _BYLINE_PREFIX.sub("", text).strip()
    return text.strip(" ,;:")


def find_author(tree: etree._Element, ld: dict[str, Any]) -> str:
    """JSON-LD, meta tags, microdata ``itemprop=author`` (its ``name``), then bylines."""
    name = _ld_author(ld) or _meta(tree, *_AUTHOR_METAS)
    if name and not name.startswith(("http", "@")):
        return _byline_name(name)
    for el in tree.xpath("//*[@itemprop='author']//*[@itemprop='name']"):
        text = _byline_name(el.get("content") or el.text_content())
        if 2 <= len(text) <= 60:
            return text
    boxes = tree.xpath(_AUTHOR_XPATH)
    inner = set(boxes)
    for el in boxes:
        if any(d in inner for d in el.iterdescendants()):
            continue  # a byline box around the name element: read the name element
        text = _byline_name(el.text_content())
        if 2 <= len(text) <= 60:
            return text
    return ""


def find_lead(tree: etree._Element, ld: dict[str, Any]) -> str:
    for el in tree.xpath(_LEAD_XPATH):
        if el.tag in ("meta", "head"):
            continue
        if not any(_LEAD_TOKEN.search(t) for t in (el.get("class") or "").split()):
            continue  # "leaderboard", "summary-list": not a lead
        text = clean(el.text_content())
        if len(text) >= 30:
            return text
    return clean(str(ld.get("description", "") or "") or _meta(tree, "og:description", "description"))


def find_lang(tree: etree._Element, default: str = "vi") -> str:
    """ISO 639-1 code of the page: ``<html lang>``, ``og:locale``, Content-Language; else ``default``."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
                  _meta(tree, "og:locale", "dc.language", "language", "content-language")]
    candidates += tree.xpath("//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')"
                             "='content-language']/@content")
    for value in candidates:
        code = re.split(r"[-_,;\s]", (value or "").strip().lower())[0]
        if re.fullmatch(r"[a-z]{2,3}", code or ""):
            return code
    return default


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


def _trafilatura(pruned: etree._Element, url: str, fast: bool) -> str:
    import trafilatura

    return clean(trafilatura.extract(  # it works on its own copy of the tree
        pruned,
        url=url,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        deduplicate=False,
        config=_config(),
        fast=fast,
    ))


def extract_body(tree: etree._Element, url: str) -> str:
    """trafilatura's main extractor first; its slower fallbacks (readability, jusText)
    only when that finds too little (rare on the pruned pages we give it)."""
    pruned = _pruned(tree)
    text = _trafilatura(pruned, url, fast=True)
    if len(text) < MIN_BODY_CHARS:
        text = _trafilatura(pruned, url, fast=False) or text
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


def parse(html_or_text: str | bytes, url: str, source: str = "", tree: etree._Element | None = None) -> CrawledItem:
    """The article at ``url``; :class:`ParseError` when no title or body is found.

    ``author`` is the raw byline (the pipeline pseudonymises it). ``tree``: the page
    already parsed by :func:`parse_tree` (read-only here), so the comment parser and
    this one share one parse.
    """
    if tree is None:
        tree = parse_tree(as_text(html_or_text), url)
    ld = _article_ld(tree)
    lang = find_lang(tree)
    title = find_title(tree, ld)
    if not title:
        raise ParseError("no title found", url, reason="no_title")
    lead = find_lead(tree, ld)
    body = extract_body(tree, url)
    if lead and lead[:60] not in body:
        body = f"{lead}\n{body}" if body else lead
    if len(body) < MIN_BODY_CHARS:
        raise ParseError(f"no article body found ({len(body)} chars)", url, reason="no_body")
    section = clean(str(ld.get("articleSection", "") or "")) or _meta(tree, "article:section", "parsely-section")
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
        published_at=find_published(tree, ld, lang),
        lang=lang,
        extra=extra,
    )


__all__ = ["parse", "ParseError", "DEFAULT_TZ"]
