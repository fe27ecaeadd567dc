"""robots.txt, checked for every request: Scrapy's middleware with two fixes.

1. Every request that arrives while a host's robots.txt is being fetched waits on one
   Deferred. Under Twisted's own reactor (our setting) only the first waiter receives
   the parser; the others receive ``None``, which Scrapy reads as "no robots.txt", and
   they are fetched unchecked. A shared crawl's second process starts with many
   requests at once, and once in 40 runs it fetched the page robots.txt forbids. Here
   every waiter reads the parser the middleware has stored for the host.
2. RFC 9309 §2.3.1.4: a robots.txt that cannot be fetched (a server error after the
   retries, a network error) means *complete disallow*, not Scrapy's "allow all". The
   pages are recorded as ``robots_unreachable`` skips, so the next crawl tries again.
   A 4xx answer means there is no robots.txt and everything is allowed (§2.3.1.3).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)

#: What an IgnoreRequest says when robots.txt could not be read (see classify_failure).
UNREACHABLE_MESSAGE = "robots.txt unreachable"


class _Unreachable:
    """The parser of a host whose robots.txt could not be fetched: nothing is allowed."""

    def __init__(self, why: str):
        self.why = why

    def allowed(self, url: str, user_agent: Any) -> bool:
        return False


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    async def robot_parser(self, request: Any) -> Any:
        parser = await super().robot_parser(request)
        if parser is None:  # maybe a later waiter that the shared Deferred handed None
            stored = self._parsers.get(urlparse_cached(request).netloc)
            if stored is not None and not isinstance(stored, Deferred):
                parser = stored
        return parser

    async def _parse_robots(self, response: Any, netloc: str, request: Any) -> None:
        if response.status >= 500:
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._unreachable(netloc, f"HTTP {response.status}")
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):  # refused by a middleware, not unreachable
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._unreachable(netloc, str(exc) or type(exc).__name__)

    def _unreachable(self, netloc: str, why: str) -> None:
        log.warning("robots.txt of %s cannot be read (%s): nothing on that host is fetched this crawl", netloc, why)
        waiting = self._parsers[netloc]
        parser = _Unreachable(why)
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)

    def process_request_2(self, rp: Any, request: Any) -> None:
        if isinstance(rp, _Unreachable):
            self._stats.inc_value("robotstxt/unreachable")
            raise IgnoreRequest(f"{UNREACHABLE_MESSAGE} ({rp.why}): {request.url} not fetched (RFC 9309)")
        super().process_request_2(rp, request)
