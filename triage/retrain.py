"""Retrain from the analysts' labels: build the set, train a candidate, compare, promote.

The training set of a task is the seed data plus, for every labelled item, the
*latest* label of that task (a later correction replaces an earlier one); a seed text
that an analyst labelled counts once, with the analyst's label. The labels used are
written to ``<home>/training/labels-<task>-<time>.jsonl`` so the candidate's metadata
can name them with their sha256 like any other data file.

Evaluation is the fixed 15 % hash slice of that combined set (the same rule as the
shipped models, so seed texts the current model never saw stay unseen), and the
current model is scored on exactly the same texts: the Models page compares like with
like. A candidate is never promoted here; an admin promotes it (or rolls back) on the
Models page, and every step is written to the audit log.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from langnghe.errors import UserError
from langnghe.records import utcnow
from langnghe.settings import Settings
from triage.db import session_scope
from triage.models import AuditLog, Item, Label
from triage.vocabulary import CATEGORY_NAMES, TOPIC_NAMES
from triage.workflow import Actor, require_admin

#: Tasks the Label page collects and that can be retrained from labels.
TASKS = ("category", "topic")
KNOWN = {"category": set(CATEGORY_NAMES), "topic": set(TOPIC_NAMES)}
MAX_TEXT_CHARS = 20_000


@dataclass
class TrainingSet:
    task: str
    train: Any  # nlp.datasets.LabelledData
    held: Any
    n_seed: int
    n_labels: int
    skipped_labels: int
    labels_file: Path | None


@dataclass
class Candidate:
    task: str
    name: str
    path: Path
    metrics: dict[str, Any]
    current_name: str | None
    current_metrics: dict[str, Any] | None
    n_train: int
    n_eval: int
    n_labels: int
    eval_set: str = ""
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        f1 = self.metrics["macro_f1"]
        if self.current_metrics is not None:
            cmp = (f"current {self.current_name} {self.current_metrics['macro_f1']:.4f} on the same "
                   f"{self.n_eval} held-out texts")
        else:
            cmp = "no current model to compare with"
        return (f"candidate {self.name}: macro-F1 {f1:.4f} vs {cmp}; trained on {self.n_train} texts "
                f"({self.n_labels} from labels). Not promoted: an admin promotes it on the Models page.")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def latest_labels(session, task: str) -> list[tuple[int, str, str]]:
    """(item id, text, value) of the latest label of ``task`` on each labelled item."""
    rows = session.execute(
        select(Label.item_id, Label.value, Item.title, Item.text)
        .join(Item, Item.id == Label.item_id)
        .where(Label.task == task)
        .order_by(Label.item_id, Label.created_at, Label.id)
    ).all()
    latest: dict[int, tuple[str, str]] = {}
    for item_id, value, title, text in rows:
        body = f"{title}\n{text}" if title and title not in (text or "") else (text or "")
        latest[item_id] = (body[:MAX_TEXT_CHARS], value)
    return [(item_id, text, value) for item_id, (text, value) in latest.items()]


def build_training_set(settings: Settings, task: str, seed_dir: Path | None = None,
                       stamp: str | None = None) -> TrainingSet:
    from nlp.datasets import SEED_DIR, DataFile, LabelledData, read_labelled, seed_files, sha256_file, split_fixed

    if task not in TASKS:
        raise UserError(f"cannot retrain {task!r} from labels. Use one of: {', '.join(TASKS)}.")
    seed = read_labelled(seed_files(seed_dir or SEED_DIR), "text", task)
    with session_scope(settings, write=False) as session:
        labelled = latest_labels(session, task)
    usable = [(i, t, v) for i, t, v in labelled if t.strip() and v in KNOWN[task]]
    skipped = len(labelled) - len(usable)
    labels_file = None
    combined = LabelledData(files=list(seed.files), skipped=seed.skipped)
    taken = {_fold(t) for _, t, _ in usable}
    for text, label in zip(seed.texts, seed.labels):
        if _fold(text) not in taken:
            combined.texts.append(text)
            combined.labels.append(label)
    n_seed = len(combined)
    if usable:
        folder = settings.ensure_home() / "training"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = stamp or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        labels_file = folder / f"labels-{task}-{stamp}.jsonl"
        with labels_file.open("w", encoding="utf-8") as fh:
            for item_id, text, value in usable:
                fh.write(json.dumps({"item_id": item_id, "text": text, task: value}, ensure_ascii=False) + "\n")
        combined.files.append(DataFile(str(labels_file), sha256_file(labels_file), len(usable)))
        for _, text, value in usable:
            combined.texts.append(unicodedata.normalize("NFC", text))
            combined.labels.append(value)
    train, held = split_fixed(combined)
    return TrainingSet(task, train, held, n_seed, len(usable), skipped, labels_file)


def next_version(models_dir: Path, task: str) -> str:
    """One patch version above the highest artifact of the task (1.0.0 when none)."""
    best: tuple[int, int, int] | None = None
    for path in Path(models_dir).glob(f"{task}-*"):
        m = re.match(rf"{task}-(\d+)\.(\d+)\.(\d+)-", path.name)
        if m:
            version = tuple(int(x) for x in m.groups())
            best = version if best is None or version > best else best
    if best is None:
        return "1.0.0"
    return f"{best[0]}.{best[1]}.{best[2] + 1}"


def train_candidate(settings: Settings, tasks: tuple[str, ...] = TASKS, seed_dir: Path | None = None,
                    progress: Callable[[str], None] = lambda _m: None, actor: str = "cli") -> list[Candidate]:
    """Train one candidate per task from seed data + labels; compare; never promote."""
    from nlp.artifacts import current_path, load_artifact
    from nlp.metrics import evaluate_predictions
    from nlp.training import train_task

    models_dir = Path(settings.models_dir)
    out: list[Candidate] = []
    sets = {}
    for task in tasks:
        ts = build_training_set(settings, task, seed_dir)
        if ts.n_labels == 0:
            progress(f"{task}: no usable labels yet ({ts.skipped_labels} skipped); nothing to train")
            continue
        sets[task] = ts
    if not sets:
        raise UserError("there are no labels to learn from yet. Label items on the dashboard's Label page, "
                        "then run `langnghe train --from-labels` again.")
    for task, ts in sets.items():
        eval_name = f"fixed 15% hash slice of seed data + analysts' labels ({ts.n_labels} labelled items)"
        progress(f"{task}: {len(ts.train)} training texts ({ts.n_labels} from labels), {len(ts.held)} held out")
        result = train_task(
            task, ts.train, version=next_version(models_dir, task), models_dir=models_dir, eval_data=ts.held,
            eval_set_name=eval_name, do_promote=False, progress=progress,
            data_licence="project seed data + the office's own labels (internal; not for redistribution)",
        )
        held_texts, held_labels = list(ts.held.texts), list(ts.held.labels)
        metrics = result.metrics
        if held_texts:  # both models scored by the same function on the same texts
            metrics = evaluate_predictions(held_labels, list(load_artifact(result.path).pipeline.predict(held_texts)))
        current_name, current_metrics = None, None
        try:
            current = load_artifact(current_path(models_dir, task))
            current_name = current.name
            if held_texts:
                current_metrics = evaluate_predictions(held_labels, list(current.pipeline.predict(held_texts)))
        except UserError as exc:
            progress(f"{task}: no current model to compare with ({exc})")
        cand = Candidate(task, result.path.name, result.path, metrics, current_name, current_metrics,
                         result.n_train, result.n_eval, ts.n_labels, eval_name)
        _audit(settings, actor, "model.candidate", {
            "task": task, "candidate": cand.name, "current": current_name, "eval_set": eval_name,
            "n_train": cand.n_train, "n_eval": cand.n_eval, "n_labels": ts.n_labels,
            "candidate_metrics": _brief(metrics), "current_metrics": _brief(current_metrics),
        })
        progress(cand.line())
        out.append(cand)
    return out


def _brief(metrics: dict[str, Any] | None) -> dict[str, Any] | None:
    """The numbers worth comparing: macro-F1, accuracy, n and F1 per class."""
    if metrics is None:
        return None
    per = {k: round(float(v.get("f1", 0.0)), 4) for k, v in (metrics.get("per_class") or {}).items()
           if isinstance(v, dict)}
    return {"macro_f1": round(float(metrics.get("macro_f1", 0.0)), 4),
            "accuracy": round(float(metrics.get("accuracy", 0.0)), 4), "n": metrics.get("n"), "f1": per}


def _audit(settings: Settings, actor: str, action: str, detail: dict[str, Any]) -> None:
    with session_scope(settings) as session:
        session.add(AuditLog(at=utcnow(), actor=actor, action=action, detail=detail))


# --- the Models page --------------------------------------------------------------------------
def artifacts_of(settings: Settings, task: str) -> list[dict[str, Any]]:
    """Every artifact folder of a task, newest first, with its recorded metrics and role."""
    from nlp.artifacts import read_current, read_metadata

    models_dir = Path(settings.models_dir)
    current = read_current(models_dir).get(task)
    out = []
    for meta_path in models_dir.glob(f"{task}-*/metadata.json"):
        try:
            meta = read_metadata(meta_path.parent)
        except UserError:
            continue
        m = meta.get("metrics") or {}
        out.append({"name": meta_path.parent.name, "version": meta.get("version"), "created": meta.get("created"),
                    "macro_f1": m.get("macro_f1"), "accuracy": m.get("accuracy"), "n_eval": m.get("n"),
                    "eval_set": meta.get("eval_set"), "current": meta_path.parent.name == current})
    return sorted(out, key=lambda a: (a["created"] or "", a["name"]), reverse=True)


def comparisons(session, task: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Candidate-vs-current comparisons recorded at training time, newest first."""
    rows = session.execute(
        select(AuditLog.at, AuditLog.actor, AuditLog.detail)
        .where(AuditLog.action == "model.candidate").order_by(AuditLog.id.desc()).limit(limit)
    ).all()
    out = []
    for at, actor, detail in rows:
        if task is None or (detail or {}).get("task") == task:
            out.append({"at": at, "actor": actor, **(detail or {})})
    return out


