"""The agreement of a confirmed match: the goals it is for, how often and how the two meet, until when.

The goals start from the match's focus (the learner's goals the partner can
teach, as the matcher stored them) with the learner's current level and
target; the learner's other goals can be added. Saving a version counts as
the saver's confirmation and asks the partner to confirm; a confirmation
names the version it confirms, so nobody confirms a version they have not seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Agreement, AgreementGoal, LearningGoal, Match, Member, MemberSkill, Skill, db
from models.base import utcnow
from models.relationship import FREQUENCIES, MODES
from webapp.services.after_match import notices
from webapp.services.messages import Message


class AgreementError(ValueError):
    """The agreement cannot be saved as asked; the message says why, for the member."""


@dataclass(frozen=True)
class GoalChoice:
    """One goal an agreement may hold: whose it is, where they stand and what they aim for."""

    skill: Skill
    learner_side: str
    level_before: int  # 0: from scratch
    target_level: int
    included: bool  # in the agreement (or, before there is one, in the match's focus)

    @property
    def key(self) -> str:
        """Names the goal in a form: ``"first-12"`` (side and skill id)."""
        return f"{self.learner_side}-{self.skill.id}"


def agreement_of(match: Match) -> Agreement | None:
    return db.session.scalar(sa.select(Agreement).where(Agreement.match_id == match.id))


def goal_choices(match: Match, agreement: Agreement | None = None) -> list[GoalChoice]:
    """The goals an agreement of ``match`` may hold: its own first, then the focus, then the learners' other goals.

    Levels are today's profile levels, so a pre-filled goal starts where the learner stands now.
    """
    chosen: dict[tuple[str, int], GoalChoice] = {}
    if agreement is not None:
        for goal in agreement.goals:
            chosen[(goal.learner_side, goal.skill_id)] = GoalChoice(
                goal.skill, goal.learner_side, goal.level_before, goal.target_level, True)
    skills_by_name = _skills([item["skill"] for item in match.focus])
    for side in match.learning_sides:
        learner = match.member(side)
        levels = _levels(learner)
        targets = {g.skill_id: g for g in learner.goals}
        for item in match.focus:
            skill = skills_by_name.get(item["skill"])
            if item.get("learner", "first") != side or skill is None or (side, skill.id) in chosen:
                continue
            goal = targets.get(skill.id)
            target = goal.target_level if goal else item["target"]
            before = levels.get(skill.id, item.get("level") or 0)
            if before < target:
                chosen[(side, skill.id)] = GoalChoice(skill, side, before, target, agreement is None)
        for goal in sorted(learner.goals, key=lambda g: (g.priority, g.skill.name)):
            before = levels.get(goal.skill_id, 0)
            if (side, goal.skill_id) not in chosen and before < goal.target_level:
                chosen[(side, goal.skill_id)] = GoalChoice(goal.skill, side, before, goal.target_level, False)
    return list(chosen.values())


@dataclass(frozen=True)
class GoalAnswer:
    """One goal as the member submitted it."""

    key: str
    included: bool
    level_before: int
    target_level: int


def save_agreement(match: Match, member: Member, goals: list[GoalAnswer], frequency: str, modes: list[str],
                   until: date | None, today: date) -> tuple[Agreement, list[Message]]:
    """Save a new version of the agreement; it counts as ``member``'s confirmation and asks the partner for theirs.

    Raises ``AgreementError`` when no goal is included, a target is not above
    its level, a goal is not one the match may hold, or the end is in the past.
    """
    side = _side(match, member)
    if not match.live:
        raise AgreementError(_("This match has ended; its agreement no longer changes."))
    if frequency not in FREQUENCIES or not modes or not set(modes) <= set(MODES):
        raise AgreementError(_("Choose how often and how you meet."))
    if until is not None and until < today:
        raise AgreementError(_("“Until” cannot be in the past."))
    agreement = agreement_of(match)
    choices = {choice.key: choice for choice in goal_choices(match, agreement)}
    included = [answer for answer in goals if answer.included]
    if not included:
        raise AgreementError(_("Include at least one goal."))
    for answer in included:
        choice = choices.get(answer.key)
        if choice is None:
            raise AgreementError(_("That goal is not one of this match's."))
        if not (0 <= answer.level_before <= 5 and 1 <= answer.target_level <= 5) \
                or answer.target_level <= answer.level_before:
            raise AgreementError(_("The target of “%(skill)s” must be above its current level.",
                                   skill=choice.skill.name))
    if agreement is None:
        agreement = Agreement(match_id=match.id, version=0)
        db.session.add(agreement)
    agreement.frequency, agreement.modes, agreement.until = frequency, sorted(set(modes), key=MODES.index), until
    _replace_goals(agreement, [(choices[a.key], a) for a in included])
    now = utcnow()
    agreement.version += 1
    agreement.updated_by_id = member.id
    setattr(agreement, f"{side}_confirmed_at", now)
    setattr(agreement, f"{_other(side)}_confirmed_at", None)
    db.session.flush()
    return agreement, [notices.agreement_to_confirm(match, match.member(_other(side)), member)]


def confirm_agreement(match: Match, member: Member, version: int, now: datetime | None = None) -> bool:
    """``member`` confirms version ``version``; False when the agreement has changed since (or is gone).

    One conditional UPDATE: a confirmation of a version the partner has just replaced changes nothing.
    """
    side = _side(match, member)
    column = getattr(Agreement, f"{side}_confirmed_at")
    result = db.session.execute(
        sa.update(Agreement).where(Agreement.match_id == match.id, Agreement.version == version)
        .values({column: sa.func.coalesce(column, now or utcnow())})
        .execution_options(synchronize_session=False))
    agreement = agreement_of(match)
    if agreement is not None:
        db.session.refresh(agreement)
    return result.rowcount == 1


def _replace_goals(agreement: Agreement, wanted: list[tuple[GoalChoice, GoalAnswer]]) -> None:
    existing = {(g.learner_side, g.skill_id): g for g in agreement.goals}
    keep = set()
    for choice, answer in wanted:
        key = (choice.learner_side, choice.skill.id)
        keep.add(key)
        goal = existing.get(key)
        if goal is None:
            goal = AgreementGoal(skill_id=choice.skill.id, skill=choice.skill, learner_side=choice.learner_side)
            agreement.goals.append(goal)
        goal.level_before, goal.target_level = answer.level_before, answer.target_level
    for key, goal in existing.items():
        if key not in keep:
            agreement.goals.remove(goal)


def _side(match: Match, member: Member) -> str:
    side = match.side_of(member.id)
    if side is None:
        raise LookupError(f"member {member.id} is not part of match {match.id}")
    return side


def _other(side: str) -> str:
    return "second" if side == "first" else "first"


def _skills(names) -> dict[str, Skill]:
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    return {s.name: s for s in db.session.scalars(sa.select(Skill).where(Skill.name.in_(names)))}


def _levels(member: Member) -> dict[int, int]:
    return dict(db.session.execute(
        sa.select(MemberSkill.skill_id, MemberSkill.level).where(MemberSkill.member_id == member.id)).all())


def learning_goal(member_id: int, skill_id: int) -> LearningGoal | None:
    return db.session.get(LearningGoal, (member_id, skill_id))
