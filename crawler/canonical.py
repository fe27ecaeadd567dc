"""Canonical URLs: one spelling per page, because the URL is an item's identity.

Two links to the same page (mobile host, tracking parameters, a fragment, a default
port, another query order) must give the same string, or the store keeps duplicates.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

#: Host prefixes that serve the same content as the bare host.
_HOST_PREFIXES = ("www.", "m.", "mobile.")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Query parameters that only track clicks and never change the page.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "zarsrc", "_gl",
        "igshid", "mibextid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "ref_src",
        "__tn__", "__cft__", "_ga", "spm", "share", "sharetype",
    }
)
_TRACKING_PREFIXES = ("utm_", "vn_", "__cft__[")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonical_host(host: str) -> str:
    """Lower-case host without ``www.``/``m.``/``mobile.`` (``m.vnexpress.net`` -> ``vnexpress.net``)."""
    host = host.lower().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix):]
    return host


@lru_cache(maxsize=32768)
def canonical_url(url: str) -> str:
    """The one spelling of ``url`` used as the item's identity.

    Keeps the scheme and path as given (percent-encoding normalised), drops the
    fragment, tracking parameters and default ports, and sorts the query. Cached: the
    same URL is canonicalised for every comment, request and cache lookup.
    """
    url = (url or "").strip()
    parts = urlsplit(safe_url_string(url))
    scheme = parts.scheme.lower()
    host = canonical_host(parts.hostname or "")
    netloc = host
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query.sort()
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=False), ""))
