"""Integration: the shipped artifacts in models/ through the Analyzer interface."""

from pathlib import Path

import pytest

from nlp.analyzer import Analysis, Analyzer, LabelPrediction

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load(MODELS)


def test_model_version_names_all_three(analyzer):
    parts = analyzer.model_version.split("+")
    assert [p.split("-")[0] for p in parts] == ["category", "topic", "toxicity"]


def test_analyze_batch_with_bad_items(analyzer):
    texts = [
        "Công ty ở Tam Đường nợ lương công nhân 3 tháng rồi, công đoàn ở đâu 😡",
        "",
        "x" * 1_000_000,
        "\x00\x01\x02\x03 binary \x00\x00\x00\x00\x00",
        "😂😂😂",
        "Hello 你好 สวัสดี công nhân",
        None,
        b"\xff\xfe\x00",
        "đồ ngu, câm mồm đi",
    ]
    out = analyzer.analyze(texts)
    assert len(out) == len(texts) and all(isinstance(a, Analysis) for a in out)
    first = out[0]
    assert first.ok and first.error is None
    assert isinstance(first.category, LabelPrediction)
    assert first.category.label == "grievance" and first.topic.label == "wages"
    assert abs(sum(first.category.probs.values()) - 1) < 1e-3
    assert first.category.proba == max(first.category.probs.values())
    assert first.category.explanation and all(isinstance(w, str) for w, _ in first.category.explanation)
    assert first.facets["place"] == ["Tam Đường"]
    assert first.flags["has_emoji"] and not first.flags["truncated"]
    assert not out[1].ok and out[1].error == "empty text"
    assert out[2].ok and "only the first" in out[2].error and out[2].flags["truncated"]
    assert not out[3].ok and "binary" in out[3].error
    assert out[4].ok and out[5].ok
    assert not out[6].ok and not out[7].ok
    assert out[8].toxicity.label == "offensive"


def test_empty_batch(analyzer):
    assert analyzer.analyze([]) == []


def test_toxicity_judges_tone_not_the_union(analyzer):
    """1.0.0 read "công đoàn" as offensive (ViHOS uses "cđ" for other things)."""
    news = [
        "Công đoàn tỉnh Lai Châu tổ chức hội nghị tổng kết năm 2026",
        "Người lao động được hỗ trợ bảo hiểm xã hội",
        "Chủ tịch công đoàn huyện Tam Đường thăm hỏi công nhân bị tai nạn lao động",
        "cđ cơ sở công ty may họp bàn về lương thưởng cho công nhân",
    ]
    for a in analyzer.analyze(news):
        assert a.toxicity.label == "clean" and a.toxicity.probs["offensive"] < 0.2
        assert not any("công đoàn" in word for word, _ in a.toxicity.explanation)
    rude = analyzer.analyze(["Công đoàn toàn lũ ăn hại, đm bọn sâu dân mọt nước"])[0]
    assert rude.toxicity.label == "offensive"
