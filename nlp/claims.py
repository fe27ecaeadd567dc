"""Match posts to known claims (e.g. rumours already checked) by text similarity.

Why two views: TF-IDF over segmented words of the diacritic-free text catches the same
wording typed with or without accents; character n-grams of that text catch reworded,
abbreviated or misspelt paraphrases. Scores are cosine similarities averaged over
both views, in [0, 1].
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from nlp.features import NgramVectorizer, Preparer


class ClaimMatcher:
    """Fit on ``(claim_id, text)`` pairs; ``match`` returns the best claims per text."""

    def __init__(self, word_weight: float = 0.5, char_ngram_range: tuple[int, int] = (2, 5)):
        self.word_weight = word_weight
        self.char_ngram_range = char_ngram_range
        self._prepare = Preparer()

    def fit(self, claims: Iterable[tuple[int, str]]) -> "ClaimMatcher":
        pairs = [(int(cid), text) for cid, text in claims if text and str(text).strip()]
        if not pairs:
            raise ValueError("no claims with text to match against")
        self.claim_ids_ = np.array([cid for cid, _ in pairs])
        docs = self._prepare.transform([text for _, text in pairs])
        self.words_ = NgramVectorizer(source="shadow_words", ngram_range=(1, 2), min_df=1).fit(docs)
        self.chars_ = NgramVectorizer(source="shadow", ngram_range=self.char_ngram_range, min_df=1).fit(docs)
        self.claim_words_ = self.words_.transform(docs)
        self.claim_chars_ = self.chars_.transform(docs)
        return self

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Similarity matrix (texts × claims)."""
        docs = self._prepare.transform(list(texts))
        w = (self.words_.transform(docs) @ self.claim_words_.T).toarray()
        c = (self.chars_.transform(docs) @ self.claim_chars_.T).toarray()
        return self.word_weight * w + (1 - self.word_weight) * c

    def match(self, texts: Sequence[str], k: int = 3, min_score: float = 0.3) -> list[list[tuple[int, float]]]:
        """Per text, up to ``k`` ``(claim_id, score)`` with score ≥ ``min_score``, best first."""
        if not len(texts):
            return []
        sims = self.scores(texts)
        out = []
        for row in sims:
            order = np.argsort(-row)[:k]
            out.append([(int(self.claim_ids_[j]), round(float(row[j]), 4)) for j in order if row[j] >= min_score])
        return out
