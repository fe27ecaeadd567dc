"""Score stored items with the current models: predictions, routing and priority.

triage calls nlp (a pure library) and writes what the models said into
``predictions``; people's decisions live elsewhere (events, labels).
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable

from sqlalchemy import select

from langnghe.settings import Settings
from triage import priority as prio
from triage.db import session_scope
from triage.models import Claim, Item, Prediction, Source

log = logging.getLogger(__name__)

#: Text given to the models: title and body, capped (the analyzer also caps).
MAX_MODEL_CHARS = 20_000


@dataclass
class ScoreSummary:
    scored: int = 0
    errors: int = 0
    flagged: int = 0
    support: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    model_version: str = ""

    def line(self) -> str:
        cats = ", ".join(f"{k} {v}" for k, v in sorted(self.by_category.items()))
        return (
            f"scored {self.scored} items ({cats or 'none'}); flagged {self.flagged}, "
            f"support {self.support}, errors {self.errors} in {self.seconds:.1f}s "
            f"with {self.model_version}"
        )


def load_analyzer(settings: Settings):
    """The shipped (or promoted) models; a clear error when they are missing."""
    from nlp.analyzer import Analyzer

    return Analyzer.load(settings.models_dir)


def _model_text(title: str, text: str) -> str:
    joined = f"{title}\n{text}" if title and title not in text else text
    return joined[:MAX_MODEL_CHARS]


def _claim_matcher(settings: Settings):
    with session_scope(settings) as session:
        claims = [(c.id, c.text) for c in session.scalars(select(Claim))]
    if not claims:
        return None
    from nlp.claims import ClaimMatcher

    return ClaimMatcher().fit(claims)


def score_pending(
    settings: Settings,
    analyzer=None,
    batch_size: int = 512,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScoreSummary:
    """Predict every item that has no prediction from the current model version."""
    started = time.perf_counter()
    analyzer = analyzer or load_analyzer(settings)
    now = now or datetime.now(timezone.utc)
    summary = ScoreSummary(model_version=analyzer.model_version)
    matcher = _claim_matcher(settings)
    with session_scope(settings) as session:
        done = select(Prediction.item_id).where(Prediction.model_version == analyzer.model_version)
        rows = session.execute(
            select(
                Item.id, Item.title, Item.text, Item.likes, Item.comments, Item.shares,
                Item.published_at, Item.fetched_at, Source.weight,
            )
            .join(Source, Source.id == Item.source_id)
            .where(Item.id.not_in(done))
            .order_by(Item.id)
        ).all()
    total = len(rows)
    for start in range(0, total, batch_size):
        chunk = rows[start : start + batch_size]
        texts = [_model_text(r.title or "", r.text or "") for r in chunk]
        analyses = analyzer.analyze(texts)
        matches = matcher.match(texts, k=3) if matcher is not None else [[] for _ in chunk]
        out: list[dict] = []
        for row, analysis, claim_hits in zip(chunk, analyses, matches):
            if getattr(analysis, "error", None) and analysis.category is None:
                summary.errors += 1
                continue
            out.append(_prediction_row(row, analysis, claim_hits, analyzer.model_version, now))
            summary.scored += 1
            cat = analysis.category.label
            summary.by_category[cat] = summary.by_category.get(cat, 0) + 1
            summary.flagged += out[-1]["flagged"]
            summary.support += out[-1]["support"]
        _save(settings, out)
        if progress:
            progress(min(start + batch_size, total), total)
    summary.seconds = time.perf_counter() - started
    return summary


def _prediction_row(row, analysis, claim_hits: Iterable, model_version: str, now: datetime) -> dict:
    cat, topic, tox = analysis.category, analysis.topic, analysis.toxicity
    routing = prio.route(cat.label, cat.proba, tox.label, tox.proba)
    when = row.published_at or row.fetched_at
    return {
        "item_id": row.id,
        "model_version": model_version,
        "created_at": now,
        "category": cat.label,
        "category_proba": float(cat.proba),
        "topic": topic.label,
        "topic_proba": float(topic.proba),
        "toxicity": tox.label,
        "toxicity_proba": float(tox.proba),
        "probabilities": {"category": cat.probs, "topic": topic.probs, "toxicity": tox.probs},
        "explanation": {
            "category": [[w, float(s)] for w, s in cat.explanation],
            "topic": [[w, float(s)] for w, s in topic.explanation],
            "toxicity": [[w, float(s)] for w, s in tox.explanation],
        },
        "facets": dict(analysis.facets or {}),
        "claim_matches": [{"claim_id": int(cid), "score": round(float(s), 4)} for cid, s in claim_hits],
        "flagged": routing.flagged,
        "support": routing.support,
        "priority": prio.priority(
            routing.confidence if routing.flagged else 0.0,
            row.likes or 0, row.comments or 0, row.shares or 0, when, row.weight or 1.0, now,
        ),
        "current": True,
    }


def _save(settings: Settings, rows: list[dict]) -> None:
    if not rows:
        return
    from triage.store import Store

    Store(settings).save_predictions(rows)


def print_progress(done: int, total: int) -> None:
    print(f"\rscoring {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

