"""Members who stopped answering invitations, and their "keep matching me".

A member whose last two rounds went unanswered is asked whether they still
want to be matched, rather than being matched (and ignored) again or dropped
silently; until they say yes, solves leave them out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

import sqlalchemy as sa

from models import GroupMember, Match, Member, Round, WorkingGroup, db
from models.base import utcnow
from models.round import RoundStatus


def unanswered_twice(member_id: int | None = None) -> set[int]:
    """Members whose last two rounds went unanswered and who have not confirmed since.

    A round counts as unanswered for a member when it closed while every
    invitation they had in it was still pending, leaving out matches the
    partner had already declined (nothing was left to answer). ``member_id``
    limits the check to one member.
    """
    rounds: dict[int, dict[int, tuple[datetime, bool]]] = defaultdict(dict)
    for who, round_id, published_at, answered, unanswered in _invitation_answers(member_id):
        when, silent = rounds[who].get(round_id, (aware(published_at), True))
        rounds[who][round_id] = (when, silent and not answered and unanswered)
    query = sa.select(Member.id, Member.participation_confirmed_at).where(
        Member.participation_confirmed_at.is_not(None), Member.id.in_(list(rounds)))
    confirmed = dict(db.session.execute(query).all())
    asked = set()
    for who, per_round in rounds.items():
        last_two = sorted(per_round.values(), reverse=True)[:2]
        if len(last_two) == 2 and all(silent for _, silent in last_two):
            when = confirmed.get(who)
            if when is None or aware(when) < last_two[0][0]:
                asked.add(who)
    return asked


def _invitation_answers(member_id: int | None):
    """``(member, round, published at, answered, unanswered)`` for every invitation sent."""
    sent = Round.status_allows("count_as_history")
    closed = Round.status == RoundStatus.CLOSED
    for side, other in (("first", "second"), ("second", "first")):
        member, status = getattr(Match, f"{side}_id"), getattr(Match, f"{side}_status")
        other_status = getattr(Match, f"{other}_status")
        query = (sa.select(member, Round.id, Round.published_at, status != "pending",
                           closed & (status == "pending") & (other_status != "declined"))
                 .select_from(Match).join(Round, Match.round_id == Round.id).where(sent))
        yield from db.session.execute(query if member_id is None else query.where(member == member_id))
    query = (sa.select(GroupMember.member_id, Round.id, Round.published_at, GroupMember.status != "pending",
                       closed & (GroupMember.status == "pending"))
             .select_from(GroupMember).join(WorkingGroup).join(Round).where(sent))
    yield from db.session.execute(query if member_id is None else query.where(GroupMember.member_id == member_id))


def confirm_participation(member: Member) -> None:
    """The member says "keep matching me": they are eligible again from the next solve."""
    member.participation_confirmed_at = utcnow()


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC times; compare everything as aware UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
