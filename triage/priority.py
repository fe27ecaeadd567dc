"""The queue's priority: model confidence × reach × recency decay × source weight.

Documented in README ("Priority"). Pure functions so the dashboard, the scorer and the
benchmarks compute the same number.

- confidence: the probability of the flagging class (the category's probability for
  misinformation, scam and criticism; the toxicity probability when only offensive,
  and only when that probability is at least 0.8),
  times a severity weight per category (scam and misinformation 1.0, criticism 0.6,
  offensive-only 0.5): a likely scam outranks an equally likely harsh opinion.
- reach: ``1 + log1p(likes + comments + shares)`` — log-scaled, so a viral post counts
  more but does not drown everything else.
- recency: ``0.5 ** (age_hours / 48)`` — half-life two days, from publication time
  (or fetch time when the source gives none).
- source weight: from the source's ``weight`` in the sources file (default 1.0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone

#: Categories whose items go to the rebuttal queue, with their severity weight.
FLAG_CATEGORIES: dict[str, float] = {"scam": 1.0, "misinformation": 1.0, "criticism": 0.6}
OFFENSIVE_WEIGHT = 0.5
#: An item that is otherwise neutral or positive is flagged for its tone only when the
#: toxicity model is this sure: a half-sure "offensive" on a news report is noise.
OFFENSIVE_MIN_PROBA = 0.8
SUPPORT_CATEGORY = "grievance"
HALF_LIFE_HOURS = 48.0


@dataclass(frozen=True)
class Routing:
    """Where an item goes: the rebuttal queue (flagged), the support queue, or neither."""

    flagged: bool
    support: bool
    confidence: float


def route(category: str, category_proba: float, toxicity: str, toxicity_proba: float) -> Routing:
    """Decide the queue. A grievance always goes to support, never to rebuttal,
    even when it is phrased offensively: a worker's complaint is not an attack."""
    if category == SUPPORT_CATEGORY:
        return Routing(flagged=False, support=True, confidence=category_proba)
    if category in FLAG_CATEGORIES:
        return Routing(True, False, category_proba * FLAG_CATEGORIES[category])
    if toxicity == "offensive" and toxicity_proba >= OFFENSIVE_MIN_PROBA:
        return Routing(True, False, toxicity_proba * OFFENSIVE_WEIGHT)
    return Routing(False, False, 0.0)


def reach(likes: int, comments: int, shares: int) -> float:
    return 1.0 + math.log1p(max(0, likes) + max(0, comments) + max(0, shares))


def recency(when: datetime | None, now: datetime | None = None) -> float:
    if when is None:
        return 1.0
    now = now or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    age_hours = max(0.0, (now - when).total_seconds() / 3600.0)
    return 0.5 ** (age_hours / HALF_LIFE_HOURS)


def priority(
    confidence: float,
    likes: int = 0,
    comments: int = 0,
    shares: int = 0,
    when: datetime | None = None,
    source_weight: float = 1.0,
    now: datetime | None = None,
) -> float:
    """The documented product of the four factors (0 when not flagged)."""
    if confidence <= 0:
        return 0.0
    return confidence * reach(likes, comments, shares) * recency(when, now) * max(0.0, source_weight)
