"""Text normalisation for Vietnamese social-media text, before segmentation.

Why: the same word arrives as "không", "ko", "k", "khongg", "KHÔNG", with old-style
tone marks ("hoà") or none at all. Classifiers learn much more from few examples when
those spellings meet. Everything here is precompiled regex / dict / ``str.translate``
so that normalising costs a small fraction of word segmentation.

Order: NFC → lower-case → placeholders (URL, EMAIL, PHONE, MENTION) → emoji and
emoticons → laughter → squeezed letters → word map (teencode + tone-mark fixes)
→ old→new tone placement → whitespace. The diacritic-free ``shadow`` lets "cong doan"
and "công đoàn" share features.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Placeholder tokens (upper case, so they never collide with lower-cased text).
PLACEHOLDERS = ("URL", "EMAIL", "PHONE", "MENTION")
FLAG_NAMES = (
    "has_url",
    "has_phone",
    "has_email",
    "has_mention",
    "has_emoji",
    "has_money",
    "shouting",
    "exclaim",
    "no_diacritics",
)


@dataclass(slots=True)
class NormalizedText:
    """Normalised text (lower-case, placeholders), its diacritic-free shadow, flags."""

    text: str
    shadow: str
    flags: dict[str, bool] = field(default_factory=dict)


# --------------------------------------------------------------------------- tables
def _read_tsv(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition("\t")
        rows.append((unicodedata.normalize("NFC", key), unicodedata.normalize("NFC", value.strip())))
    return rows


_TONES = {  # base vowel -> (no tone, huyền, sắc, hỏi, ngã, nặng)
    "a": "aàáảãạ", "ă": "ăằắẳẵặ", "â": "âầấẩẫậ", "e": "eèéẻẽẹ", "ê": "êềếểễệ",
    "i": "iìíỉĩị", "o": "oòóỏõọ", "ô": "ôồốổỗộ", "ơ": "ơờớởỡợ", "u": "uùúủũụ",
    "ư": "ưừứửữự", "y": "yỳýỷỹỵ",
}
_TONE_OF = {ch: (base, i) for base, row in _TONES.items() for i, ch in enumerate(row)}


def _strip_table() -> dict[int, str]:
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in range(0xC0, 0x1EFA):
        ch = chr(cp)
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        if base != ch and base.isascii() and base.isalpha():
            table[cp] = base
    return table


_STRIP = _strip_table()


def strip_diacritics(text: str) -> str:
    """"Công Đoàn" -> "Cong Doan" (NFC input; one ``str.translate``)."""
    return text.translate(_STRIP)


@lru_cache(maxsize=1)
def word_map() -> dict[str, str]:
    """Lower-case word -> replacement: underthesea's tone-mark fixes + our teencode."""
    mapping: dict[str, str] = {}
    try:  # misplaced tone marks ("lựơng" -> "lượng", "hoà" -> "hòa"), offline data
        from underthesea.pipeline.text_normalize.text_normalizer import token_map

        for key, value in token_map.items():
            if key == key.lower():
                mapping[key] = value
    except Exception:  # noqa: BLE001 - the own rules below still apply
        pass
    for key, value in _read_tsv("teencode.tsv"):
        mapping[key.lower()] = value
    return mapping


@lru_cache(maxsize=1)
def _emoji_tables() -> tuple[dict[str, str], dict[str, str]]:
    emoji: dict[str, str] = {}
    emoticons: dict[str, str] = {}
    for key, value in _read_tsv("emoji.tsv"):
        if any(ord(c) > 0x2000 for c in key):
            emoji[key] = f" {value} "
        else:
            emoticons[key.lower()] = f" {value} "
    return emoji, emoticons


# --------------------------------------------------------------------------- regexes
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_HINT = re.compile(r"https?:|www\.|[a-z0-9]\.[a-z]{2}")
_URL = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|vn|net|org|info|gov|edu|io|me|ly|gl|co|link"
    r"|xyz|top|online|site|shop|club|biz|asia|app|page|cc|tk)\b(?:/\S*)?"
)
# Vietnamese phones: 0/+84/84 then 9-10 digits, groups split by space, dot or dash.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+84|0084|84|0)[\s.\-]?\(?[235789]\d?\)?(?:[\s.\-]?\d){7,8}(?!\d)"
    r"|(?<![\w+])1[89]00[\s.\-]?\d{2,3}[\s.\-]?\d{2,3}(?!\d)"
)
_MENTION = re.compile(r"(?<![\w@])@[\w.]{2,}")
_EMOJI = re.compile(r"[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\u203c\u2049\u2764]")
_INVISIBLE = re.compile(r"[\ufe0f\ufe0e\u200b-\u200f\u2060\ufeff]")
_EMOTICON_CHARS = re.compile(r"[:;=^<>()\-_'*@/\\]")
_LAUGH = re.compile(
    r"(?<!\S)(?:[=:;]\)\)+|=\)+|:\)\)+|k{3,}|(?:h[aeiêjô]|k[aeê]|hí|há|hé)(?:[\s]?(?:h[aeiêjô]|k[aeê]|hí|há|hé)){1,})(?!\S)"
)
_REPEAT = re.compile(r"(\w)\1\1+")
_TONED_THEN_BASE = re.compile(r"([àáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ])([aeiouy])\2*")
# Old-style tone placement "hoà, khoẻ, thuỷ" -> "hòa, khỏe, thủy" (open syllables only).
_OLD_TONE = re.compile(r"(?<!q)([ou])([àáảãạèéẻẽẹỳýỷỹỵ])(?![^\W\d_])")
_MONEY = re.compile(
    r"\d[\d.,]*\s?(?:k|tr|triệu|nghìn|ngàn|đ|đồng|vnđ|vnd|usd|\$|tỷ|tỏi|củ)\b|\b(?:triệu|tỷ|chuyển khoản)\b"
)
_UPPER = re.compile(r"[A-ZÀ-ỸĐ]")
_LETTER = re.compile(r"[^\W\d_]")
_DIACRITIC = re.compile(r"[à-ỹđ]")
_ASCII_WORD = re.compile(r"(?<![\w])[a-z]{2,}(?![\w])")
_DIGIT = re.compile(r"\d")


