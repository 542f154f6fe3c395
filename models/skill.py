"""The skill taxonomy, members' levels and their learning goals."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from models.base import db, normalize_key, utcnow

if TYPE_CHECKING:
    from models.member import Member

#: Skill levels and their meaning, shown wherever a level is picked. The labels are
#: lazy: each renders in the language of the page that shows it (the level is stored).
LEVELS: dict[int, str] = {
    1: _l("Aware"),
    2: _l("Beginner"),
    3: _l("Practitioner"),
    4: _l("Advanced"),
    5: _l("Expert"),
}

#: Learning-goal priorities (1 is the most important), with lazy labels.
PRIORITIES: dict[int, str] = {1: _l("High"), 2: _l("Medium"), 3: _l("Low")}


class Skill(db.Model):
    """A skill in the taxonomy HR curates; members may propose new ones."""

    __tablename__ = "skills"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    # Unique, case-insensitive: the casefolded name carries the constraint.
    name_key: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    category: so.Mapped[Optional[str]] = so.mapped_column(sa.String(80))
    approved: so.Mapped[bool] = so.mapped_column(default=True)
    # Set when a member proposed the skill; HR approves, renames or merges it.
    proposed_by_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @so.validates("name")
    def _keep_key_in_step(self, _key, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise ValueError("a skill needs a name")
        self.name_key = normalize_key(name)
        return name

    def __repr__(self) -> str:
        return f"<Skill {self.name!r}>"


class MemberSkill(db.Model):
    """A member's level (1-5) in one skill; one row per (member, skill)."""

    __tablename__ = "member_skills"
    __table_args__ = (sa.CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    member_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: so.Mapped[int]

    member: so.Mapped[Member] = so.relationship(back_populates="skills")
    skill: so.Mapped[Skill] = so.relationship(lazy="joined")

    @property
    def level_name(self) -> str:
        """The level's name in the current language ("Practitioner", "ปฏิบัติได้")."""
        return str(LEVELS[self.level])


class LearningGoal(db.Model):
    """What a member wants to learn: a target level and a priority (1 highest)."""

    __tablename__ = "learning_goals"
    __table_args__ = (
        sa.CheckConstraint("target_level BETWEEN 1 AND 5", name="target_level_range"),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
    )

    member_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    target_level: so.Mapped[int]
    priority: so.Mapped[int] = so.mapped_column(default=2)

    member: so.Mapped[Member] = so.relationship(back_populates="goals")
    skill: so.Mapped[Skill] = so.relationship(lazy="joined")
