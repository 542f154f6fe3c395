"""A round's parameters: the defaults, the weight classes, and the bounds of each one.

``PARAMETER_BOUNDS`` is the one statement of what values a parameter may
take: ``check_parameters`` enforces it for every caller (pages, CLI, jobs),
and the set-up form builds its validators and hints from it.
"""

from __future__ import annotations

from dataclasses import asdict

from flask_babel import gettext as _

from matcher import PRIORITIES, GroupWeights, MentoringWeights, PeerWeights
from models.round import ROUND_KINDS
from webapp.services.rounds.guards import RoundError

WEIGHT_CLASSES = {"mentoring": MentoringWeights, "peer": PeerWeights, "groups": GroupWeights}

#: What a new round starts from; HR changes any of it on the set-up page.
DEFAULT_PARAMETERS = {
    "mentoring": {"priority": "coverage", "cooldown_rounds": 2, "preference_bonus": 2.0},
    "peer": {"priority": "coverage", "cooldown_rounds": 2, "preference_bonus": 2.0},
    "groups": {"group_min": 4, "group_max": 6, "anchor_level": 4, "cooldown_rounds": 1, "time_limit": 5.0},
}

#: The smallest and largest value of each numeric parameter.
PARAMETER_BOUNDS = {
    "cooldown_rounds": (0, 10),
    "group_min": (2, 20),
    "group_max": (2, 20),
    "anchor_level": (1, 5),
    "time_limit": (0.1, 120.0),
    # Added to the score of a pair a member asked for (``webapp.services.preferences``).
    "preference_bonus": (0.0, 10.0),
}


def check_kind(kind: str) -> None:
    """Raise ``RoundError`` for a kind of round that does not exist."""
    if kind not in ROUND_KINDS:
        raise RoundError(_("A round is one of %(kinds)s; got “%(kind)s”.", kinds=", ".join(ROUND_KINDS), kind=kind))


def default_parameters(kind: str) -> dict:
    """The parameters of a new round of ``kind``, weights included."""
    check_kind(kind)
    return {**DEFAULT_PARAMETERS[kind], "weights": asdict(WEIGHT_CLASSES[kind]())}


def merged_parameters(kind: str, changes: dict | None) -> dict:
    """The defaults of ``kind`` with ``changes`` applied (weights merged name by name), checked."""
    merged = default_parameters(kind)
    for key, value in (changes or {}).items():
        if key == "weights":
            merged["weights"] = {**merged["weights"], **value}
        else:
            merged[key] = value
    check_parameters(kind, merged)
    return merged


def check_parameters(kind: str, parameters: dict) -> None:
    """Raise ``RoundError`` naming the first parameter that is out of range or of the wrong type."""
    try:
        _check_values(kind, parameters)
    except RoundError:
        raise
    except (TypeError, ValueError) as error:
        raise RoundError(_("A parameter has the wrong type: %(error)s", error=error)) from None


def _within(name: str, value) -> bool:
    low, high = PARAMETER_BOUNDS[name]
    return low <= value <= high


def _bounds(name: str) -> dict:
    """``{"low": ..., "high": ...}`` of a parameter, for a message's placeholders."""
    low, high = PARAMETER_BOUNDS[name]
    return {"low": low, "high": high}


def _check_values(kind: str, parameters: dict) -> None:
    try:
        WEIGHT_CLASSES[kind](**parameters.get("weights", {}))
    except (TypeError, ValueError) as error:
        raise RoundError(_("Weights: %(error)s", error=error)) from None
    cooldown = parameters.get("cooldown_rounds", 0)
    if not isinstance(cooldown, int) or not _within("cooldown_rounds", cooldown):
        raise RoundError(_("Cooldown must be a whole number of rounds from %(low)d to %(high)d.",
                           **_bounds("cooldown_rounds")))
    bonus = parameters.get("preference_bonus", 0.0)
    if kind in ("mentoring", "peer") and (isinstance(bonus, bool) or not isinstance(bonus, (int, float))
                                          or not _within("preference_bonus", bonus)):
        raise RoundError(_("The preference bonus is between %(low)g and %(high)g.", **_bounds("preference_bonus")))
    if kind in ("mentoring", "peer") and parameters.get("priority") not in PRIORITIES:
        raise RoundError(_("Priority must be one of %(choices)s.", choices=", ".join(repr(p) for p in PRIORITIES)))
    if kind == "groups":
        low, high = parameters.get("group_min"), parameters.get("group_max")
        if not (isinstance(low, int) and isinstance(high, int)
                and _within("group_min", low) and _within("group_max", high) and low <= high):
            raise RoundError(_("Group sizes must satisfy %(low)d ≤ smallest ≤ largest ≤ %(high)d.",
                               low=PARAMETER_BOUNDS["group_min"][0], high=PARAMETER_BOUNDS["group_max"][1]))
        if not _within("anchor_level", parameters.get("anchor_level", 4)):
            raise RoundError(_("The anchor level is between %(low)d and %(high)d.", **_bounds("anchor_level")))
        if not _within("time_limit", float(parameters.get("time_limit", 5.0))):
            raise RoundError(_("The time limit is between %(low)g and %(high)g seconds.", **_bounds("time_limit")))
