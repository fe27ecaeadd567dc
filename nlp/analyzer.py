"""The interface the rest of the product calls: texts in, :class:`Analysis` out.

``Analyzer.load(models_dir)`` loads the current category, topic and toxicity models
(``models/CURRENT.json``); ``analyze(texts)`` normalises and segments each text once,
vectorises each model's features once per batch, and never fails the batch because
of one bad item: that item gets ``error`` set instead.

Reading an :class:`Analysis`: ``ok`` is True when predictions are present. ``error`` is
None for a clean item; it is set with predictions still present for a truncated text,
and with predictions None for empty or unreadable input.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nlp.artifacts import TASKS, Artifact, current_path, load_artifact
from nlp.features import MAX_CHARS, Preparer
from nlp.pipeline import Explainer
from nlp.segment import PreparedText

log = logging.getLogger(__name__)


@dataclass
class LabelPrediction:
    label: str
    proba: float
    probs: dict[str, float]
    explanation: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Analysis:
    category: LabelPrediction | None = None
    topic: LabelPrediction | None = None
    toxicity: LabelPrediction | None = None
    facets: dict[str, list[str]] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.category is not None


def check_text(text: Any) -> tuple[str, str | None, bool]:
    """(usable text, error or None, keep predicting?) for one raw input."""
    if text is None:
        return "", "empty text", False
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            return "", "binary data, not UTF-8 text", False
    if not isinstance(text, str):
        text = str(text)
    if not text.strip():
        return "", "empty text", False
    sample = text[:4000]
    junk = sum(1 for c in sample if (c < " " and c not in "\n\r\t") or c in "\ufffd\x7f" or "\ud800" <= c <= "\udfff")
    if junk > max(3, 0.1 * len(sample)):
        return "", "binary or unreadable data, not text", False
    if len(text) > MAX_CHARS:
        return text[:MAX_CHARS], f"text longer than {MAX_CHARS} characters; only the first {MAX_CHARS} were analysed", True
    return unicodedata.normalize("NFC", text), None, True


class Analyzer:
    """Category + topic + toxicity predictions with explanations, facets and flags."""

    def __init__(self, artifacts: dict[str, Artifact], explain_top: int = 5):
        missing = [t for t in TASKS if t not in artifacts]
        if missing:
            raise ValueError(f"missing models for {missing}")
        self.artifacts = artifacts
        self.explain_top = explain_top
        self._preparer = Preparer(max_chars=MAX_CHARS)
        self._explainers = {task: Explainer(a.pipeline) for task, a in artifacts.items()}

    @classmethod
    def load(cls, models_dir: Path) -> "Analyzer":
        """Load the current model of each task named in ``models_dir/CURRENT.json``."""
        return cls({task: load_artifact(current_path(Path(models_dir), task)) for task in TASKS})

    @property
    def model_version(self) -> str:
        return "+".join(self.artifacts[t].name for t in TASKS)

    # ------------------------------------------------------------------ internals
    def _prepare(self, texts: Sequence[str]) -> list[PreparedText | Exception]:
        try:
            return list(self._preparer.transform(texts))
        except Exception:  # noqa: BLE001 - one bad text must not sink the batch
            out: list[PreparedText | Exception] = []
            for text in texts:
                try:
                    out.append(self._preparer.transform([text])[0])
                except Exception as exc:  # noqa: BLE001
                    log.warning("could not prepare one text: %s", exc)
                    out.append(exc)
            return out

    def _predict_task(self, task: str, docs: list[PreparedText]) -> list[LabelPrediction | Exception]:
        pipeline = self.artifacts[task].pipeline
        features = pipeline.named_steps["features"]
        clf = pipeline.named_steps["clf"]
        labels = [str(c) for c in clf.classes_]
        try:
            # Texts are prepared once for all tasks; a task's own preparer only adjusts
            # them (toxicity drops the union's vocabulary), it does not segment again.
            docs = pipeline.named_steps["prepare"].transform(docs)
            X = features.transform(docs)
            P = clf.predict_proba(X)
        except Exception:  # noqa: BLE001 - retry item by item to isolate the bad one
            if len(docs) == 1:
                raise
            out: list[LabelPrediction | Exception] = []
            for doc in docs:
                try:
                    out.extend(self._predict_task(task, [doc]))
                except Exception as exc:  # noqa: BLE001
                    out.append(exc)
            return out
        explainer = self._explainers[task]
        X = X.tocsr()
        out = []
        for i, doc in enumerate(docs):
            k = int(np.argmax(P[i]))
            try:
                lo, hi = X.indptr[i], X.indptr[i + 1]
                explanation = explainer.explain_row(doc, (X.indices[lo:hi], X.data[lo:hi]), k, top=self.explain_top)
            except Exception as exc:  # noqa: BLE001 - an explanation is optional
                log.warning("explanation failed: %s", exc)
                explanation = []
            out.append(LabelPrediction(
                label=labels[k],
                proba=round(float(P[i, k]), 4),
                probs={lab: round(float(p), 4) for lab, p in zip(labels, P[i])},
                explanation=explanation,
            ))
        return out

    # ------------------------------------------------------------------ public
    def analyze(self, texts: Sequence[Any]) -> list[Analysis]:
        """One :class:`Analysis` per input, in order; never raises for a bad item."""
        results = [Analysis() for _ in texts]
        usable: list[int] = []
        clean: list[str] = []
        for i, raw in enumerate(texts):
            text, error, keep = check_text(raw)
            results[i].error = error
            if keep:
                usable.append(i)
                clean.append(text)
        if not usable:
            return results
        prepared = self._prepare(clean)
        good = [(i, doc) for i, doc in zip(usable, prepared) if isinstance(doc, PreparedText)]
        for i, doc in zip(usable, prepared):
            if not isinstance(doc, PreparedText):
                results[i].error = f"could not process this text ({doc.__class__.__name__})"
        if not good:
            return results
        docs = [doc for _, doc in good]
        for i, doc in good:
            results[i].facets = doc.facets
            results[i].flags = dict(doc.flags, truncated=bool(results[i].error))
        for task in TASKS:
            preds = self._predict_task(task, docs)
            for (i, _), pred in zip(good, preds):
                if isinstance(pred, Exception):
                    results[i].error = f"{task} model failed on this text ({pred.__class__.__name__})"
                    continue
                setattr(results[i], task, pred)
        for i, _ in good:  # all-or-nothing per item: partial predictions would mislead
            r = results[i]
            if r.category is None or r.topic is None or r.toxicity is None:
                r.category = r.topic = r.toxicity = None
        return results
