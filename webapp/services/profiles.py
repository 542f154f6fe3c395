"""ORM rows -> the matcher's plain profile dataclasses: the one place that converts.

Matching rounds load eligible members through here, so the matcher never
sees the database and every round reads profiles the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from matcher.profiles import SENIORITY_BANDS, Goal, Profile
from models import CommunityMembership, LearningGoal, Member, MemberSkill, db

#: Eager loads that make converting many members a handful of queries.
PROFILE_LOADS = (
    so.selectinload(Member.skills).joinedload(MemberSkill.skill),
    so.selectinload(Member.goals).joinedload(LearningGoal.skill),
    so.selectinload(Member.memberships).joinedload(CommunityMembership.community),
)


def reporting_lines() -> dict[int, int]:
    """Every member's manager id, for walking reporting lines without a query per step."""
    rows = db.session.execute(sa.select(Member.id, Member.manager_id).where(Member.manager_id.is_not(None)))
    return {member_id: manager_id for member_id, manager_id in rows}


def manager_chain(member_id: int, managers: dict[int, int], depth: int = 3) -> tuple[int, ...]:
    """The ids up the reporting line, nearest first, at most ``depth`` long (cycle-safe)."""
    chain: list[int] = []
    current = managers.get(member_id)
    while current is not None and len(chain) < depth and current not in chain and current != member_id:
        chain.append(current)
        current = managers.get(current)
    return tuple(chain)


def to_profile(member: Member, managers: dict[int, int] | None = None) -> Profile:
    """The matcher's view of one member."""
    if managers is None:
        managers = reporting_lines()
    seniority = SENIORITY_BANDS.index(member.seniority) + 1 if member.seniority else 0
    return Profile(
        id=member.id,
        name=member.display_name,
        skills={row.skill.name: row.level for row in member.skills},
        goals=tuple(
            Goal(row.skill.name, row.target_level, row.priority)
            for row in sorted(member.goals, key=lambda goal: (goal.priority, goal.skill.name))
        ),
        communities=frozenset(row.community.name for row in member.memberships),
        department=member.department or "",
        function=member.function or "",
        seniority=seniority,
        location=member.location or "",
        timezone=member.timezone,
        languages=frozenset(member.languages or ()),
        managers=manager_chain(member.id, managers),
        mentor_capacity=member.mentor_capacity,
        years_experience=float(member.years_experience or 0),
    )


def load_profiles(member_ids: Sequence[int]) -> list[Profile]:
    """Profiles for these members, in the given order, loaded in a few queries."""
    managers = reporting_lines()
    members: dict[int, Member] = {}
    for start in range(0, len(member_ids), 5000):  # keep IN lists a sane size
        chunk = list(member_ids[start:start + 5000])
        query = sa.select(Member).where(Member.id.in_(chunk)).options(*PROFILE_LOADS)
        members.update((m.id, m) for m in db.session.scalars(query))
    missing = [member_id for member_id in member_ids if member_id not in members]
    if missing:
        raise LookupError(f"no members with ids {missing[:10]}")
    return [to_profile(members[member_id], managers) for member_id in member_ids]
