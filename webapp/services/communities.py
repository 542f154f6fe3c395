"""Communities of Practice as members see them: the overview, a community's page, join and leave.

Plain functions on the session; they never commit, so a view (or a CLI
command, or a job) decides when the unit of work ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from models import Community, CommunityMembership, LearningGoal, Member, MemberSkill, Skill, db
from models.base import utcnow
from webapp.services.text import sort_key

#: The level from which a member counts as an expert who can teach a skill.
EXPERT_LEVEL = 4


@dataclass(frozen=True)
class SkillBalance:
    """Supply and demand for one core skill, counted over all active members."""

    skill: Skill
    learners: int  # active members with a learning goal for the skill
    mentors: int  # active, unpaused members at EXPERT_LEVEL+ with free mentor capacity


@dataclass(frozen=True)
class CommunitySummary:
    community: Community
    member_count: int
    balance: tuple[SkillBalance, ...]


@dataclass(frozen=True)
class Expert:
    member: Member
    levels: tuple[MemberSkill, ...]  # the core skills the member is an expert in, best first
    can_mentor: bool


def _today() -> date:
    return utcnow().date()


def available_to_mentor(today: date | None = None) -> sa.ColumnElement[bool]:
    """SQL condition: the member is active, not paused and has free mentor capacity.

    ``paused_until`` is the first day the member is available again, so a date
    after ``today`` means paused.
    """
    today = today or _today()
    return sa.and_(
        Member.active.is_(True),
        Member.mentor_capacity > 0,
        sa.or_(Member.paused_until.is_(None), Member.paused_until <= today),
    )


def communities_in_order(archived: bool = False) -> list[Community]:
    """Every community in Thai dictionary order of the names; archived ones only when ``archived``."""
    query = sa.select(Community)
    if not archived:
        query = query.where(Community.archived_at.is_(None))
    return sorted(db.session.scalars(query).all(), key=lambda c: sort_key(c.name))


def _counts(statement: sa.Select) -> dict[int, int]:
    return {key: count for key, count in db.session.execute(statement)}


def overview(today: date | None = None) -> list[CommunitySummary]:
    """Every community, in Thai dictionary order, with member counts and per-skill balance.

    Five queries in all, however many communities and skills there are: the
    communities, their core skills, then grouped counts of members, learners
    and mentors.
    """
    communities = db.session.scalars(
        sa.select(Community).where(Community.archived_at.is_(None)).options(so.selectinload(Community.core_skills))
    ).all()
    member_counts = _counts(
        sa.select(CommunityMembership.community_id, sa.func.count())
        .join(Member, Member.id == CommunityMembership.member_id)
        .where(Member.active.is_(True))
        .group_by(CommunityMembership.community_id)
    )
    skill_ids = {skill.id for community in communities for skill in community.core_skills}
    learners: dict[int, int] = {}
    mentors: dict[int, int] = {}
    if skill_ids:
        learners = _counts(
            sa.select(LearningGoal.skill_id, sa.func.count())
            .join(Member, Member.id == LearningGoal.member_id)
            .where(LearningGoal.skill_id.in_(skill_ids), Member.active.is_(True))
            .group_by(LearningGoal.skill_id)
        )
        mentors = _counts(
            sa.select(MemberSkill.skill_id, sa.func.count())
            .join(Member, Member.id == MemberSkill.member_id)
            .where(
                MemberSkill.skill_id.in_(skill_ids),
                MemberSkill.level >= EXPERT_LEVEL,
                available_to_mentor(today),
            )
            .group_by(MemberSkill.skill_id)
        )
    summaries = [
        CommunitySummary(
            community=community,
            member_count=member_counts.get(community.id, 0),
            balance=tuple(
                SkillBalance(skill, learners.get(skill.id, 0), mentors.get(skill.id, 0))
                for skill in sorted(community.core_skills, key=lambda skill: sort_key(skill.name))
            ),
        )
        for community in communities
    ]
    return sorted(summaries, key=lambda summary: sort_key(summary.community.name))


def skills_of(members: list[Member]) -> dict[int, list[MemberSkill]]:
    """Each member's skills, highest level first, in one query (for a page of members)."""
    ids = [member.id for member in members]
    skills: dict[int, list[MemberSkill]] = {member_id: [] for member_id in ids}
    if ids:
        for row in db.session.scalars(sa.select(MemberSkill).where(MemberSkill.member_id.in_(ids))):
            skills[row.member_id].append(row)
    for rows in skills.values():
        rows.sort(key=lambda row: (-row.level, sort_key(row.skill.name)))
    return skills


def experts(community: Community, today: date | None = None) -> list[Expert]:
    """The community's active members at level 4 or 5 in one of its core skills, by name."""
    skill_ids = [skill.id for skill in community.core_skills]
    if not skill_ids:
        return []
    available = available_to_mentor(today).label("available")
    rows = db.session.execute(
        sa.select(MemberSkill, available)
        .join(Member, Member.id == MemberSkill.member_id)
        .join(CommunityMembership, CommunityMembership.member_id == Member.id)
        .where(
            CommunityMembership.community_id == community.id,
            Member.active.is_(True),
            MemberSkill.skill_id.in_(skill_ids),
            MemberSkill.level >= EXPERT_LEVEL,
        )
        .options(so.joinedload(MemberSkill.member))
    ).all()
    by_member: dict[int, list[MemberSkill]] = {}
    can_mentor: dict[int, bool] = {}
    for row, is_available in rows:
        by_member.setdefault(row.member_id, []).append(row)
        can_mentor[row.member_id] = bool(is_available)
    found = [
        Expert(
            member=levels[0].member,
            levels=tuple(sorted(levels, key=lambda row: (-row.level, sort_key(row.skill.name)))),
            can_mentor=can_mentor[member_id],
        )
        for member_id, levels in by_member.items()
    ]
    return sorted(found, key=lambda expert: (sort_key(expert.member.display_name), expert.member.id))


def is_member(member: Member, community: Community) -> bool:
    return db.session.get(CommunityMembership, (member.id, community.id)) is not None


def join(member: Member, community: Community) -> bool:
    """Add ``member`` to ``community``; False (and no change) if already there."""
    if is_member(member, community):
        return False
    db.session.add(CommunityMembership(member_id=member.id, community_id=community.id))
    db.session.flush()
    return True


def leave(member: Member, community: Community) -> bool:
    """Take ``member`` out of ``community``; False (and no change) if not there."""
    membership = db.session.get(CommunityMembership, (member.id, community.id))
    if membership is None:
        return False
    db.session.delete(membership)
    db.session.flush()
    return True
