"""Decode page bytes right even when the site declares the wrong charset.

Vietnamese sites still ship UTF-8 pages labelled ``windows-1252``/``iso-8859-1``
(old CMS templates) or legacy ``windows-1258`` pages labelled UTF-8. Read with the
label, Vietnamese turns into mojibake ("CÃ´ng Ä‘oÃ n") and the watchlist misses it.
Rule: if the bytes are valid UTF-8 with non-ASCII content, they are UTF-8 whatever
the label says; otherwise trust the label, then a detector.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.I)
_UTF8_NAMES = {"utf-8", "utf8", "utf_8"}


def declared_charset(body: bytes, header: str | None = None) -> str | None:
    """The charset from a Content-Type header value, else from a ``<meta>`` in the first 4 KB."""
    if header:
        m = re.search(r"charset\s*=\s*[\"']?([\w:.-]+)", header, re.I)
        if m:
            return m.group(1).lower()
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii", "replace").lower() if m else None


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def is_clean_utf8(body: bytes) -> bool:
    """True when ``body`` is valid UTF-8 and has non-ASCII bytes (so the label matters)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(b >= 0x80 for b in body)


def best_encoding(body: bytes, declared: str | None) -> str:
    """The encoding to decode ``body`` with (a Python codec name)."""
    norm = _normalise(declared)
    if is_clean_utf8(body):
        return "utf-8"
    if norm and norm != "utf-8":
        return norm
    if norm == "utf-8":
        # Labelled UTF-8 but it is not: ask the detector, fall back to Vietnamese Windows.
        try:
            from charset_normalizer import from_bytes

            guess = from_bytes(body).best()
            if guess is not None and guess.encoding:
                return guess.encoding
        except Exception:  # noqa: BLE001 - detection is best effort
            pass
        return "cp1258"
    return "utf-8"


def decode_html(body: bytes, header: str | None = None) -> str:
    """Page bytes to text using :func:`best_encoding` (undecodable bytes replaced)."""
    encoding = best_encoding(body, declared_charset(body, header))
    return body.decode(encoding, errors="replace")


def needs_utf8_override(body: bytes, declared: str | None) -> bool:
    """True when the response is labelled non-UTF-8 but is really UTF-8."""
    norm = _normalise(declared)
    return norm not in (None, "utf-8") and is_clean_utf8(body)
