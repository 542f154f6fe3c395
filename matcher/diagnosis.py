"""Why a member was left out of a round: one shape for mentoring and peer rounds.

``score.mentoring.diagnose_unmatched`` and ``score.peers.diagnose_unpaired``
both return ``Diagnosis`` objects; the round review stores the member, the
kind and its ``params`` (member ids, not indices), and renders the words
when HR reads them. ``text`` is an English default for library users.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Every kind a diagnosis can have, and what it means. ``Diagnosis.params`` holds, by kind:
#:
#: - ``no_eligible_mentor``: ``rule_counts`` ({rule: count}), ``no_seats`` (mentors with none);
#: - ``seats_taken``: ``mentor_id``, ``mentor_score``, ``taken_by_id``, ``taken_by_score``;
#: - ``no_eligible_partner``: ``rule_counts``;
#: - ``partners_taken``: ``eligible`` (how many), ``best_id``, ``best_score``, ``paired_with_id``;
#: - ``not_worth_it``: ``mentor_id`` and ``score`` (mentoring) or ``partner_id`` and ``score`` (peers).
#:
#: With ``rule_counts``, ``cooldown_rounds`` too when the cooldown rule counted (its words need it).
#: Scores are rounded to 2 decimals.
KINDS: Mapping[str, str] = {
    "no_eligible_mentor": "Every mentor is ruled out by a hard rule or has no seats (mentoring)",
    "seats_taken": "Eligible mentors exist, but their seats went to others (mentoring)",
    "no_eligible_partner": "Every other member is ruled out by a hard rule (peers)",
    "partners_taken": "Eligible partners exist, but were paired with others (peers)",
    "not_worth_it": "An eligible mentor or partner was free, but the pair scored too low to make",
}


@dataclass(frozen=True)
class Diagnosis:
    """Why one member got no mentor or no partner, for the round review.

    Attributes
    ----------
    member : int
        Row index of the member in the score table (for mentoring, a learner).
    kind : str
        One of ``KINDS``.
    text : str
        The explanation in English, for HR.
    params : mapping of str to JSON values
        The facts behind it, by kind (see ``KINDS``); members by ``Profile.id``.
    rule_counts : dict of str to int
        For ``"no_eligible_mentor"`` and ``"no_eligible_partner"``: how many
        candidates each hard rule removed (keys of ``matcher.rules.RULE_TEXT``).
    best_partner : int or None
        The best eligible mentor (a column index) or partner (a row index),
        when there is one.
    taken_by : int or None
        For ``"seats_taken"`` and ``"partners_taken"``: the member who holds
        the best partner's seat, or whom the best partner was paired with.

    Examples
    --------
    >>> d = Diagnosis(3, "not_worth_it", "Ann was free too, but the pair scored only -0.50",
    ...               {"partner_id": 12, "score": -0.5}, best_partner=1)
    >>> d.best_partner, d.params["partner_id"]
    (1, 12)
    >>> Diagnosis(3, "no_capacity", "")
    Traceback (most recent call last):
    ...
    ValueError: expected a diagnosis kind from no_eligible_mentor, seats_taken, no_eligible_partner, partners_taken, not_worth_it, got 'no_capacity'
    """

    member: int
    kind: str
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)
    rule_counts: dict[str, int] = field(default_factory=dict)
    best_partner: int | None = None
    taken_by: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"expected a diagnosis kind from {', '.join(KINDS)}, got {self.kind!r}")


def rounded_score(score) -> float:
    """A score as ``Diagnosis.params`` hold it: a plain float to 2 decimals.

    Examples
    --------
    >>> import numpy as np
    >>> rounded_score(np.float32(1.23456))
    1.23
    """
    return round(float(score), 2)
