"""Supply and demand per skill and community, unmet demand from the round diagnoses, and advice.

Demand: active members who want a mentor and have a learning goal in the
skill. Supply: members at level 4 or more in it with a mentoring seat
(``mentor_capacity`` above 0); "experts not opted in" are those at level 4+
without one. Unmet demand: learners a counted mentoring round left
unmatched for lack of a mentor (diagnosis ``no_eligible_mentor`` or
``seats_taken``), counted once per skill they want, however many rounds they waited.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from models import Community, CommunityMembership, LearningGoal, Member, MemberSkill, Round, Skill, db
from webapp.services.dashboard.filters import Filters
from webapp.services.dashboard.sql import count_if
from webapp.services.dashboard.tables import Table
from webapp.services.text import sort_key

#: Diagnoses that say a learner waited because no mentor could take them.
NO_MENTOR = ("no_eligible_mentor", "seats_taken")
EXPERT_LEVEL = 4
CHUNK = 5000


@dataclass(frozen=True)
class SkillRow:
    community: str
    skill: str
    learners: int
    mentors: int
    seats: int
    experts_not_opted_in: int
    waited: int

    @property
    def uncovered(self) -> int:
        """Learners beyond the seats on offer."""
        return max(0, self.learners - self.seats)


@dataclass(frozen=True)
class Supply:
    rows: list[SkillRow]
    recommendation: str
    rounds: int


def _members(filters: Filters) -> list:
    conditions = [Member.active.is_(True), Member.erased_at.is_(None)]
    if filters.department:
        conditions.append(Member.department == filters.department)
    return conditions


def _grouped(model, conditions: list, filters: Filters, *measures) -> list[Counter]:
    """For each measure, ``{(community_id or None, skill_id): value}``, in every community and in all."""
    measures = measures or (sa.func.count(sa.distinct(model.member_id)),)
    counts = [Counter() for _measure in measures]
    base = sa.select(model.skill_id, *measures).join(Member, model.member_id == Member.id).where(*conditions)
    if filters.community_id is not None:
        base = base.where(Member.id.in_(sa.select(CommunityMembership.member_id).where(
            CommunityMembership.community_id == filters.community_id)))
    for skill_id, *values in db.session.execute(base.group_by(model.skill_id)):
        for counter, value in zip(counts, values, strict=True):
            counter[(None, skill_id)] += int(value or 0)
    per_community = (sa.select(CommunityMembership.community_id, model.skill_id, *measures)
                     .join(Member, model.member_id == Member.id)
                     .join(CommunityMembership, CommunityMembership.member_id == Member.id).where(*conditions))
    if filters.community_id is not None:
        per_community = per_community.where(CommunityMembership.community_id == filters.community_id)
    for community_id, skill_id, *values in db.session.execute(
            per_community.group_by(CommunityMembership.community_id, model.skill_id)):
        for counter, value in zip(counts, values, strict=True):
            counter[(community_id, skill_id)] += int(value or 0)
    return counts


def waiting_learners(filters: Filters) -> tuple[set[int], int]:
    """Learners the counted mentoring rounds left without a mentor, and how many rounds were read."""
    waited: set[int] = set()
    rounds = db.session.execute(sa.select(Round.unmatched).where(
        Round.id.in_(filters.rounds()), Round.kind == "mentoring")).scalars().all()
    for entries in rounds:
        waited.update(entry["member_id"] for entry in entries or []
                      if isinstance(entry, dict) and entry.get("kind") in NO_MENTOR and entry.get("member_id"))
    return waited, len(rounds)


def supply(filters: Filters) -> Supply:
    """Demand, supply and unmet demand per skill, in all and per community, with a recommendation."""
    members = _members(filters)
    (learners,) = _grouped(LearningGoal, [*members, Member.wants_mentor.is_(True)], filters)
    offering = Member.mentor_capacity > 0
    mentors, seats, idle = _grouped(
        MemberSkill, [*members, MemberSkill.level >= EXPERT_LEVEL], filters, count_if(offering),
        sa.func.sum(sa.case((offering, Member.mentor_capacity), else_=0)), count_if(Member.mentor_capacity == 0))
    waited_ids, rounds = waiting_learners(filters)
    waited: Counter = Counter()
    ids = sorted(waited_ids)
    for start in range(0, len(ids), CHUNK):
        waited.update(_grouped(LearningGoal, [Member.id.in_(ids[start:start + CHUNK])], filters)[0])
    keys = set(learners) | set(mentors) | set(waited)
    skills = dict(db.session.execute(sa.select(Skill.id, Skill.name).where(
        Skill.id.in_({skill_id for _c, skill_id in keys}))).all()) if keys else {}
    communities = dict(db.session.execute(sa.select(Community.id, Community.name)).all())
    everyone = _("All communities")
    rows = [SkillRow(communities.get(c, everyone) if c else everyone, skills.get(s, "?"), learners[(c, s)],
                     mentors[(c, s)], int(seats[(c, s)]), idle[(c, s)], waited[(c, s)])
            for c, s in keys]
    rows.sort(key=lambda r: (r.community != everyone, sort_key(r.community), -r.waited, -r.uncovered,
                             sort_key(r.skill)))
    return Supply(rows, recommendation(filters, rows, everyone, rounds), rounds)


def recommendation(filters: Filters, rows: list[SkillRow], everyone: str, rounds: int) -> str:
    """One plain sentence: which skill most needs mentors, and where to find them."""
    overall = [r for r in rows if r.community == everyone]
    short = max(overall, key=lambda r: (r.waited, r.uncovered), default=None)
    if short is None or (short.waited == 0 and short.uncovered == 0):
        return _("Demand is covered: no learner waited for lack of a mentor, and every skill has enough seats.")
    if short.waited:
        waited = ngettext("%(num)d learner waited in the rounds shown",
                          "%(num)d learners waited in the rounds shown", short.waited)
    else:
        waited = ngettext("%(num)d learner wants it beyond the seats on offer",
                          "%(num)d learners want it beyond the seats on offer", short.uncovered)
    department, idle = _idle_experts(filters, short.skill)
    if idle:
        where = ngettext("%(num)d member at level 4+ in %(department)s has not opted in to mentor",
                         "%(num)d members at level 4+ in %(department)s have not opted in to mentor",
                         idle, department=department or _("no department"))
        return _("Recruit mentors for %(skill)s: %(waited)s; %(where)s.", skill=short.skill, waited=waited,
                 where=where)
    return _("Recruit mentors for %(skill)s: %(waited)s; no member at level 4+ is left to ask, so consider "
             "training or hiring.", skill=short.skill, waited=waited)


def _idle_experts(filters: Filters, skill: str) -> tuple[str | None, int]:
    """The department with the most members at level 4+ in ``skill`` who offer no mentoring seat."""
    row = db.session.execute(
        sa.select(Member.department, sa.func.count()).join(MemberSkill, MemberSkill.member_id == Member.id)
        .join(Skill, MemberSkill.skill_id == Skill.id)
        .where(*_members(filters), Skill.name == skill, MemberSkill.level >= EXPERT_LEVEL,
               Member.mentor_capacity == 0)
        .group_by(Member.department).order_by(sa.func.count().desc(), Member.department).limit(1)).first()
    return (row[0], row[1]) if row else (None, 0)


def supply_table(s: Supply) -> Table:
    columns = (_("Community"), _("Skill"), _("Learners who want it"), _("Mentors able to teach it"),
               _("Mentoring seats"), _("Experts not opted in"), _("Learners who waited"))
    return Table("supply", _("Supply and demand per skill"), columns,
                 [(r.community, r.skill, r.learners, r.mentors, r.seats, r.experts_not_opted_in, r.waited)
                  for r in s.rows])
