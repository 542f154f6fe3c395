"""Programme figures per round and in all: answers, meetings, ratings, growth, repairs, a funnel.

Each figure is one grouped query over the rounds the filter keeps; nothing
loads one row per match or member. "Invitations sent" counts both sides of
every match and every working-group place; the acceptance rate is accepted
answers over invitations sent. A pair (or group) met when a session was
logged as held, a check-in said so, or feedback said so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from models import (
    Agreement,
    AgreementGoal,
    AttentionFlag,
    CheckIn,
    Feedback,
    GroupMember,
    Match,
    Meeting,
    Round,
    Skill,
    WorkingGroup,
    db,
)
from models.relationship import POSITIVE_ANSWERS
from webapp.services.dashboard.filters import Filters
from webapp.services.dashboard.sql import count_if, median_of_counts, whole_hours_between
from webapp.services.dashboard.tables import Table, share
from webapp.services.round_review import KIND_NAMES


@dataclass
class RoundFigures:
    """One round's figures (or, for ``total``, every counted round's)."""

    round_id: int | None
    name: str
    kind: str
    published_at: datetime | None
    eligible: int = 0
    matched: int = 0
    max_possible: int = 0
    invitations: int = 0
    accepted: int = 0
    declined: int = 0
    unanswered: int = 0
    confirmed: int = 0
    met: int = 0
    met_members: int = 0
    sessions: int = 0
    minutes: int = 0
    rated: int = 0
    rating_sum: int = 0
    attention: int = 0
    rematched: int = 0
    left_over: int = 0
    answer_hours: dict[int, int] = field(default_factory=dict)

    @property
    def acceptance_rate(self) -> float | None:
        return share(self.accepted, self.invitations)

    @property
    def median_hours(self) -> float | None:
        return median_of_counts(self.answer_hours)

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def mean_rating(self) -> float | None:
        return share(self.rating_sum, self.rated)


@dataclass(frozen=True)
class Growth:
    skill: str
    goals: int
    mean_gain: float


@dataclass(frozen=True)
class Programme:
    rounds: list[RoundFigures]
    total: RoundFigures
    ratings: dict[int, int]
    growth: list[Growth]

    @property
    def rating_bars(self) -> list[tuple[str, int]]:
        return [(str(rating), count) for rating, count in self.ratings.items()]

    @property
    def funnel(self) -> list[tuple[str, int]]:
        """Eligible → matched → accepted → met → rated, counted in members."""
        t = self.total
        return [(_("Eligible"), t.eligible), (_("Matched"), t.invitations), (_("Accepted"), t.accepted),
                (_("Met"), t.met_members), (_("Rated"), t.rated)]


def programme(filters: Filters) -> Programme:
    """Every counted round's figures, their totals, the ratings and the growth per skill."""
    rows = db.session.execute(
        sa.select(Round.id, Round.name, Round.kind, Round.published_at, Round.eligible, Round.matched,
                  Round.max_coverage, Round.notes)
        .where(Round.id.in_(filters.rounds())).order_by(Round.published_at, Round.id)).all()
    figures = {row.id: RoundFigures(row.id, row.name, row.kind, row.published_at, eligible=row.eligible or 0,
                                    matched=row.matched or 0, max_possible=row.max_coverage or 0) for row in rows}
    for row in rows:
        for entry in row.notes or []:
            if isinstance(entry, dict) and entry.get("kind") == "repaired":
                figures[row.id].rematched += entry["params"].get("rematched", 0)
                figures[row.id].left_over += entry["params"].get("left_over", 0)
    if figures:
        _answers(filters, figures)
        _met(filters, figures)
        _sessions(filters, figures)
        _attention(filters, figures)
        _answer_times(filters, figures)
    ratings = _ratings(filters, figures)
    return Programme(list(figures.values()), _total(figures.values()), ratings, _growth(filters))


def _group_places(filters: Filters) -> list:
    conditions = [WorkingGroup.round_id.in_(filters.rounds())]
    if filters.department:
        conditions.append(GroupMember.member_id.in_(filters.department_members()))
    return conditions


