"""A round's end: at its end date the round closes by itself, feedback opens, and members are told.

Whether HR closes a round or its end date closes it, the "feedback is open"
message goes out once per round (``Round.feedback_announced_at``, set by a
conditional UPDATE), to every member of a confirmed match or an accepted
group place.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from models import GroupMember, Match, Member, Round, WorkingGroup, db
from models.base import utcnow
from webapp.services.after_match import notices
from webapp.services.messages import Message
from webapp.services.rounds.dates import organisation_today
from webapp.services.rounds.lifecycle import close_round
from webapp.services.rounds.participation import aware


def open_feedback_at_end_date(now: datetime) -> list[Message]:
    """Close every published round whose end date has come, then announce feedback for every closed round not yet announced."""
    today = organisation_today(now)
    due = db.session.scalars(sa.select(Round.id).where(
        Round.status_allows("close"), Round.ends_on.is_not(None), Round.ends_on <= today).order_by(Round.id)).all()
    for round_id in due:
        close_round(round_id)
    waiting = db.session.scalars(sa.select(Round).where(
        Round.status_allows("give_feedback"), Round.feedback_announced_at.is_(None)).order_by(Round.id)).all()
    messages: list[Message] = []
    for round_ in waiting:
        messages.extend(announce_feedback(round_, now))
    return messages


def announce_feedback(round_: Round, now: datetime | None = None) -> list[Message]:
    """The "feedback is open" messages of a closed round, once; an empty list when already announced."""
    won = db.session.execute(
        sa.update(Round).where(Round.id == round_.id, Round.feedback_announced_at.is_(None),
                               Round.status_allows("give_feedback"))
        .values(feedback_announced_at=aware(now or utcnow())).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(round_)
    if not won:
        return []
    return [notices.feedback_open(round_, member) for member in _taking_part(round_)]


def _taking_part(round_: Round) -> list[Member]:
    """Members of the round's confirmed matches and accepted group places, each once."""
    ids = set()
    for first, second in db.session.execute(sa.select(Match.first_id, Match.second_id).where(
            Match.round_id == round_.id, Match.first_status == "accepted", Match.second_status == "accepted")):
        ids.update((first, second))
    ids.update(db.session.scalars(sa.select(GroupMember.member_id).join(WorkingGroup).where(
        WorkingGroup.round_id == round_.id, GroupMember.status == "accepted")))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Member).where(Member.id.in_(ids), Member.active.is_(True))
                                   .order_by(Member.id)))
