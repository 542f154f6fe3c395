"""A round's dates and purpose: when the programme runs, and what its working groups are for.

A round runs from ``starts_on`` to ``ends_on`` (a default length per kind).
Members see both; check-ins go out until the end date, and at the end date
feedback opens by itself (``webapp.services.after_match.schedule``). Dates
are days in the organisation's time zone (``ORGANISATION_TIMEZONE``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from models import Round, WorkingGroup
from models.base import utcnow
from webapp.services.rounds.guards import RoundError
from webapp.services.rounds.participation import aware

#: How long a round of each kind runs unless HR says otherwise.
DEFAULT_LENGTH_DAYS = {"mentoring": 90, "peer": 60, "groups": 60}
#: The longest a round may run.
MAX_LENGTH_DAYS = 366
#: Longest purpose HR may write.
PURPOSE_LENGTH = 1000


def organisation_today(now: datetime | None = None) -> date:
    """Today in the organisation's time zone (``now`` defaults to the current moment)."""
    zone = ZoneInfo(current_app.config.get("ORGANISATION_TIMEZONE", "Asia/Bangkok"))
    return aware(now or utcnow()).astimezone(zone).date()


def default_dates(kind: str, start: date | None = None) -> tuple[date, date]:
    """``(starts_on, ends_on)`` of a new round of ``kind`` starting on ``start`` (today by default)."""
    start = start or organisation_today()
    return start, start + timedelta(days=DEFAULT_LENGTH_DAYS[kind])


def check_dates(starts_on: date | None, ends_on: date | None) -> None:
    """Raise ``RoundError`` unless the end comes after the start, within ``MAX_LENGTH_DAYS``."""
    if starts_on is None or ends_on is None:
        raise RoundError(_("A round needs a start date and an end date."))
    if ends_on <= starts_on:
        raise RoundError(_("The end date must come after the start date."))
    if (ends_on - starts_on).days > MAX_LENGTH_DAYS:
        raise RoundError(_("A round runs at most %(days)d days.", days=MAX_LENGTH_DAYS))


def set_dates(round_: Round, starts_on: date, ends_on: date, today: date | None = None) -> None:
    """HR changes a round's dates; a closed round keeps its own, and a running one cannot end in the past."""
    if round_.can("give_feedback"):
        raise RoundError(_("This round is closed; its dates no longer change."))
    check_dates(starts_on, ends_on)
    if round_.was_published and ends_on < (today or organisation_today()):
        raise RoundError(_("A published round cannot end in the past; to end it now, close it."))
    round_.starts_on, round_.ends_on = starts_on, ends_on


def check_publishable(round_: Round, today: date | None = None) -> None:
    """A round whose end date has already passed is not published (it would close at once)."""
    if round_.ends_on is not None and round_.ends_on <= (today or organisation_today()):
        raise RoundError(_("The round's end date has passed: set a later end date before publishing."))


def clean_purpose(text: str | None) -> str | None:
    """HR's purpose, trimmed; empty means "none of its own"."""
    text = (text or "").strip()
    if len(text) > PURPOSE_LENGTH:
        raise RoundError(_("A purpose has at most %(count)d characters.", count=PURPOSE_LENGTH))
    return text or None


def set_round_purpose(round_: Round, text: str | None) -> None:
    """What every working group of a groups round is for, unless a group has its own."""
    if round_.kind != "groups":
        raise RoundError(_("Only a working-group round has a purpose."))
    round_.purpose = clean_purpose(text)


def set_group_purpose(group: WorkingGroup, text: str | None) -> None:
    """HR's purpose for one group; empty falls back to the round's."""
    group.purpose = clean_purpose(text)
