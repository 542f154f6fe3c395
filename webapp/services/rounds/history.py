"""What earlier rounds say about pairs, and the hard rules a solve of this round obeys."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from matcher.profiles import History, Rules, pair_key
from models import Feedback, GroupMember, Match, Round, WorkingGroup, db
from webapp.services.after_match.evidence import met_match_ids

#: A rating at or below this keeps the pair apart in later rounds.
LOW_RATING = 2


def hard_rules(round_: Round, also_forbidden=()) -> Rules:
    """The matcher's hard rules for a solve: cooldown and history, HR's forbids, and ``also_forbidden``."""
    forbidden = {pair_key(f.first_id, f.second_id) for f in round_.forbids} | set(also_forbidden)
    return Rules(cooldown_rounds=round_.parameters.get("cooldown_rounds", 2),
                 history=round_history(round_), forbidden=frozenset(forbidden))


def round_history(round_: Round) -> History:
    """What earlier rounds say about pairs: who met when, who declined whom, who rated whom low.

    Cooldown and declines come from published rounds of the same kind; a
    rating of 1 or 2 from either side keeps a pair apart in every later round.
    A pair of a closed round that never met (no session logged, no "we met"
    check-in or feedback) is not a repeat: the cooldown does not hold them apart.
    """
    earlier = db.session.scalars(
        sa.select(Round)
        .where(Round.kind == round_.kind, Round.id != round_.id, Round.status_allows("count_as_history"))
        .order_by(Round.published_at.desc(), Round.id.desc())
        .options(so.selectinload(Round.matches), so.selectinload(Round.groups).selectinload(WorkingGroup.members))
    ).all()
    rounds_ago: dict[tuple[int, int], int] = {}
    declined: set[tuple[int, int]] = set()
    never_met = _never_met(earlier)
    for ago, past in enumerate(earlier, start=1):
        for key, was_declined in _pairs_of(past):
            if was_declined:
                declined.add(key)
            if (past.id, key) not in never_met:
                rounds_ago.setdefault(key, ago)
    return History(rounds_ago=rounds_ago, declined=frozenset(declined), low_rated=low_rated_pairs())


def low_rated_pairs() -> frozenset[tuple[int, int]]:
    """Pairs whose match either side rated 1–2, and each low rater with their groupmates."""
    pairs = set()
    rated_matches = db.session.execute(
        sa.select(Match.first_id, Match.second_id).join(Feedback, Feedback.match_id == Match.id)
        .where(Feedback.rating <= LOW_RATING)
    )
    pairs.update(pair_key(a, b) for a, b in rated_matches)
    groupmate = so.aliased(GroupMember)
    rated_groups = db.session.execute(
        sa.select(Feedback.member_id, groupmate.member_id)
        .join(groupmate, groupmate.group_id == Feedback.group_id)
        .where(Feedback.rating <= LOW_RATING, groupmate.member_id != Feedback.member_id)
    )
    pairs.update(pair_key(a, b) for a, b in rated_groups)
    return frozenset(pairs)


def mentor_ratings(mentor_ids) -> dict[int, tuple[float, int]]:
    """Each mentor's average rating from their learners, and how many ratings it rests on."""
    mentor_ids = list(mentor_ids)
    if not mentor_ids:
        return {}
    rows = db.session.execute(
        sa.select(Match.second_id, sa.func.avg(Feedback.rating), sa.func.count(Feedback.rating))
        .join(Feedback, (Feedback.match_id == Match.id) & (Feedback.member_id == Match.first_id))
        .where(Match.second_role == "mentor", Match.second_id.in_(mentor_ids), Feedback.rating.is_not(None))
        .group_by(Match.second_id)
    )
    return {mentor_id: (float(average), count) for mentor_id, average, count in rows}


def _never_met(rounds) -> set[tuple[int, tuple[int, int]]]:
    """``(round id, pair)`` of the closed rounds' matches whose pair never met."""
    closed = [m for r in rounds if r.can("give_feedback") for m in r.matches if not m.declined]
    met = met_match_ids(m.id for m in closed)
    return {(m.round_id, pair_key(m.first_id, m.second_id)) for m in closed if m.id not in met}


def _pairs_of(round_: Round):
    for match in round_.matches:
        yield pair_key(match.first_id, match.second_id), match.declined
    for group in round_.groups:
        ids = sorted(gm.member_id for gm in group.members)
        declined = {gm.member_id for gm in group.members if gm.status == "declined"}
        for index, a in enumerate(ids):
            for b in ids[index + 1:]:
                yield (a, b), bool(declined & {a, b})
