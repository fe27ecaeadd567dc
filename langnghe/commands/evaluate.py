"""``langnghe evaluate``: score a model folder on a labelled file; JSON on stdout."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="đánh giá mô hình / evaluate a model on labelled data (JSON out)")
    p.add_argument("--model", required=True, help="model folder (models/<task>-<version>-<date>)")
    p.add_argument("--data", required=True, nargs="+", help="labelled CSV or JSONL file(s)")
    p.add_argument("--text-col", default="text")
    p.add_argument("--label-col", help="label column (default: category/topic for those tasks, else label)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings) -> int:
    import time

    from langnghe.errors import UserError
    from nlp.artifacts import load_artifact
    from nlp.datasets import read_labelled
    from nlp.metrics import evaluate_predictions

    artifact = load_artifact(args.model)
    label_col = args.label_col or (artifact.task if artifact.task in ("category", "topic") else "label")
    data = read_labelled(args.data, args.text_col, label_col)
    unknown = sorted(set(data.labels) - set(artifact.labels))
    if unknown:
        raise UserError(f"the data has labels the model does not know: {unknown[:10]} (model labels: "
                        f"{artifact.labels}). Check --label-col or use data for this task.")
    start = time.perf_counter()
    print(f"evaluating {artifact.name} on {len(data)} texts…", file=sys.stderr, flush=True)
    pred = list(artifact.pipeline.predict(data.texts))
    result = evaluate_predictions(data.labels, pred, artifact.labels)
    result["model"] = artifact.name
    result["skipped_rows"] = data.skipped
    print(json.dumps(result, ensure_ascii=False))
    print(f"macro-F1 {result['macro_f1']:.4f}, accuracy {result['accuracy']:.4f} on {len(data)} texts "
          f"in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    return 0
