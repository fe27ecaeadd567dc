"""Model artifacts: immutable folders ``models/<task>-<version>-<date>/`` and CURRENT.json.

Each folder holds ``model.skops`` (the fitted pipeline; skops, loaded with an explicit
list of trusted types, never arbitrary pickle), ``metadata.json`` (data files with
sha256, library versions, parameters, metrics on the fixed evaluation set, the model
file's sha256) and ``MODEL_CARD.md``. ``models/CURRENT.json`` names the artifact in
use per task; :func:`promote` only replaces it with one that is not worse on the
fixed evaluation set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from langnghe.errors import UserError
from nlp.datasets import DataFile, sha256_file

#: 2: the no-diacritics flag is judged before teencode; new classifier parameters.
FORMAT_VERSION = 2
MODEL_FILE = "model.skops"
CURRENT_FILE = "CURRENT.json"
TASKS = ("category", "topic", "toxicity")

#: The only non-standard types a model file may contain (checked on save and load).
TRUSTED_TYPES = [
    "nlp.features.Preparer",
    "nlp.features.NgramVectorizer",
    "nlp.features.FlagVectorizer",
    "nlp.linear.LinearEnsemble",
    "nlp.pipeline.TextPipeline",
]


@dataclass
class Artifact:
    path: Path
    pipeline: Any
    metadata: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def task(self) -> str:
        return self.metadata["task"]

    @property
    def labels(self) -> list[str]:
        return list(self.metadata["labels"])


def library_versions() -> dict[str, str]:
    import numpy
    import scipy
    import sklearn
    import skops

    versions = {"python": platform.python_version(), "sklearn": sklearn.__version__,
                "numpy": numpy.__version__, "scipy": scipy.__version__, "skops": skops.__version__}
    try:
        import underthesea

        versions["underthesea"] = underthesea.__version__
    except Exception:  # noqa: BLE001
        versions["underthesea"] = "unknown"
    return versions


def artifact_name(task: str, version: str, date: str | None = None) -> str:
    return f"{task}-{version}-{date or dt.date.today().isoformat()}"


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def save_artifact(
    pipeline: Any,
    *,
    task: str,
    version: str,
    models_dir: Path,
    labels: Sequence[str],
    data_files: Sequence[DataFile],
    params: dict[str, Any],
    metrics: dict[str, Any],
    eval_set: str,
    data_licence: str,
    extra: dict[str, Any] | None = None,
    date: str | None = None,
    out: Path | None = None,
) -> Path:
    """Write a new artifact folder; refuse to overwrite an existing one."""
    import skops.io as sio

    target = Path(out) if out else Path(models_dir) / artifact_name(task, version, date)
    if target.exists():
        raise UserError(
            f"model folder {target} already exists and artifacts are never overwritten. "
            "Choose another --version (or --out), or delete that folder yourself if it is unused."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model_path = tmp / MODEL_FILE
        sio.dump(pipeline, model_path, compression=8)  # zipfile.ZIP_DEFLATED
        untrusted = set(sio.get_untrusted_types(file=model_path)) - set(TRUSTED_TYPES)
        if untrusted:
            raise RuntimeError(f"model contains types outside TRUSTED_TYPES: {sorted(untrusted)}")
        metadata = {
            "format_version": FORMAT_VERSION,
            "name": target.name,
            "task": task,
            "version": version,
            "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "labels": list(labels),
            "data": [asdict(f) for f in data_files],
            "data_licence": data_licence,
            "eval_set": eval_set,
            "libraries": library_versions(),
            "parameters": params,
            "metrics": metrics,
            "model_file": MODEL_FILE,
            "model_sha256": sha256_file(model_path),
            **(extra or {}),
        }
        (tmp / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False, indent=2, default=str) + "\n",
                                           encoding="utf-8")
        (tmp / "MODEL_CARD.md").write_text(model_card(metadata), encoding="utf-8")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def read_metadata(path: Path) -> dict[str, Any]:
    meta_path = Path(path) / "metadata.json"
    if not meta_path.is_file():
        raise UserError(f"{path} is not a model folder (no metadata.json). Point to a folder under models/.")
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{meta_path} is damaged ({exc.msg}). Retrain with `langnghe train`.") from exc


def check_compatible(metadata: dict[str, Any], path: Path) -> None:
    import sklearn

    name = metadata.get("name", Path(path).name)
    task = metadata.get("task", "category")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise UserError(
            f"model {name} has artifact format {metadata.get('format_version')}; this installation reads "
            f"format {FORMAT_VERSION}. Retrain with `langnghe train --task {task}`."
        )
    made_with = metadata.get("libraries", {}).get("sklearn", "?")
    if _major_minor(made_with) != _major_minor(sklearn.__version__):
        raise UserError(
            f"model {name} was made with scikit-learn {made_with}; this installation has "
            f"{sklearn.__version__}. Retrain with `langnghe train --task {task}`."
        )


def load_artifact(path: Path | str) -> Artifact:
    """Load and verify an artifact (format, sklearn version, checksum, trusted types)."""
    import skops.io as sio

    path = Path(path)
    metadata = read_metadata(path)
    check_compatible(metadata, path)
    model_path = path / metadata.get("model_file", MODEL_FILE)
    if not model_path.is_file():
        raise UserError(f"model file {model_path} is missing. Retrain with `langnghe train --task {metadata['task']}`.")
    if sha256_file(model_path) != metadata.get("model_sha256"):
        raise UserError(
            f"model file {model_path} does not match its recorded checksum (changed or damaged). "
            f"Restore it or retrain with `langnghe train --task {metadata['task']}`."
        )
    untrusted = set(sio.get_untrusted_types(file=model_path)) - set(TRUSTED_TYPES)
    if untrusted:
        raise UserError(
            f"model file {model_path} contains types that are not trusted ({', '.join(sorted(untrusted))}). "
            "Do not use it; retrain with `langnghe train`."
        )
    pipeline = sio.load(model_path, trusted=TRUSTED_TYPES)
    return Artifact(path=path, pipeline=pipeline, metadata=metadata)


# --------------------------------------------------------------------------- current
def read_current(models_dir: Path) -> dict[str, str]:
    path = Path(models_dir) / CURRENT_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path} is damaged ({exc.msg}). Fix it or re-run `langnghe train --shipped`.") from exc
    return {k: v for k, v in data.items() if isinstance(v, str)}


def current_path(models_dir: Path, task: str) -> Path:
    current = read_current(models_dir)
    if task not in current:
        raise UserError(
            f"no current {task} model in {models_dir} (no entry in {CURRENT_FILE}). "
            f"Train one with `langnghe train --task {task}` or `langnghe train --shipped`."
        )
    path = Path(models_dir) / current[task]
    if not path.is_dir():
        raise UserError(f"current {task} model {path} is missing. Restore it or retrain with `langnghe train --task {task}`.")
    return path


def _write_current(models_dir: Path, current: dict[str, str]) -> None:
    path = Path(models_dir) / CURRENT_FILE
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(dict(sorted(current.items())), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Promotion:
    promoted: bool
    reason: str
    new_macro_f1: float
    current_macro_f1: float | None = None


def promote(
    task: str,
    path: Path,
    models_dir: Path,
    eval_texts: Sequence[str] | None = None,
    eval_labels: Sequence[str] | None = None,
    force: bool = False,
) -> Promotion:
    """Make ``path`` the current ``task`` model unless it is worse on the fixed eval set.

    Both models are scored on the same texts (given, or the new artifact's recorded
    score when no texts are given and the old one recorded the same eval set).
    """
    from nlp.metrics import evaluate_predictions

    path, models_dir = Path(path), Path(models_dir)
    new = load_artifact(path)
    if eval_texts is not None:
        new_f1 = evaluate_predictions(list(eval_labels), list(new.pipeline.predict(list(eval_texts))))["macro_f1"]
    else:
        new_f1 = float(new.metadata["metrics"]["macro_f1"])
    current = read_current(models_dir)
    old_f1: float | None = None
    if task in current and current[task] != path.name and not force:
        old_dir = models_dir / current[task]
        try:
            old = load_artifact(old_dir)
        except UserError as exc:
            old = None
            reason_old = str(exc)
        if old is not None:
            if eval_texts is not None:
                old_f1 = evaluate_predictions(list(eval_labels), list(old.pipeline.predict(list(eval_texts))))["macro_f1"]
            elif old.metadata.get("eval_set") == new.metadata.get("eval_set"):
                old_f1 = float(old.metadata["metrics"]["macro_f1"])
            if old_f1 is not None and new_f1 + 1e-9 < old_f1:
                return Promotion(False, (
                    f"not promoted: {path.name} scores macro-F1 {new_f1:.4f} on the fixed evaluation set, "
                    f"worse than the current {old_dir.name} ({old_f1:.4f}). Keep the current model, or "
                    "improve the training data and train again."), new_f1, old_f1)
        else:
            reason_old = reason_old.split(". ")[0]
    current[task] = path.name
    _write_current(models_dir, current)
    detail = f" (was {old_f1:.4f})" if old_f1 is not None else ""
    return Promotion(True, f"promoted: {path.name} is now the current {task} model, macro-F1 {new_f1:.4f}{detail}.",
                     new_f1, old_f1)


# --------------------------------------------------------------------------- model card
_PURPOSE = {
    "category": ("Phân loại nội dung: tin sai lệch, lừa đảo, phản ánh/khiếu nại, phê bình, trung tính, tích cực.",
                 "Sorts posts into misinformation, scam, grievance, criticism, neutral, positive."),
    "topic": ("Xác định chủ đề chính của nội dung (lương, bảo hiểm, an toàn lao động...).",
              "Names the main topic of a post (wages, social insurance, safety...)."),
    "toxicity": ("Nhận diện bình luận xúc phạm, thô tục.", "Flags offensive or abusive comments."),
}


def model_card(meta: dict[str, Any]) -> str:
    m = meta["metrics"]
    vi, en = _PURPOSE.get(meta["task"], ("", ""))
    rows = "\n".join(
        f"| {lab} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
        for lab, v in m.get("per_class", {}).items()
    )
    data = "\n".join(f"- `{Path(d['path']).name}`: {d['rows']} rows, sha256 `{d['sha256'][:16]}…`" for d in meta["data"])
    extra = ""
    if meta.get("decision_rule"):
        extra = f"\n## Quy tắc quyết định / Decision rule\n\n{meta['decision_rule']}\n"
    cv = ""
    if meta.get("cv_metrics"):
        cv = f"\nKiểm định chéo / cross-validation: macro-F1 {meta['cv_metrics'].get('macro_f1')}" \
             f" ({meta['cv_metrics'].get('folds')} folds).\n"
    return f"""# {meta['name']}

