"""Preferences for the next round: a member names up to three preferred mentors (or peers).

A solve adds HR's ``preference_bonus`` (a round parameter with its slider) to the score of each
preferred pair the hard rules allow, so a preference is honoured when it costs little; the
match's reasons say "You asked for …" and the round's notes count how many were honoured and
why the others were not (the preferred member was not eligible, a hard rule kept them apart,
or a better overall matching outweighed the bonus).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _

from models import Member, RoundPreference, db
from models.mentoring_requests import PREFERENCE_KINDS

#: At most this many preferences per member and kind of round.
MAX_PREFERENCES = 3


class PreferenceError(ValueError):
    """The preference cannot be saved (the message says why)."""


def preferences_of(member_id: int, kind: str) -> list[RoundPreference]:
    return list(db.session.scalars(sa.select(RoundPreference).where(
        RoundPreference.member_id == member_id, RoundPreference.kind == kind).order_by(RoundPreference.created_at)))


def may_prefer(member: Member, other: Member) -> bool:
    """Whether ``member`` may name ``other`` as a preference: someone else, active, in one of their communities."""
    if other.id == member.id or not other.is_active:
        return False
    mine = {row.community_id for row in member.memberships}
    return any(row.community_id in mine for row in other.memberships)


def prefer(member: Member, preferred: Member, kind: str) -> RoundPreference:
    """Add ``preferred`` to ``member``'s preferences for the next ``kind`` round (at most three)."""
    if kind not in PREFERENCE_KINDS or preferred.id == member.id:
        raise LookupError("no such preference")
    existing = preferences_of(member.id, kind)
    if any(p.preferred_id == preferred.id for p in existing):
        return next(p for p in existing if p.preferred_id == preferred.id)
    if len(existing) >= MAX_PREFERENCES:
        raise PreferenceError(_("You can name at most %(num)d preferences; remove one first.", num=MAX_PREFERENCES))
    found = RoundPreference(member_id=member.id, preferred_id=preferred.id, kind=kind)
    db.session.add(found)
    db.session.flush()
    return found


def forget(member: Member, preferred_id: int, kind: str) -> None:
    db.session.execute(sa.delete(RoundPreference).where(
        RoundPreference.member_id == member.id, RoundPreference.preferred_id == preferred_id,
        RoundPreference.kind == kind))


def wished_pairs(kind: str, chooser_ids) -> set[tuple[int, int]]:
    """``(chooser, preferred)`` of the preferences for ``kind`` that these members made."""
    chooser_ids = list(chooser_ids)
    if not chooser_ids:
        return set()
    rows = db.session.execute(sa.select(RoundPreference.member_id, RoundPreference.preferred_id).where(
        RoundPreference.kind == kind, RoundPreference.member_id.in_(chooser_ids)))
    return {(a, b) for a, b in rows}


def add_bonus(scores: np.ndarray, row_ids, col_ids, wished: set[tuple[int, int]], bonus: float,
              *, symmetric: bool = False) -> set[tuple[int, int]]:
    """Add ``bonus`` to the allowed (finite) cells of the wished pairs, in place; returns the pairs allowed.

    ``symmetric`` (peers): a wish by either member counts for the pair, in both cells.
    """
    if not wished:
        return set()
    rows = {member_id: i for i, member_id in enumerate(row_ids)}
    cols = {member_id: j for j, member_id in enumerate(col_ids)}
    boosted = set()
    for chooser, chosen in wished:
        cells = [(rows.get(chooser), cols.get(chosen))]
        if symmetric:
            cells.append((rows.get(chosen), cols.get(chooser)))
        for i, j in cells:
            if i is not None and j is not None and np.isfinite(scores[i, j]):
                scores[i, j] += max(bonus, 0.0)
                boosted.add((chooser, chosen))
    return boosted


def honoured_note(wished: set[tuple[int, int]], eligible_ids: set[int], boosted: set[tuple[int, int]],
                  matched_pairs: set[frozenset]) -> dict:
    """The facts of the round's preference note: how many were honoured, and why the others were not."""
    why = Counter()
    for chooser, chosen in wished:
        if frozenset((chooser, chosen)) in matched_pairs:
            why["honoured"] += 1
        elif chosen not in eligible_ids:
            why["not_eligible"] += 1
        elif (chooser, chosen) not in boosted:
            why["ruled_out"] += 1
        else:
            why["outweighed"] += 1
    return {"asked": len(wished), "honoured": why["honoured"], "not_eligible": why["not_eligible"],
            "ruled_out": why["ruled_out"], "outweighed": why["outweighed"]}
