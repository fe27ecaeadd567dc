"""Run ``bench nlp`` on the five shared datasets (dev splits) and write the results table.

Usage (from the repository root):
    .venv/bin/python bench/nlp_all.py                 # all five, speed included
    .venv/bin/python bench/nlp_all.py --only vihsd --ablation
    .venv/bin/python bench/nlp_all.py --no-write      # print only

Each dataset is trained on ``train.csv`` and measured on ``dev.csv`` (test splits are
kept aside by the data's owners). Results go to ``bench/results/nlp_all.json`` and the
generated block of ``docs/nlp-benchmarks.md``. Research-only data is used here only to
measure the method; no model trained here is ever shipped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results" / "nlp_all.json"
DOC = ROOT / "docs" / "nlp-benchmarks.md"
BEGIN, END = "<!-- BEGIN GENERATED: bench/nlp_all.py -->", "<!-- END GENERATED -->"

DATASETS = {  # name: (label column, target macro-F1 on dev, plain TF-IDF+LR baseline macro-F1 on dev)
    "vihsd": ("label", 0.67, 0.6354),
    "victsd": ("toxicity", 0.72, 0.6865),
    "vsfc": ("sentiment", 0.78, 0.7738),
    "reintel": ("label", 0.80, 0.8361),
    "vihos": ("label", 0.90, 0.8805),
}

#: Ablations: what each normalisation step and feature family adds (vihsd by default).
ABLATIONS = {
    "project method": None,
    "- teencode dictionary": {"prepare": {"teencode": False}},
    "- all normalisation (NFC + lower case only)": {"prepare": {"full_normalize": False}},
    "- word segmentation (syllables as words)": {"prepare": {"segment_words": False}},
    "- word n-grams": {"words": None},
    "- shadow (diacritic-free) char n-grams": {"shadow": None},
    "- char n-grams with diacritics": {"chars": None},
    "- cross-word char n-grams": {"shadow": {"cross_words": False}, "chars": {"cross_words": False}},
    "- flags/facets": {"flags": None},
    "- decision tuning (macro-F1 shifts)": {"clf": {"tune": None}},
    "fallback model with accent-free syllable 1–2-grams (default 1–3)": {"shadow_words": {"ngram_range": [1, 2]}},
    "no word features at all (shadow chars + flags; fallback unchanged)": {"words": None, "chars": None},
    "plain baseline shape: LR only, no tuning": {"clf": {"models": ["mlr"], "tune": None, "cv": 0}},
    "+ balanced class weights (as in 1.0.0)": {"clf": {"class_weight": "balanced"}},
}


def bench_cli(train: Path, test: Path, col: str, params: dict | None = None, speed: bool = True) -> dict:
    """Run ``langnghe bench nlp`` in a fresh process (as a user would); parse the last line."""
    cmd = [sys.executable, "-m", "langnghe", "bench", "nlp", "--train", str(train), "--test", str(test),
           "--text-col", "text", "--label-col", col, "--json"]
    if params:
        cmd += ["--params", json.dumps(params)]
    if not speed:
        cmd.append("--no-speed")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"bench failed for {train}: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stripped_copy(path: Path) -> Path:
    """The same CSV with every diacritic removed from the text column."""
    import csv

    from nlp.normalize import strip_diacritics

    out = Path(tempfile.mkdtemp()) / f"{path.parent.name}-{path.stem}-nodiacritics.csv"
    with path.open(encoding="utf-8", newline="") as src, out.open("w", encoding="utf-8", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            row["text"] = strip_diacritics(row["text"] or "")
            writer.writerow(row)
    return out


def fmt(x, digits=3):
    return "—" if x is None else f"{x:.{digits}f}"


def table(results: dict) -> str:
    lines = [
        "| dataset (dev) | label | macro-F1 | target | met | plain baseline | accuracy | train s "
        "| predict docs/s | tokenize-only docs/s | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.get("datasets", {}).items():
        col, target, base = DATASETS[name]
        lines.append(
            f"| {name} | {col} | {fmt(r['macro_f1'])} | {target:.2f} | {'yes' if r['macro_f1'] >= target else 'no'} "
            f"| {fmt(base)} "
            f"| {fmt(r['accuracy'])} | {r['train_seconds']:.1f} | {r.get('predict_docs_per_second', 0):.0f} "
            f"| {r.get('tokenize_only_docs_per_second', 0):.0f} | {fmt(r.get('predict_to_tokenize_ratio'), 2)} |"
        )
    nod = results.get("vihsd_no_diacritics")
    if nod:
        lines += ["", f"ViHSD dev with every diacritic stripped (same model as above): macro-F1 "
                      f"{fmt(nod['macro_f1'])} vs {fmt(results['datasets']['vihsd']['macro_f1'])} with diacritics "
                      f"(cost {100 * (results['datasets']['vihsd']['macro_f1'] - nod['macro_f1']):.1f} points)."]
    abl = results.get("ablation")
    if abl:
        lines += ["", f"Ablation on {abl['dataset']} dev (macro-F1; each row removes one part):", "",
                  "| variant | macro-F1 | Δ vs method |", "|---|---|---|"]
        base = abl["rows"].get("project method")
        for variant, f1 in abl["rows"].items():
            delta = "" if base is None or variant == "project method" else f"{100 * (f1 - base):+.1f}"
            lines.append(f"| {variant} | {fmt(f1)} | {delta} |")
    lines += ["", f"Measured {results.get('when', '?')} on {results.get('machine', '?')}."]
    return "\n".join(lines)


def write_doc(results: dict) -> None:
    block = f"{BEGIN}\n{table(results)}\n{END}"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# NLP benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(DATASETS), help="run these datasets only")
    parser.add_argument("--ablation", action="store_true", help="also run the ablation table (on vihsd)")
    parser.add_argument("--ablation-dataset", default="vihsd", choices=list(DATASETS))
    parser.add_argument("--rows", nargs="+", choices=list(ABLATIONS),
                        help="with --ablation: run only these rows, keep the others from the saved results")
    parser.add_argument("--no-write", action="store_true", help="do not update results/doc files")
    parser.add_argument("--table-only", action="store_true", help="rewrite the doc table from the saved results")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.table_only:
        write_doc(results)
        print(table(results))
        return 0
    results.setdefault("datasets", {})
    for name in (args.only or list(DATASETS)) if not args.rows else []:
        col = DATASETS[name][0]
        print(f"[{name}] training and measuring…", file=sys.stderr, flush=True)
        r = bench_cli(SHARED / name / "train.csv", SHARED / name / "dev.csv", col)
        r.pop("per_class", None)
        results["datasets"][name] = r
        print(f"[{name}] macro-F1 {r['macro_f1']:.4f}", file=sys.stderr, flush=True)
        if name == "vihsd":
            stripped = stripped_copy(SHARED / "vihsd" / "dev.csv")
            nod = bench_cli(SHARED / "vihsd" / "train.csv", stripped, col, speed=False)
            results["vihsd_no_diacritics"] = {"macro_f1": nod["macro_f1"], "accuracy": nod["accuracy"]}
    if args.ablation:
        ds = args.ablation_dataset
        saved = results.get("ablation", {})
        rows = dict(saved.get("rows", {})) if args.rows and saved.get("dataset") == ds else {}
        for variant, params in ABLATIONS.items():
            if args.rows and variant not in args.rows:
                continue
            print(f"[ablation {ds}] {variant}…", file=sys.stderr, flush=True)
            rows[variant] = bench_cli(SHARED / ds / "train.csv", SHARED / ds / "dev.csv", DATASETS[ds][0],
                                      params=params, speed=False)["macro_f1"]
        results["ablation"] = {"dataset": ds, "rows": rows}
    results["when"] = time.strftime("%Y-%m-%d")
    results["machine"] = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    print(table(results))
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        write_doc(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
