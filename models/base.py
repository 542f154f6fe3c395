"""The declarative base, the ``db`` object and small shared column helpers."""

from datetime import datetime, timezone

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

# Named constraints make migrations reproducible: Alembic can drop or alter a
# constraint only when it knows its name, and SQLite needs names for batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """The current time in UTC (a callable default, evaluated per row)."""
    return datetime.now(timezone.utc)


def one_of(column: str, values, name: str, *, nullable: bool = False) -> sa.CheckConstraint:
    """A CHECK constraint that ``column`` holds one of ``values`` (optionally NULL).

    >>> one_of("role", ("member", "hr"), "role_known").sqltext.text
    "role IN ('member', 'hr')"
    """
    allowed = ", ".join(f"'{value}'" for value in values)
    condition = f"{column} IN ({allowed})"
    return sa.CheckConstraint(f"{column} IS NULL OR {condition}" if nullable else condition, name=name)


def normalize_key(text: str) -> str:
    """Case- and space-insensitive key for unique names (works for Thai too)."""
    return " ".join(text.split()).casefold()
