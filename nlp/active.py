"""Choose which unlabelled texts a person should label next (active learning).

Why uncertainty + diversity: the most uncertain texts alone are often near-duplicates
(one rumour shared a hundred times); labelling one of them teaches the model as much
as labelling all. So the most uncertain ``pool`` texts are taken (smallest margin
between the two top classes), then picked farthest-first in the model's own TF-IDF
space (a deterministic k-means++ style seeding), weighting distance by uncertainty.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def margins(proba: np.ndarray) -> np.ndarray:
    """1 − (p_top1 − p_top2): 1 means a coin flip, 0 means certain."""
    if proba.shape[1] < 2:
        return np.zeros(len(proba))
    top = np.sort(proba, axis=1)[:, -2:]
    return 1.0 - (top[:, 1] - top[:, 0])


def select_for_labelling(pipeline: Any, texts: Sequence[str], k: int, pool: int = 5000) -> list[int]:
    """Indices (into ``texts``) of ``k`` uncertain and mutually different texts."""
    n = len(texts)
    if k <= 0 or n == 0:
        return []
    docs = pipeline.named_steps["prepare"].transform(list(texts))
    X = pipeline.named_steps["features"].transform(docs).tocsr()
    uncertainty = margins(pipeline.named_steps["clf"].predict_proba(X))
    candidates = np.argsort(-uncertainty, kind="stable")[: max(pool, k)]
    Xc = X[candidates]
    norms = np.sqrt(np.asarray(Xc.multiply(Xc).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    Xc = Xc.multiply(1.0 / norms[:, None]).tocsr()
    weight = uncertainty[candidates] + 1e-6
    chosen = [0]  # the most uncertain text first
    min_dist = 1.0 - np.asarray((Xc @ Xc[0].T).todense()).ravel()
    min_dist[0] = -1.0
    while len(chosen) < min(k, len(candidates)):
        j = int(np.argmax(np.clip(min_dist, 0, None) * weight + (min_dist >= 0) * 1e-12))
        if min_dist[j] < 0:
            break
        chosen.append(j)
        dist = 1.0 - np.asarray((Xc @ Xc[j].T).todense()).ravel()
        min_dist = np.minimum(min_dist, dist)
        min_dist[chosen] = -1.0
    return [int(candidates[j]) for j in chosen]
