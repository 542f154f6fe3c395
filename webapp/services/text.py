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
    escaped = without_controls(query).strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- text that hides or breaks things ---------------------------------------------------------

#: Characters that reorder text as it is displayed (embeddings, overrides, isolates): a name
#: with them can show as something else ("Trojan Source"). Plain marks (LRM, RLM) stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Characters that take up no room: allowed inside text (Thai uses U+200B between words), never
#: as all of it.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f\u115f\u1160\u3164\uffa0\u180e")
#: Line breaks a multi-line field keeps.
LINE_BREAKS = frozenset("\n\r\t")

#: What is wrong with a text, as codes (the words are the caller's, in the reader's language).
CONTROL, BIDI, INVISIBLE_ONLY = "control", "bidi", "invisible"


def text_problem(text: str | None, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be stored as a name or a field's value, or ``None`` when it can.

    ``CONTROL``: a control character (NUL, CR, LF, ESC, ... or a line separator), which breaks
    email headers, logs and PostgreSQL; a multi-line text may hold line breaks and tabs.
    ``BIDI``: a character that reorders what is displayed. ``INVISIBLE_ONLY``: nothing a reader
    can see, such as only a zero-width space.

    >>> text_problem("สมชาย ใจดี") is None
    True
    >>> text_problem("Chaiwat\\r\\nBcc: attacker@evil.example")
    'control'
    >>> text_problem("line one\\nline two", multiline=True) is None
    True
    >>> text_problem("abc\\u202edcba"), text_problem("\\u200b"), text_problem("")
    ('bidi', 'invisible', None)
    """
    if not text:
        return None
    if any(_is_control(char, multiline) for char in text):
        return CONTROL
    if any(char in BIDI_CONTROLS for char in text):
        return BIDI
    if all(char.isspace() or char in INVISIBLE or unicodedata.category(char) == "Cf" for char in text):
        return INVISIBLE_ONLY if text.strip() else None
    return None


def _is_control(char: str, multiline: bool) -> bool:
    if multiline and char in LINE_BREAKS:
        return False
    return unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs")


def without_controls(text: str) -> str:
    """``text`` without control and bidi characters: a search box's words, taken as typed.

    >>> without_controls("ab\\x00c\\u202e")
    'abc'
    """
    return "".join(char for char in text if not _is_control(char, False) and char not in BIDI_CONTROLS)
