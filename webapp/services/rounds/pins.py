"""HR's pins (these two must be matched or grouped together) and forbids (never together).

They change only a round that is still a draft or solved, and take effect at
its next solve. A pin and a forbid on the same pair refuse each other.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from matcher.profiles import pair_key
from models import Forbid, Member, Pin, Round, db
from webapp.services.rounds.eligibility import eligibility
from webapp.services.rounds.guards import RoundError, get_round, require


def add_pin(round_id: int, first_id: int, second_id: int) -> Pin:
    """HR pins a pair for the next solve (mentoring: learner first, mentor second)."""
    return _add(Pin, round_id, first_id, second_id)


def add_forbid(round_id: int, first_id: int, second_id: int) -> Forbid:
    """HR forbids a pair for the next solve."""
    return _add(Forbid, round_id, first_id, second_id)


def remove_pin(round_id: int, first_id: int, second_id: int) -> None:
    """HR takes back a pin; nothing happens if there is none."""
    _remove(Pin, round_id, first_id, second_id)


def remove_forbid(round_id: int, first_id: int, second_id: int) -> None:
    """HR takes back a forbid; nothing happens if there is none."""
    _remove(Forbid, round_id, first_id, second_id)


def member_id_for_email(email: str) -> int:
    """The id of the member with ``email`` (any letter case), or ``RoundError`` naming it."""
    member_id = db.session.scalar(sa.select(Member.id).where(Member.email == email.strip().lower()))
    if member_id is None:
        raise RoundError(_("No member has the email %(email)s.", email=email.strip()))
    return member_id


def _remove(model, round_id: int, first_id: int, second_id: int) -> None:
    require(get_round(round_id), "edit_pins")
    for key in ((first_id, second_id), (second_id, first_id)):
        row = db.session.get(model, (round_id, *key))
        if row is not None:
            db.session.delete(row)
    db.session.flush()


def _add(model, round_id: int, first_id: int, second_id: int):
    round_ = get_round(round_id)
    require(round_, "edit_pins")
    if first_id == second_id:
        raise RoundError(_("Pick two different members."))
    members = [db.session.get(Member, member_id) for member_id in (first_id, second_id)]
    for member_id, member in zip((first_id, second_id), members):
        if member is None:
            raise RoundError(_("No member with id %(id)d.", id=member_id))
    opposite = Forbid if model is Pin else Pin
    if any(db.session.get(opposite, (round_id, *key)) for key in ((first_id, second_id), (second_id, first_id))):
        first, second = (m.display_name for m in members)
        if model is Pin:
            raise RoundError(_("“%(first)s” and “%(second)s” are forbidden in this round; take that back first.",
                               first=first, second=second))
        raise RoundError(_("“%(first)s” and “%(second)s” are pinned in this round; take that back first.",
                           first=first, second=second))
    if model is Pin and round_.kind == "mentoring":
        _check_mentoring_pin(round_, *members)
    else:
        first_id, second_id = pair_key(first_id, second_id)
    existing = db.session.get(model, (round_id, first_id, second_id))
    if existing is not None:
        return existing
    row = model(round_id=round_id, first_id=first_id, second_id=second_id)
    db.session.add(row)
    db.session.flush()
    return row


def _check_mentoring_pin(round_: Round, learner: Member, mentor: Member) -> None:
    """A mentoring pin names an eligible learner, then an eligible mentor with a seat left."""
    who = eligibility("mentoring", round_.community_id)
    if learner.id not in who.roles["learner"]:
        raise RoundError(_("“%(name)s” is not an eligible learner in this round (pins go learner first).",
                           name=learner.display_name))
    if mentor.id not in who.roles["mentor"]:
        raise RoundError(_("“%(name)s” is not an eligible mentor in this round.", name=mentor.display_name))
    pins = db.session.scalars(sa.select(Pin).where(Pin.round_id == round_.id)).all()
    if any(pin.first_id == learner.id for pin in pins):
        raise RoundError(_("“%(name)s” is already pinned to a mentor.", name=learner.display_name))
    seats = sum(pin.second_id == mentor.id for pin in pins)
    if seats >= mentor.mentor_capacity:
        raise RoundError(ngettext("“%(name)s” mentors at most %(num)d learner; all their places are pinned already.",
                                  "“%(name)s” mentors at most %(num)d learners; all their places are pinned already.",
                                  mentor.mentor_capacity, name=mentor.display_name))
