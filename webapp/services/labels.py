"""Words for stored codes, in the reader's language: roles, seniority bands, a round's scope.

The database stores codes ("mentor", "Senior", no community); these are the
words a reader sees for them, looked up when a page or a message is written.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models.member import SENIORITY_BANDS, SENIORITY_LABELS

#: What the other side of a match is to a member, by that side's role.
ROLE_NOUNS = {"mentor": _l("mentor"), "learner": _l("mentee"), "peer": _l("peer partner")}


def role_noun(role: str) -> str:
    """``"mentor"`` → "mentor", ``"learner"`` → "mentee", ``"peer"`` → "peer partner"."""
    return str(ROLE_NOUNS[role])


def seniority_label(band) -> str:
    """A seniority band by its 1-based index (as the matcher counts) or its stored name."""
    if isinstance(band, int):
        band = SENIORITY_BANDS[band - 1] if 1 <= band <= len(SENIORITY_BANDS) else ""
    return str(SENIORITY_LABELS.get(band, band or _("unknown")))


def scope_label(round_) -> str:
    """Who a round is for: its community's name, or everyone in the organisation."""
    return round_.community.name if round_.community else _("Whole organisation")
