"""Check-ins: "Did you meet? How is it going?" by email, answered in one click without logging in.

The first goes out two weeks after a match is confirmed, then one a month
until the round's end date. Each member of the pair gets their own links:
a random token per check-in and member (only its SHA-256 hash is stored),
the answer in the link, working once and until ``CHECK_IN_DAYS`` have
passed. "We met" shows the match is alive; "not meeting" and "need help"
flag it for attention (a help request also tells HR at once).

After downtime the scheduler catches up with one check-in per member, the
latest one due, not a burst of every month missed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.exc import IntegrityError

from models import CheckIn, Match, Round, db
from models.base import utcnow
from models.relationship import CHECK_IN_ANSWERS
from webapp.services.after_match import notices
from webapp.services.messages import Message
from webapp.services.rounds.dates import organisation_today
from webapp.services.rounds.participation import aware
from webapp.services.tokens import hash_token, is_expired, new_token

#: The first check-in, after confirmation.
FIRST_CHECK_IN = timedelta(days=14)


def add_months(day: date, months: int) -> date:
    """``day`` moved on by ``months`` calendar months, kept within the month (31 Jan + 1 → 28 or 29 Feb).

    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2026, 11, 15), 2)
    datetime.date(2027, 1, 15)
    """
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(confirmed_on: date, ends_on: date | None, today: date) -> list[date]:
    """The check-in days of a match confirmed on ``confirmed_on`` that have come by ``today``.

    Two weeks after confirmation, then monthly, each before the round's end date.

    >>> due_dates(date(2026, 1, 1), date(2026, 4, 1), date(2026, 3, 20))
    [datetime.date(2026, 1, 15), datetime.date(2026, 2, 15), datetime.date(2026, 3, 15)]
    >>> due_dates(date(2026, 1, 1), date(2026, 1, 10), date(2026, 3, 20))
    []
    """
    first = confirmed_on + FIRST_CHECK_IN
    days = []
    while True:
        day = add_months(first, len(days))
        if day > today or (ends_on is not None and day >= ends_on):
            return days
        days.append(day)


def send_due_checkins(now: datetime) -> list[Message]:
    """Send each member of every live match the check-in that is due and not yet sent. Idempotent.

    A second run finds every check-in already stored (one per match, member
    and number, a unique constraint) and sends nothing.
    """
    today = organisation_today(now)
    matches = db.session.scalars(
        sa.select(Match).join(Round, Match.round_id == Round.id)
        .where(Round.status_allows("answer"), Match.confirmed_at.is_not(None), Match.ended_at.is_(None),
               Match.first_status == "accepted", Match.second_status == "accepted")
        .options(so.joinedload(Match.first), so.joinedload(Match.second), so.joinedload(Match.round))
        .order_by(Match.id)
    ).all()
    sent = _numbers_sent([m.id for m in matches])
    days = current_app.config.get("CHECK_IN_DAYS", 14)
    messages: list[Message] = []
    for match in matches:
        due = due_dates(organisation_today(match.confirmed_at), match.round.ends_on, today)
        if not due:
            continue
        for member in (match.first, match.second):
            if sent.get((match.id, member.id), 0) >= len(due):
                continue
            raw, hashed = new_token()
            check_in = CheckIn(match_id=match.id, member_id=member.id, number=len(due), due_on=due[-1],
                               sent_at=aware(now), token_hash=hashed, expires_at=aware(now) + timedelta(days=days))
            try:
                with db.session.begin_nested():  # another tick at the same moment: its row wins, ours goes
                    db.session.add(check_in)
            except IntegrityError:
                continue
            messages.append(notices.check_in(check_in, match, member, raw))
    return messages


def _numbers_sent(match_ids: list[int]) -> dict[tuple[int, int], int]:
    if not match_ids:
        return {}
    rows = db.session.execute(
        sa.select(CheckIn.match_id, CheckIn.member_id, sa.func.max(CheckIn.number))
        .where(CheckIn.match_id.in_(match_ids)).group_by(CheckIn.match_id, CheckIn.member_id))
    return {(match_id, member_id): number for match_id, member_id, number in rows}


def check_in_for_token(raw_token: str) -> CheckIn | None:
    """The check-in whose link carries ``raw_token``; looked up by its hash only."""
    if not raw_token or len(raw_token) > 200:
        return None
    return db.session.scalar(sa.select(CheckIn).where(CheckIn.token_hash == hash_token(raw_token)))


def link_expired(check_in: CheckIn, now: datetime | None = None) -> bool:
    return is_expired(check_in.expires_at, now)


@dataclass
class Answered:
    """What answering did: whether this answer was recorded, and the messages to send after commit."""

    recorded: bool
    messages: list[Message] = field(default_factory=list)


def answer_check_in(check_in: CheckIn, answer: str, now: datetime | None = None) -> Answered:
    """Record the member's one-click answer, once; a repeated or late click changes nothing.

    One conditional UPDATE (``answered_at IS NULL`` and not expired), so two
    clicks at once record one answer.
    """
    if answer not in CHECK_IN_ANSWERS:
        raise ValueError(f"expected an answer in {CHECK_IN_ANSWERS}, got {answer!r}")
    now = aware(now or utcnow())
    recorded = db.session.execute(
        sa.update(CheckIn).where(CheckIn.id == check_in.id, CheckIn.answered_at.is_(None), CheckIn.expires_at > now)
        .values(answer=answer, answered_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(check_in)
    if not recorded:
        return Answered(False)
    from webapp.services.after_match import attention

    match = check_in.match
    messages: list[Message] = []
    if check_in.positive:
        attention.resolve_on_activity(match, now)
    elif match.live and match.round.can("answer"):
        kind = "need_help" if answer == "need_help" else "not_meeting"
        flag = attention.raise_flag(match, kind, check_in.member, now=now)
        if kind == "need_help":
            messages = attention.tell_hr(flag, now)
    return Answered(True, messages)
