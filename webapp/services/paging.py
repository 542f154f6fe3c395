"""Page numbers from the address bar, and pages of a query that never overflow.

A page number is whatever the visitor typed (``?page=100000000000000000000000``): it is read
as a whole number from 1 to ``MAX_PAGE``, and a page past the last one shows the last one, so
no OFFSET ever overflows a database integer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models import db

#: The highest page number read from a URL; OFFSET stays far inside a 64-bit integer.
MAX_PAGE = 1_000_000


def page_number(raw: str | None) -> int:
    """``raw`` (a query-string value) as a page number from 1 to ``MAX_PAGE``; 1 when it is none.

    >>> page_number("3"), page_number("0"), page_number("abc"), page_number(None), page_number("9" * 30)
    (3, 1, 1, 1, 1000000)
    """
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return 1
    return min(max(int(raw), 1), MAX_PAGE) if len(raw) <= len(str(MAX_PAGE)) else MAX_PAGE


def paginate(query, page: int, per_page: int):
    """``db.paginate`` of ``query``; a page past the last shows the last page."""
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if page > 1 and page > result.pages:
        result = db.paginate(query, page=max(result.pages, 1), per_page=per_page, error_out=False)
    return result


@dataclass(frozen=True)
class ListPage:
    """A page of an in-memory list, shaped like ``db.paginate``'s result for the pager macro."""

    items: list
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, rows: list, page: int, per_page: int) -> ListPage:
        """Page ``page`` (from 1) of ``rows``.

        >>> p = ListPage.of(list(range(5)), 2, 2)
        >>> p.items, p.pages, p.has_prev, p.has_next
        ([2, 3], 3, True, True)
        """
        page = min(max(page, 1), max(1, math.ceil(len(rows) / per_page)))
        return cls(rows[(page - 1) * per_page: page * per_page], page, per_page, len(rows))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
