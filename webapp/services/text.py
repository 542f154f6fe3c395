"""Text helpers for Thai and any other script: sorting and search patterns."""

from __future__ import annotations

import unicodedata

# Thai vowels written before the consonant they follow in speech (เ แ โ ใ ไ).
_LEADING_VOWELS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")
# Tone marks and the thanthakhat: they only break ties in dictionary order.
TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b\u0e4c"


def sort_key(text: str) -> tuple[str, str]:
    """A key that sorts names as a Thai dictionary does, and Latin text case-insensitively.

    Thai orders words by their first consonant, so a leading vowel is moved
    after it (``เกียรติ`` sorts under ``ก``) and tone marks count only to break
    ties.

    Examples
    --------
    >>> sorted(["ไก่", "กา", "เขา", "ขา"], key=sort_key)
    ['กา', 'ไก่', 'ขา', 'เขา']
    >>> sorted(["bob", "Alice"], key=sort_key)
    ['Alice', 'bob']
    """
    text = unicodedata.normalize("NFC", text).casefold()
    chars = list(text)
    index = 0
    while index < len(chars) - 1:
        if chars[index] in _LEADING_VOWELS and "\u0e01" <= chars[index + 1] <= "\u0e2e":
            chars[index], chars[index + 1] = chars[index + 1], chars[index]
            index += 2
        else:
            index += 1
    swapped = "".join(chars)
    primary = "".join(ch for ch in swapped if ch not in TONE_MARKS)
    return primary, swapped


def like_pattern(query: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern that finds ``query`` anywhere, taken literally."""
    escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
