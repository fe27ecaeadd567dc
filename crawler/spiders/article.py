"""Article pages and their comments (kind ``article``: a fixed list of article URLs).

:class:`ArticleSpider` also holds the article -> comments navigation that the RSS and
sitemap spiders reuse: the server-rendered comment list on the article page (following
``rel=next`` comment pages), a comment link found on the page, or a comment API URL
built from the ``comments_url`` option::

    comments_url = "https://comments.example.vn/get?objectid={article_id}&offset={offset}&limit=25"
    article_id_pattern = "-(\\d+)\\.html"     # regex on the article URL; group 1 is the id

Articles stored less than ``revisit_days`` ago are fetched again at every crawl for
their new comments, even when the feed no longer lists them.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from crawler.parsers import article as article_parser
from crawler.parsers import comments as comments_parser
from crawler.parsers.errors import ParseError
from crawler.parsers.text import as_text
from crawler.spiders.base import BaseSourceSpider

DEFAULT_ARTICLE_ID = r"(\d{4,})(?:\.html?|\.htm|/)?(?:$|\?)"
#: Links on an article page that lead to its comments.
COMMENT_LINK_XPATH = (
    "//link[@rel='comments']/@href | //a[@rel='comments']/@href"
    " | //a[contains(@class, 'view-comments') or contains(@class, 'xem-binh-luan')]/@href"
)


class ArticleSpider(BaseSourceSpider):
    kind = "article"
    incremental_callbacks = frozenset({"parse_start", "parse_article", "parse_comments"})

    def parse_start(self, response):
        return self.parse_article(response)

    def revisit_requests(self) -> Iterator[Any]:
        for young in self.young_items(("article",)):
            yield self.request(young.fetch_url or young.url, self.parse_article)

    # --- article ---------------------------------------------------------------------
    def parse_article(self, response, feed_title: str = "", feed_published: str | None = None) -> Iterator[Any]:
        if not hasattr(response, "text"):
            self.skip("not_text", response.url)
            return
        # One parse of the page for both parsers (they only read the tree).
        try:
            html_text = as_text(response.text)
            tree = article_parser.parse_tree(html_text, response.url)
            item = article_parser.parse(html_text, response.url, source=self.source.name, tree=tree)
        except ParseError as exc:
            self.skip(exc.reason, response.url)
            return
        if item.published_at is None and feed_published:
            from crawler.parsers.dates import parse_iso

            item.published_at = parse_iso(feed_published)
        try:
            page = comments_parser.parse_html(html_text, response.url, source=self.source.name, tree=tree)
        except ParseError as exc:
            self.skip(exc.reason, response.url)
            page = None
        if page is not None:
            item.engagement.comments = page.total if page.total is not None else len(page.comments)
        yield self.item(item)
        if page is not None:
            yield from self._emit_comments(page, response.url, seen_pages=1)
        yield from self._comment_requests(response)

    # --- comments ---------------------------------------------------------------------
    def _emit_comments(self, page, article_url: str, seen_pages: int, offset: int = 0) -> Iterator[Any]:
        for comment in page.comments:
            yield self.item(comment)
        max_pages = int(self.source.option("max_comment_pages", 20))
        if seen_pages >= max_pages:
            return
        if page.next_url:
            yield self.request(page.next_url, self.parse_comments,
                               cb_kwargs={"article_url": article_url, "seen_pages": seen_pages + 1})
        elif page.total and offset + len(page.comments) < page.total and page.comments and self.source.option("comments_url"):
            next_offset = offset + len(page.comments)
            url = self._comments_api_url(article_url, next_offset)
            if url:
                yield self.request(url, self.parse_comments,
                                   cb_kwargs={"article_url": article_url, "seen_pages": seen_pages + 1, "offset": next_offset})

    def _comments_api_url(self, article_url: str, offset: int = 0) -> str | None:
        pattern = self.source.option("comments_url")
        if not pattern:
            return None
        m = re.search(self.source.option("article_id_pattern", DEFAULT_ARTICLE_ID), article_url)
        if not m:
            self.skip("no_article_id", article_url)
            return None
        return pattern.format(article_id=m.group(1), offset=offset, page=offset // 25 + 1)

    def _comment_requests(self, response) -> Iterator[Any]:
        url = self._comments_api_url(response.url)
        if url is None:
            links = response.xpath(COMMENT_LINK_XPATH).getall()
            url = response.urljoin(links[0]) if links else None
        if url and url != response.url:
            yield self.request(url, self.parse_comments, cb_kwargs={"article_url": response.url, "seen_pages": 1})

    def parse_comments(self, response, article_url: str, seen_pages: int = 1, offset: int = 0) -> Iterator[Any]:
        page = self.parse_with(comments_parser.parse, response, source=self.source.name, article_url=article_url)
        if page is not None:
            yield from self._emit_comments(page, article_url, seen_pages, offset)
