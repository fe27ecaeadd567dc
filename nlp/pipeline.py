"""The one scikit-learn ``Pipeline`` shape shared by every task, and its explanations.

prepare (normalise + segment once) → FeatureUnion(word 1–2 grams, char n-grams on the
diacritic-free shadow, char n-grams on the normalised text, flags/facets) →
:class:`~nlp.linear.LinearEnsemble`. Parameters are plain dicts so artifacts can record
them and benchmarks can ablate them.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import FeatureUnion, Pipeline

from nlp.features import BIGRAM_JOIN, FlagVectorizer, NgramVectorizer, Preparer
from nlp.linear import LinearEnsemble
from nlp.normalize import strip_diacritics
from nlp.segment import PreparedText

#: The project's method. Benchmarks ablate these; artifacts record the ones used.
DEFAULT_PARAMS: dict[str, Any] = {
    "prepare": {"teencode": True, "full_normalize": True, "segment_words": True},
    "words": {"ngram_range": (1, 2), "min_df": 2, "max_features": 150_000},
    "shadow": {"ngram_range": (2, 5), "min_df": 2, "max_features": 150_000},
    "chars": {"ngram_range": (2, 5), "min_df": 2, "max_features": 150_000},
    # Accent-free word n-grams: used only by the fallback model for texts typed
    # without diacritics (see LinearEnsemble.plain_blocks).
    "shadow_words": {"ngram_range": (1, 3), "min_df": 2, "max_features": 150_000},
    "flags": {"weight": 0.3},
    # No class weights: the out-of-fold decision shifts already balance the classes for
    # macro-F1 (weights + shifts measured −0.1 to −0.5 points on ViHSD/ViCTSD/ViHOS dev).
    "clf": {"models": "auto", "C_lr": 4.0, "C_svm": 0.05, "nb": True, "cv": 3, "tune": "macro_f1", "class_weight": None,
            "plain_blocks": ("shadow_words", "shadow", "flags"), "plain_only_blocks": ("shadow_words",)},
    "sublinear_tf": True,
}

#: How flag/facet features read in an explanation (Vietnamese first).
FLAG_LABELS = {
    "flag:has_url": "[có đường link]",
    "flag:has_phone": "[có số điện thoại]",
    "flag:has_email": "[có email]",
    "flag:has_mention": "[có gắn tên người khác]",
    "flag:has_emoji": "[có biểu tượng cảm xúc]",
    "flag:has_money": "[nhắc tới tiền]",
    "flag:shouting": "[viết hoa toàn bộ]",
    "flag:exclaim": "[nhiều dấu chấm than/hỏi]",
    "flag:no_diacritics": "[viết không dấu]",
    "facet:place": "[nhắc tới địa danh]",
    "facet:organisation": "[nhắc tới tổ chức]",
    "facet:policy": "[nhắc tới chính sách]",
    "facet:company": "[nhắc tới doanh nghiệp]",
}


#: How placeholder tokens read in an explanation.
PLACEHOLDER_LABELS = {
    "URL": "[đường link]", "EMAIL": "[email]", "PHONE": "[số điện thoại]", "MENTION": "[gắn tên]",
    "EMO_ANGRY": "[biểu tượng tức giận]", "EMO_SAD": "[biểu tượng buồn]", "EMO_LAUGH": "[cười]",
    "EMO_SMILE": "[mặt cười]", "EMO_LOVE": "[biểu tượng yêu thích]", "EMO_LIKE": "[biểu tượng thích]",
    "EMO_THANKS": "[biểu tượng cảm ơn]", "EMO_SHOCK": "[biểu tượng sốc]", "EMO_SCORN": "[biểu tượng khinh thường]",
    "EMO_DOUBT": "[biểu tượng nghi ngờ]", "EMO_DISLIKE": "[biểu tượng không thích]",
    "EMO_DISGUST": "[biểu tượng ghê tởm]", "EMO_WARN": "[biểu tượng cảnh báo]", "EMO_FIRE": "[biểu tượng lửa]",
    "EMO_MONEY": "[biểu tượng tiền]", "EMO_GIFT": "[biểu tượng quà]", "EMO_POINT": "[biểu tượng chỉ tay]",
    "EMO_OTHER": "[biểu tượng cảm xúc]",
}


def readable(phrase: str) -> str:
    """Placeholders in a phrase replaced by their Vietnamese reading."""
    if phrase.islower() or not any(c.isupper() for c in phrase):
        return phrase
    return " ".join(PLACEHOLDER_LABELS.get(w, w) for w in phrase.split(" "))


def merged_params(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """DEFAULT_PARAMS with ``overrides`` applied one level deep (None switches a block off)."""
    params = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_PARAMS.items()}
    for key, value in (overrides or {}).items():
        if isinstance(value, Mapping) and isinstance(params.get(key), dict):
            params[key].update(value)
        else:
            params[key] = dict(value) if isinstance(value, Mapping) else value
    return params


def build_pipeline(params: Mapping[str, Any] | None = None, cost_rule: dict[str, Any] | None = None) -> Pipeline:
    """A fresh, unfitted pipeline of the project's method."""
    p = merged_params(params)
    blocks = []
    for source in ("words", "shadow_words", "shadow", "chars"):
        cfg = p.get(source)
        if cfg:
            cfg = dict(cfg)
            blocks.append((source, NgramVectorizer(source=source, sublinear_tf=p["sublinear_tf"],
                                                   prefix=f"{source}:", **cfg)))
    if p.get("flags"):
        blocks.append(("flags", FlagVectorizer(**p["flags"])))
    if not blocks:
        raise ValueError("at least one feature family must be switched on")
    clf_params = dict(p["clf"])
    if cost_rule is not None:
        clf_params["cost_rule"] = cost_rule
    return TextPipeline([
        ("prepare", Preparer(**(p.get("prepare") or {}))),
        ("features", FeatureUnion(blocks)),
        ("clf", LinearEnsemble(**clf_params)),
    ])


