"""The one parser failure type, so spiders can count it as a skip instead of crashing."""

from __future__ import annotations


class ParseError(ValueError):
    """A page could not be turned into records. ``reason`` is a short stats key."""

    def __init__(self, message: str, url: str = "", reason: str = "parse_error"):
        super().__init__(f"{message} ({url})" if url else message)
        self.url = url
        self.reason = reason
