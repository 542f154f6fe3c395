"""Words shared by the explanations of mentoring pairs and working groups."""

from __future__ import annotations

from collections.abc import Sequence


def join_words(words: Sequence[str], last: str = " and ") -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``: a list as a member reads it.

    ``last`` joins the final two (``", and "`` gives a serial comma).

    Examples
    --------
    >>> join_words(["Thai"]), join_words(["Lean", "SQL", "Go"])
    ('Thai', 'Lean, SQL and Go')
    """
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + last + words[-1]
