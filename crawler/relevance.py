"""Is this text about the union or workers' issues? The watchlist decides.

Matching is diacritic-insensitive (people type "cong doan" without accents), aware of
teencode and abbreviations ("cđ", "ldld", "bhxh") and bound to whole words, so "cd"
inside "cdn" or "abcd" never matches. Terms and aliases live in ``config/watchlist.toml``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from langnghe.errors import UserError
from langnghe.records import nfc

_SEPARATORS = re.compile(r"[\s\-_./\\|·•,:;]+")


_MARKS: dict[int, None] | None = None


def _marks() -> dict[int, None]:
    """``str.translate`` table deleting every non-spacing mark of the BMP (built once)."""
    global _MARKS
    if _MARKS is None:
        _MARKS = {cp: None for cp in range(0x300, 0x10000) if unicodedata.category(chr(cp)) == "Mn"}
    return _MARKS


def fold(text: str) -> str:
    """Lower-case, no diacritics, ``đ`` -> ``d``, whitespace collapsed (NFC first)."""
    text = nfc(text).lower().replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    if decomposed and max(decomposed) > "\uffff":  # astral marks are rare: the exact, slow way
        stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    else:
        stripped = decomposed.translate(_marks())
    return " ".join(stripped.split())


def _alias_pattern(alias: str) -> str:
    """Regex for one folded alias: words joined by any separator run, whole words only."""
    words = [w for w in _SEPARATORS.split(fold(alias)) if w]
    if not words:
        raise ValueError(f"empty alias {alias!r}")
    body = r"[\s\-_./\\|·•]*".join(re.escape(w) for w in words) if len(words) > 1 else re.escape(words[0])
    return rf"(?<!\w){body}(?!\w)"


@dataclass(frozen=True)
class Term:
    """One watched term: its display name, group, and compiled alias pattern.

    ``heads``: the first word of each alias. Every alias pattern starts with
    ``(?<!\\w)`` and its first word, so it can only match at the start of a word of the
    text that begins with one of the heads (see :meth:`Watchlist.matches`).
    """

    name: str
    group: str
    pattern: re.Pattern[str]
    heads: tuple[str, ...] = ()


def _head(alias: str) -> str:
    return next(w for w in _SEPARATORS.split(fold(alias)) if w)


_WORD = re.compile(r"\w+")


class Watchlist:
    """Finds watched terms in text. Build with :meth:`from_file` or :meth:`from_terms`."""

    def __init__(self, terms: list[Term]):
        self.terms = terms
        #: first two letters of a head -> [(head, term index)]; terms with a head that
        #: does not start with a letter or digit are searched the slow way (``slow``).
        self.by_prefix: dict[str, list[tuple[str, int]]] = {}
        self.slow: list[int] = []
        for i, term in enumerate(terms):
            if not term.heads or any(not _WORD.match(h) for h in term.heads):
                self.slow.append(i)
                continue
            for head in set(term.heads):
                self.by_prefix.setdefault(head[:2], []).append((head, i))

    @classmethod
    def from_terms(cls, entries: list[dict]) -> "Watchlist":
        terms = []
        for entry in entries:
            name = nfc(str(entry["name"]))
            aliases = [name, *[nfc(str(a)) for a in entry.get("aliases", [])]]
            pattern = re.compile("|".join(_alias_pattern(a) for a in aliases))
            heads = tuple(sorted({_head(a) for a in aliases}))
            terms.append(Term(name=name, group=str(entry.get("group", "")), pattern=pattern, heads=heads))
        return cls(terms)

    @classmethod
    def from_file(cls, path: Path) -> "Watchlist":
        try:
            with Path(path).open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise UserError(
                f"watchlist file {path} does not exist. Create it (see config/watchlist.toml) "
                "or set watchlist_file in the config."
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise UserError(f"watchlist file {path} is not valid TOML ({exc}). Fix the file and run again.") from exc
        entries = data.get("term", [])
        if not isinstance(entries, list) or not entries:
            raise UserError(f"watchlist file {path} has no [[term]] tables. Add at least one term.")
        for i, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not str(entry.get("name", "")).strip():
                raise UserError(f"watchlist file {path}: term #{i} has no name. Give every [[term]] a name.")
        return cls.from_terms(entries)

    def matches(self, text: str) -> list[str]:
        """Names of the terms found in ``text``, in watchlist order, each once.

        Same answer as searching every term's pattern through the text, but a pattern
        is only tried, anchored, where a word starts with one of its heads: an article
        costs one pass over its words instead of one regex scan per term.
        """
        folded = fold(text or "")
        if not folded:
            return []
        found: set[int] = set()
        for i in self.slow:
            if self.terms[i].pattern.search(folded):
                found.add(i)
        by_prefix, terms = self.by_prefix, self.terms
        for word in _WORD.finditer(folded):
            pos = word.start()
            # Heads of two letters or more are filed under their first two, one-letter heads under one.
            for key in (folded[pos:pos + 2], folded[pos]):
                for head, i in by_prefix.get(key, ()):
                    if i not in found and folded.startswith(head, pos) and terms[i].pattern.match(folded, pos):
                        found.add(i)
        return [t.name for i, t in enumerate(terms) if i in found]
