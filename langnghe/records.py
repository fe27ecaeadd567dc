"""Typed records passed between stages (crawler -> store -> scoring -> dashboard).

Records are plain dataclasses, never loose dicts. A stage fills only its own fields.
All text fields are NFC-normalised Unicode (see :func:`nfc`), done at the edge
where the text enters the system (parsers, imports, the dashboard's forms).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

ItemKind = Literal["article", "post", "comment"]
ITEM_KINDS: tuple[str, ...] = ("article", "post", "comment")


def nfc(text: str | None) -> str:
    """NFC-normalise text (Vietnamese arrives both composed and decomposed)."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def content_hash(text: str) -> str:
    """Hash of the whitespace-folded, NFC, lower-cased text: equal content, equal hash."""
    folded = " ".join(nfc(text).lower().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


@dataclass
class Engagement:
    """Counts as the source reports them at fetch time (refreshed on re-crawl)."""

    likes: int = 0
    comments: int = 0
    shares: int = 0
    views: int = 0

    @property
    def total(self) -> int:
        return self.likes + self.comments + self.shares


@dataclass
class CrawledItem:
    """One article, post or comment, as the crawler hands it to the store.

    ``url`` is the canonical URL and the item's identity: crawling the same thing twice
    must give the same ``url``. Comments without their own URL use the parent URL
    plus a fragment-free suffix such as ``?comment_id=...``.

    ``author`` holds a raw display name only between a parser and the pseudonymise
    pipeline stage, which moves it to ``author_pseudonym`` and clears it. The store
    refuses an item whose ``author`` is still set: raw names are never stored.
    """

    source: str
    kind: ItemKind
    url: str
    text: str
    title: str = ""
    parent_url: str | None = None
    external_id: str | None = None
    author: str | None = None
    author_pseudonym: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    engagement: Engagement = field(default_factory=Engagement)
    lang: str = "vi"
    #: Anything source-specific worth keeping (section, tags, reaction breakdown).
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.text = nfc(self.text)
        self.title = nfc(self.title)
        if self.kind not in ITEM_KINDS:
            raise ValueError(f"unknown item kind {self.kind!r}; expected one of {ITEM_KINDS}")

    @property
    def content_hash(self) -> str:
        return content_hash(f"{self.title}\n{self.text}")

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("published_at", "fetched_at"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        return out


@dataclass
class Skip:
    """A page or record deliberately not stored, with the reason (counted per run)."""

    source: str
    url: str
    reason: str


@dataclass
class CrawlStats:
    """What one crawl of one source did; written to ``crawl_runs``."""

    source: str
    pages_fetched: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    skips: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skips[reason] = self.skips.get(reason, 0) + 1

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
