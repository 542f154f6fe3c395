"""Sorting member names in SQL the way a Thai dictionary does, so pages can paginate.

Python's :func:`webapp.services.text.sort_key` is the reference. SQLite runs
it directly as a registered SQL function; PostgreSQL gets the same
transformation (casefold, leading vowel after its consonant, tone marks only
to break ties) as ``regexp_replace``/``translate`` under the "C" collation,
so the order does not depend on the server's locale.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from webapp.services.text import TONE_MARKS, sort_key


def _sqlite_sort_key(text: str | None, part: int) -> str | None:
    return None if text is None else sort_key(text)[part]


@sa.event.listens_for(sa.Engine, "connect")
def register_sqlite_sort_key(dbapi_connection, _record) -> None:
    """Give every SQLite connection ``thai_sort_key(text, part)``."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("thai_sort_key", 2, _sqlite_sort_key, deterministic=True)


class thai_sort_primary(FunctionElement):
    """The key without tone marks: what a dictionary sorts by first."""

    type = sa.String()
    inherit_cache = True
    part = 0


class thai_sort_full(FunctionElement):
    """The key with tone marks, to break ties."""

    type = sa.String()
    inherit_cache = True
    part = 1


@compiles(thai_sort_primary)
@compiles(thai_sort_full)
def _compile_default(element, compiler, **kw):
    (column,) = list(element.clauses)
    return f"thai_sort_key({compiler.process(column, **kw)}, {element.part})"


@compiles(thai_sort_primary, "postgresql")
@compiles(thai_sort_full, "postgresql")
def _compile_postgresql(element, compiler, **kw):
    (column,) = list(element.clauses)
    swapped = (
        f"regexp_replace(lower(normalize({compiler.process(column, **kw)}, NFC)), "
        "'([\u0e40-\u0e44])([\u0e01-\u0e2e])', '\\2\\1', 'g')"
    )
    if element.part == 0:
        swapped = f"translate({swapped}, '{TONE_MARKS}', '')"
    return f'({swapped}) COLLATE "C"'


def by_thai_name(column) -> list:
    """ORDER BY terms for ``column`` in Thai dictionary order (Latin case-insensitive)."""
    return [thai_sort_primary(column), thai_sort_full(column)]