def model_history(session, task: str, limit: int = 20) -> list[dict[str, Any]]:
    rows = session.execute(
        select(AuditLog.at, AuditLog.actor, AuditLog.action, AuditLog.detail)
        .where(AuditLog.action.in_(("model.promote", "model.rollback"))).order_by(AuditLog.id.desc()).limit(200)
    ).all()
    return [{"at": at, "actor": actor, "action": action, **(detail or {})}
            for at, actor, action, detail in rows if (detail or {}).get("task") == task][:limit]


def promote_candidate(settings: Settings, actor: Actor, task: str, name: str, force: bool = False):
    """Make ``name`` the current model of ``task`` (admin). Refused when it scores worse
    than the current model on the same evaluation, unless ``force``."""
    from nlp.artifacts import load_artifact, promote, read_current

    require_admin(actor)
    models_dir = Path(settings.models_dir)
    path = _artifact_path(models_dir, task, name)
    previous = read_current(models_dir).get(task)
    if not force:
        with session_scope(settings, write=False) as session:
            recorded = next((c for c in comparisons(session, task) if c.get("candidate") == name), None)
        if recorded and recorded.get("current") == previous and recorded.get("current_metrics"):
            new_f1 = recorded["candidate_metrics"]["macro_f1"]
            old_f1 = recorded["current_metrics"]["macro_f1"]
            if new_f1 + 1e-9 < old_f1:
                raise UserError(f"{name} scores macro-F1 {new_f1:.4f}, worse than the current {previous} "
                                f"({old_f1:.4f}) on the same texts. Keep the current model, or tick "
                                "'promote anyway' if you have another reason.")
    load_artifact(path)  # refuse a damaged or incompatible artifact before switching
    result = promote(task, path, models_dir, force=True)
    _audit(settings, actor.username, "model.promote",
           {"task": task, "to": name, "from": previous, "forced": force, "reason": result.reason})
    return result


