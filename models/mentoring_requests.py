"""Self-service mentoring: a member asks a mentor directly, between rounds."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import db, one_of, utcnow

if TYPE_CHECKING:
    from models.community import Community
    from models.member import Member
    from models.round import Match

#: Where a request stands. A request holds no place: only the mentor's acceptance takes one.
REQUEST_STATUSES = ("pending", "accepted", "declined", "withdrawn")


class MentorRequest(db.Model):
    """A member's request to one mentor, in a community both belong to, with a short message.

    Accepted, it becomes a confirmed ``Match`` of the community's self-service round; a
    decline reason is for HR's eyes only.
    """

    __tablename__ = "mentor_requests"
    __table_args__ = (
        one_of("status", REQUEST_STATUSES, "status_known"),
        sa.CheckConstraint("learner_id <> mentor_id", name="two_people"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    learner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    mentor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"),
                                                    index=True)
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    decline_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    responded_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    match_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("matches.id", ondelete="SET NULL"))

    learner: so.Mapped[Member] = so.relationship(foreign_keys=[learner_id])
    mentor: so.Mapped[Member] = so.relationship(foreign_keys=[mentor_id])
    community: so.Mapped[Community] = so.relationship()
    match: so.Mapped[Match | None] = so.relationship()


#: The kinds of round a member can name preferred partners for.
PREFERENCE_KINDS = ("mentoring", "peer")


class RoundPreference(db.Model):
    """A member's wish for the next round of a kind: "match me with this mentor (or peer)"."""

    __tablename__ = "round_preferences"
    __table_args__ = (
        one_of("kind", PREFERENCE_KINDS, "kind_known"),
        sa.CheckConstraint("member_id <> preferred_id", name="two_people"),
    )

    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10), primary_key=True)
    preferred_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"),
                                                    primary_key=True, index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    preferred: so.Mapped[Member] = so.relationship(foreign_keys=[preferred_id])
