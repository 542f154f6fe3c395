"""Search in Thai and English: PyThaiNLP word segmentation, tokens stored at write time.

Thai is written without spaces between words, so a plain ``LIKE`` cannot tell a word from a
piece of another. Text is cut into words with PyThaiNLP's default ``newmm`` engine (a
dictionary shipped with the package: no download) when it is saved, and stored as
`` word word word `` (casefolded, each word once, a space at each end). A query is cut the same
way and each of its words matched as `` word ``; rows rank by how many query words they hold.
Plain ``LIKE`` with ``CASE`` sums: the same SQL and the same order on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from pythainlp.tokenize import word_tokenize

#: Most query words matched (a longer query keeps its first words).
MAX_QUERY_WORDS = 12
#: Thai prefixes that make a noun of a verb or adjective (การประชุม "meeting", ความรู้ "knowledge"):
#: ``newmm`` keeps such a noun as one word, so the stem is stored too and "ประชุม" finds "การประชุม".
NOUN_PREFIXES = ("การ", "ความ")


def words(text: str | None) -> list[str]:
    """The distinct words of ``text``, casefolded, in order; spaces and punctuation dropped.

    >>> words("การวิเคราะห์ข้อมูล SQL")
    ['การ', 'วิเคราะห์', 'ข้อมูล', 'sql']
    """
    found: dict[str, None] = {}
    for token in word_tokenize(unicodedata.normalize("NFC", text or ""), engine="newmm", keep_whitespace=False):
        token = token.strip().casefold()
        if token and any(unicodedata.category(char)[0] in "LN" for char in token):
            found.setdefault(token.replace("%", "").replace("_", ""), None)
    return [word for word in found if word]


def stored_words(text: str | None) -> list[str]:
    """``words(text)``, with the stem of each noun made with a Thai prefix (``NOUN_PREFIXES``).

    >>> stored_words("การประชุมทีม")
    ['การประชุม', 'ประชุม', 'ทีม']
    """
    found: list[str] = []
    for word in words(text):
        found.append(word)
        for prefix in NOUN_PREFIXES:
            if word.startswith(prefix) and len(word) > len(prefix) + 1:
                found.append(word[len(prefix):])
    return found


def tokens(*texts: str | None) -> str:
    """What a row stores for its texts: `` word word `` (see the module's docstring)."""
    found = list(dict.fromkeys(word for text in texts for word in stored_words(text)))
    return f" {' '.join(found)} " if found else ""


def matched_terms(column, query: str) -> tuple[sa.ColumnElement[int] | None, int]:
    """An SQL expression counting the query's words ``column`` holds, and how many words there are.

    ``None`` when the query has no words.
    """
    wanted = words(query)[:MAX_QUERY_WORDS]
    if not wanted:
        return None, 0
    count = sum((sa.case((column.like(f"% {word} %"), 1), else_=0) for word in wanted), sa.literal(0))
    return count, len(wanted)
