"""Who takes part in a round, by role, and why the others do not."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import CommunityMembership, LearningGoal, Member, MemberSkill, db
from webapp.services.rounds.parameters import check_kind
from webapp.services.rounds.participation import unanswered_twice

#: The roles of each kind of round.
ROLES = {"mentoring": ("learner", "mentor"), "peer": ("peer",), "groups": ("member",)}

#: Why a member in scope is left out of a round, as stored (``Eligibility.excluded``'s keys).
PAUSED = "paused"
ASKED_TO_CONFIRM = "asked_to_confirm"
NO_PROFILE = "no_profile"
NOT_OPTED_IN = "not_opted_in"

_EXCLUSION_WORDS = {
    PAUSED: _l("paused"),
    ASKED_TO_CONFIRM: _l("asked to confirm they still want matches (two invitations unanswered)"),
    NO_PROFILE: _l("no profile (no skills or goals yet)"),
}
_NOT_OPTED_IN_WORDS = {
    "mentoring": _l("not opted in (neither wants a mentor with a goal, nor mentors with a skill)"),
    "peer": _l("not opted in to peer swaps (or no skills and goals to swap)"),
    "groups": _l("not opted in to working groups"),
}


def exclusion_label(reason: str, kind: str) -> str:
    """Why members were left out of a round of ``kind``, in the reader's words."""
    return str(_NOT_OPTED_IN_WORDS[kind] if reason == NOT_OPTED_IN else _EXCLUSION_WORDS.get(reason, reason))


@dataclass
class Eligibility:
    """Who takes part in a round, by role, and why others do not (counts per reason)."""

    roles: dict[str, list[int]] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len({member_id for ids in self.roles.values() for member_id in ids})

    @property
    def in_two_roles(self) -> int:
        """How many members hold more than one role (a learner who also mentors): the roles add up to more."""
        return sum(len(ids) for ids in self.roles.values()) - self.count


def eligibility(kind: str, community_id: int | None, today: date | None = None) -> Eligibility:
    """Sort the members in scope into roles (learner, mentor, peer, member) and reasons to leave out."""
    check_kind(kind)
    today = today or date.today()
    query = sa.select(Member).where(Member.active.is_(True)).order_by(Member.id)
    if community_id is not None:
        query = query.join(CommunityMembership).where(CommunityMembership.community_id == community_id)
    members = db.session.scalars(query).all()
    has_skills = _member_ids_with(MemberSkill)
    has_goals = _member_ids_with(LearningGoal)
    asked = unanswered_twice()
    result = Eligibility(roles={role: [] for role in ROLES[kind]})
    excluded: dict[str, int] = defaultdict(int)
    for member in members:
        if member.paused_until and member.paused_until > today:
            excluded[PAUSED] += 1
            continue
        if member.id in asked:
            excluded[ASKED_TO_CONFIRM] += 1
            continue
        if member.id not in has_skills and member.id not in has_goals:
            excluded[NO_PROFILE] += 1
            continue
        roles = _roles_of(kind, member, member.id in has_skills, member.id in has_goals)
        if not roles:
            excluded[NOT_OPTED_IN] += 1
        for role in roles:
            result.roles[role].append(member.id)
    result.excluded = dict(excluded)
    return result


def _roles_of(kind: str, member: Member, skills: bool, goals: bool) -> list[str]:
    if kind == "mentoring":
        roles = []
        if member.wants_mentor and goals:
            roles.append("learner")
        if member.mentor_capacity > 0 and skills:
            roles.append("mentor")
        return roles
    if kind == "peer":
        return ["peer"] if member.open_to_peer_swaps and skills and goals else []
    return ["member"] if member.open_to_groups else []


def _member_ids_with(model) -> set[int]:
    return set(db.session.scalars(sa.select(model.member_id).distinct()))
