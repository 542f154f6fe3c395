"""Growth measured: at the end, each learner re-assesses the skills of the agreement and the other side gives a view.

The before → after levels are kept per agreement goal. Once the learner
confirms, their profile takes the new levels, so the next round starts from
there; a goal whose target is reached leaves their learning goals. In a peer
swap both are learners (each of their own goals) and each gives a view of
the other's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from models import Agreement, AgreementGoal, LearningGoal, Match, Member, MemberSkill, Round, db
from models.base import utcnow
from webapp.services.after_match import notices
from webapp.services.after_match.agreements import agreement_of, goal_choices
from webapp.services.messages import Message
from webapp.services.rounds.participation import aware


class GrowthError(ValueError):
    """The re-assessment cannot be saved as asked; the message says why, for the member."""


def reassessment_open(match: Match) -> bool:
    """Re-assessment opens at the end date, when the round closes and feedback opens."""
    return match.confirmed and match.round.can("give_feedback")


def goals_to_assess(match: Match) -> list[AgreementGoal]:
    """The agreement's goals (an agreement never written is made from the match's focus, unconfirmed)."""
    agreement = agreement_of(match)
    if agreement is None:
        choices = [c for c in goal_choices(match) if c.included]
        if not choices:
            return []
        agreement = Agreement(match_id=match.id, version=1, goals=[
            AgreementGoal(skill_id=c.skill.id, skill=c.skill, learner_side=c.learner_side,
                          level_before=c.level_before, target_level=c.target_level) for c in choices])
        db.session.add(agreement)
        db.session.flush()
    return list(agreement.goals)


def save_levels(match: Match, member: Member, levels: dict[int, int], now: datetime | None = None) -> int:
    """``member``'s levels, by goal id: their own re-assessment, or their view of the partner's goals.

    Returns how many goals were saved. A goal the learner has confirmed keeps its level.
    """
    side = match.side_of(member.id)
    if side is None:
        raise LookupError(f"member {member.id} is not part of match {match.id}")
    if not reassessment_open(match):
        raise GrowthError(_("Re-assessment opens at the round's end date."))
    now = aware(now or utcnow())
    goals = {goal.id: goal for goal in goals_to_assess(match)}
    saved = 0
    for goal_id, level in levels.items():
        goal = goals.get(goal_id)
        if goal is None:
            raise GrowthError(_("That goal is not one of this match's."))
        if not 1 <= level <= 5:
            raise GrowthError(_("A level is between 1 (aware) and 5 (expert)."))
        if goal.learner_side == side:
            if goal.confirmed_at is not None:
                continue
            goal.level_after, goal.assessed_at = level, now
        else:
            goal.teacher_view, goal.viewed_at = level, now
        saved += 1
    db.session.flush()
    return saved


@dataclass(frozen=True)
class ProfileChange:
    """What confirming did to one skill of the learner's profile."""

    skill: str
    before: int
    after: int
    goal_reached: bool


def confirm_growth(match: Match, member: Member, now: datetime | None = None) -> list[ProfileChange]:
    """The learner confirms their re-assessment: their profile takes the new levels (once per goal)."""
    side = match.side_of(member.id)
    if side is None:
        raise LookupError(f"member {member.id} is not part of match {match.id}")
    if not reassessment_open(match):
        raise GrowthError(_("Re-assessment opens at the round's end date."))
    mine = [g for g in goals_to_assess(match) if g.learner_side == side and g.confirmed_at is None]
    if not mine or any(g.level_after is None for g in mine):
        raise GrowthError(_("Re-assess every skill of the agreement first."))
    now = aware(now or utcnow())
    changes = []
    for goal in mine:
        row = db.session.get(MemberSkill, (member.id, goal.skill_id))
        before = row.level if row else 0
        if row is None:
            db.session.add(MemberSkill(member_id=member.id, skill_id=goal.skill_id, level=goal.level_after))
        else:
            row.level = goal.level_after
        wanted = db.session.get(LearningGoal, (member.id, goal.skill_id))
        reached = wanted is not None and goal.level_after >= wanted.target_level
        if reached:
            db.session.delete(wanted)
        goal.confirmed_at = now
        changes.append(ProfileChange(goal.skill.name, before, goal.level_after, reached))
    db.session.flush()
    db.session.expire(member, ["skills", "goals"])
    return changes


def ask_for_reassessment(now: datetime) -> list[Message]:
    """At the end date, ask both members of every confirmed match to re-assess its goals (once per match)."""
    matches = db.session.scalars(
        sa.select(Match).join(Round, Match.round_id == Round.id)
        .where(Round.status_allows("give_feedback"), Match.reassessment_asked_at.is_(None),
               Match.first_status == "accepted", Match.second_status == "accepted")
        .options(so.joinedload(Match.first), so.joinedload(Match.second), so.joinedload(Match.round))
        .order_by(Match.id)
    ).all()
    messages: list[Message] = []
    for match in matches:
        won = db.session.execute(
            sa.update(Match).where(Match.id == match.id, Match.reassessment_asked_at.is_(None))
            .values(reassessment_asked_at=aware(now)).execution_options(synchronize_session=False)).rowcount == 1
        if won and goals_to_assess(match):
            messages.extend(notices.reassessment(match))
    return messages


def growth_by_goal(match: Match) -> list[AgreementGoal]:
    """The agreement's goals with their before → after, for the page (nothing is created here)."""
    agreement = agreement_of(match)
    return list(agreement.goals) if agreement else []
