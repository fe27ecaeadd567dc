"""Train-and-measure one labelled dataset with the project's method (``bench nlp``).

Speed is measured in the same process on the same test texts: the full pipeline from
raw text (normalise + segment + features + classifier) against underthesea's
``word_tokenize`` alone, interleaved three times, best run of each kept.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

from nlp.metrics import evaluate_predictions
from nlp.pipeline import build_pipeline


def _best_rates(fns: list[Callable[[], Any]], n: int, repeats: int = 3) -> list[float]:
    """docs/s of each function, best of ``repeats`` runs, runs interleaved so that a
    busy machine slows both measurements alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return [n / b if b > 0 else float("inf") for b in best]


def run_bench(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
    params: dict[str, Any] | None = None,
    speed: bool = True,
    progress: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Fit a fresh pipeline on train, score test; returns the bench JSON fields."""
    from underthesea import word_tokenize

    word_tokenize("khởi động")  # load the CRF model outside any timing
    pipeline = build_pipeline(params)
    progress(f"training on {len(train_texts)} texts")
    start = time.perf_counter()
    pipeline.fit(list(train_texts), list(train_labels))
    train_seconds = time.perf_counter() - start
    progress(f"trained in {train_seconds:.1f}s; predicting {len(test_texts)} texts")
    texts = list(test_texts)
    pred = list(pipeline.predict(texts))
    metrics = evaluate_predictions(list(test_labels), pred)
    out: dict[str, Any] = {
        "macro_f1": metrics["macro_f1"],
        "accuracy": metrics["accuracy"],
        "train_seconds": round(train_seconds, 2),
        "n_train": len(train_texts),
        "n_test": len(texts),
        "per_class": metrics["per_class"],
    }
    if speed:
        progress("timing prediction and tokenisation")
        tok_rate, pred_rate = _best_rates([lambda: [word_tokenize(t) for t in texts],
                                           lambda: pipeline.predict(texts)], len(texts))
        out["predict_docs_per_second"] = round(pred_rate, 1)
        out["tokenize_only_docs_per_second"] = round(tok_rate, 1)
        out["predict_to_tokenize_ratio"] = round(pred_rate / tok_rate, 3)
    return out
