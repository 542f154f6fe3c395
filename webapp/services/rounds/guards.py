"""Loading a round, and refusing what its status does not allow.

Which status allows which action is written once, on the model
(``models.round.ROUND_ACTIONS``); here is only what HR reads when a step is
refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Round, db


class RoundError(ValueError):
    """The round cannot do what was asked (the message says why, for HR)."""


#: Why each action is refused when the round's status does not allow it; ``%(status)s`` is
#: the status's title, in the reader's language.
REFUSALS = {
    "solve": _l("This round is %(status)s; only a draft or solved round can be solved."),
    "edit_pins": _l("Pins and forbids change only a draft or solved round."),
    "move": _l("Members can be moved only in a solved, unpublished working-group round."),
    "publish": _l("Solve the round before publishing it."),
    "repair": _l("Only a published round can be repaired; this one is %(status)s."),
    "close": _l("Only a published round can be closed; this one is %(status)s."),
    "new_link": _l("New invitation links are sent only in a published working-group round."),
}


def require(round_: Round, action: str) -> None:
    """Raise ``RoundError`` unless the round's status (and kind) allows ``action``."""
    if not round_.can(action):
        raise RoundError(REFUSALS[action] % {"status": round_.status.title})


def get_round(round_id: int, *, for_update: bool = False) -> Round:
    """The round, or ``LookupError``; ``for_update`` locks its row (PostgreSQL) until commit."""
    query = sa.select(Round).where(Round.id == round_id)
    if for_update:  # and read the row afresh: another transaction may have moved it on
        query = query.with_for_update().execution_options(populate_existing=True)
    round_ = db.session.scalar(query)
    if round_ is None:
        raise LookupError(f"no round with id {round_id}")
    return round_