def block_slices(union: FeatureUnion) -> dict[str, tuple[int, int]]:
    """Column range of each fitted block of the FeatureUnion."""
    names, _, offsets = _block_of_union(union)
    return {name: (int(offsets[i]), int(offsets[i + 1])) for i, name in enumerate(names)}


class TextPipeline(Pipeline):
    """prepare → features → classifier, telling the classifier where each block is.

    Only ``fit`` differs from :class:`~sklearn.pipeline.Pipeline`: the classifier
    receives the column range of every feature block and the no-diacritics flag
    column, so it can fit its accent-free fallback model.
    """

    def fit(self, X: Any, y: Any = None, **params: Any) -> "TextPipeline":
        prepare, union, clf = (step for _, step in self.steps)
        docs = prepare.fit_transform(X)
        Xt = union.fit_transform(docs, y)
        slices = block_slices(union)
        route = None
        if "flags" in slices:
            from nlp.normalize import FLAG_NAMES

            route = slices["flags"][0] + FLAG_NAMES.index("no_diacritics")
        clf.fit(Xt, y, block_slices=slices, route_column=route)
        return self


# --------------------------------------------------------------------------- explanations
_SPACE = re.compile(r"\s+")


def _block_of(pipeline: Pipeline) -> tuple[list[str], list[Any], np.ndarray]:
    """Names, transformers and column offsets of the pipeline's FeatureUnion blocks."""
    return _block_of_union(pipeline.named_steps["features"])


def _block_of_union(union: FeatureUnion) -> tuple[list[str], list[Any], np.ndarray]:
    names, transformers, sizes = [], [], []
    for name, trans in union.transformer_list:
        if trans in (None, "drop"):
            continue
        names.append(name)
        transformers.append(trans)
        sizes.append(len(trans.get_feature_names_out()) if isinstance(trans, FlagVectorizer) else trans.n_features_)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    return names, transformers, offsets


