"""XenForo 2 forums (kind ``xenforo``): listing or search pages -> threads -> thread pages.

Start URLs may be forum listings (``/forums/slug.1/``), search result pages or threads.
Options: ``max_listing_pages`` (5), ``max_thread_pages`` (50). Threads stored less than
``revisit_days`` ago are read again at every crawl for their new replies.
"""

from __future__ import annotations

from typing import Any, Iterator

from crawler.parsers import xenforo
from crawler.spiders.base import BaseSourceSpider


class XenForoSpider(BaseSourceSpider):
    kind = "xenforo"
    incremental_callbacks = frozenset({"parse_start", "parse_thread"})

    def revisit_requests(self) -> Iterator[Any]:
        for young in self.young_items(("post",)):
            # The listing gives the reply and view counts; keep the stored ones meanwhile.
            yield self.request(young.fetch_url or young.url, self.parse_thread,
                               cb_kwargs={"replies": young.comments, "views": young.views})

    def parse_start(self, response, listing_pages: int = 1) -> Iterator[Any]:
        page = self.parse_with(xenforo.parse, response, source=self.source.name)
        if page is None:
            return
        if page.kind == "thread":
            yield from self._thread_page(page, response, replies=0, views=0, seen_pages=1)
            return
        for thread in page.threads:
            yield self.request(thread.url, self.parse_thread,
                               cb_kwargs={"replies": thread.replies, "views": thread.views})
        if page.next_url and listing_pages < int(self.source.option("max_listing_pages", 5)):
            yield self.request(page.next_url, self.parse_start, cb_kwargs={"listing_pages": listing_pages + 1})

    def parse_thread(self, response, replies: int = 0, views: int = 0, seen_pages: int = 1) -> Iterator[Any]:
        page = self.parse_with(xenforo.parse, response, source=self.source.name)
        if page is None:
            return
        if page.kind != "thread":
            self.skip("not_a_thread", response.url)
            return
        yield from self._thread_page(page, response, replies, views, seen_pages)

    def _thread_page(self, page, response, replies: int, views: int, seen_pages: int) -> Iterator[Any]:
        for post in page.posts:
            if post.kind == "post":
                post.engagement.comments = replies
                post.engagement.views = views
            yield self.item(post)
        if page.next_url and seen_pages < int(self.source.option("max_thread_pages", 50)):
            yield self.request(page.next_url, self.parse_thread,
                               cb_kwargs={"replies": replies, "views": views, "seen_pages": seen_pages + 1})
