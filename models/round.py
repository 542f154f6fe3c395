"""Matching rounds and what they produce: matches, working groups, pins and forbids."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from models.base import db, one_of, utcnow

if TYPE_CHECKING:
    from models.community import Community
    from models.member import Member

ROUND_KINDS = ("mentoring", "peer", "groups")
#: A member's answer to a match or a group invitation.
RESPONSES = ("pending", "accepted", "declined")
GROUP_ROLES = ("anchor", "member")


class RoundStatus(enum.StrEnum):
    """Where a round stands. A round only moves forward: draft → solved → published → closed.

    What each status allows is written once, in ``ROUND_ACTIONS``; services
    guard with ``Round.can``, queries filter with ``Round.status_allows`` and
    templates ask ``round.can(...)``, so no other code compares statuses.
    """

    DRAFT = "draft"
    SOLVED = "solved"
    PUBLISHED = "published"
    CLOSED = "closed"

    @property
    def title(self) -> str:
        """The status as HR reads it."""
        return _STATUS_TITLES[self]


#: Lazy: each title renders in the language of the page (or message) that shows it.
_STATUS_TITLES = {
    RoundStatus.DRAFT: _l("draft"),
    RoundStatus.SOLVED: _l("solved"),
    RoundStatus.PUBLISHED: _l("published"),
    RoundStatus.CLOSED: _l("closed"),
}

_EDITABLE = frozenset({RoundStatus.DRAFT, RoundStatus.SOLVED})
_OUT = frozenset({RoundStatus.PUBLISHED, RoundStatus.CLOSED})

#: Which statuses allow each action on a round: the round's life cycle in one table.
ROUND_ACTIONS: dict[str, frozenset[RoundStatus]] = {
    "solve": _EDITABLE,  # (re)run the matcher; replaces an unpublished result
    "edit_pins": _EDITABLE,  # add or take back HR's pins and forbids
    "move": frozenset({RoundStatus.SOLVED}),  # move a member between working groups
    "publish": frozenset({RoundStatus.SOLVED}),
    "repair": frozenset({RoundStatus.PUBLISHED}),
    "close": frozenset({RoundStatus.PUBLISHED}),
    "new_link": frozenset({RoundStatus.PUBLISHED}),  # a fresh invitation link for an unanswered group place
    "export": frozenset({RoundStatus.SOLVED}) | _OUT,
    "answer": frozenset({RoundStatus.PUBLISHED}),  # members accept or decline
    "show_to_members": _OUT,  # members see their matches and groups
    "count_as_history": _OUT,  # later rounds learn from it (cooldown, declines)
    "give_feedback": frozenset({RoundStatus.CLOSED}),
}
#: Actions that only some kinds of round have.
KIND_ACTIONS: dict[str, frozenset[str]] = {"move": frozenset({"groups"}), "new_link": frozenset({"groups"})}


class Round(db.Model):
    """One matching round of one kind, for a community or the whole organisation."""

    __tablename__ = "rounds"
    __table_args__ = (
        one_of("kind", ROUND_KINDS, "kind_known"),
        one_of("status", tuple(RoundStatus), "status_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    # None: the whole organisation.
    community_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    status: so.Mapped[RoundStatus] = so.mapped_column(
        sa.Enum(RoundStatus, native_enum=False, create_constraint=False, length=10,
                values_callable=lambda statuses: [status.value for status in statuses]),
        default=RoundStatus.DRAFT,
    )
    # The matcher's weights and rules, the cooldown, group sizes, priority.
    parameters: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    solved_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    published_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    closed_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # The programme's dates, shown to members: check-ins run until ``ends_on``, when feedback opens.
    starts_on: so.Mapped[Optional[date]]
    ends_on: so.Mapped[Optional[date]]
    # What the working groups of a groups round are for (HR's words; a group may have its own).
    purpose: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    # When the "feedback is open" message went out (once per round).
    feedback_announced_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # A community's self-service round: never solved, it holds the matches of accepted mentor requests.
    self_service: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    # The solver's figures, stored so pages show what was computed, not guesses.
    eligible: so.Mapped[Optional[int]]
    matched: so.Mapped[Optional[int]]
    max_coverage: so.Mapped[Optional[int]]
    total: so.Mapped[Optional[float]]
    upper_bound: so.Mapped[Optional[float]]
    gap: so.Mapped[Optional[float]]
    seconds: so.Mapped[Optional[float]]
    # Why members were left out: [{"member_id", "kind", "params"}]; what happened: [{"kind", "params"}].
    # Both are data, put in words when read (``webapp.services.rounds.notes``).
    unmatched: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    notes: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)

    community: so.Mapped[Optional[Community]] = so.relationship()
    created_by: so.Mapped[Optional[Member]] = so.relationship()
    matches: so.Mapped[list[Match]] = so.relationship(
        back_populates="round", cascade="all, delete-orphan", passive_deletes=True, order_by="Match.id"
    )
    groups: so.Mapped[list[WorkingGroup]] = so.relationship(
        back_populates="round", cascade="all, delete-orphan", passive_deletes=True,
        order_by="WorkingGroup.number",
    )
    pins: so.Mapped[list[Pin]] = so.relationship(cascade="all, delete-orphan", passive_deletes=True)
    forbids: so.Mapped[list[Forbid]] = so.relationship(cascade="all, delete-orphan", passive_deletes=True)

    @property
    def was_published(self) -> bool:
        """Whether the round has been published (it may have closed since)."""
        return self.status in _OUT

    def can(self, action: str) -> bool:
        """Whether the round's status (and kind) allows ``action`` (a key of ``ROUND_ACTIONS``)."""
        kinds = KIND_ACTIONS.get(action)
        return self.status in ROUND_ACTIONS[action] and (kinds is None or self.kind in kinds)

    @classmethod
    def status_allows(cls, action: str) -> sa.ColumnElement[bool]:
        """SQL condition: the round's status allows ``action``."""
        return cls.status.in_(sorted(ROUND_ACTIONS[action]))


