"""Labelled data files (CSV or JSONL) and the fixed, hash-based evaluation split.

Why hash-based: the evaluation slice of the seed data must stay the same as files
grow and get reordered, so membership depends only on the text itself.
"""

from __future__ import annotations

import csv
import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from langnghe.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "data" / "seed"
#: Public datasets shared beside the repository (read-only, never copied in).
SHARED_DATA = ROOT.parent / "shared" / "data"
SEED_CATEGORIES = ("misinformation", "scam", "grievance", "criticism", "neutral", "positive")
#: Percentage of seed texts held out (by text hash) as the fixed evaluation set.
EVAL_PERCENT = 15


@dataclass
class DataFile:
    path: str
    sha256: str
    rows: int


@dataclass
class LabelledData:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    files: list[DataFile] = field(default_factory=list)
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.texts)

    def extend(self, other: "LabelledData") -> None:
        self.texts += other.texts
        self.labels += other.labels
        self.files += other.files
        self.skipped += other.skipped


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _rows(path: Path) -> Iterable[dict]:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UserError(f"{path}:{lineno} is not valid JSON ({exc.msg}). Fix or remove that line.") from exc
                if isinstance(row, dict):
                    yield row
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield from csv.DictReader(fh)


def read_labelled(paths: Sequence[Path | str], text_col: str = "text", label_col: str = "label") -> LabelledData:
    """Read texts and labels from CSV/JSONL files; rows without text or label are skipped."""
    out = LabelledData()
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise UserError(f"data file {path} does not exist. Check the path.")
        part = LabelledData()
        seen_cols: set[str] = set()
        try:
            for row in _rows(path):
                seen_cols.update(row.keys())
                text, label = row.get(text_col), row.get(label_col)
                if text is None or label is None or str(text).strip() == "" or str(label).strip() == "":
                    part.skipped += 1
                    continue
                part.texts.append(unicodedata.normalize("NFC", str(text)))
                part.labels.append(str(label).strip())
        except UnicodeDecodeError as exc:
            raise UserError(f"{path} is not UTF-8 text ({exc.reason}). Convert it to UTF-8.") from exc
        if not part.texts:
            cols = ", ".join(sorted(seen_cols)) or "none"
            raise UserError(
                f"{path} has no rows with both {text_col!r} and {label_col!r} (columns found: {cols}). "
                "Use --text-col/--label-col to name the right columns."
            )
        part.files.append(DataFile(str(path), sha256_file(path), len(part.texts)))
        out.extend(part)
    return out


def in_eval_slice(text: str, percent: int = EVAL_PERCENT) -> bool:
    """True for the fixed held-out slice: depends only on the folded text."""
    folded = " ".join(unicodedata.normalize("NFC", text).lower().split())
    return int(hashlib.sha256(folded.encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


def split_fixed(data: LabelledData, percent: int = EVAL_PERCENT) -> tuple[LabelledData, LabelledData]:
    """(train, eval) by text hash; duplicates always land on the same side."""
    train, held = LabelledData(files=list(data.files)), LabelledData(files=list(data.files))
    for text, label in zip(data.texts, data.labels):
        target = held if in_eval_slice(text, percent) else train
        target.texts.append(text)
        target.labels.append(label)
    return train, held


def seed_files(seed_dir: Path = SEED_DIR) -> list[Path]:
    files = [seed_dir / f"{c}.jsonl" for c in SEED_CATEGORIES if (seed_dir / f"{c}.jsonl").is_file()]
    if not files:
        raise UserError(f"no seed data in {seed_dir}. Add data/seed/<category>.jsonl files first.")
    return files


def vihos_files() -> tuple[Path, Path]:
    train, dev = SHARED_DATA / "vihos" / "train.csv", SHARED_DATA / "vihos" / "dev.csv"
    if not train.is_file() or not dev.is_file():
        raise UserError(f"ViHOS data not found under {SHARED_DATA / 'vihos'}. Put the shared data beside the repository.")
    return train, dev
