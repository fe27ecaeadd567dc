"""The CLI commands end to end (subprocess for classify: real stdin/stdout)."""

import json
import subprocess
import sys
from pathlib import Path

from nlp_testdata import make_data

from langnghe.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _write_jsonl(path: Path, texts, labels, col="label"):
    path.write_text("".join(json.dumps({"text": t, col: l}, ensure_ascii=False) + "\n"
                            for t, l in zip(texts, labels)), encoding="utf-8")
    return path


def test_classify_jsonl_batch_never_dies(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": "Cty nợ lương 3 tháng, cđ ở đâu"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "empty", "text": ""}),
        json.dumps({"id": "big", "text": "công nhân " * 100_000}, ensure_ascii=False),
        json.dumps({"id": "junk", "text": "\u0000\u0001\u0002\u0003\u0004\u0005" * 20}),
        json.dumps({"id": "mixed", "text": "Hello 你好 Привет công đoàn"}, ensure_ascii=False),
        json.dumps({"id": "emoji", "text": "😡😡😡"}, ensure_ascii=False),
    ]
    proc = subprocess.run([sys.executable, "-m", "langnghe", "classify"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(l) for l in proc.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "line 2", "empty", "big", "junk", "mixed", "emoji"]
    a = rows[0]
    assert a["category"] == "grievance" and 0 < a["category_proba"] <= 1
    for key in ("topic", "topic_proba", "toxicity", "toxicity_proba", "probs", "explanation", "facets"):
        assert key in a
    assert "error" in rows[1] and rows[2]["error"] == "empty text" and "error" in rows[4]
    assert rows[3]["category"] and "warning" in rows[3]
    assert rows[5]["category"] and rows[6]["category"]
    assert "classified 4 of 7 texts (3 errors)" in proc.stderr


def test_classify_one_text_argument(capsys):
    assert main(["classify", "Nhận hỗ trợ 5 triệu, bấm link bit.ly/abc"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["category"] and row["facets"] is not None


def test_train_evaluate_bench(tmp_path, capsys, monkeypatch):
    texts, labels = make_data(per_class=15)
    data = _write_jsonl(tmp_path / "d.jsonl", texts, labels, col="category")
    models = tmp_path / "models"
    monkeypatch.setenv("LANGNGHE_MODELS_DIR", str(models))
    assert main(["train", "--task", "category", "--data", str(data)]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["promoted"] and out["model"].startswith("category-1.0.0-")
    assert json.loads((models / "CURRENT.json").read_text())["category"] == out["model"]
    # the same day again: a new patch version, never an overwrite
    assert main(["train", "--task", "category", "--data", str(data), "--no-promote"]) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["model"].startswith("category-1.0.1-") and not again["promoted"]

    assert main(["evaluate", "--model", str(models / out["model"]), "--data", str(data)]) == 0
    ev = json.loads(capsys.readouterr().out)
    assert set(ev) >= {"macro_f1", "accuracy", "per_class", "confusion"}
    assert ev["confusion"]["labels"] == ["grievance", "neutral", "scam"]

    csv_path = tmp_path / "d.csv"
    import csv

    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["body", "y"])
        w.writerows(zip(texts, labels))
    assert main(["bench", "nlp", "--train", str(csv_path), "--test", str(csv_path), "--text-col", "body",
                 "--label-col", "y", "--json", "--params", '{"clf": {"cv": 2}}']) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("macro_f1", "accuracy", "train_seconds", "predict_docs_per_second", "tokenize_only_docs_per_second"):
        assert key in last
    assert last["macro_f1"] > 0.9


def test_user_errors_are_one_line(tmp_path, capsys):
    assert main(["evaluate", "--model", str(tmp_path), "--data", str(tmp_path / "none.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["bench", "nlp", "--train", str(bad), "--test", str(bad), "--json"]) == 2
    assert "--text-col" in capsys.readouterr().err