def _answers(filters: Filters, figures: dict[int, RoundFigures]) -> None:
    first, second = Match.first_status, Match.second_status
    for round_id, pairs, accepted, declined, confirmed in db.session.execute(
            sa.select(Match.round_id, sa.func.count(),
                      count_if(first == "accepted") + count_if(second == "accepted"),
                      count_if(first == "declined") + count_if(second == "declined"),
                      count_if(sa.and_(first == "accepted", second == "accepted")))
            .where(*filters.match_condition()).group_by(Match.round_id)):
        f = figures[round_id]
        f.invitations += 2 * pairs
        f.accepted += accepted
        f.declined += declined
        f.unanswered += 2 * pairs - accepted - declined
        f.confirmed += confirmed
    for round_id, sent, accepted, declined in db.session.execute(
            sa.select(WorkingGroup.round_id, sa.func.count(), count_if(GroupMember.status == "accepted"),
                      count_if(GroupMember.status == "declined"))
            .join(WorkingGroup, GroupMember.group_id == WorkingGroup.id)
            .where(*_group_places(filters)).group_by(WorkingGroup.round_id)):
        f = figures[round_id]
        f.invitations += sent
        f.accepted += accepted
        f.declined += declined
        f.unanswered += sent - accepted - declined
    # A group is confirmed once two of its members have accepted.
    accepted_places = (sa.select(GroupMember.group_id).where(GroupMember.status == "accepted")
                       .group_by(GroupMember.group_id).having(sa.func.count() >= 2))
    for round_id, count in db.session.execute(
            sa.select(WorkingGroup.round_id, sa.func.count()).where(
                WorkingGroup.round_id.in_(filters.rounds()), WorkingGroup.id.in_(accepted_places),
                *_group_department(filters)).group_by(WorkingGroup.round_id)):
        figures[round_id].confirmed += count


def _group_department(filters: Filters) -> list:
    if not filters.department:
        return []
    return [WorkingGroup.id.in_(sa.select(GroupMember.group_id).where(
        GroupMember.member_id.in_(filters.department_members())))]


def _met(filters: Filters, figures: dict[int, RoundFigures]) -> None:
    held = sa.select(Meeting.match_id).where(Meeting.state == "held", Meeting.match_id.is_not(None))
    checked = sa.select(CheckIn.match_id).where(CheckIn.answer.in_(POSITIVE_ANSWERS))
    said = sa.select(Feedback.match_id).where(Feedback.met.is_(True), Feedback.match_id.is_not(None))
    met = sa.or_(Match.id.in_(held), Match.id.in_(checked), Match.id.in_(said))
    for round_id, count in db.session.execute(
            sa.select(Match.round_id, sa.func.count()).where(*filters.match_condition(), met)
            .group_by(Match.round_id)):
        figures[round_id].met += count
        figures[round_id].met_members += 2 * count
    group_held = sa.select(Meeting.group_id).where(Meeting.state == "held", Meeting.group_id.is_not(None))
    group_said = sa.select(Feedback.group_id).where(Feedback.met.is_(True), Feedback.group_id.is_not(None))
    group_met = sa.or_(WorkingGroup.id.in_(group_held), WorkingGroup.id.in_(group_said))
    for round_id, groups, members in db.session.execute(
            sa.select(WorkingGroup.round_id, sa.func.count(sa.distinct(WorkingGroup.id)), sa.func.count())
            .join(GroupMember, GroupMember.group_id == WorkingGroup.id)
            .where(*_group_places(filters), GroupMember.status == "accepted", group_met)
            .group_by(WorkingGroup.round_id)):
        figures[round_id].met += groups
        figures[round_id].met_members += members


def _sessions(filters: Filters, figures: dict[int, RoundFigures]) -> None:
    held = Meeting.state == "held"
    for round_id, count, minutes in db.session.execute(
            sa.select(Match.round_id, sa.func.count(), sa.func.coalesce(sa.func.sum(Meeting.minutes), 0))
            .join(Match, Meeting.match_id == Match.id).where(held, *filters.match_condition())
            .group_by(Match.round_id)):
        figures[round_id].sessions += count
        figures[round_id].minutes += int(minutes)
    for round_id, count, minutes in db.session.execute(
            sa.select(WorkingGroup.round_id, sa.func.count(), sa.func.coalesce(sa.func.sum(Meeting.minutes), 0))
            .join(WorkingGroup, Meeting.group_id == WorkingGroup.id)
            .where(held, WorkingGroup.round_id.in_(filters.rounds()), *_group_department(filters))
            .group_by(WorkingGroup.round_id)):
        figures[round_id].sessions += count
        figures[round_id].minutes += int(minutes)


def _attention(filters: Filters, figures: dict[int, RoundFigures]) -> None:
    for round_id, count in db.session.execute(
            sa.select(Match.round_id, sa.func.count(sa.distinct(AttentionFlag.match_id)))
            .join(Match, AttentionFlag.match_id == Match.id)
            .where(AttentionFlag.resolved_at.is_(None), *filters.match_condition()).group_by(Match.round_id)):
        figures[round_id].attention += count


def _answer_times(filters: Filters, figures: dict[int, RoundFigures]) -> None:
    answers = sa.union_all(*(
        sa.select(Match.round_id.label("round_id"), getattr(Match, f"{side}_responded_at").label("at"))
        .where(*filters.match_condition(), getattr(Match, f"{side}_responded_at").is_not(None),
               getattr(Match, f"{side}_status") != "pending")
        for side in ("first", "second"))).subquery()
    hours = whole_hours_between(answers.c.at, Round.published_at)
    for round_id, bucket, count in db.session.execute(
            sa.select(answers.c.round_id, hours, sa.func.count()).join(Round, answers.c.round_id == Round.id)
            .group_by(answers.c.round_id, hours)):
        _add_bucket(figures[round_id], bucket, count)
    hours = whole_hours_between(GroupMember.responded_at, Round.published_at)
    for round_id, bucket, count in db.session.execute(
            sa.select(WorkingGroup.round_id, hours, sa.func.count())
            .join(WorkingGroup, GroupMember.group_id == WorkingGroup.id).join(Round, WorkingGroup.round_id == Round.id)
            .where(*_group_places(filters), GroupMember.responded_at.is_not(None), GroupMember.status != "pending")
            .group_by(WorkingGroup.round_id, hours)):
        _add_bucket(figures[round_id], bucket, count)


