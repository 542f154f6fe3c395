"""What shows a match is alive, and which pairs met.

A match is alive on the day it was confirmed, on each day a session was
logged as held, and on each day a member answered a check-in "we met". A
pair met when a session was logged as held, a check-in said so, or either
member's feedback said so. Each question is a few grouped queries, however
many matches it is asked about.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from models import CheckIn, Feedback, Match, Meeting, db
from models.relationship import POSITIVE_ANSWERS
from webapp.services.rounds.dates import organisation_today


def last_alive(matches: Iterable[Match]) -> dict[int, date]:
    """Each match's last sign of life, as a day in the organisation's time zone."""
    matches = [m for m in matches if m.confirmed_at is not None]
    alive = {m.id: organisation_today(m.confirmed_at) for m in matches}
    ids = list(alive)
    if not ids:
        return alive
    for match_id, day in db.session.execute(
            sa.select(Meeting.match_id, sa.func.max(Meeting.day))
            .where(Meeting.match_id.in_(ids), Meeting.state == "held").group_by(Meeting.match_id)):
        alive[match_id] = max(alive[match_id], day)
    for match_id, moment in db.session.execute(
            sa.select(CheckIn.match_id, sa.func.max(CheckIn.answered_at))
            .where(CheckIn.match_id.in_(ids), CheckIn.answer.in_(POSITIVE_ANSWERS)).group_by(CheckIn.match_id)):
        alive[match_id] = max(alive[match_id], organisation_today(moment))
    return alive


def met_match_ids(match_ids: Iterable[int]) -> set[int]:
    """The matches among ``match_ids`` whose pair met (a held session, a "we met" check-in or feedback)."""
    ids = list(set(match_ids))
    if not ids:
        return set()
    met: set[int] = set()
    for start in range(0, len(ids), 5000):  # keep IN lists a sane size
        chunk = ids[start:start + 5000]
        met.update(db.session.scalars(sa.select(Meeting.match_id).where(
            Meeting.match_id.in_(chunk), Meeting.state == "held")))
        met.update(db.session.scalars(sa.select(CheckIn.match_id).where(
            CheckIn.match_id.in_(chunk), CheckIn.answer.in_(POSITIVE_ANSWERS))))
        met.update(db.session.scalars(sa.select(Feedback.match_id).where(
            Feedback.match_id.in_(chunk), Feedback.met.is_(True))))
    return met
