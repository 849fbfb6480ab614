"""Unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

import unicodedata

from domain.shared import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The 18th character for the given first 17 (31 → 0)."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(raw: str) -> str:
    """Upper-case, half-width, no spaces: the way bureaus' spreadsheets need cleaning."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(text.split()).upper()


def validate_uscc(raw: str, field: str = "uscc") -> str:
    """Return the normalised code, or raise InvalidInput saying what is wrong with it."""
    code = normalise_uscc(raw)
    if len(code) != 18:
        raise InvalidInput("uscc.length", field=field, length=len(code))
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        raise InvalidInput("uscc.characters", field=field, characters="".join(bad))
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidInput("uscc.check", field=field, code=code, actual=code[17], expected=expected)
    return code
