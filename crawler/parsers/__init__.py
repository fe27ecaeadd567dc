"""Pure parsers: page text in, typed records out. No network, no database, no Scrapy.

Each module exposes ``parse(html_or_text, url)``; bytes are decoded with
:func:`crawler.charset.decode_html`. Failures raise :class:`ParseError`.
"""

from crawler.parsers.errors import ParseError

__all__ = ["ParseError"]
