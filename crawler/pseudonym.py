"""Keyed author pseudonyms: the same person gets the same tag, nobody can reverse it.

Raw display names never reach the store. The key (``Settings.secret_bytes()``) stays
on the server, so a pseudonym can't be recomputed from a guessed name elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac

from langnghe.records import nfc

PREFIX = "a_"
HEX_CHARS = 12


def normalise_name(name: str) -> str:
    """NFC, case-folded, whitespace-collapsed: ``"Nguyễn  Văn A"`` == ``"nguyễn văn a"``."""
    return " ".join(nfc(name).casefold().split())


def pseudonymise(name: str, secret: bytes) -> str:
    """``"a_" + 12 hex chars`` of HMAC-SHA256(secret, normalised name)."""
    if not secret:
        raise ValueError("pseudonym secret is empty")
    digest = hmac.new(secret, normalise_name(name).encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:HEX_CHARS]
