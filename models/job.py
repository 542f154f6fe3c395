"""Background work: a job's state, and the outbox of messages waiting to be sent.

Both live in the database, so any web process or worker can read them, and a
worker that dies leaves a row that says so (its heartbeat stops) rather than
state lost in a process.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from models.base import db, one_of, utcnow


class JobStatus(enum.StrEnum):
    """Where a job stands: queued → running → finished, failed or cancelled (the last three are final)."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def title(self) -> str:
        """The status as HR reads it."""
        return _JOB_STATUS_TITLES[self]

    @property
    def active(self) -> bool:
        """Queued or running: the job may still change what it works on."""
        return self in ACTIVE_JOB_STATUSES


ACTIVE_JOB_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})

_JOB_STATUS_TITLES = {
    JobStatus.QUEUED: _l("waiting for a worker"),
    JobStatus.RUNNING: _l("running"),
    JobStatus.FINISHED: _l("finished"),
    JobStatus.FAILED: _l("failed"),
    JobStatus.CANCELLED: _l("cancelled"),
}

#: The phases of a solve, in order (``Job.phase``); their words are in ``webapp.jobs``.
SOLVE_PHASES = ("loading", "scoring", "solving", "certifying", "storing")

_ACTIVE_SQL = "status IN ('queued', 'running')"


class Job(db.Model):
    """One piece of background work: what it is (``kind``, ``target_id``), where it stands, and
    why it failed (``message``: a code, put in words when read; ``detail``: the technical text)."""

    __tablename__ = "jobs"
    __table_args__ = (
        one_of("status", [s.value for s in JobStatus], "status_known"),
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name="percent_in_range"),
        # One active job per kind and target (one solve per round), whatever races to start one.
        sa.Index("ix_jobs_one_active", "kind", "target_id", unique=True,
                 sqlite_where=sa.text(_ACTIVE_SQL), postgresql_where=sa.text(_ACTIVE_SQL)),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(30))
    target_id: so.Mapped[Optional[int]] = so.mapped_column(index=True)  # e.g. the round's id
    requested_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    status: so.Mapped[JobStatus] = so.mapped_column(
        sa.Enum(JobStatus, native_enum=False, create_constraint=False, length=12,
                values_callable=lambda statuses: [status.value for status in statuses]),
        default=JobStatus.QUEUED, index=True,
    )
    phase: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    percent: so.Mapped[int] = so.mapped_column(default=0)
    message: so.Mapped[Optional[str]] = so.mapped_column(sa.String(30))
    detail: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    started_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    finished_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    heartbeat_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))


class OutboxStatus(enum.StrEnum):
    """A message in the outbox: pending (due at ``next_attempt_at``) → sending → sent, or failed."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One message to one member, written in the same transaction as what caused it and sent by a job.

    ``key`` is the message's idempotency key (also its Message-ID): a delivery claims a row by
    a conditional UPDATE (pending → sending), so two workers never send the same row, and a row
    left in ``sending`` by a crash is never sent again by itself (HR sees it and may retry).
    ``reason`` is why the last attempt failed (a code of ``webapp.services.messages``).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (one_of("status", [s.value for s in OutboxStatus], "status_known"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    member_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"),
                                                           index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    to: so.Mapped[str] = so.mapped_column(sa.String(320))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    subject: so.Mapped[str] = so.mapped_column(sa.Text)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    attachments: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    problem: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))  # could not be built
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=OutboxStatus.PENDING, index=True)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    reason: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    claimed_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    sent_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
