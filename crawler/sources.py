"""The sources file (``config/sources.toml``): which sites to crawl and how.

Each ``[[source]]`` table becomes a frozen :class:`SourceConfig`. Keys every kind
understands are fields; anything kind-specific (a comment-API pattern, a page limit,
a Graph API page id) is kept in ``options`` for that kind's spider.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from langnghe.errors import UserError

KINDS: tuple[str, ...] = ("rss", "sitemap", "article", "xenforo", "facebook_graph", "youtube", "import")
FILTERS: tuple[str, ...] = ("watchlist", "none")
#: Kinds whose source needs no URL (the import kind reads files named in options).
_URL_OPTIONAL = frozenset({"import", "facebook_graph", "youtube"})
_COMMON_KEYS = frozenset({"name", "kind", "url", "urls", "keywords", "weight", "enabled", "filter"})


@dataclass(frozen=True)
class SourceConfig:
    """One source to crawl. ``urls`` holds the start URLs (``url`` is the first)."""

    name: str
    kind: str
    urls: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    weight: float = 1.0
    enabled: bool = True
    filter: str = "watchlist"
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def url(self) -> str | None:
        return self.urls[0] if self.urls else None

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def as_store_config(self) -> dict[str, Any]:
        """What ``Store.ensure_source(config=...)`` keeps: everything but the common keys."""
        return {"urls": list(self.urls), "keywords": list(self.keywords), "filter": self.filter, **dict(self.options)}


def _fail(origin: str, where: str, problem: str, fix: str) -> UserError:
    return UserError(f"sources file {origin}: {where} {problem}. {fix}")


def source_from_table(table: Mapping[str, Any], origin: str = "<sources>", index: int = 1) -> SourceConfig:
    """Validate one ``[[source]]`` table and build its :class:`SourceConfig`."""
    name = str(table.get("name", "")).strip()
    where = f"source {name!r}" if name else f"source #{index}"
    if not name:
        raise _fail(origin, where, "has no name", "Give every [[source]] a unique name.")
    kind = str(table.get("kind", "")).strip()
    if kind not in KINDS:
        raise _fail(origin, where, f"has unknown kind {kind!r}", f"Use one of: {', '.join(KINDS)}.")
    raw_urls = table.get("urls", [])
    if isinstance(raw_urls, str):
        raw_urls = [raw_urls]
    if not isinstance(raw_urls, list) or not all(isinstance(u, str) for u in raw_urls):
        raise _fail(origin, where, "has a 'urls' that is not a list of strings", 'Write urls = ["https://...", ...].')
    urls = [u.strip() for u in ([table["url"]] if table.get("url") else []) + raw_urls if str(u).strip()]
    if not urls and kind not in _URL_OPTIONAL:
        raise _fail(origin, where, "has no url", 'Add url = "https://..." (or urls = [...]).')
    for u in urls:
        if not u.startswith(("http://", "https://")):
            raise _fail(origin, where, f"has a url that is not http(s): {u!r}", "Use a full http:// or https:// address.")
    keywords = table.get("keywords", [])
    if isinstance(keywords, str):
        keywords = [keywords]
    try:
        weight = float(table.get("weight", 1.0))
    except (TypeError, ValueError):
        raise _fail(origin, where, f"has a weight that is not a number ({table.get('weight')!r})", "Use e.g. weight = 1.0.") from None
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _fail(origin, where, f"has enabled = {enabled!r}", "Use enabled = true or enabled = false.")
    filt = str(table.get("filter", "watchlist"))
    if filt not in FILTERS:
        raise _fail(origin, where, f"has unknown filter {filt!r}", f"Use one of: {', '.join(FILTERS)}.")
    options = {k: v for k, v in table.items() if k not in _COMMON_KEYS}
    return SourceConfig(
        name=name,
        kind=kind,
        urls=tuple(dict.fromkeys(urls)),
        keywords=tuple(str(k) for k in keywords),
        weight=weight,
        enabled=enabled,
        filter=filt,
        options=MappingProxyType(options),
    )


def parse_sources(text: str, origin: str = "<sources>") -> list[SourceConfig]:
    """Parse sources TOML text; raise :class:`UserError` naming what to fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"sources file {origin} is not valid TOML ({exc}). Fix the file and run again.") from exc
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise UserError(f"sources file {origin}: 'source' must be an array of tables. Write each one as [[source]].")
    sources: list[SourceConfig] = []
    seen: set[str] = set()
    for i, table in enumerate(tables, 1):
        src = source_from_table(table, origin, i)
        if src.name in seen:
            raise _fail(origin, f"source {src.name!r}", "appears twice", "Give every [[source]] a unique name.")
        seen.add(src.name)
        sources.append(src)
    return sources


def load_sources(path: Path) -> list[SourceConfig]:
    """Read and validate a sources file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UserError(
            f"sources file {path} does not exist. Create it (see config/sources.toml) or pass --sources FILE."
        ) from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"sources file {path} is not UTF-8 text ({exc.reason}). Save it as UTF-8 and run again.") from exc
    return parse_sources(text, str(path))


def select_sources(sources: list[SourceConfig], names: list[str] | None) -> list[SourceConfig]:
    """The named sources (even if disabled), or every enabled one when no names are given."""
    if not names:
        return [s for s in sources if s.enabled]
    by_name = {s.name: s for s in sources}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise UserError(
            f"no source named {', '.join(repr(m) for m in missing)} in the sources file. "
            f"Known sources: {', '.join(by_name) or '(none)'}."
        )
    return [by_name[n] for n in names]
