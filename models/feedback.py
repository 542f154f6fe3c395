"""What members report after a round: did they meet, how it went, what they practised."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import db, utcnow

if TYPE_CHECKING:
    from models.member import Member
    from models.round import Match, Round, WorkingGroup
    from models.skill import Skill


class Feedback(db.Model):
    """One member's feedback on one match or one working group of a closed round.

    Ratings of 1 or 2 keep the pair (or the groupmates) apart in later rounds;
    a shareable practice note joins the community's body of practice.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        sa.UniqueConstraint("member_id", "match_id", name="once_per_match"),
        sa.UniqueConstraint("member_id", "group_id", name="once_per_group"),
        sa.CheckConstraint("(match_id IS NULL) <> (group_id IS NULL)", name="match_or_group"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    match_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"))
    group_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("working_groups.id", ondelete="CASCADE")
    )
    met: so.Mapped[bool] = so.mapped_column(default=False)
    rating: so.Mapped[Optional[int]]
    practice_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    shareable: so.Mapped[bool] = so.mapped_column(default=False)
    # The skill the practice note relates to, if any.
    skill_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("skills.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    round: so.Mapped[Round] = so.relationship()
    member: so.Mapped[Member] = so.relationship()
    match: so.Mapped[Optional[Match]] = so.relationship()
    group: so.Mapped[Optional[WorkingGroup]] = so.relationship()
    skill: so.Mapped[Optional[Skill]] = so.relationship()
