"""Communities of Practice and who belongs to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import db, normalize_key, utcnow

if TYPE_CHECKING:
    from models.member import Member
    from models.skill import Skill

community_skills = sa.Table(
    "community_skills",
    db.metadata,
    sa.Column("community_id", sa.ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("skill_id", sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)


def _today() -> date:
    return utcnow().date()


class Community(db.Model):
    """A Community of Practice: people who share a passion for a topic."""

    __tablename__ = "communities"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    name_key: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Whether members may ask its mentors directly, between rounds (HR switches it off).
    self_service: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    #: Set when HR archives the community: members no longer see it; its rounds and history stay.
    archived_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))

    core_skills: so.Mapped[list[Skill]] = so.relationship(
        secondary=community_skills, order_by="Skill.name"
    )
    memberships: so.Mapped[list[CommunityMembership]] = so.relationship(
        back_populates="community", cascade="all, delete-orphan", passive_deletes=True
    )

    @so.validates("name")
    def _keep_key_in_step(self, _key, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise ValueError("a community needs a name")
        self.name_key = normalize_key(name)
        return name

    @property
    def archived(self) -> bool:
        """Whether HR archived the community (hidden from members, kept in history)."""
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Community {self.name!r}>"


class CommunityMembership(db.Model):
    """A member's place in a community; one row per (member, community)."""

    __tablename__ = "community_memberships"

    member_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_on: so.Mapped[date] = so.mapped_column(default=_today)

    member: so.Mapped[Member] = so.relationship(back_populates="memberships")
    community: so.Mapped[Community] = so.relationship(back_populates="memberships")
