"""News feeds (kind ``rss``): feed -> article pages -> their comments.

Options: ``max_articles`` (per feed, default 200).
"""

from __future__ import annotations

from typing import Any, Iterator

from crawler.parsers import rss as rss_parser
from crawler.spiders.article import ArticleSpider


class RssSpider(ArticleSpider):
    kind = "rss"

    def parse_start(self, response) -> Iterator[Any]:
        entries = self.parse_with(rss_parser.parse, response)
        if entries is None:
            return
        limit = int(self.source.option("max_articles", 200))
        for entry in entries[:limit]:
            yield self.request(
                entry.url,
                self.parse_article,
                cb_kwargs={
                    "feed_title": entry.title,
                    "feed_published": entry.published_at.isoformat() if entry.published_at else None,
                },
            )
        if len(entries) > limit:
            self.crawl_stats.skips["over_limit"] = self.crawl_stats.skips.get("over_limit", 0) + len(entries) - limit
