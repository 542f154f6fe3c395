"""Each mentor's record, for HR: matches, how many met, the learners' average rating, and their learners' growth.

A handful of grouped queries for every mentor at once, so the page stays
quick with thousands of matches; the figures count confirmed mentoring
matches only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from models import Agreement, AgreementGoal, Match, Member, db
from webapp.services.after_match.evidence import met_match_ids
from webapp.services.paging import ListPage
from webapp.services.rounds.history import mentor_ratings
from webapp.services.text import like_pattern, sort_key


@dataclass(frozen=True)
class MentorRecord:
    """One mentor's record across rounds."""

    mentor: Member
    matches: int
    met: int
    ended_early: int
    rating: float | None
    ratings: int
    assessed_goals: int
    average_growth: float | None  # levels gained per re-assessed goal
    goals_reached: int


def mentor_records(q: str = "", page: int = 1, per_page: int = 25) -> ListPage:
    """Every mentor with at least one confirmed mentoring match, in Thai dictionary order; ``q`` filters by name."""
    confirmed = (Match.second_role == "mentor", Match.first_status == "accepted", Match.second_status == "accepted")
    rows = db.session.execute(sa.select(Match.id, Match.second_id, Match.ended_at).where(*confirmed)).all()
    by_mentor: dict[int, list[int]] = defaultdict(list)
    ended = Counter()
    for match_id, mentor_id, ended_at in rows:
        by_mentor[mentor_id].append(match_id)
        if ended_at is not None:
            ended[mentor_id] += 1
    query = sa.select(Member).where(Member.id.in_(list(by_mentor)))
    if q := " ".join((q or "").split()):
        query = query.where(Member.display_name.ilike(like_pattern(q), escape="\\"))
    mentors = sorted(db.session.scalars(query), key=lambda m: (sort_key(m.display_name), m.id))
    listing = ListPage.of(mentors, page, per_page)
    shown = [m.id for m in listing.items]
    met = met_match_ids(match_id for mentor_id in shown for match_id in by_mentor[mentor_id])
    ratings = mentor_ratings(shown)
    growth = _growth(shown)
    records = []
    for mentor in listing.items:
        gained = growth.get(mentor.id, [])
        records.append(MentorRecord(
            mentor=mentor, matches=len(by_mentor[mentor.id]),
            met=sum(1 for match_id in by_mentor[mentor.id] if match_id in met), ended_early=ended[mentor.id],
            rating=ratings.get(mentor.id, (None, 0))[0], ratings=ratings.get(mentor.id, (None, 0))[1],
            assessed_goals=len(gained), average_growth=sum(g for g, _ in gained) / len(gained) if gained else None,
            goals_reached=sum(1 for _, reached in gained if reached)))
    return ListPage(records, listing.page, listing.per_page, listing.total)


def _growth(mentor_ids: list[int]) -> dict[int, list[tuple[int, bool]]]:
    """``(levels gained, target reached)`` of each re-assessed goal of each mentor's learners."""
    if not mentor_ids:
        return {}
    rows = db.session.execute(
        sa.select(Match.second_id, AgreementGoal.level_before, AgreementGoal.level_after, AgreementGoal.target_level)
        .join(Agreement, AgreementGoal.agreement_id == Agreement.id).join(Match, Agreement.match_id == Match.id)
        .where(Match.second_id.in_(mentor_ids), Match.second_role == "mentor", AgreementGoal.learner_side == "first",
               AgreementGoal.level_after.is_not(None)))
    growth: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for mentor_id, before, after, target in rows:
        growth[mentor_id].append((after - before, after >= target))
    return growth
