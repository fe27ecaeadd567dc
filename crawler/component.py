"""The one shape Scrapy builds our middlewares and pipeline stages with."""

from __future__ import annotations

from typing import Any


class CrawlerComponent:
    """Built by Scrapy through ``from_crawler``; keeps the crawler to reach the spider."""

    def __init__(self, crawler: Any = None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any):
        return cls(crawler)
