"""After the match: agreements, meetings, check-ins and needs-attention flags.

A confirmed match (mentoring or peer) becomes a relationship: an agreement
on goals, frequency and how the two meet; a log of meetings (proposed ones
carry a calendar invitation); check-ins by email; flags when it goes
quiet. A working group logs meetings the same way. Growth is stored per
agreement goal, before and after.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import db, one_of, utcnow

if TYPE_CHECKING:
    from models.member import Member
    from models.round import Match, WorkingGroup
    from models.skill import Skill

#: How often a pair plans to meet, as stored.
FREQUENCIES = ("weekly", "fortnightly", "monthly")
#: How a pair meets, as stored (an agreement may name several).
MODES = ("in_person", "call", "chat")
#: Which side of a match is learning a goal.
SIDES = ("first", "second")
#: A meeting is proposed (a calendar invitation went out), held (logged) or cancelled.
MEETING_STATES = ("proposed", "held", "cancelled")
#: One-click answers to a check-in; the first two say the pair is meeting.
CHECK_IN_ANSWERS = ("going_well", "slow", "not_meeting", "need_help")
POSITIVE_ANSWERS = ("going_well", "slow")
#: Why a match needs attention.
ATTENTION_KINDS = ("inactive", "not_meeting", "need_help", "help_requested")


class Agreement(db.Model):
    """What the two members of a match agree on; both confirm the version they see."""

    __tablename__ = "agreements"
    __table_args__ = (one_of("frequency", FREQUENCIES, "frequency_known"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    match_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), unique=True)
    frequency: so.Mapped[str] = so.mapped_column(sa.String(12), default="fortnightly")
    # A list of MODES codes.
    modes: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    until: so.Mapped[Optional[date]]
    # Counts the saved versions: a confirmation names the version it confirms.
    version: so.Mapped[int] = so.mapped_column(default=1)
    # Each side's confirmation of the current version; a change clears the other side's.
    first_confirmed_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    second_confirmed_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    updated_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    match: so.Mapped[Match] = so.relationship()
    goals: so.Mapped[list[AgreementGoal]] = so.relationship(
        back_populates="agreement", cascade="all, delete-orphan", passive_deletes=True,
        order_by="AgreementGoal.id",
    )

    @property
    def confirmed(self) -> bool:
        return self.first_confirmed_at is not None and self.second_confirmed_at is not None

    def confirmed_by(self, side: str) -> bool:
        return getattr(self, f"{side}_confirmed_at") is not None


class AgreementGoal(db.Model):
    """One goal of an agreement: the learner's level before, the target, and the growth measured at the end.

    ``level_before`` 0 means the learner started from scratch. At the end the
    learner re-assesses (``level_after``) and the other side gives their view
    (``teacher_view``); once the learner confirms, their profile takes the new level.
    """

    __tablename__ = "agreement_goals"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "skill_id", "learner_side", name="one_per_skill_and_side"),
        one_of("learner_side", SIDES, "side_known"),
        sa.CheckConstraint("level_before BETWEEN 0 AND 5", name="before_range"),
        sa.CheckConstraint("target_level BETWEEN 1 AND 5", name="target_range"),
        sa.CheckConstraint("level_after IS NULL OR level_after BETWEEN 1 AND 5", name="after_range"),
        sa.CheckConstraint("teacher_view IS NULL OR teacher_view BETWEEN 1 AND 5", name="view_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agreement_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    skill_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    learner_side: so.Mapped[str] = so.mapped_column(sa.String(6), default="first")
    level_before: so.Mapped[int] = so.mapped_column(default=0)
    target_level: so.Mapped[int]
    level_after: so.Mapped[Optional[int]]
    teacher_view: so.Mapped[Optional[int]]
    assessed_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    viewed_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # When the learner confirmed the new level and their profile took it.
    confirmed_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))

    agreement: so.Mapped[Agreement] = so.relationship(back_populates="goals")
    skill: so.Mapped[Skill] = so.relationship(lazy="joined")

    @property
    def growth(self) -> int | None:
        """Levels gained (``level_after - level_before``), once re-assessed."""
        return None if self.level_after is None else self.level_after - self.level_before


meeting_skills = sa.Table(
    "meeting_skills",
    db.metadata,
    sa.Column("meeting_id", sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("skill_id", sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Meeting(db.Model):
    """A session of a match or a meeting of a working group: proposed, held or cancelled.

    A proposed meeting has a start time (``starts_at``, UTC) and a calendar
    invitation (``uid``, ``sequence``, in the proposer's ``timezone``). A held
    one is logged with its minutes, the skills worked on, a private note (for
    the members only) and an optional note shared with the community's body of practice.
    """

    __tablename__ = "meetings"
    __table_args__ = (
        sa.CheckConstraint("(match_id IS NULL) <> (group_id IS NULL)", name="match_or_group"),
        sa.CheckConstraint("minutes BETWEEN 5 AND 600", name="minutes_range"),
        one_of("state", MEETING_STATES, "state_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    match_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    group_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(10), default="held")
    # The day it takes place (or took place), in the proposer's or logger's time zone.
    day: so.Mapped[date]
    starts_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="Asia/Bangkok")
    minutes: so.Mapped[int] = so.mapped_column(default=30)
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    private_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    shared_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The calendar invitation's identity and revision (RFC 5545 UID and SEQUENCE).
    uid: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    sequence: so.Mapped[int] = so.mapped_column(default=0)
    proposed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    logged_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    match: so.Mapped[Optional[Match]] = so.relationship()
    group: so.Mapped[Optional[WorkingGroup]] = so.relationship()
    skills: so.Mapped[list[Skill]] = so.relationship(secondary=meeting_skills, order_by="Skill.name")
    proposed_by: so.Mapped[Optional[Member]] = so.relationship(foreign_keys=[proposed_by_id])
    logged_by: so.Mapped[Optional[Member]] = so.relationship(foreign_keys=[logged_by_id])


class CheckIn(db.Model):
    """One check-in email to one member of a match, and their one-click answer.

    The link carries a random token of which only the SHA-256 hash is kept;
    it answers this check-in once, for this member, until ``expires_at``.
    """

    __tablename__ = "check_ins"
    __table_args__ = (
        sa.UniqueConstraint("match_id", "member_id", "number", name="once_per_member_and_number"),
        one_of("answer", CHECK_IN_ANSWERS, "answer_known", nullable=True),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    match_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    # 1 is two weeks after confirmation, then one a month.
    number: so.Mapped[int]
    due_on: so.Mapped[date]
    sent_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    answer: so.Mapped[Optional[str]] = so.mapped_column(sa.String(12))
    answered_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))

    match: so.Mapped[Match] = so.relationship()
    member: so.Mapped[Member] = so.relationship()

    @property
    def positive(self) -> bool:
        return self.answer in POSITIVE_ANSWERS


class AttentionFlag(db.Model):
    """A match that needs attention, why, since when, and whether the nudge (or HR's notice) went out.

    One flag per match, kind and day it started (``since``): the same silence
    is flagged, and nudged, once. Activity resolves inactivity flags; HR
    resolves help requests.
    """

    __tablename__ = "attention_flags"
    __table_args__ = (
        sa.UniqueConstraint("match_id", "kind", "since", name="once_per_start"),
        one_of("kind", ATTENTION_KINDS, "kind_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    match_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    since: so.Mapped[date]
    # The member who answered the check-in or asked for help, if any.
    raised_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    # What the member wrote to HR (HR only).
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    notified_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    resolved_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    resolved_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))

    match: so.Mapped[Match] = so.relationship()
    raised_by: so.Mapped[Optional[Member]] = so.relationship(foreign_keys=[raised_by_id])