def rollback(settings: Settings, actor: Actor, task: str, to_name: str | None = None):
    """Go back to ``to_name`` (default: the model that was current before the last change)."""
    from nlp.artifacts import load_artifact, promote, read_current

    require_admin(actor)
    models_dir = Path(settings.models_dir)
    current = read_current(models_dir).get(task)
    if to_name is None:
        with session_scope(settings, write=False) as session:
            history = model_history(session, task)
        to_name = next((h.get("from") for h in history if h.get("to") == current and h.get("from")), None)
        if to_name is None:
            raise UserError(f"there is no earlier {task} model recorded to go back to. "
                            "Choose the model to roll back to from the list.")
    path = _artifact_path(models_dir, task, to_name)
    load_artifact(path)
    result = promote(task, path, models_dir, force=True)
    _audit(settings, actor.username, "model.rollback", {"task": task, "to": to_name, "from": current})
    return result


def _artifact_path(models_dir: Path, task: str, name: str) -> Path:
    if "/" in name or "\\" in name or not name.startswith(f"{task}-"):
        raise UserError(f"{name!r} is not a {task} model. Choose one from the Models page.")
    path = models_dir / name
    if not (path / "metadata.json").is_file():
        raise UserError(f"there is no model folder {path}. Reload the Models page.")
    return path


def run_from_labels(settings: Settings, task: str | None = None) -> int:
    """``langnghe train --from-labels [--task T]``: train candidates, print one JSON line each."""
    import sys

    from triage.db import get_engine, require_current_schema

    require_current_schema(get_engine(settings))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    tasks = (task,) if task else TASKS
    for t in tasks:
        if t not in TASKS:
            raise UserError(f"cannot retrain {t!r} from labels. Use --task category or --task topic.")
    candidates = train_candidate(settings, tasks, progress=log)
    for c in candidates:
        print(json.dumps({"task": c.task, "candidate": c.name, "path": str(c.path),
                          "macro_f1": c.metrics["macro_f1"], "current": c.current_name,
                          "current_macro_f1": (c.current_metrics or {}).get("macro_f1"),
                          "n_eval": c.n_eval, "n_labels": c.n_labels, "promoted": False}, ensure_ascii=False))
    log(f"trained {len(candidates)} candidate(s) from labels; none promoted (an admin decides on the Models page)")
    return 0
