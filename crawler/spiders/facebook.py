"""Facebook Pages through the Graph API (kind ``facebook_graph``): posts -> comments -> replies.

Navigation only; :mod:`crawler.parsers.facebook` reads the JSON. Options::

    page_ids = ["100000000000001"]   # Pages to read (or urls = ["https://facebook.com/<id>"])
    api_base = "https://graph.facebook.com/v19.0"
    limit = 25            # posts per API page
    max_pages = 10        # post pages followed per Page (paging.next)
    since = "7 days"      # only posts newer than this (Graph ``since``)
    comments = true       # also read comments and replies
    max_comment_pages = 20

The token is ``settings.facebook_token`` (LANGNGHE_FACEBOOK_TOKEN). Without it the
source records one error and stops. An expired token or a rate limit stops the source
(``CloseSpider``) and is recorded; other API errors skip that edge only.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from scrapy.exceptions import CloseSpider

from crawler.parsers import facebook as fb
from crawler.parsers.errors import ParseError
from crawler.spiders.base import BaseSourceSpider

#: Request meta for API calls: see error bodies (4xx JSON) and skip robots.txt (an API, not pages).
API_META = {"handle_httpstatus_all": True, "dont_obey_robotstxt": True}
_SECRET_PARAM = re.compile(r"((?:access_token|key)=)[^&\s>'\"]+")


def redact(url: str) -> str:
    """``url`` with the access token / API key replaced, for logs and records."""
    return _SECRET_PARAM.sub(r"\1***", url)


class RedactSecrets(logging.Filter):
    """Hides ``access_token=``/``key=`` values in every log line (Scrapy logs request URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not ours to fix
            return True
        if "access_token=" in message or "key=" in message:
            record.msg, record.args = redact(message), ()
        return True


def install_secret_filter() -> None:
    """Add :class:`RedactSecrets` to the root handlers once (API spiders call it)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())


def option_list(value: Any) -> list[str]:
    """A list option that may also be written as one string (``"a, b"``)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def since_option(value: Any, now: datetime | None = None) -> datetime | None:
    """The ``since`` option as an aware datetime (``"7 days"``, a date, or days as a number)."""
    from crawler.parsers.sitemap import parse_since

    return parse_since(value, now)


class ApiSpiderMixin:
    """Shared by the API spiders: one place to turn API errors into records."""

    stopped_reason: str | None = None

    def start_requests_for_source(self) -> Iterator[Any]:
        install_secret_filter()  # the root handler exists by now (CrawlerProcess installed it)
        yield from self.api_start_requests()

    def api_request(self, url: str, callback: Callable, **cb_kwargs: Any):
        return self.request(url, callback, meta=dict(API_META), cb_kwargs=cb_kwargs, dont_filter=True)  # type: ignore[attr-defined]

    def run_parser(self, parser: Callable[..., Any], response: Any, api_error: type[Exception], **kwargs: Any) -> Any:
        """Parse an API response; record errors; stop the source on fatal ones."""
        if self.stopped_reason:
            return None
        try:
            return parser(response.body, response.url, status=response.status, **kwargs)
        except ParseError as exc:
            self.skip(exc.reason, redact(response.url))  # type: ignore[attr-defined]
            return None
        except api_error as exc:
            kind = getattr(exc, "kind", "api_error")
            self.error(kind, redact(response.url), str(exc))  # type: ignore[attr-defined]
            if getattr(exc, "stop_source", False):
                self.stopped_reason = kind
                self.logger.error("source %s stopped: %s", self.source.name, exc)  # type: ignore[attr-defined]
                raise CloseSpider(kind) from None
            return None

    def record_skips(self, page: Any) -> None:
        for skip in page.skips:
            self.skip(skip.reason, skip.url)  # type: ignore[attr-defined]


class FacebookGraphSpider(ApiSpiderMixin, BaseSourceSpider):
    kind = "facebook_graph"

    # --- start ---------------------------------------------------------------------------
    def page_ids(self) -> list[str]:
        ids = option_list(self.source.option("page_ids")) + option_list(self.source.option("page_id"))
        for url in self.source.urls:  # https://facebook.com/<id> also names a Page
            path = urlsplit(url).path.strip("/")
            if path and "/" not in path:
                ids.append(path)
        return list(dict.fromkeys(ids))

    def api_start_requests(self) -> Iterator[Any]:
        token = self.app_settings.facebook_token
        if not token:
            self.error("facebook_no_token")
            self.logger.error(
                "source %s: no Facebook access token. Set LANGNGHE_FACEBOOK_TOKEN (or facebook_token in the config).",
                self.source.name,
            )
            return
        ids = self.page_ids()
        if not ids:
            self.error("facebook_no_page_ids")
            self.logger.error("source %s: no Page to read. Add page_ids = [\"<page id>\"] to the source.", self.source.name)
            return
        try:
            since = since_option(self.source.option("since"))
        except ValueError as exc:
            self.error("bad_option")
            self.logger.error("source %s: %s. Fix the source's since option.", self.source.name, exc)
            return
        api_base = str(self.source.option("api_base", fb.DEFAULT_API_BASE))
        limit = int(self.source.option("limit", 25))
        for page_id in ids:
            url = fb.posts_url(api_base, page_id, token, limit=limit, since=int(since.timestamp()) if since else None)
            yield self.api_request(url, self.parse_posts, page_id=page_id, page_no=1)

    def parse_start(self, response):  # pragma: no cover - start URLs are built, not given
        return self.parse_posts(response, page_id=None, page_no=1)

    # --- callbacks ---------------------------------------------------------------------------
    def parse_posts(self, response, page_id: str | None, page_no: int) -> Iterator[Any]:
        page = self.run_parser(fb.parse_posts, response, fb.GraphError, source=self.source.name, page_id=page_id)
        if page is None:
            return
        self.record_skips(page)
        for item in page.items:
            yield self.item(item)
        if self.source.option("comments", True):
            token = self.app_settings.facebook_token
            api_base = str(self.source.option("api_base", fb.DEFAULT_API_BASE))
            for graph_id, post_url in page.with_comments:
                yield self.api_request(fb.comments_url(api_base, graph_id, token), self.parse_comments,
                                       post_url=post_url, parent_comment_id=None, page_no=1)
        if page.next_url:
            if page_no < int(self.source.option("max_pages", 10)):
                yield self.api_request(page.next_url, self.parse_posts, page_id=page_id, page_no=page_no + 1)
            else:
                self.skip("over_limit", redact(page.next_url))

    def parse_comments(self, response, post_url: str, parent_comment_id: str | None, page_no: int) -> Iterator[Any]:
        page = self.run_parser(fb.parse_comments, response, fb.GraphError, source=self.source.name,
                               post_url=post_url, parent_comment_id=parent_comment_id)
        if page is None:
            return
        self.record_skips(page)
        for item in page.items:
            yield self.item(item)
        token = self.app_settings.facebook_token
        api_base = str(self.source.option("api_base", fb.DEFAULT_API_BASE))
        for graph_id, _url in page.with_replies:
            yield self.api_request(fb.comments_url(api_base, graph_id, token), self.parse_comments,
                                   post_url=post_url, parent_comment_id=graph_id, page_no=1)
        if page.next_url:
            if page_no < int(self.source.option("max_comment_pages", 20)):
                yield self.api_request(page.next_url, self.parse_comments, post_url=post_url,
                                       parent_comment_id=parent_comment_id, page_no=page_no + 1)
            else:
                self.skip("over_limit", redact(page.next_url))
