"""Pairs that met and rated well may continue together in the next round, when both ask.

After the round closes, a pair that met and whose ratings are all 4 or 5
(at least one given) may ask to be renewed; once both have asked, the next
solve of a round of the same kind (the same community, or the whole
organisation) keeps them together, as if HR had pinned them, provided both
are still eligible and HR has not ruled the pair out. A pair is renewed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from matcher.profiles import pair_key
from models import Feedback, Match, Member, Round, db
from models.base import utcnow
from webapp.services.after_match.evidence import met_match_ids
from webapp.services.rounds.participation import aware

#: The lowest rating that counts as "rated well".
RATED_WELL = 4


class RenewalError(ValueError):
    """The pair cannot ask for renewal; the message says why, for the member."""


@dataclass(frozen=True)
class RenewalStatus:
    """Whether a pair may ask to continue, and who has asked."""

    eligible: bool
    asked: bool  # the viewer
    partner_asked: bool


def renewal_status(match: Match, member: Member) -> RenewalStatus:
    side = match.side_of(member.id)
    other = "second" if side == "first" else "first"
    return RenewalStatus(_eligible(match), getattr(match, f"{side}_renewal_at") is not None,
                         getattr(match, f"{other}_renewal_at") is not None)


def request_renewal(match: Match, member: Member, now: datetime | None = None) -> bool:
    """``member`` asks to continue with their partner next round; True when both have now asked."""
    side = match.side_of(member.id)
    if side is None:
        raise LookupError(f"member {member.id} is not part of match {match.id}")
    if not _eligible(match):
        raise RenewalError(_("Only a pair that met and rated the match 4 or 5 can continue together."))
    if getattr(match, f"{side}_renewal_at") is None:
        setattr(match, f"{side}_renewal_at", aware(now or utcnow()))
        db.session.flush()
    return match.first_renewal_at is not None and match.second_renewal_at is not None


def _eligible(match: Match) -> bool:
    if not (match.confirmed and match.round.can("give_feedback")) or match.id not in met_match_ids([match.id]):
        return False
    ratings = [r for r in db.session.scalars(sa.select(Feedback.rating).where(
        Feedback.match_id == match.id, Feedback.rating.is_not(None)))]
    return bool(ratings) and min(ratings) >= RATED_WELL


@dataclass(frozen=True)
class Renewal:
    """A pair to keep together in a solve: the earlier match's sides, in its order."""

    first_id: int
    second_id: int
    from_match_id: int


def renewals_for(round_: Round, eligible_first: set[int], eligible_second: set[int],
                 busy: set[int], forbidden: frozenset) -> list[Renewal]:
    """The pairs both asked to renew that ``round_`` should keep together.

    ``eligible_first``/``eligible_second``: who may take each side (learners
    and mentors, or peers twice); ``busy``: members HR already pinned;
    ``forbidden``: pairs HR ruled out. A member is in one renewal at most.
    """
    renewed_elsewhere = sa.select(Match.renewed_from_id).where(
        Match.renewed_from_id.is_not(None), Match.round_id != round_.id)
    query = (sa.select(Match).join(Round, Match.round_id == Round.id)
             .where(Round.kind == round_.kind, Round.id != round_.id, Round.status_allows("give_feedback"),
                    Match.first_renewal_at.is_not(None), Match.second_renewal_at.is_not(None),
                    Match.id.not_in(renewed_elsewhere))
             .options(so.joinedload(Match.round))
             .order_by(Round.closed_at.desc(), Match.id.desc()))
    if round_.community_id is not None:
        query = query.where(Round.community_id == round_.community_id)
    renewals, taken = [], set(busy)
    for match in db.session.scalars(query):
        first, second = match.first_id, match.second_id
        if first in taken or second in taken or pair_key(first, second) in forbidden:
            continue
        if first in eligible_first and second in eligible_second:
            renewals.append(Renewal(first, second, match.id))
            taken.update((first, second))
    return renewals
