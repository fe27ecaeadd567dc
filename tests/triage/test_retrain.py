"""Training candidates from labels; promotion and rollback by an admin, audit-logged."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select

from langnghe.errors import UserError
from langnghe.settings import PROJECT_ROOT
from tests.triage import scene as sc
from triage import retrain
from triage import workflow as wf
from triage.db import session_scope
from triage.migrate import upgrade
from triage.models import AuditLog


@pytest.fixture
def tiny_seed(tmp_path):
    """25 seed rows per category (real seed texts), so a candidate trains in a second."""
    folder = tmp_path / "seed"
    folder.mkdir()
    for path in sorted((PROJECT_ROOT / "data" / "seed").glob("*.jsonl")):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()][:25]
        (folder / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def world(settings, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(PROJECT_ROOT / "models", models)
    settings = settings.replace(models_dir=models)
    upgrade(settings)
    return settings, sc.build(settings)


def label(settings, scene, key, task, value, who="an"):
    for item_id in scene.items[key]:
        wf.add_label(settings, item_id, wf.Actor(scene.users[who], who, "analyst"), task, value)


def test_latest_label_per_item_and_task_wins(db_settings):
    upgrade(db_settings)
    scene = sc.build(db_settings)
    label(db_settings, scene, "C", "category", "neutral")
    label(db_settings, scene, "C", "category", "criticism", who="binh")  # a later correction
    label(db_settings, scene, "C", "topic", "union_activities")
    with session_scope(db_settings, write=False) as s:
        got = retrain.latest_labels(s, "category")
    assert [(i, v) for i, _, v in got] == [(scene.items["C"][0], "criticism")]
    assert got[0][1].startswith("Công đoàn chẳng làm gì")


def test_training_set_adds_labels_to_the_seed_data(world, tiny_seed):
    settings, scene = world
    label(settings, scene, "B", "category", "scam")
    label(settings, scene, "D", "category", "not-a-category")
    ts = retrain.build_training_set(settings, "category", tiny_seed)
    assert ts.n_labels == 6 and ts.skipped_labels == 1
    texts = ts.train.texts + ts.held.texts
    assert sum("2 triệu (lần" in t for t in texts) == 6
    rows = [json.loads(line) for line in ts.labels_file.read_text(encoding="utf-8").splitlines()]
    assert {r["category"] for r in rows} == {"scam"}
    assert ts.labels_file.name in {f.path.split("/")[-1] for f in ts.train.files}


def test_candidate_is_trained_compared_and_never_promoted(world, tiny_seed):
    settings, scene = world
    before = (settings.models_dir / "CURRENT.json").read_text()
    with pytest.raises(UserError):
        retrain.train_candidate(settings, ("category",), seed_dir=tiny_seed)  # no labels yet
    label(settings, scene, "B", "category", "scam")
    label(settings, scene, "A", "category", "misinformation")
    [cand] = retrain.train_candidate(settings, ("category",), seed_dir=tiny_seed)
    assert (settings.models_dir / cand.name / "metadata.json").is_file()
    assert (settings.models_dir / "CURRENT.json").read_text() == before
    assert cand.current_metrics is not None and cand.current_metrics["n"] == cand.metrics["n"] == cand.n_eval
    with session_scope(settings, write=False) as s:
        [cmp] = retrain.comparisons(s, "category")
    assert cmp["candidate"] == cand.name and cmp["current"] == cand.current_name
    assert set(cmp["candidate_metrics"]) == {"macro_f1", "accuracy", "n", "f1"}

    admin = wf.Actor(scene.users["quan"], "quan", "admin")
    analyst = wf.Actor(scene.users["an"], "an", "analyst")
    with pytest.raises(wf.WorkflowError):
        retrain.promote_candidate(settings, analyst, "category", cand.name)
    retrain.promote_candidate(settings, admin, "category", cand.name, force=True)
    current = json.loads((settings.models_dir / "CURRENT.json").read_text())
    assert current["category"] == cand.name
    with pytest.raises(wf.WorkflowError):
        retrain.rollback(settings, analyst, "category")
    retrain.rollback(settings, admin, "category")
    assert json.loads((settings.models_dir / "CURRENT.json").read_text())["category"] == cand.current_name
    with session_scope(settings, write=False) as s:
        actions = s.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["model.candidate", "model.promote", "model.rollback"]
    with pytest.raises(UserError):
        retrain.promote_candidate(settings, admin, "category", "../etc")


def test_train_from_labels_command(world, tiny_seed, monkeypatch, capsys):
    settings, scene = world
    from langnghe.cli import main
    from nlp import datasets

    monkeypatch.setattr(datasets, "SEED_DIR", tiny_seed)
    monkeypatch.setenv("LANGNGHE_MODELS_DIR", str(settings.models_dir))
    label(settings, scene, "B", "topic", "welfare_tet")
    assert main(["--home", str(settings.home), "train", "--from-labels", "--task", "topic"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["task"] == "topic" and out["promoted"] is False and out["n_labels"] == 6
