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


def fold(text: str) -> str:
    """Lower-case, no diacritics, ``đ`` -> ``d``, whitespace collapsed (NFC first)."""
    text = nfc(text).lower().replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
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
    """One watched term: its display name, group, and compiled alias pattern."""

    name: str
    group: str
    pattern: re.Pattern[str]


class Watchlist:
    """Finds watched terms in text. Build with :meth:`from_file` or :meth:`from_terms`."""

    def __init__(self, terms: list[Term]):
        self.terms = terms

    @classmethod
    def from_terms(cls, entries: list[dict]) -> "Watchlist":
        terms = []
        for entry in entries:
            name = nfc(str(entry["name"]))
            aliases = [name, *[nfc(str(a)) for a in entry.get("aliases", [])]]
            pattern = re.compile("|".join(_alias_pattern(a) for a in aliases))
            terms.append(Term(name=name, group=str(entry.get("group", "")), pattern=pattern))
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
        """Names of the terms found in ``text``, in watchlist order, each once."""
        folded = fold(text or "")
        if not folded:
            return []
        return [t.name for t in self.terms if t.pattern.search(folded)]
