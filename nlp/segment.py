"""Word segmentation (underthesea) and gazetteer facets, with a spaCy ``Doc`` view.

Why: Vietnamese words span several syllables ("công đoàn", "bảo hiểm xã hội"); word
features are only meaningful on segmented words. underthesea's CRF segmenter is the
expensive step of the whole pipeline, so :func:`prepare` runs it exactly once per text
and everything else (features, facets, explanations) reuses its output.

Fast paths (no spaCy): :func:`segment`, :func:`facets`, :func:`prepare`.
Rich path: :func:`make_doc` gives a spaCy ``Doc`` whose tokens are underthesea's words
and whose entities come from the gazetteer (``nlp/data/gazetteer.toml``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.normalize import DATA_DIR, NormalizedText, normalize, strip_diacritics

FACETS = ("place", "organisation", "policy", "company")
#: spaCy entity label of each facet.
FACET_LABELS = {"place": "PLACE", "organisation": "ORG", "policy": "POLICY", "company": "COMPANY"}

_word_tokenize: Any = None
_crf: Any = None
#: Syllable pre-tokeniser for normalised text: numbers (1.500.000, 01/02), words, "...",
#: single punctuation. Normalisation already did what underthesea's own regex
#: tokeniser does before its CRF (NFC, tone fixes, URLs...), so it is not run twice.
_PRETOKEN = re.compile(r"\d+(?:[.,/:\-]\d+)*|\w+|\.{2,}|[^\w\s]")


def _tokenizer() -> Any:
    global _word_tokenize, _crf
    if _word_tokenize is None:
        from underthesea import word_tokenize

        word_tokenize("khởi động")  # loads underthesea's CRF segmentation model
        try:
            import underthesea.pipeline.word_tokenize as wt

            model = wt.word_tokenize_model
            if model is not None and callable(getattr(model, "predict", None)):
                _crf = model
        except Exception:  # noqa: BLE001 - other underthesea versions: use word_tokenize itself
            _crf = None
        _word_tokenize = word_tokenize
    return _word_tokenize


def _segment(text: str) -> list[str]:
    """underthesea's CRF word segmentation (B-W/I-W tags) over our syllable tokens."""
    _tokenizer()
    if _crf is None:
        return _word_tokenize(text)
    syllables = _PRETOKEN.findall(text)
    if not syllables:
        return []
    tags = _crf.predict([[s] for s in syllables])
    words: list[str] = []
    for tag, syl in zip(tags, syllables):
        if tag == "I-W" and words:
            words[-1] += " " + syl
        else:
            words.append(syl)
    return words


def tokenize_normalized(text: str) -> list[str]:
    """Segment already-normalised text into words ("công đoàn" stays one token)."""
    if not text:
        return []
    tokens = _segment(text)
    out: list[str] = []
    for tok in tokens:
        # Placeholders (URL, EMO_SAD...) are upper case; never let the CRF glue them
        # to a neighbour ("EMO_ANGRY URL").
        if " " in tok and not tok.islower():
            out.extend(tok.split(" "))
        else:
            out.append(tok)
    return out


def segment(text: str) -> list[str]:
    """Normalise then segment one text; the fast path (no spaCy)."""
    return tokenize_normalized(normalize(text).text)


# --------------------------------------------------------------------------- gazetteer
@dataclass(frozen=True)
class GazetteerMatch:
    facet: str
    name: str
    start: int
    end: int


class Gazetteer:
    """Whole-word, diacritic-insensitive, longest-first phrase lookup.

    Indexed by first word so the cost is one dict lookup per word of the text.
    """

    def __init__(self, entries: dict[str, dict[str, list[str]]], ambiguous: set[str] | None = None):
        self.index: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        ambiguous = ambiguous or set()
        for facet, names in entries.items():
            for name, aliases in names.items():
                forms = list(aliases) + ([] if name in ambiguous else [name])
                for form in forms:
                    words = tuple(_WORD.findall(strip_diacritics(normalize(form).text)))
                    if words:
                        self.index.setdefault(words[0], []).append((words, name, facet))
        for options in self.index.values():
            options.sort(key=lambda o: -len(o[0]))

    @classmethod
    def from_toml(cls, path: Path) -> "Gazetteer":
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        ambiguous = set(data.pop("ambiguous", {}).get("names", []))
        unknown = set(data) - set(FACETS)
        if unknown:
            raise ValueError(f"{path}: unknown facet tables {sorted(unknown)}; expected {FACETS}")
        return cls(data, ambiguous)

    def find(self, shadow: str) -> list[GazetteerMatch]:
        """Matches in a diacritic-free, lower-cased text; per facet, longest wins."""
        spans = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(shadow)]
        words = [s[0] for s in spans]
        out: list[GazetteerMatch] = []
        taken: dict[str, int] = {}  # facet -> first free word index
        index = self.index
        for i, word in enumerate(words):
            options = index.get(word)
            if not options:
                continue
            for form, name, facet in options:
                n = len(form)
                if taken.get(facet, 0) > i:
                    continue
                if tuple(words[i : i + n]) == form:
                    out.append(GazetteerMatch(facet, name, spans[i][1], spans[i + n - 1][2]))
                    taken[facet] = i + n
        return out


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer.from_toml(DATA_DIR / "gazetteer.toml")


def facets_of(normalized: NormalizedText) -> dict[str, list[str]]:
    """Facet -> canonical names found (sorted, unique) in a normalised text."""
    found: dict[str, set[str]] = {}
    for match in gazetteer().find(normalized.shadow.lower()):
        found.setdefault(match.facet, set()).add(match.name)
    return {facet: sorted(found[facet]) for facet in FACETS if facet in found}


