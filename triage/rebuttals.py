"""Replies: templates per topic, posting a reply, and counting claims that come back.

A reply (``rebuttals`` row) is stored together with the card's ``responded`` event in
one transaction, with the official sources, where it was posted and when. When the
reply answers a claim of the library (``claims``), later items that match that claim
are *recurrences*: the claim came back after the office had answered it. They are
counted from the first posted reply to the claim, by the item's publication time
(first-seen time when the source gave none), from the claim matches the scorer stored
on each prediction.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from sqlalchemy import String, cast, func, select

from langnghe.errors import UserError
from langnghe.settings import PROJECT_ROOT, Settings
from triage.db import session_scope
from triage.models import Claim, Item, Prediction, Rebuttal
from triage.queue import current_prediction
from triage.workflow import Actor, WorkflowError, require_editor, transition_in

TEMPLATES_FILE = PROJECT_ROOT / "config" / "rebuttal_templates.toml"
#: A stored claim match at or above this score counts as the claim coming back.
RECURRENCE_MIN_SCORE = 0.3
VERDICTS = ("false", "misleading", "scam", "unverified", "true")


@dataclass(frozen=True)
class Template:
    topic: str
    title: str
    title_en: str
    text: str
    sources: tuple[str, ...] = ()
    category: str | None = None

    def label(self, lang: str = "vi") -> str:
        return self.title_en if lang == "en" and self.title_en else self.title


@dataclass
class Templates:
    items: list[Template] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)

    def for_card(self, topic: str | None, category: str | None = None) -> list[Template]:
        """Templates that fit: the topic's own first, then category-specific, then generic."""
        def rank(t: Template) -> int:
            if t.category and t.category != category:
                return -1
            if t.topic == topic:
                return 0
            return 1 if t.category else 2

        fitting = [t for t in self.items if (t.topic in (topic, "*")) and rank(t) >= 0]
        return sorted(fitting, key=rank)

    def render(self, template: Template, facets: Mapping[str, Iterable[str]] | None = None,
               today: datetime | None = None) -> str:
        """The template text with the card's facets filled in (defaults where none)."""
        values = defaultdict(str, self.defaults)
        for key, found in (facets or {}).items():
            found = [f for f in found or [] if f]
            if found:
                values[key] = ", ".join(found[:2])
        values["today"] = f"{(today or datetime.now(timezone.utc)):%d/%m/%Y}"
        return template.text.format_map(values)


def load_templates(path: Path = TEMPLATES_FILE) -> Templates:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        return Templates()
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"the templates file {path} is not valid TOML ({exc}). Fix the file and reload.") from exc
    items = []
    for entry in raw.get("template", []):
        if not entry.get("text") or not entry.get("title"):
            continue
        items.append(Template(
            topic=str(entry.get("topic", "*")), title=_nfc(entry["title"]), title_en=str(entry.get("title_en", "")),
            text=_nfc(entry["text"]), sources=tuple(_nfc(s) for s in entry.get("sources", [])),
            category=entry.get("category"),
        ))
    return Templates(items, {k: _nfc(str(v)) for k, v in raw.get("defaults", {}).items()})


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


# --- posting a reply ----------------------------------------------------------------------
@dataclass
class Reply:
    """What the analyst wrote on the card page (NFC-normalised here, at the edge)."""

    text: str
    sources: list[str] = field(default_factory=list)
    posted_where: str = ""
    posted_at: datetime | None = None
    claim_id: int | None = None
    #: Add the answered claim to the library (when no existing claim fits).
    new_claim_text: str = ""
    new_claim_verdict: str = "false"
    topic: str | None = None

    def __post_init__(self) -> None:
        self.text = _nfc(self.text)
        self.sources = [_nfc(s) for s in self.sources if _nfc(s)]
        self.posted_where = _nfc(self.posted_where)
        self.new_claim_text = _nfc(self.new_claim_text)


