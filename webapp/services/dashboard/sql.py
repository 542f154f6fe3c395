"""SQL pieces that differ between SQLite and PostgreSQL, and counting helpers."""

from __future__ import annotations

import sqlalchemy as sa

from models import db


def dialect() -> str:
    return db.session.get_bind().dialect.name


def whole_hours_between(later, earlier):
    """``later - earlier`` in whole hours (rounded down), in SQL."""
    if dialect() == "postgresql":
        return sa.func.floor(sa.extract("epoch", later - earlier) / 3600)
    return sa.cast((sa.func.julianday(later) - sa.func.julianday(earlier)) * 24, sa.Integer)


def count_if(condition) -> sa.ColumnElement[int]:
    """How many rows meet ``condition`` (a SUM of CASE, so one GROUP BY counts several things)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def median_of_counts(counts: dict[int, int]) -> float | None:
    """The median of values given as ``{value: how many times}``; None when there are none.

    >>> median_of_counts({1: 2, 5: 1}), median_of_counts({2: 1, 4: 1}), median_of_counts({})
    (1, 3.0, None)
    """
    total = sum(counts.values())
    if not total:
        return None
    low_rank, high_rank = (total - 1) // 2, total // 2
    seen, low = 0, None
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            return low if low == value else (low + value) / 2
    return low
