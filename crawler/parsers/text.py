"""Small helpers the parsers share: input decoding, whitespace, numbers."""

from __future__ import annotations

import re

from crawler.charset import decode_html
from langnghe.records import nfc

_WS = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_NUM = re.compile(r"(\d+(?:[.,]\d+)*)\s*([kKmM]|nghìn|ngàn|triệu)?")


def as_text(html_or_text: str | bytes) -> str:
    """Decode bytes (charset-aware) or pass text through; always NFC."""
    if isinstance(html_or_text, bytes):
        html_or_text = decode_html(html_or_text)
    return nfc(html_or_text)


def clean(text: str | None) -> str:
    """NFC, spaces collapsed inside lines, blank lines dropped, trimmed."""
    if not text:
        return ""
    lines = (_WS.sub(" ", line).strip() for line in nfc(text).splitlines())
    return "\n".join(line for line in lines if line)


def parse_count(text: str | None) -> int:
    """``"1.234"`` -> 1234, ``"1,2K"`` -> 1200, ``"3 nghìn"`` -> 3000, junk -> 0."""
    if not text:
        return 0
    m = _NUM.search(str(text))
    if not m:
        return 0
    number, unit = m.group(1), (m.group(2) or "").lower()
    if unit:
        value = float(number.replace(",", "."))
        factor = 1000 if unit in ("k", "nghìn", "ngàn") else 1_000_000
        return int(round(value * factor))
    return int(re.sub(r"[.,]", "", number))


def element_text(el) -> str:
    """Text of an lxml element with ``<br>`` and paragraph breaks kept as newlines."""
    from copy import deepcopy

    el = deepcopy(el)
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in el.iter("p", "div", "li", "blockquote"):
        block.tail = "\n" + (block.tail or "")
    return clean(el.text_content())