def trie_pattern(words: list[str]) -> str:
    """A regex matching exactly ``words``, as a character trie (fast to scan)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _emoticon_sub(match: re.Match[str]) -> str:
    token = match.group(0)
    return _emoji_tables()[1].get(token, token)


@lru_cache(maxsize=1)
def _emoticon_re() -> re.Pattern[str]:
    keys = sorted(_emoji_tables()[1], key=len, reverse=True)
    return re.compile(r"(?<!\S)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\S)")


def _emoji_sub(match: re.Match[str]) -> str:
    return _emoji_tables()[0].get(match.group(0), " EMO_OTHER ")


def _toned_then_base(match: re.Match[str]) -> str:
    toned, plain = match.group(1), match.group(2)
    base = _TONE_OF[toned][0]
    return toned if strip_diacritics(base) == plain else match.group(0)


def _old_tone(match: re.Match[str]) -> str:
    first, toned = match.groups()
    base, tone = _TONE_OF[toned]
    if (first == "o" and base not in "ae") or (first == "u" and base != "y"):
        return match.group(0)
    return _TONES[first][tone] + base


def _map_word(match: re.Match[str]) -> str:
    return _WORDS[match.group(0)]


def _squeeze(match: re.Match[str]) -> str:
    return match.group(0) if match.group(1).isdigit() else match.group(1)


_WORDS: dict[str, str] = {}
_WORDS_RE: re.Pattern[str] = re.compile(r"(?!)")


def _ensure_tables() -> None:
    global _WORDS, _WORDS_RE
    if not _WORDS:
        words = word_map()
        _WORDS_RE = re.compile(r"(?<!\w)(?:" + trie_pattern(list(words)) + r")(?!\w)")
        _WORDS = words
        _emoji_tables()
        _emoticon_re()


@lru_cache(maxsize=1)
def _tone_only() -> tuple[dict[str, str], re.Pattern[str]]:
    """The word map without teencode (for ablations)."""
    teencode = {k.lower() for k, _ in _read_tsv("teencode.tsv")}
    words = {k: v for k, v in word_map().items() if k not in teencode}
    return words, re.compile(r"(?<!\w)(?:" + trie_pattern(list(words)) + r")(?!\w)")


def normalize(text: str, teencode: bool = True, full: bool = True) -> NormalizedText:
    """Normalise one text; see the module docstring for the steps.

    ``full=False`` keeps only NFC + lower-casing (and the shadow); ``teencode=False``
    skips the teencode dictionary. Both exist to measure what each step adds.
    """
    _ensure_tables()
    text = unicodedata.normalize("NFC", text or "")
    if not full:
        text = " ".join(text.lower().split())
        return NormalizedText(text=text, shadow=text.translate(_STRIP), flags=dict.fromkeys(FLAG_NAMES, False))
    text = _INVISIBLE.sub("", text).replace("ð", "đ").replace("Ð", "Đ")
    flags = dict.fromkeys(FLAG_NAMES, False)
    lowered = text.lower()
    if lowered != text:
        uppers = len(_UPPER.findall(text))
        flags["shouting"] = uppers >= 8 and uppers > 0.7 * len(_LETTER.findall(text))
    flags["exclaim"] = "!!" in text or "?!" in text
    text = lowered
    if "@" in text:
        text, n = _EMAIL.subn(" EMAIL ", text)
        flags["has_email"] = n > 0
        text, n = _MENTION.subn(" MENTION ", text)
        flags["has_mention"] = n > 0
    if _URL_HINT.search(text):
        text, n = _URL.subn(" URL ", text)
        flags["has_url"] = n > 0
    if _DIGIT.search(text):
        text, n = _PHONE.subn(" PHONE ", text)
        flags["has_phone"] = n > 0
    flags["has_money"] = _MONEY.search(text) is not None
    text, n = _EMOJI.subn(_emoji_sub, text)
    if _EMOTICON_CHARS.search(text):
        text, m = _emoticon_re().subn(_emoticon_sub, text)
        n += m
    text, m = _LAUGH.subn(" EMO_LAUGH ", text)
    flags["has_emoji"] = n + m > 0
    text = _REPEAT.sub(_squeeze, text)
    text = _TONED_THEN_BASE.sub(_toned_then_base, text)
    # Any lower-case Latin word and no Vietnamese diacritic anywhere: typed without accents
    # (routes the text to the accent-free fallback model). Judged before the teencode
    # dictionary, whose expansions ("ko" → "không") would add diacritics the writer never typed.
    flags["no_diacritics"] = _DIACRITIC.search(text) is None and _ASCII_WORD.search(text) is not None
    if teencode:
        text = _WORDS_RE.sub(_map_word, text)
    else:
        words, pattern = _tone_only()
        text = pattern.sub(lambda m: words[m.group(0)], text)
    text = _OLD_TONE.sub(_old_tone, text)
    text = " ".join(text.split())
    shadow = text.translate(_STRIP)
    return NormalizedText(text=text, shadow=shadow, flags=flags)