def _add_bucket(figures: RoundFigures, bucket, count: int) -> None:
    bucket = max(0, int(bucket))
    figures.answer_hours[bucket] = figures.answer_hours.get(bucket, 0) + count


def _ratings(filters: Filters, figures: dict[int, RoundFigures]) -> dict[int, int]:
    conditions = [Feedback.round_id.in_(filters.rounds()), Feedback.rating.is_not(None)]
    if filters.department:
        conditions.append(Feedback.member_id.in_(filters.department_members()))
    ratings = dict.fromkeys(range(1, 6), 0)
    for round_id, rating, count in db.session.execute(
            sa.select(Feedback.round_id, Feedback.rating, sa.func.count()).where(*conditions)
            .group_by(Feedback.round_id, Feedback.rating)):
        ratings[rating] += count
        figures[round_id].rated += count
        figures[round_id].rating_sum += rating * count
    return ratings


def _growth(filters: Filters) -> list[Growth]:
    gain = AgreementGoal.level_after - AgreementGoal.level_before
    rows = db.session.execute(
        sa.select(Skill.name, sa.func.count(), sa.func.avg(gain))
        .join(Agreement, AgreementGoal.agreement_id == Agreement.id).join(Match, Agreement.match_id == Match.id)
        .join(Skill, AgreementGoal.skill_id == Skill.id)
        .where(AgreementGoal.level_after.is_not(None), *filters.match_condition())
        .group_by(Skill.name).order_by(sa.func.avg(gain).desc(), Skill.name))
    return [Growth(name, count, float(mean)) for name, count, mean in rows]


def _total(rounds) -> RoundFigures:
    total = RoundFigures(None, _("All rounds"), "", None)
    for f in rounds:
        for name in ("eligible", "matched", "max_possible", "invitations", "accepted", "declined", "unanswered",
                     "confirmed", "met", "met_members", "sessions", "minutes", "rated", "rating_sum", "attention",
                     "rematched", "left_over"):
            setattr(total, name, getattr(total, name) + getattr(f, name))
        for bucket, count in f.answer_hours.items():
            total.answer_hours[bucket] = total.answer_hours.get(bucket, 0) + count
    return total


# --- tables ------------------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def rounds_table(p: Programme) -> Table:
    columns = (_("Round"), _("Kind"), _("Published"), _("Eligible"), _("Matched"), _("Maximum possible"),
               _("Invitations sent"), _("Accepted"), _("Declined"), _("Unanswered"), _("Acceptance rate (%)"),
               _("Median hours to answer"), _("Confirmed"), _("Met"), _("Sessions"), _("Hours"),
               _("Ratings"), _("Mean rating"), _("Needs attention"), _("Repaired: new matches"),
               _("Repaired: left over"))
    rows = [(f.name, str(KIND_NAMES.get(f.kind, f.kind)) if f.kind else "",
             f.published_at.date().isoformat() if f.published_at else "", f.eligible, f.matched, f.max_possible,
             f.invitations, f.accepted, f.declined, f.unanswered, _percent(f.acceptance_rate),
             _number(f.median_hours), f.confirmed, f.met, f.sessions, _number(f.hours), f.rated,
             _number(f.mean_rating, 2), f.attention, f.rematched, f.left_over)
            for f in [*p.rounds, p.total]]
    return Table("rounds", _("Figures per round"), columns, rows)


def funnel_table(p: Programme) -> Table:
    first = p.funnel[0][1]
    return Table("funnel", _("From eligible to rated"), (_("Step"), _("Members"), _("Share of eligible (%)")),
                 [(label, count, _percent(share(count, first))) for label, count in p.funnel])


def ratings_table(p: Programme) -> Table:
    total = sum(p.ratings.values())
    return Table("ratings", _("Ratings"), (_("Rating"), _("Answers"), _("Share (%)")),
                 [(rating, count, _percent(share(count, total))) for rating, count in p.ratings.items()])


def growth_table(p: Programme) -> Table:
    return Table("growth", _("Skill growth"), (_("Skill"), _("Goals re-assessed"), _("Mean levels gained")),
                 [(g.skill, g.goals, _number(g.mean_gain, 2)) for g in p.growth])


def trend(p: Programme) -> list[tuple[str, float]]:
    """Acceptance rate per round, in order, for the trend chart."""
    return [(f.name, f.acceptance_rate or 0.0) for f in p.rounds if f.invitations]
