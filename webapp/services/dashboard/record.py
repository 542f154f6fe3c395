"""One member's record for HR: profile, participation, every match and group, feedback and growth.

The feedback summary aggregates the ratings others gave the member; no
practice note, decline reason or private remark is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from models import (
    Agreement,
    AgreementGoal,
    Feedback,
    GroupMember,
    Match,
    Member,
    WorkingGroup,
    db,
)
from webapp.services import audit
from webapp.services.round_review import KIND_NAMES, role_word, status_word

AUDIT_SHOWN = 50


@dataclass(frozen=True)
class Place:
    """A match or a group place of the member, as HR reads it."""

    round_id: int
    round_name: str
    kind: str
    with_whom: str
    role: str
    answer: str
    other_answer: str
    confirmed: bool


@dataclass(frozen=True)
class Record:
    member: Member
    places: list[Place]
    ratings: dict[int, int]
    given: int
    growth: list[AgreementGoal]
    audit: list

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def mean_rating(self) -> float | None:
        return sum(r * c for r, c in self.ratings.items()) / self.rated if self.rated else None


def member_record(member: Member) -> Record:
    """Everything HR may see of ``member``'s part in the programme."""
    matches = db.session.scalars(
        sa.select(Match).where(sa.or_(Match.first_id == member.id, Match.second_id == member.id))
        .options(so.joinedload(Match.round), so.joinedload(Match.first), so.joinedload(Match.second))
        .order_by(Match.id.desc())).all()
    places = []
    for match in matches:
        side = match.side_of(member.id)
        other = "second" if side == "first" else "first"
        places.append(Place(match.round_id, match.round.name, str(KIND_NAMES[match.round.kind]),
                            match.member(other).display_name, role_word(getattr(match, f"{side}_role")),
                            status_word(match.round, getattr(match, f"{side}_status")),
                            status_word(match.round, getattr(match, f"{other}_status")), match.confirmed))
    for place in db.session.scalars(
            sa.select(GroupMember).where(GroupMember.member_id == member.id)
            .options(so.joinedload(GroupMember.group).joinedload(WorkingGroup.round))
            .order_by(GroupMember.group_id.desc())).all():
        group = place.group
        size = db.session.scalar(sa.select(sa.func.count()).where(GroupMember.group_id == group.id))
        places.append(Place(group.round_id, group.round.name, str(KIND_NAMES["groups"]),
                            f"#{group.number} ({size})", role_word(place.role), status_word(group.round, place.status),
                            "", place.status == "accepted"))
    match_ids = [m.id for m in matches]
    group_ids = sa.select(GroupMember.group_id).where(GroupMember.member_id == member.id)
    about = sa.or_(Feedback.match_id.in_(match_ids or [-1]), Feedback.group_id.in_(group_ids))
    ratings = dict.fromkeys(range(1, 6), 0)
    for rating, count in db.session.execute(
            sa.select(Feedback.rating, sa.func.count()).where(about, Feedback.member_id != member.id,
                                                              Feedback.rating.is_not(None)).group_by(Feedback.rating)):
        ratings[rating] = count
    given = db.session.scalar(sa.select(sa.func.count()).where(Feedback.member_id == member.id))
    growth = []
    if match_ids:
        for goal in db.session.scalars(
                sa.select(AgreementGoal).join(Agreement, AgreementGoal.agreement_id == Agreement.id)
                .join(Match, Agreement.match_id == Match.id)
                .where(Match.id.in_(match_ids)).order_by(AgreementGoal.id)).all():
            match = next(m for m in matches if m.id == goal.agreement.match_id)
            if getattr(match, f"{goal.learner_side}_id") == member.id:
                growth.append(goal)
    trail = audit.trail_page(audit.Filters(member_ids=(member.id,)), 1, AUDIT_SHOWN).items
    return Record(member, places, ratings, given, growth, trail)
