"""YouTube through the Data API v3 (kind ``youtube``): search -> videos -> comment threads -> replies.

Navigation only; :mod:`crawler.parsers.youtube` reads the JSON. Options::

    query = "công đoàn Lai Châu"   # search terms (default: the source's keywords joined by |)
    channel_id = "UC..."           # limit the search to one channel
    video_ids = ["abc", ...]       # or read these videos directly (no search, 1 unit each)
    since = "7 days"               # publishedAfter for the search
    max_pages = 2                  # search pages (each costs 100 quota units)
    comments = true
    max_comment_pages = 5          # per video
    api_base = "https://www.googleapis.com/youtube/v3"

The key is ``settings.youtube_key`` (LANGNGHE_YOUTUBE_KEY). Quota and key errors stop
the source and are recorded; disabled comments on one video are recorded and skipped.
"""

from __future__ import annotations

from typing import Any, Iterator

from crawler.parsers import youtube as yt
from crawler.spiders.base import BaseSourceSpider
from crawler.spiders.facebook import ApiSpiderMixin, option_list, redact, since_option

#: ``videos.list`` takes at most 50 ids per call.
VIDEOS_PER_CALL = 50


class YouTubeSpider(ApiSpiderMixin, BaseSourceSpider):
    kind = "youtube"

    @property
    def api_base(self) -> str:
        return str(self.source.option("api_base", yt.DEFAULT_API_BASE))

    @property
    def key(self) -> str:
        return self.app_settings.youtube_key

    def api_start_requests(self) -> Iterator[Any]:
        if not self.key:
            self.error("youtube_no_key")
            self.logger.error(
                "source %s: no YouTube API key. Set LANGNGHE_YOUTUBE_KEY (or youtube_key in the config).", self.source.name
            )
            return
        video_ids = option_list(self.source.option("video_ids"))
        yield from self._videos_requests(video_ids)
        query = str(self.source.option("query") or " | ".join(self.source.keywords)).strip()
        if query:
            try:
                since = since_option(self.source.option("since", "7 days"))
            except ValueError as exc:
                self.error("bad_option")
                self.logger.error("source %s: %s. Fix the source's since option.", self.source.name, exc)
                return
            url = yt.search_url(self.api_base, self.key, query, published_after=since,
                                channel_id=self.source.option("channel_id"))
            yield self.api_request(url, self.parse_search, page_no=1)
        elif not video_ids:
            self.error("youtube_no_query")
            self.logger.error("source %s: nothing to read. Add query = \"...\", keywords or video_ids to the source.",
                              self.source.name)

    def parse_start(self, response):  # pragma: no cover - start URLs are built, not given
        return self.parse_search(response, page_no=1)

    def _videos_requests(self, video_ids: list[str]) -> Iterator[Any]:
        for i in range(0, len(video_ids), VIDEOS_PER_CALL):
            yield self.api_request(yt.videos_url(self.api_base, self.key, video_ids[i:i + VIDEOS_PER_CALL]), self.parse_videos)

    # --- callbacks ---------------------------------------------------------------------------
    def parse_search(self, response, page_no: int) -> Iterator[Any]:
        page = self.run_parser(yt.parse_search, response, yt.YouTubeError)
        if page is None:
            return
        yield from self._videos_requests(page.video_ids)
        if page.next_url:
            if page_no < int(self.source.option("max_pages", 2)):
                yield self.api_request(page.next_url, self.parse_search, page_no=page_no + 1)
            else:
                self.skip("over_limit", redact(page.next_url))

    def parse_videos(self, response) -> Iterator[Any]:
        page = self.run_parser(yt.parse_videos, response, yt.YouTubeError, source=self.source.name)
        if page is None:
            return
        self.record_skips(page)
        for item in page.items:
            yield self.item(item)
            if self.source.option("comments", True) and item.engagement.comments > 0:
                vid = str(item.external_id)
                yield self.api_request(yt.threads_url(self.api_base, self.key, vid), self.parse_threads, video_id=vid, page_no=1)

    def parse_threads(self, response, video_id: str, page_no: int) -> Iterator[Any]:
        page = self.run_parser(yt.parse_comment_threads, response, yt.YouTubeError, source=self.source.name, video_id=video_id)
        if page is None:
            return
        self.record_skips(page)
        for item in page.items:
            yield self.item(item)
        for parent_id, parent_url in page.more_replies:
            yield self.api_request(yt.replies_url(self.api_base, self.key, parent_id), self.parse_replies,
                                   parent_url=parent_url, page_no=1)
        if page.next_url:
            if page_no < int(self.source.option("max_comment_pages", 5)):
                yield self.api_request(page.next_url, self.parse_threads, video_id=video_id, page_no=page_no + 1)
            else:
                self.skip("over_limit", redact(page.next_url))

    def parse_replies(self, response, parent_url: str, page_no: int) -> Iterator[Any]:
        page = self.run_parser(yt.parse_replies, response, yt.YouTubeError, source=self.source.name, parent_url=parent_url)
        if page is None:
            return
        self.record_skips(page)
        for item in page.items:
            yield self.item(item)
        if page.next_url and page_no < int(self.source.option("max_comment_pages", 5)):
            yield self.api_request(page.next_url, self.parse_replies, parent_url=parent_url, page_no=page_no + 1)
