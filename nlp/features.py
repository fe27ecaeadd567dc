"""Feature extraction: raw texts → :class:`PreparedText` → sparse TF-IDF blocks.

Why own vectorisers rather than ``TfidfVectorizer``: the expensive step (segmentation)
must run once per text and feed several feature families, and the analysers here are
list comprehensions + ``dict.get`` via ``map`` so that building features costs far
less than segmenting. The fitted vocabulary is kept as one UTF-8 blob, so artifacts
stay small and load fast with skops.

All estimators follow the scikit-learn contract: ``__init__`` stores parameters only,
``fit`` returns ``self``, learned attributes end in ``_``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize as l2_normalize

from nlp.normalize import FLAG_NAMES
from nlp.segment import FACETS, PreparedText, drop_terms, prepare

#: Texts longer than this are cut before any processing (and flagged by the analyzer).
MAX_CHARS = 20_000
#: Punctuation-only tokens dropped from word features (but ? and ! are kept).
_KEEP_PUNCT = {"?", "!", "??", "!!", "?!"}
BIGRAM_JOIN = "|"


def _is_word(tok: str) -> bool:
    return tok[:1].isalnum() or tok in _KEEP_PUNCT


class Preparer(BaseEstimator, TransformerMixin):
    """Raw strings → :class:`PreparedText` (normalise + segment + facets), once per text."""

    def __init__(self, max_chars: int = MAX_CHARS, teencode: bool = True, full_normalize: bool = True,
                 segment_words: bool = True, drop_terms: tuple[str, ...] | None = None):
        self.max_chars = max_chars
        self.teencode = teencode
        self.full_normalize = full_normalize
        self.segment_words = segment_words
        self.drop_terms = drop_terms

    def fit(self, X: Iterable[str], y: Any = None) -> "Preparer":
        return self

    def transform(self, X: Iterable[Any]) -> list[PreparedText]:
        out = []
        terms = tuple(self.drop_terms) if self.drop_terms else None
        for text in X:
            if isinstance(text, PreparedText):  # prepared once for several pipelines
                out.append(drop_terms(text, terms) if terms else text)
                continue
            text = "" if text is None else str(text)
            out.append(prepare(text[: self.max_chars], self.teencode, self.full_normalize, self.segment_words, terms))
        return out

    def __sklearn_tags__(self):  # stateless: no fit needed
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


# --------------------------------------------------------------------------- analysers
def word_ngrams(doc: PreparedText, lo: int = 1, hi: int = 2, shadow: bool = False) -> list[str]:
    """Word n-grams; with ``shadow``, of the diacritic-free *syllables* instead.

    Syllables, not segmented words: text typed without accents segments differently
    ("cong doan" stays two tokens), so only syllable n-grams of the shadow are the same
    whether or not the writer used diacritics.
    """
    if shadow:
        words = [t for t in doc.shadow.split() if _is_word(t)]
    else:
        words = [t for t in doc.tokens if _is_word(t)]
    grams: list[str] = list(words) if lo <= 1 else []
    for n in range(max(2, lo), hi + 1):
        grams.extend(BIGRAM_JOIN.join(words[i : i + n]) for i in range(len(words) - n + 1))
    return grams


def char_ngrams(word: str, lo: int, hi: int) -> list[str]:
    """Character n-grams of one space-padded word (scikit-learn's ``char_wb``)."""
    s = f" {word} "
    size = len(s)
    return [s[i : i + n] for n in range(lo, hi + 1) for i in range(size - n + 1)]


def crossing_ngrams(left: str, right: str, lo: int, hi: int) -> list[str]:
    """n-grams of ``" left right "`` that span the middle space (chars on both sides).

    With :func:`char_ngrams` of each word this gives every n-gram of the padded text
    except those spanning two spaces, but lets both be cached per word / word pair.
    """
    t = f" {left} {right} "
    p = len(left) + 1  # index of the middle space
    size = len(t)
    return [t[i : i + n] for n in range(max(lo, 3), hi + 1)
            for i in range(max(0, p + 2 - n), min(p, size - n + 1))]


CHAR_SOURCES = ("chars", "shadow")
SOURCES = ("words", "shadow_words") + CHAR_SOURCES


def analyze(doc: PreparedText, source: str, lo: int, hi: int) -> list[str]:
    if source == "words":
        return word_ngrams(doc, lo, hi)
    if source == "shadow_words":
        return word_ngrams(doc, lo, hi, shadow=True)
    if source in CHAR_SOURCES:
        words = (doc.text if source == "chars" else doc.shadow).split()
        grams = [g for w in words for g in char_ngrams(w, lo, hi)]
        grams += [g for a, b in zip(words, words[1:]) for g in crossing_ngrams(a, b, lo, hi)]
        return grams
    raise ValueError(f"unknown feature source {source!r}; use one of {SOURCES}")


class NgramVectorizer(BaseEstimator, TransformerMixin):
    """TF-IDF over word or character n-grams of prepared texts (rows L2-normalised).

    ``source``: ``words`` (segmented words), ``shadow_words``, ``chars`` (normalised
    text) or ``shadow`` (diacritic-free text).
    """

    def __init__(
        self,
        source: str = "words",
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_df: float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        prefix: str = "",
        cross_words: bool = True,
    ):
        self.source = source
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.prefix = prefix
        self.cross_words = cross_words

    # vocabulary_ is rebuilt from the blob on load, never stored twice.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("vocabulary_", None)
        state.pop("_word_cache", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "vocab_blob_" in state:
            self.vocabulary_ = {g: i for i, g in enumerate(self.feature_names_out_list())}

    def feature_names_out_list(self) -> list[str]:
        blob = self.vocab_blob_.decode("utf-8")
        return blob.split("\n") if blob else []

    def fit(self, X: Sequence[PreparedText], y: Any = None) -> "NgramVectorizer":
        lo, hi = self.ngram_range
        if self.source not in SOURCES:
            raise ValueError(f"unknown feature source {self.source!r}; use one of {SOURCES}")
        df: Counter[str] = Counter()
        if self.source in CHAR_SOURCES:
            grams_of: dict[str, list[str]] = {}
            for doc in X:
                words = (doc.text if self.source == "chars" else doc.shadow).split()
                seen: set[str] = set()
                for w in set(words):
                    grams = grams_of.get(w)
                    if grams is None:
                        grams = grams_of[w] = char_ngrams(w, lo, hi)
                    seen.update(grams)
                if self.cross_words:
                    for a, b in zip(words, words[1:]):
                        seen.update(crossing_ngrams(a, b, lo, hi))
                df.update(seen)
        else:
            for doc in X:
                df.update(set(analyze(doc, self.source, lo, hi)))
        n_docs = max(len(X), 1)
        max_count = self.max_df * n_docs if isinstance(self.max_df, float) else self.max_df
        kept = [(g, c) for g, c in df.items() if self.min_df <= c <= max_count and "\n" not in g]
        if self.max_features is not None and len(kept) > self.max_features:
            kept.sort(key=lambda gc: (-gc[1], gc[0]))
            kept = kept[: self.max_features]
        kept.sort()
        names = [g for g, _ in kept]
        counts = np.array([c for _, c in kept], dtype=np.float64)
        self.vocab_blob_ = "\n".join(names).encode("utf-8")
        self.vocabulary_ = {g: i for i, g in enumerate(names)}
        self.idf_ = (np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0).astype(np.float32)
        self.n_features_ = len(names)
        self._word_cache = {}
        return self

    def _char_ids(self, X: Sequence[PreparedText], indices: list[int], indptr: list[int]) -> None:
        """Char n-gram ids per word, cached: words repeat, so most lookups are one dict hit."""
        lo, hi = self.ngram_range
        get = self.vocabulary_.get
        cache: dict[str, list[int]] | None = getattr(self, "_word_cache", None)
        if cache is None or len(cache) > 300_000:
            cache = self._word_cache = {}
        cached = cache.get
        use_text = self.source == "chars"
        extend = indices.extend
        for doc in X:
            words = (doc.text if use_text else doc.shadow).split()
            for w in words:
                ids = cached(w)
                if ids is None:
                    ids = cache[w] = [j for j in map(get, char_ngrams(w, lo, hi)) if j is not None]
                extend(ids)
            for a, b in zip(words, words[1:]) if self.cross_words else ():
                key = f"{a} {b}"
                ids = cached(key)
                if ids is None:
                    ids = cache[key] = [j for j in map(get, crossing_ngrams(a, b, lo, hi)) if j is not None]
                extend(ids)
            indptr.append(len(indices))

    def transform(self, X: Sequence[PreparedText]) -> sp.csr_matrix:
        lo, hi = self.ngram_range
        get = self.vocabulary_.get
        indices: list[int] = []
        indptr = [0]
        source = self.source
        if source in CHAR_SOURCES:
            self._char_ids(X, indices, indptr)
        else:
            for doc in X:
                indices.extend(j for j in map(get, analyze(doc, source, lo, hi)) if j is not None)
                indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        mat = sp.csr_matrix(
            (data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(X), self.n_features_),
        )
        mat.sum_duplicates()
        if self.sublinear_tf and mat.nnz:
            np.log(mat.data, out=mat.data)
            mat.data += 1.0
        if mat.nnz:
            mat.data *= self.idf_[mat.indices]
        return l2_normalize(mat, copy=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([self.prefix + g for g in self.feature_names_out_list()], dtype=object)


class FlagVectorizer(BaseEstimator, TransformerMixin):
    """Boolean flags (has_url, has_phone...), facet presence and facet names as columns."""

    def __init__(self, weight: float = 0.3, min_df: int = 2):
        self.weight = weight
        self.min_df = min_df

    @staticmethod
    def _keys(doc: PreparedText) -> list[str]:
        keys = [f"flag:{name}" for name in FLAG_NAMES if doc.flags.get(name)]
        for facet, names in doc.facets.items():
            keys.append(f"facet:{facet}")
            keys.extend(f"facet:{facet}={name}" for name in names)
        return keys

    def fit(self, X: Sequence[PreparedText], y: Any = None) -> "FlagVectorizer":
        counts: Counter[str] = Counter()
        for doc in X:
            counts.update(self._keys(doc))
        base = [f"flag:{n}" for n in FLAG_NAMES] + [f"facet:{f}" for f in FACETS]
        extra = sorted(k for k, c in counts.items() if c >= self.min_df and k not in base)
        self.feature_names_ = base + extra
        self.index_ = {k: i for i, k in enumerate(self.feature_names_)}
        return self

    def transform(self, X: Sequence[PreparedText]) -> sp.csr_matrix:
        rows, cols = [], []
        for i, doc in enumerate(X):
            for key in self._keys(doc):
                j = self.index_.get(key)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        data = np.full(len(rows), self.weight, dtype=np.float32)
        return sp.csr_matrix((data, (rows, cols)), shape=(len(X), len(self.feature_names_)))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.feature_names_, dtype=object)

