"""``langnghe train``: train a new model artifact; it becomes current only if not worse."""

from __future__ import annotations

import argparse
import re
import sys

TASKS = ("category", "topic", "toxicity")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="huấn luyện mô hình / train a model (category, topic, toxicity)")
    p.add_argument("--task", choices=TASKS, help="which model to train")
    p.add_argument("--data", nargs="+", help="labelled CSV or JSONL file(s)")
    p.add_argument("--text-col", default="text")
    p.add_argument("--label-col", help="label column (default: the task name for category/topic, else label)")
    p.add_argument("--eval", nargs="+", help="evaluation file(s); default: a fixed 15%% hash slice of --data")
    p.add_argument("--out", help="artifact folder to write (default models/<task>-<version>-<date>)")
    p.add_argument("--version", help="version number (default: next patch version of the task)")
    p.add_argument("--no-promote", action="store_true", help="do not make the new model current")
    p.add_argument("--cv", type=int, default=0, help="also report N-fold cross-validation (0: off)")
    p.add_argument("--shipped", action="store_true",
                   help="rebuild all three shipped models (seed data + ViHOS) reproducibly")
    p.add_argument("--from-labels", action="store_true",
                   help="train candidates from the analysts' labels + seed data (never promoted; "
                        "an admin promotes on the dashboard's Models page)")
    p.set_defaults(func=run)


def next_version(models_dir, task: str) -> str:
    best = (0, 9, -1)
    for path in models_dir.glob(f"{task}-*"):
        m = re.match(rf"{task}-(\d+)\.(\d+)\.(\d+)-", path.name)
        if m:
            best = max(best, tuple(int(x) for x in m.groups()))
    if best == (0, 9, -1):
        return "1.0.0"
    return f"{best[0]}.{best[1]}.{best[2] + 1}"


def run(args: argparse.Namespace, settings) -> int:
    import json
    from pathlib import Path

    from langnghe.errors import UserError
    from nlp.datasets import read_labelled, vihos_files
    from nlp.training import train_task

    models_dir = Path(settings.models_dir)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if getattr(args, "from_labels", False):
        from triage.retrain import run_from_labels

        return run_from_labels(settings, args.task)
    if args.shipped:
        from nlp.train_shipped import SHIPPED_VERSION, build

        build(args.version or SHIPPED_VERSION, models_dir, list(TASKS), log=log)
        return 0
    if not args.task or not args.data:
        raise UserError("--task and --data are needed (or --shipped). "
                        "Example: langnghe train --task category --data data/seed/*.jsonl")
    label_col = args.label_col or (args.task if args.task in ("category", "topic") else "label")
    data = read_labelled(args.data, args.text_col, label_col)
    eval_data = read_labelled(args.eval, args.text_col, label_col) if args.eval else None
    eval_name = None
    if eval_data is None and args.task == "toxicity":
        try:
            dev = vihos_files()[1]
        except UserError:
            dev = None
        if dev is not None and all("vihos" in str(p) for p in args.data):
            eval_data, eval_name = read_labelled([dev], args.text_col, label_col), "ViHOS dev"
    if data.skipped:
        log(f"skipped {data.skipped} rows without text or label")
    version = args.version or next_version(models_dir, args.task)
    result = train_task(
        args.task, data, version=version, models_dir=models_dir, eval_data=eval_data, eval_set_name=eval_name,
        out=Path(args.out) if args.out else None, do_promote=not args.no_promote, cv_folds=args.cv,
        data_licence="as given by the user (check before shipping)", progress=log,
    )
    m = result.metrics
    print(json.dumps({"model": result.path.name, "path": str(result.path), "macro_f1": m["macro_f1"],
                      "accuracy": m["accuracy"], "per_class": m["per_class"],
                      "promoted": bool(result.promotion and result.promotion.promoted)}, ensure_ascii=False))
    if result.promotion:
        log(result.promotion.reason)
    else:
        log(f"saved {result.path}; not promoted (--no-promote or --out outside {models_dir}).")
    log(f"trained {result.path.name} on {result.n_train} texts in {result.train_seconds:.1f}s: "
        f"macro-F1 {m['macro_f1']:.4f} on {result.n_eval} held-out texts")
    return 0