## Tóm tắt (tiếng Việt)

{vi}
Mô hình tuyến tính (hồi quy logistic + SVM tuyến tính, trọng số Naive Bayes) trên từ đã
tách (underthesea) và n-gram ký tự của văn bản bỏ dấu. Chạy hoàn toàn ngoại tuyến.
Kết quả là **gợi ý cho cán bộ**, không phải kết luận: người xem luôn quyết định.
Macro-F1 trên tập đánh giá cố định: **{m['macro_f1']:.3f}**.

## Summary (English)

{en} A linear model on segmented words and diacritic-free character n-grams, with
explanations (the words that pushed the prediction). Offline only.

## Intended use

Triage support for the communications office of the Lai Châu Labour Federation: rank and
group public posts for a person to read. Not for decisions about individual people,
not for automatic removal or reporting of content.

## Data

{data}

Licence of the data: {meta['data_licence']}.
Evaluation set: {meta['eval_set']}.

## Metrics (evaluation set, n = {m.get('n', '?')})

macro-F1 {m['macro_f1']:.4f}, accuracy {m['accuracy']:.4f}.
{cv}
| label | precision | recall | F1 | support |
|---|---|---|---|---|
{rows}
{extra}
## Limits

- Trained on short Vietnamese social-media text; long articles, other languages and
  heavy dialect or code-switching are less reliable.
- Probabilities are calibrated on out-of-fold training scores, then shifted by the
  decision rule; treat them as a ranking signal, not exact odds.
- Sarcasm, images and context outside the text are not seen.
- Made with scikit-learn {meta['libraries'].get('sklearn')}; other minor versions refuse to load it.

## Parameters

```json
{json.dumps(meta['parameters'], ensure_ascii=False, indent=2, default=str)}
```
"""