class Match(db.Model):
    """Two members matched in a round: learner and mentor, or two peers.

    ``first`` is the learner (mentoring) or the peer with the lower id.
    """

    __tablename__ = "matches"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "first_id", "second_id", name="one_per_pair"),
        one_of("first_status", RESPONSES, "first_status_known"),
        one_of("second_status", RESPONSES, "second_status_known"),
        sa.CheckConstraint("first_id <> second_id", name="two_people"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    first_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    second_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    first_role: so.Mapped[str] = so.mapped_column(sa.String(10))
    second_role: so.Mapped[str] = so.mapped_column(sa.String(10))
    score: so.Mapped[float]
    # [{"kind", "params", "text", "contribution", "side"}], as the matcher explained the pair: a kind
    # and its facts (skills, levels, departments), rendered in the reader's language when read;
    # side is "first", "second" or "both": whose point of view the words take.
    reasons: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    # What each side can learn: [{"learner": "first"|"second", "skill", "level", "target",
    # "teacher_level"}], best first; the member pages and first-step hints read it.
    focus: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    pinned: so.Mapped[bool] = so.mapped_column(default=False)
    first_status: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    second_status: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    first_decline_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    second_decline_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    first_responded_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    second_responded_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # When each side was reminded of an invitation still unanswered (once, after REMINDER_DAYS).
    first_reminded_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    second_reminded_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # Set once, when the second side accepts (the confirmation message goes out then).
    confirmed_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # Ended early by one of the two; the reason is for HR's eyes only. It frees the mentor's place.
    ended_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    ended_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    end_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    # Each side's request to continue together in the next round of the same kind.
    first_renewal_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    second_renewal_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # The earlier match this one continues (a renewal both asked for).
    renewed_from_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("matches.id", ondelete="SET NULL"))
    # When the members were asked to re-assess the skills of their agreement (once).
    reassessment_asked_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))

    round: so.Mapped[Round] = so.relationship(back_populates="matches")
    first: so.Mapped[Member] = so.relationship(foreign_keys=[first_id])
    second: so.Mapped[Member] = so.relationship(foreign_keys=[second_id])
    ended_by: so.Mapped[Optional[Member]] = so.relationship(foreign_keys=[ended_by_id])

    @property
    def declined(self) -> bool:
        return "declined" in (self.first_status, self.second_status)

    def side_of(self, member_id: int) -> str | None:
        """``"first"`` or ``"second"`` for a member of this match, else None."""
        if member_id == self.first_id:
            return "first"
        if member_id == self.second_id:
            return "second"
        return None

    def partner_id(self, member_id: int) -> int:
        return self.second_id if member_id == self.first_id else self.first_id

    @property
    def confirmed(self) -> bool:
        return self.first_status == self.second_status == "accepted"

    @property
    def live(self) -> bool:
        """Confirmed and not ended early: the pair is (meant to be) meeting."""
        return self.confirmed and self.ended_at is None

    def member(self, side: str) -> Member:
        """The member on ``side`` (``"first"`` or ``"second"``)."""
        return self.first if side == "first" else self.second

    @property
    def learning_sides(self) -> tuple[str, ...]:
        """Who learns: the learner in mentoring, both peers in a swap."""
        return ("first",) if self.first_role == "learner" else ("first", "second")


class WorkingGroup(db.Model):
    """One cross-perspective working group of a round."""

    __tablename__ = "working_groups"
    __table_args__ = (sa.UniqueConstraint("round_id", "number", name="one_number_per_round"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    diversity: so.Mapped[float]
    # The matcher's English summary, for library users and groups stored before ``facts``.
    explanation: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Who is in the group, as data the pages put in words: {"size", "departments": [{"name", "count"}],
    # "functions", "seniority": [{"band", "count"}], "anchors": [{"member_id", "name", "skill", "level"}],
    # "mean_pair_diversity", "round_average"}.
    facts: so.Mapped[Optional[dict]] = so.mapped_column(sa.JSON)
    # HR's purpose for this group, when it differs from the round's.
    purpose: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)

    round: so.Mapped[Round] = so.relationship(back_populates="groups")
    members: so.Mapped[list[GroupMember]] = so.relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )


class GroupMember(db.Model):
    """A member's place in a working group and their answer to the invitation."""

    __tablename__ = "group_members"
    __table_args__ = (
        one_of("role", GROUP_ROLES, "role_known"),
        one_of("status", RESPONSES, "status_known"),
    )

    group_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: so.Mapped[str] = so.mapped_column(sa.String(10), default="member")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    decline_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    responded_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # The invitation link: only a SHA-256 hash of its random token is stored.
    token_hash: so.Mapped[Optional[str]] = so.mapped_column(sa.String(64), unique=True)
    invited_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    expires_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    reminded_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))

    group: so.Mapped[WorkingGroup] = so.relationship(back_populates="members")
    member: so.Mapped[Member] = so.relationship()


class Pin(db.Model):
    """HR's pin for one round: these two must be matched (or grouped together)."""

    __tablename__ = "round_pins"
    __table_args__ = (sa.CheckConstraint("first_id <> second_id", name="two_people"),)

    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    first_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    second_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)


class Forbid(db.Model):
    """HR's forbid for one round: these two must not be matched (or grouped together)."""

    __tablename__ = "round_forbids"
    __table_args__ = (sa.CheckConstraint("first_id <> second_id", name="two_people"),)

    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    first_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    second_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
