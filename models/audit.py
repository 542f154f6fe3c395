"""The audit trail: who did what to whom and when, as data, never changed once written."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import db, utcnow


class AuditEntry(db.Model):
    """One thing that happened: an action code and its parameters (ids and counts, never names
    or emails, so erasing a member leaves nothing of them here), put in words when read.

    Append-only: the application never updates or deletes a row (a flush that tries raises),
    and the database refuses it too (a trigger on SQLite and PostgreSQL).
    """

    __tablename__ = "audit_entries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    # Who did it: None for the command line and for the system itself.
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id"), index=True)
    # Whom it concerns, if one member.
    subject_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id"), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(30), index=True)
    params: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)


class LoginFailure(db.Model):
    """Failed logins, counted per account and hour: the audit trail's aggregate of them.

    One row per (hour, account) however many attempts, so a flood of wrong passwords cannot
    flood the trail. ``account`` is the member's id as text, or ``""`` for emails that belong
    to nobody (those emails are not kept).
    """

    __tablename__ = "login_failures"
    __table_args__ = (sa.UniqueConstraint("window_start", "account", name="one_per_hour"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    window_start: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), index=True)
    account: so.Mapped[str] = so.mapped_column(sa.String(20))
    member_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id"), index=True)
    count: so.Mapped[int] = so.mapped_column(default=0)
    last_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


#: The database refuses changes to the trail, whatever sends them.
_APPEND_ONLY = {
    "sqlite": (
        "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$",
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
    ),
}


def append_only_statements(dialect: str) -> tuple[str, ...]:
    """The SQL that makes ``audit_entries`` append-only on ``dialect`` (the migration runs it too)."""
    return _APPEND_ONLY.get(dialect, ())


@sa.event.listens_for(AuditEntry.__table__, "after_create")
def _make_append_only(_table, connection, **_kw) -> None:
    for statement in append_only_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


@sa.event.listens_for(so.Session, "before_flush")
def _refuse_changes_to_the_trail(session, _context, _instances) -> None:
    """No code path of the application may change or delete an entry once written."""
    for instance in (*session.dirty, *session.deleted):
        if isinstance(instance, AuditEntry) and (instance in session.deleted or session.is_modified(instance)):
            raise ValueError("the audit trail is append-only")