def facets(text: str) -> dict[str, list[str]]:
    """Facets (place, organisation, policy, company) mentioned in a raw text."""
    return facets_of(normalize(text))


# --------------------------------------------------------------------------- prepared
@dataclass(slots=True)
class PreparedText:
    """Everything the classifiers need from one text, computed once."""

    text: str  # normalised
    shadow: str  # normalised, no diacritics
    tokens: list[str]  # segmented words of ``text``
    flags: dict[str, bool] = field(default_factory=dict)
    facets: dict[str, list[str]] = field(default_factory=dict)


@lru_cache(maxsize=8)
def _drop_tables(terms: tuple[str, ...]) -> tuple[re.Pattern[str], frozenset[str], int]:
    """(pattern over text, term forms as token sequences, longest term in syllables)."""
    forms = {f for term in terms for f in (term.lower(), strip_diacritics(term.lower())) if f.strip()}
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                         + r")(?!\w)")
    return pattern, frozenset(forms), max((len(f.split()) for f in forms), default=1)


def read_terms(name: str) -> tuple[str, ...]:
    """A term list from ``nlp/data/<name>.txt`` (one per line, ``#`` comments)."""
    lines = (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def drop_terms(doc: PreparedText, terms: tuple[str, ...]) -> PreparedText:
    """``doc`` without the given words (accented or not) and without facets.

    For a task that must judge tone, not subject (toxicity). Works on an already
    segmented text (the segmentation is not run again): whole segmented words, or runs
    of them, that spell a term are removed; the text and shadow lose the same words.
    """
    pattern, forms, longest = _drop_tables(tuple(terms))
    text = " ".join(pattern.sub(" ", doc.text).split())
    if text == doc.text and not doc.facets:
        return doc
    tokens, i, toks = [], 0, doc.tokens
    while i < len(toks):
        for j in range(min(len(toks), i + longest), i, -1):
            if " ".join(toks[i:j]).lower() in forms:
                i = j
                break
        else:
            tokens.append(toks[i])
            i += 1
    return PreparedText(text=text, shadow=strip_diacritics(text), tokens=tokens, flags=doc.flags, facets={})


def prepare(text: str, teencode: bool = True, full_normalize: bool = True, segment_words: bool = True,
            drop: tuple[str, ...] | None = None) -> PreparedText:
    """Normalise, segment (once) and find facets for one raw text.

    ``drop``: terms removed afterwards (:func:`drop_terms`). The other switches exist
    for ablations; the product always uses the defaults.
    """
    normalized = normalize(text, teencode=teencode, full=full_normalize)
    doc = PreparedText(
        text=normalized.text,
        shadow=normalized.shadow,
        tokens=tokenize_normalized(normalized.text) if segment_words else normalized.text.split(),
        flags=normalized.flags,
        facets=facets_of(normalized),
    )
    return drop_terms(doc, drop) if drop else doc


# --------------------------------------------------------------------------- spaCy
class UndertheseaTokenizer:
    """spaCy tokenizer: normalise, then underthesea words become ``Token`` objects."""

    def __init__(self, vocab: Any):
        self.vocab = vocab

    def __call__(self, text: str) -> Any:
        from spacy.tokens import Doc

        normalized = normalize(text)
        words = tokenize_normalized(normalized.text)
        spaces, pos = [], 0
        source = normalized.text
        aligned: list[str] = []
        for word in words:
            at = source.find(word, pos)
            if at < 0:  # the segmenter changed the word; keep it, approximate spacing
                aligned.append(word)
                spaces.append(True)
                continue
            pos = at + len(word)
            aligned.append(word)
            spaces.append(pos < len(source) and source[pos] == " ")
        return Doc(self.vocab, words=aligned, spaces=spaces)

    # spaCy calls these when saving/loading a pipeline; nothing to keep.
    def to_bytes(self, **_: Any) -> bytes:
        return b""

    def from_bytes(self, _bytes: bytes, **_: Any) -> "UndertheseaTokenizer":
        return self

    def to_disk(self, _path: Any, **_: Any) -> None:
        return None

    def from_disk(self, _path: Any, **_: Any) -> "UndertheseaTokenizer":
        return self


def _gazetteer_ruler(doc: Any) -> Any:
    """Entity ruler component: gazetteer matches become entities and ``doc.spans``."""
    spans = []
    shadow = strip_diacritics(doc.text).lower()
    for match in gazetteer().find(shadow):
        span = doc.char_span(match.start, match.end, label=FACET_LABELS[match.facet],
                             kb_id=match.name, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans["facets"] = spans
    from spacy.util import filter_spans

    doc.ents = filter_spans(spans)
    return doc


@lru_cache(maxsize=1)
def nlp() -> Any:
    """A blank Vietnamese spaCy pipeline (no pyvi) with our tokenizer and gazetteer."""
    import spacy
    from spacy.language import Language

    if "langnghe_gazetteer" not in Language.factories and not Language.has_factory("langnghe_gazetteer"):
        Language.component("langnghe_gazetteer", func=_gazetteer_ruler)
    pipeline = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    pipeline.tokenizer = UndertheseaTokenizer(pipeline.vocab)
    pipeline.add_pipe("langnghe_gazetteer")
    return pipeline


def make_doc(text: str) -> Any:
    """spaCy ``Doc`` of the normalised text: underthesea words, gazetteer entities."""
    return nlp()(text)
