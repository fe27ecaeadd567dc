"""Rebuild the three shipped models reproducibly: ``python -m nlp.train_shipped``.

- toxicity: ViHOS train (MIT licence), evaluated on ViHOS dev.
- category: the project's seed data (``data/seed/*.jsonl``), fixed hash hold-out + 5-fold CV.
- topic: the same seed data, ``topic`` column.

Only data whose licence allows shipping is used (never the research-only sets).
Same data + same library versions give the same models (fixed seeds).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nlp.datasets import read_labelled, seed_files, vihos_files
from nlp.training import train_task

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
SEED_LICENCE = "project's own seed data (written for Lắng Nghe; ships with the product)"


def build(version: str, models_dir: Path, tasks: list[str], date: str | None = None, cv: int = 5,
          log=lambda msg: print(msg, file=sys.stderr)) -> dict[str, object]:
    results = {}
    if "toxicity" in tasks:
        train_file, dev_file = vihos_files()
        results["toxicity"] = train_task(
            "toxicity", read_labelled([train_file], "text", "label"), version=version, models_dir=models_dir,
            eval_data=read_labelled([dev_file], "text", "label"), eval_set_name="ViHOS dev (1,106 rows)",
            data_licence="MIT (ViHOS, Hoang et al. 2023, repo phusroyal/ViHOS)", date=date, progress=log)
    for task in ("category", "topic"):
        if task in tasks:
            data = read_labelled(seed_files(), "text", task)
            results[task] = train_task(
                task, data, version=version, models_dir=models_dir, data_licence=SEED_LICENCE,
                eval_set_name="fixed 15% hash slice of data/seed", date=date, cv_folds=cv, progress=log)
    for task, res in results.items():
        line = f"{task}: {res.path.name} macro-F1 {res.metrics['macro_f1']:.4f} (n={res.n_eval})"
        if res.promotion:
            line += f"; {res.promotion.reason}"
        log(line)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--date", help="date part of the folder names (default today)")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--tasks", default="toxicity,category,topic")
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds for seed tasks (0: none)")
    args = parser.parse_args(argv)
    build(args.version, args.models_dir, args.tasks.split(","), args.date, args.cv)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
