"""Rebuild the three shipped models reproducibly: ``python -m nlp.train_shipped``.

- toxicity: ViHOS train (MIT licence) + the seed's neutral/positive texts as clean, evaluated on ViHOS dev.
- category: the project's seed data (``data/seed/*.jsonl``), fixed hash hold-out + 5-fold CV.
- topic: the same seed data, ``topic`` column.

Only data whose licence allows shipping is used (never the research-only sets).
Same data + same library versions give the same models (fixed seeds).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nlp.datasets import LabelledData, read_labelled, seed_files, vihos_files
from nlp.training import train_task

#: Version of the models that ship with the product (1.1.0: artifact format 2).
SHIPPED_VERSION = "1.1.0"
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
SEED_LICENCE = "project's own seed data (written for Lắng Nghe; ships with the product)"


def calm_seed_texts() -> LabelledData:
    """The seed's neutral and positive texts (news, notices, thanks), labelled ``clean``.

    ViHOS is general social-media chatter; without these the toxicity model has never
    seen a calm news item about the union and reads its formal words as offensive
    (1.0.0 flagged 0.8+ on plain news in the demo).
    """
    files = [f for f in seed_files() if f.stem in ("neutral", "positive")]
    calm = read_labelled(files, "text", "category")
    calm.labels = ["clean"] * len(calm)
    return calm


def build(version: str, models_dir: Path, tasks: list[str], date: str | None = None, cv: int = 5,
          log=lambda msg: print(msg, file=sys.stderr)) -> dict[str, object]:
    results = {}
    if "toxicity" in tasks:
        train_file, dev_file = vihos_files()
        data = read_labelled([train_file], "text", "label")
        data.extend(calm_seed_texts())
        results["toxicity"] = train_task(
            "toxicity", data, version=version, models_dir=models_dir,
            eval_data=read_labelled([dev_file], "text", "label"), eval_set_name="ViHOS dev (1,106 rows)",
            data_licence=f"MIT (ViHOS, Hoang et al. 2023, repo phusroyal/ViHOS) + {SEED_LICENCE}",
            date=date, progress=log)
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
    parser.add_argument("--version", default=SHIPPED_VERSION)
    parser.add_argument("--date", help="date part of the folder names (default today)")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--tasks", default="toxicity,category,topic")
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds for seed tasks (0: none)")
    args = parser.parse_args(argv)
    build(args.version, args.models_dir, args.tasks.split(","), args.date, args.cv)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
