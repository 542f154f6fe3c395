"""Curating the skill taxonomy: create, approve, rename and merge skills.

Plain functions that change the session and never commit; the caller does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Community, LearningGoal, Member, MemberSkill, Skill, community_skills, db
from models.base import normalize_key
from webapp.services.text import sort_key

log = logging.getLogger(__name__)

MAX_NAME = 80
MAX_CATEGORY = 80


class SkillError(ValueError):
    """A skill cannot be changed as asked (the message says why, for the user)."""


@dataclass(frozen=True)
class SkillRow:
    """A skill as HR sees it in the taxonomy list."""

    skill: Skill
    proposed_by: Member | None
    members: int  # how many members have a level in it
    learners: int  # how many members want to learn it


def find_skill_by_name(name: str) -> Skill | None:
    return db.session.scalar(sa.select(Skill).where(Skill.name_key == normalize_key(name)))


def _check_name(name: str, skill: Skill | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise SkillError(_("A skill needs a name."))
    if len(name) > MAX_NAME:
        raise SkillError(_("A skill name has at most %(max)d characters.", max=MAX_NAME))
    clash = find_skill_by_name(name)
    if clash is not None and clash is not skill:
        raise SkillError(_("There is already a skill called “%(name)s” (names ignore letter case).", name=clash.name))
    return name


def _clean_category(category: str | None) -> str | None:
    category = " ".join((category or "").split())
    if len(category) > MAX_CATEGORY:
        raise SkillError(_("A category has at most %(max)d characters.", max=MAX_CATEGORY))
    return category or None


def create_skill(name: str, category: str | None = None) -> Skill:
    """Add an HR-approved skill; raises :class:`SkillError` on a name clash."""
    skill = Skill(name=_check_name(name), category=_clean_category(category), approved=True)
    db.session.add(skill)
    log.info("Skill created: %s", skill.name)
    return skill


def approve_skill(skill: Skill) -> Skill:
    skill.approved = True
    log.info("Skill approved: %s", skill.name)
    return skill


def rename_skill(skill: Skill, name: str, category: str | None = None) -> Skill:
    """Give ``skill`` a new name (and category), keeping names case-insensitively unique."""
    old = skill.name
    skill.name = _check_name(name, skill)
    skill.category = _clean_category(category)
    log.info("Skill renamed: %s -> %s", old, skill.name)
    return skill


def merge_skills(kept: Skill, merged: Skill) -> Skill:
    """Fold ``merged`` into ``kept`` and delete ``merged``.

    Every member's level moves to ``kept``; a member who has both keeps the
    higher level. Learning goals move the same way, keeping the higher target
    and the more important (lower) priority. Communities that had ``merged``
    as a core skill get ``kept`` instead. All of it happens in the caller's
    transaction.
    """
    if kept.id == merged.id:
        raise SkillError(_("A skill cannot be merged into itself."))
    session = db.session
    kept_levels = {
        row.member_id: row
        for row in session.scalars(sa.select(MemberSkill).where(MemberSkill.skill_id == kept.id))
    }
    for row in session.scalars(sa.select(MemberSkill).where(MemberSkill.skill_id == merged.id)).all():
        if row.member_id in kept_levels:
            kept_row = kept_levels[row.member_id]
            kept_row.level = max(kept_row.level, row.level)
            session.delete(row)
        else:
            row.skill_id = kept.id
            row.skill = kept
    kept_goals = {
        goal.member_id: goal
        for goal in session.scalars(sa.select(LearningGoal).where(LearningGoal.skill_id == kept.id))
    }
    for goal in session.scalars(sa.select(LearningGoal).where(LearningGoal.skill_id == merged.id)).all():
        if goal.member_id in kept_goals:
            kept_goal = kept_goals[goal.member_id]
            kept_goal.target_level = max(kept_goal.target_level, goal.target_level)
            kept_goal.priority = min(kept_goal.priority, goal.priority)
            session.delete(goal)
        else:
            goal.skill_id = kept.id
            goal.skill = kept
    communities = session.scalars(
        sa.select(Community).join(community_skills).where(community_skills.c.skill_id == merged.id)
    ).all()
    for community in communities:
        community.core_skills.remove(merged)
        if kept not in community.core_skills:
            community.core_skills.append(kept)
    # The moves must reach the database before the delete cascades over the old rows.
    session.flush()
    session.delete(merged)
    session.flush()
    log.info("Skill merged: %s into %s", merged.name, kept.name)
    return kept


def taxonomy() -> list[SkillRow]:
    """Every skill, proposed ones first, then by category and name (Thai-aware)."""
    levels = (
        sa.select(MemberSkill.skill_id, sa.func.count().label("n"))
        .group_by(MemberSkill.skill_id)
        .subquery()
    )
    goals = (
        sa.select(LearningGoal.skill_id, sa.func.count().label("n"))
        .group_by(LearningGoal.skill_id)
        .subquery()
    )
    query = (
        sa.select(Skill, Member, sa.func.coalesce(levels.c.n, 0), sa.func.coalesce(goals.c.n, 0))
        .outerjoin(Member, Member.id == Skill.proposed_by_id)
        .outerjoin(levels, levels.c.skill_id == Skill.id)
        .outerjoin(goals, goals.c.skill_id == Skill.id)
    )
    rows = [SkillRow(skill, member, used, wanted) for skill, member, used, wanted in db.session.execute(query)]
    rows.sort(key=lambda r: (r.skill.approved, sort_key(r.skill.category or "\uffff"), sort_key(r.skill.name)))
    return rows


def skill_choices(exclude: Skill | None = None, approved_only: bool = False) -> list[tuple[int, str]]:
    """``(id, label)`` pairs for a select, sorted Thai-aware."""
    query = sa.select(Skill)
    if approved_only:
        query = query.where(Skill.approved.is_(True))
    skills = [s for s in db.session.scalars(query) if exclude is None or s.id != exclude.id]
    skills.sort(key=lambda s: sort_key(s.name))
    return [(s.id, s.name if s.approved else _("%(name)s (proposed)", name=s.name)) for s in skills]