def respond(settings: Settings, cluster_id: int, actor: Actor, reply: Reply,
            seen: dict[str, Any] | None = None, now: datetime | None = None) -> int:
    """Store the reply and mark the card ``responded`` (one transaction). Returns the reply id."""
    require_editor(actor)
    now = now or datetime.now(timezone.utc)
    if not reply.text:
        raise WorkflowError("Nội dung phản hồi đang trống. (The reply is empty; write it before saving.)")
    if reply.new_claim_text and reply.new_claim_verdict not in VERDICTS:
        raise WorkflowError(f"Kết luận không hợp lệ. (Unknown verdict; use one of {', '.join(VERDICTS)}.)")
    posted_at = reply.posted_at or (now if reply.posted_where else None)
    if posted_at is not None and posted_at.tzinfo is None:
        posted_at = posted_at.replace(tzinfo=timezone.utc)
    with session_scope(settings) as session:
        claim_id = reply.claim_id
        if claim_id is not None and session.get(Claim, claim_id) is None:
            raise WorkflowError(f"Không tìm thấy luận điểm {claim_id}. (No such claim; reload the card.)")
        if claim_id is None and reply.new_claim_text:
            claim = Claim(text=reply.new_claim_text, verdict=reply.new_claim_verdict, rebuttal=reply.text,
                          sources=reply.sources, topic=reply.topic, claim_date=now, created_at=now,
                          created_by=actor.id)
            session.add(claim)
            session.flush()
            claim_id = claim.id
        transition_in(session, cluster_id, actor, "responded", note=reply.posted_where,
                      seen={**(seen or {}), "claim_id": claim_id}, now=now)
        row = Rebuttal(cluster_id=cluster_id, claim_id=claim_id, text=reply.text, sources=reply.sources,
                       posted_where=reply.posted_where, posted_at=posted_at, created_by=actor.id, created_at=now)
        session.add(row)
        session.flush()
        return row.id


# --- recurrences ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Recurrence:
    claim_id: int
    first_reply_at: datetime
    items: int
    stories: int
    last_seen_at: datetime | None


def first_replies(session, claim_ids: Iterable[int] | None = None) -> dict[int, datetime]:
    """claim id -> when the first reply to it was posted (claims never answered are absent)."""
    query = (select(Rebuttal.claim_id, func.min(Rebuttal.posted_at))
             .where(Rebuttal.claim_id.is_not(None), Rebuttal.posted_at.is_not(None))
             .group_by(Rebuttal.claim_id))
    if claim_ids is not None:
        query = query.where(Rebuttal.claim_id.in_(list(claim_ids)))
    out = {}
    for cid, first in session.execute(query).all():
        if first is not None:
            out[int(cid)] = first if first.tzinfo else first.replace(tzinfo=timezone.utc)
    return out


def recurrences(session, claim_ids: Iterable[int] | None = None,
                min_score: float = RECURRENCE_MIN_SCORE) -> dict[int, Recurrence]:
    """For each answered claim: how many items matched it after the first posted reply.

    Only predictions that carry claim matches and were published after the earliest of
    those first replies are read, so this stays cheap on a large store.
    """
    firsts = first_replies(session, claim_ids)
    if not firsts:
        return {}
    since = min(firsts.values())
    when = func.coalesce(Item.published_at, Item.first_seen_at)
    rows = session.execute(
        select(Item.id, Item.cluster_id, Item.published_at, Item.first_seen_at, Prediction.claim_matches)
        .join(Prediction, (Prediction.item_id == Item.id) & current_prediction())
        .where(when > since)
        .where(func.length(cast(Prediction.claim_matches, String)) > 2)
    ).all()
    counts: dict[int, set[int]] = defaultdict(set)
    stories: dict[int, set[int]] = defaultdict(set)
    last: dict[int, datetime] = {}
    for item_id, cluster_id, published, first_seen, matches in rows:
        at = published or first_seen
        if at is None:
            continue
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        for hit in matches or []:
            cid = int(hit.get("claim_id", -1))
            if cid in firsts and float(hit.get("score", 0.0)) >= min_score and at > firsts[cid]:
                counts[cid].add(item_id)
                if cluster_id is not None:
                    stories[cid].add(cluster_id)
                last[cid] = max(last.get(cid, at), at)
    return {
        cid: Recurrence(cid, first, len(counts.get(cid, ())), len(stories.get(cid, ())), last.get(cid))
        for cid, first in firsts.items()
    }


def earlier_replies(session, claim_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The office's previous replies to a claim, newest first (text, sources, where, when)."""
    rows = session.execute(
        select(Rebuttal.id, Rebuttal.cluster_id, Rebuttal.text, Rebuttal.sources, Rebuttal.posted_where,
               Rebuttal.posted_at)
        .where(Rebuttal.claim_id == claim_id)
        .order_by(Rebuttal.id.desc()).limit(limit)
    ).mappings().all()
    return [dict(r) for r in rows]
