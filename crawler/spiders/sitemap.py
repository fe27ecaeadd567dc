"""Sitemaps (kind ``sitemap``): sitemap index -> sitemaps -> article pages -> comments.

Start URLs are sitemaps, sitemap indexes (plain or ``.xml.gz``), Google News sitemaps
or a site's ``robots.txt``. Articles are fetched and parsed like every article (the
:class:`ArticleSpider` callbacks, comments included). Options::

    since = "3 days"        # skip entries the sitemap dates before this (date or "N days")
    max_articles = 300      # per crawl, newest first
    max_depth = 3           # nested sitemap indexes followed
    allow = "/(xa-hoi|lao-dong)/"   # regex an article URL must match (optional)
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Iterator

from crawler.parsers.errors import ParseError
from crawler.parsers.sitemap import SitemapEntry, parse_sitemap, parse_since
from crawler.spiders.article import ArticleSpider

_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


class SitemapSpider(ArticleSpider):
    kind = "sitemap"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.article_budget = int(self.source.option("max_articles", 300))
        self.seen_articles: set[str] = set()
        self.seen_sitemaps: set[str] = set()
        allow = self.source.option("allow")
        self.allow = re.compile(allow) if allow else None
        try:
            self.since = parse_since(self.source.option("since", "3 days"))
        except ValueError as exc:
            self.since = None
            self.bad_since = str(exc)
        else:
            self.bad_since = ""

    def start_requests_for_source(self) -> Iterator[Any]:
        if self.bad_since:
            self.error("bad_option")
            self.logger.error("source %s: %s. Fix the source's since option.", self.source.name, self.bad_since)
            return
        for url in self.source.urls:
            self.seen_sitemaps.add(url)
            yield self.request(url, self.parse_start, dont_filter=True, cb_kwargs={"depth": 0})

    def parse_start(self, response, depth: int = 0) -> Iterator[Any]:
        try:
            page = parse_sitemap(response.body, response.url, since=self.since)
        except ParseError as exc:
            self.skip(exc.reason, response.url)
            return
        if page.too_old:
            self.crawl_stats.skips["too_old"] = self.crawl_stats.skips.get("too_old", 0) + page.too_old
        for child in page.sitemaps:
            if child.url in self.seen_sitemaps:
                continue
            if depth >= int(self.source.option("max_depth", 3)):
                self.skip("too_deep", child.url)
                continue
            self.seen_sitemaps.add(child.url)
            yield self.request(child.url, self.parse_start, cb_kwargs={"depth": depth + 1})
        yield from self._article_requests(page.entries)

    def _article_requests(self, entries: list[SitemapEntry]) -> Iterator[Any]:
        wanted = [e for e in entries if e.url not in self.seen_articles]
        if self.allow is not None:
            kept = [e for e in wanted if self.allow.search(e.url)]
            if len(kept) < len(wanted):
                self.crawl_stats.skips["not_allowed"] = self.crawl_stats.skips.get("not_allowed", 0) + len(wanted) - len(kept)
            wanted = kept
        wanted.sort(key=lambda e: e.date or _OLDEST, reverse=True)
        for entry in wanted:
            if self.article_budget <= 0:
                self.skip("over_limit", entry.url)
                continue
            self.article_budget -= 1
            self.seen_articles.add(entry.url)
            yield self.request(
                entry.url,
                self.parse_sitemap_article,
                cb_kwargs={"news_title": entry.title, "published": entry.date.isoformat() if entry.date else None},
            )

    def parse_sitemap_article(self, response, news_title: str = "", published: str | None = None) -> Iterator[Any]:
        for out in self.parse_article(response, feed_title=news_title, feed_published=published):
            if news_title and getattr(out, "kind", None) == "article" and not getattr(out, "title", "x"):
                out.title = news_title
            yield out
