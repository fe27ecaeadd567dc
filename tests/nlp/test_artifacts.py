import json

import pytest

from langnghe.errors import UserError
from nlp.artifacts import load_artifact, promote, read_current, save_artifact
from nlp.datasets import DataFile
from nlp.metrics import evaluate_predictions
from nlp.pipeline import build_pipeline

from nlp_testdata import FAST


def _save(pipe, models_dir, version, texts, labels, **kw):
    metrics = evaluate_predictions(labels, list(pipe.predict(texts)))
    return save_artifact(pipe, task="category", version=version, models_dir=models_dir,
                         labels=list(pipe.classes_), data_files=[DataFile("x.jsonl", "0" * 64, len(texts))],
                         params={"a": 1}, metrics=metrics, eval_set="tiny", data_licence="test", date="2026-01-01", **kw)


def test_save_load_and_refuse_overwrite(tmp_path, tiny_pipeline, tiny_data):
    texts, labels = tiny_data
    path = _save(tiny_pipeline, tmp_path, "1.0.0", texts, labels)
    assert path.name == "category-1.0.0-2026-01-01"
    meta = json.loads((path / "metadata.json").read_text())
    assert meta["libraries"]["sklearn"] and meta["metrics"]["confusion"]["labels"]
    assert "Tóm tắt" in (path / "MODEL_CARD.md").read_text()
    art = load_artifact(path)
    assert list(art.pipeline.predict(texts)) == list(tiny_pipeline.predict(texts))
    with pytest.raises(UserError, match="already exists"):
        _save(tiny_pipeline, tmp_path, "1.0.0", texts, labels)


def test_refuses_other_sklearn_version_and_tampered_file(tmp_path, tiny_pipeline, tiny_data):
    texts, labels = tiny_data
    path = _save(tiny_pipeline, tmp_path, "1.0.0", texts, labels)
    meta_path = path / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["libraries"]["sklearn"] = "0.24.2"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(UserError, match=r"made with scikit-learn 0\.24\.2; this installation has .*Retrain with `langnghe train"):
        load_artifact(path)
    path2 = _save(tiny_pipeline, tmp_path, "1.0.1", texts, labels)
    with (path2 / "model.skops").open("ab") as fh:
        fh.write(b"junk")
    with pytest.raises(UserError, match="checksum"):
        load_artifact(path2)


def test_promote_only_when_not_worse(tmp_path, tiny_pipeline, tiny_data):
    texts, labels = tiny_data
    good = _save(tiny_pipeline, tmp_path, "1.0.0", texts, labels)
    assert promote("category", good, tmp_path, texts, labels).promoted
    assert read_current(tmp_path) == {"category": good.name}
    shuffled = labels[1:] + labels[:1]
    bad_pipe = build_pipeline(FAST).fit(texts[: len(texts) // 2] * 2, shuffled[: len(texts) // 2] * 2)
    bad = _save(bad_pipe, tmp_path, "1.0.1", texts, labels)
    result = promote("category", bad, tmp_path, texts, labels)
    assert not result.promoted and "worse than the current" in result.reason
    assert read_current(tmp_path) == {"category": good.name}
