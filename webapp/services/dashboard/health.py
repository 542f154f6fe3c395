"""Community health: active members, notes shared, experts available and mentoring demand covered.

A member is active when, in the last ``ACTIVE_DAYS``, they answered an
invitation or a check-in, logged a session or gave feedback. Notes shared
are practice notes members chose to share, from feedback and from logged
sessions of the community's rounds. Experts available: members at level
4+ in one of the community's core skills who offer a mentoring seat. Demand
covered: the share of the community's members who want a mentor that had a
confirmed mentoring match as learner in the counted rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from models import (
    CheckIn,
    Community,
    CommunityMembership,
    Feedback,
    GroupMember,
    Match,
    Meeting,
    Member,
    MemberSkill,
    Round,
    WorkingGroup,
    community_skills,
    db,
)
from models.base import utcnow
from webapp.services.dashboard.filters import Filters
from webapp.services.dashboard.tables import Table, share

ACTIVE_DAYS = 90


@dataclass(frozen=True)
class Health:
    community: str
    members: int
    active: int
    notes: int
    experts: int
    wanting: int
    covered: int

    @property
    def active_share(self) -> float | None:
        return share(self.active, self.members)

    @property
    def covered_share(self) -> float | None:
        return share(self.covered, self.wanting)


def active_members(since: datetime) -> sa.Select:
    """Ids of members who did something in the programme since ``since`` (a UNION, in SQL)."""
    return sa.union(
        sa.select(Match.first_id).where(Match.first_responded_at >= since),
        sa.select(Match.second_id).where(Match.second_responded_at >= since),
        sa.select(GroupMember.member_id).where(GroupMember.responded_at >= since),
        sa.select(CheckIn.member_id).where(CheckIn.answered_at >= since),
        sa.select(Meeting.logged_by_id).where(Meeting.state == "held", Meeting.created_at >= since,
                                              Meeting.logged_by_id.is_not(None)),
        sa.select(Feedback.member_id).where(Feedback.created_at >= since),
    )


def _per_community(query) -> dict[int, int]:
    return {community_id: count for community_id, count in db.session.execute(query)}


def health(filters: Filters, now: datetime | None = None) -> list[Health]:
    """Each community's health (or only the filtered one's)."""
    now = now or utcnow()
    communities = sa.select(Community.id, Community.name).order_by(Community.name)
    if filters.community_id is not None:
        communities = communities.where(Community.id == filters.community_id)
    people = [Member.active.is_(True), Member.erased_at.is_(None)]
    if filters.department:
        people.append(Member.department == filters.department)
    cm = CommunityMembership
    members_of = sa.select(cm.community_id, sa.func.count()).join(Member, Member.id == cm.member_id).where(*people)
    members = _per_community(members_of.group_by(cm.community_id))
    active_ids = active_members(now - timedelta(days=ACTIVE_DAYS)).subquery()
    active = _per_community(members_of.where(Member.id.in_(sa.select(active_ids.c[0])))
                            .group_by(cm.community_id))
    experts = _per_community(
        sa.select(cm.community_id, sa.func.count(sa.distinct(Member.id))).join(Member, Member.id == cm.member_id)
        .join(MemberSkill, MemberSkill.member_id == Member.id)
        .join(community_skills, sa.and_(community_skills.c.community_id == cm.community_id,
                                        community_skills.c.skill_id == MemberSkill.skill_id))
        .where(*people, MemberSkill.level >= 4, Member.mentor_capacity > 0).group_by(cm.community_id))
    wanting = _per_community(members_of.where(Member.wants_mentor.is_(True)).group_by(cm.community_id))
    learners = sa.select(Match.first_id).where(
        *filters.match_condition(), Match.first_role == "learner", Match.first_status == "accepted",
        Match.second_status == "accepted")
    covered = _per_community(members_of.where(Member.wants_mentor.is_(True), Member.id.in_(learners))
                             .group_by(cm.community_id))
    notes = _notes(filters)
    return [Health(name, members.get(cid, 0), active.get(cid, 0), notes.get(cid, 0), experts.get(cid, 0),
                   wanting.get(cid, 0), covered.get(cid, 0)) for cid, name in db.session.execute(communities)]


def _notes(filters: Filters) -> dict[int, int]:
    counts: dict[int, int] = {}
    counted = Round.id.in_(filters.rounds())
    queries = [
        sa.select(Round.community_id, sa.func.count()).join(Feedback, Feedback.round_id == Round.id)
        .where(counted, Feedback.shareable.is_(True), Feedback.practice_note != "").group_by(Round.community_id),
        sa.select(Round.community_id, sa.func.count()).join(Match, Match.round_id == Round.id)
        .join(Meeting, Meeting.match_id == Match.id)
        .where(counted, Meeting.state == "held", Meeting.shared_note != "").group_by(Round.community_id),
        sa.select(Round.community_id, sa.func.count()).join(WorkingGroup, WorkingGroup.round_id == Round.id)
        .join(Meeting, Meeting.group_id == WorkingGroup.id)
        .where(counted, Meeting.state == "held", Meeting.shared_note != "").group_by(Round.community_id),
    ]
    for query in queries:
        for community_id, count in db.session.execute(query):
            if community_id is not None:
                counts[community_id] = counts.get(community_id, 0) + count
    return counts


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def health_table(rows: list[Health]) -> Table:
    columns = (_("Community"), _("Members"), _("Active in the last 90 days"), _("Active (%)"), _("Notes shared"),
               _("Experts available"), _("Members who want a mentor"), _("Matched with a mentor"),
               _("Demand covered (%)"))
    return Table("health", _("Community health"), columns,
                 [(h.community, h.members, h.active, _percent(h.active_share), h.notes, h.experts, h.wanting,
                   h.covered, _percent(h.covered_share)) for h in rows])
