import pickle

import numpy as np
from sklearn.base import clone

from nlp.features import NgramVectorizer, Preparer
from nlp.linear import LinearEnsemble
from nlp.pipeline import build_pipeline, explain

from nlp_testdata import FAST


def test_tiny_model_learns_and_survives_missing_diacritics(tiny_pipeline):
    pred = tiny_pipeline.predict([
        "cong ty no luong cong nhan 3 thang roi",
        "Bấm link nhận hỗ trợ 5 triệu, chuyển khoản phí trước",
        "Công đoàn cơ sở họp ban chấp hành quý 2",
    ])
    assert list(pred) == ["grievance", "scam", "neutral"]


def test_probabilities_are_consistent_with_labels(tiny_pipeline, tiny_data):
    texts, _ = tiny_data
    proba = tiny_pipeline.predict_proba(texts)
    assert np.allclose(proba.sum(axis=1), 1.0)
    clf = tiny_pipeline.named_steps["clf"]
    assert list(clf.classes_[proba.argmax(axis=1)]) == list(tiny_pipeline.predict(texts))


def test_explanations_are_readable_words(tiny_pipeline):
    expl = explain(tiny_pipeline, "Công ty nợ lương công nhân mấy tháng rồi")
    assert 1 <= len(expl) <= 5
    words = [w for w, _ in expl]
    assert any("lương" in w or "nợ" in w for w in words)
    assert all(weight > 0 for _, weight in expl)
    assert all(not w.startswith(("words:", "shadow:")) for w in words)


def test_estimator_contract():
    for est in (Preparer(), NgramVectorizer(source="shadow", ngram_range=(2, 4)), LinearEnsemble(C_lr=2.0)):
        params = est.get_params()
        again = clone(est)
        assert again.get_params() == params
        assert not [k for k in vars(est) if k.endswith("_")]


def test_binary_task_and_pickle_round_trip(tiny_data):
    texts, labels = tiny_data
    y = ["bad" if lab == "scam" else "ok" for lab in labels]
    pipe = build_pipeline(FAST).fit(texts, y)
    again = pickle.loads(pickle.dumps(pipe))
    assert list(again.predict(texts)) == list(pipe.predict(texts))
    assert again.named_steps["features"].transformer_list[0][1].vocabulary_


def test_cost_rule_limits_grievance_confusions(tiny_data):
    texts, labels = tiny_data
    rule = {"from": "grievance", "to": ["scam"], "max_rate": 0.05}
    pipe = build_pipeline(FAST, cost_rule=rule).fit(texts, labels)
    assert pipe.named_steps["clf"].cost_rule == rule
    grievances = [t for t, lab in zip(texts, labels) if lab == "grievance"]
    assert (pipe.predict(grievances) == "scam").mean() <= 0.05


def test_accent_free_fallback_model(tiny_pipeline):
    from nlp.normalize import strip_diacritics

    clf = tiny_pipeline.named_steps["clf"]
    assert clf.route_column_ >= 0 and clf.plain_coef_.shape == clf.coef_.shape
    texts = ["Công ty nợ lương công nhân 3 tháng rồi", "Chúc mừng bạn trúng thưởng, chuyển khoản phí nhận quà"]
    plain = [strip_diacritics(t) for t in texts]
    docs = tiny_pipeline.named_steps["prepare"].transform(plain)
    assert all(d.flags["no_diacritics"] for d in docs)
    assert list(tiny_pipeline.predict(plain)) == list(tiny_pipeline.predict(texts)) == ["grievance", "scam"]
    assert explain(tiny_pipeline, plain[0])  # explanations come from the fallback model


def test_unused_blocks_get_no_weight(tiny_data):
    """Models are fitted on column subsets; the other columns keep exactly zero weight."""
    from nlp.pipeline import block_slices

    texts, labels = tiny_data
    pipe = build_pipeline(FAST).fit(texts, labels)
    clf, slices = pipe.named_steps["clf"], block_slices(pipe.named_steps["features"])
    start, stop = slices["shadow_words"]
    assert not clf.coef_[:, start:stop].any()  # fallback-only block
    start, stop = slices["words"]
    assert not clf.plain_coef_[:, start:stop].any() and clf.coef_[:, start:stop].any()