class Explainer:
    """Maps coef × value contributions back to readable words of one text.

    Word features read as themselves; char n-grams are credited to the words that
    contain them (shown only through those words); flags read as bracketed phrases.
    """

    def __init__(self, pipeline: Pipeline):
        self.clf: LinearEnsemble = pipeline.named_steps["clf"]
        self.names, self.transformers, self.offsets = _block_of(pipeline)
        self._feature_names: dict[int, list[str]] = {}

    def _names(self, block: int) -> list[str]:
        if block not in self._feature_names:
            trans = self.transformers[block]
            if isinstance(trans, FlagVectorizer):
                self._feature_names[block] = list(trans.feature_names_)
            else:
                self._feature_names[block] = trans.feature_names_out_list()
        return self._feature_names[block]

    def explain_row(self, doc: PreparedText, x: Any, class_index: int, top: int = 5) -> list[tuple[str, float]]:
        row = x if isinstance(x, tuple) else (lambda r: (r.indices, r.data))(sp.csr_matrix(x))
        idx, contrib = self.clf.contributions(row[0], row[1], class_index)
        positive = np.flatnonzero(contrib > 0)
        if len(positive) == 0:
            return []
        if len(positive) > 80:  # only the strongest features can reach the top 5
            positive = positive[np.argpartition(-contrib[positive], 80)[:80]]
        order = positive[np.argsort(-contrib[positive])]
        blocks = np.searchsorted(self.offsets, idx[order], side="right") - 1
        scores: dict[str, float] = {}
        words = [t for t in doc.tokens if t[:1].isalnum()]
        shadow_words = [strip_diacritics(w) for w in words]
        unshadow: dict[str, str] = {}

        def original(phrase: str) -> str:  # accent-free syllables back to the text's spelling
            if not unshadow:
                syllables, shadow_syllables = doc.text.split(), doc.shadow.split()
                for n in (3, 2, 1):
                    for i in range(len(syllables) - n + 1):
                        unshadow[" ".join(shadow_syllables[i : i + n])] = " ".join(syllables[i : i + n])
            return unshadow.get(phrase, phrase)

        char_budget = 60
        for j, block in zip(order.tolist(), blocks.tolist()):
            value = float(contrib[j])
            col = int(idx[j])
            name = self._names(block)[col - self.offsets[block]]
            kind = self.names[block]
            if kind in ("words", "shadow_words"):
                phrase = name.replace(BIGRAM_JOIN, " ")
                if kind == "shadow_words":
                    phrase = original(phrase)
                scores[phrase] = scores.get(phrase, 0.0) + value
            elif kind == "flags":
                label = FLAG_LABELS.get(name, f"[{name.split('=', 1)[-1]}]")
                scores[label] = scores.get(label, 0.0) + value
            else:
                if char_budget == 0:
                    continue
                char_budget -= 1
                gram = _SPACE.sub(" ", name).strip()
                if not gram:
                    continue
                pool = shadow_words if kind == "shadow" else words
                hits = [w for w, s in zip(words, pool) if gram in s]
                if not hits and " " in gram:
                    hits = [f"{a} {b}" for a, b, sa, sb in zip(words, words[1:], pool, pool[1:])
                            if gram in f"{sa} {sb}"]
                for hit in dict.fromkeys(hits):
                    scores[hit] = scores.get(hit, 0.0) + value / len(hits)
        merged: dict[str, float] = {}
        for phrase, weight in scores.items():
            key = readable(phrase)
            merged[key] = merged.get(key, 0.0) + weight
        ranked = sorted(merged.items(), key=lambda kv: -kv[1])[:top]
        return [(phrase, round(weight, 4)) for phrase, weight in ranked]


def explain(pipeline: Pipeline, text: str, top: int = 5) -> list[tuple[str, float]]:
    """Top words/phrases pushing ``text`` towards its predicted class, with weights."""
    doc = pipeline.named_steps["prepare"].transform([text])
    X = pipeline.named_steps["features"].transform(doc)
    proba = pipeline.named_steps["clf"].predict_proba(X)[0]
    return Explainer(pipeline).explain_row(doc[0], X[0], int(np.argmax(proba)), top=top)

