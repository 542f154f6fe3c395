"""Plain profile data that every matcher scores.

The matchers never see ORM rows: the web layer converts members into these
frozen dataclasses (``webapp.services.profiles``), so the algorithms can be
tested, benchmarked and reused without Flask or a database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

#: Skill levels and what they mean to a member.
LEVEL_NAMES: Mapping[int, str] = {
    1: "aware",
    2: "beginner",
    3: "practitioner",
    4: "advanced",
    5: "expert",
}

#: Seniority bands in order; ``Profile.seniority`` is a 1-based index, 0 unknown.
SENIORITY_BANDS: tuple[str, ...] = ("Junior", "Mid-level", "Senior", "Lead", "Executive")

#: How much a learning goal of each priority counts (1 is the most important).
PRIORITY_WEIGHT: Mapping[int, float] = {1: 1.0, 2: 0.7, 3: 0.4}


def pair_key(a: int, b: int) -> tuple[int, int]:
    """Return the unordered pair ``(min, max)`` of two member ids.

    Examples
    --------
    >>> pair_key(7, 3)
    (3, 7)
    """
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class Goal:
    """A learning goal: reach ``target`` level in ``skill``; priority 1 is highest."""

    skill: str
    target: int
    priority: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.target <= 5:
            raise ValueError(f"goal {self.skill!r}: expected a target level 1-5, got {self.target!r}")
        if self.priority not in PRIORITY_WEIGHT:
            raise ValueError(f"goal {self.skill!r}: expected a priority 1-3, got {self.priority!r}")


@dataclass(frozen=True, eq=False)
class Profile:
    """What the matchers know of one member.

    Parameters
    ----------
    id : int
        The member's id; hard rules and history refer to members by id.
    name : str
        Display name, used in explanations (any Unicode, e.g. Thai).
    skills : mapping of str to int
        Skill name to level 1-5 (see ``LEVEL_NAMES``).
    goals : tuple of Goal
        What the member wants to learn.
    communities : frozenset of str
        Names of the Communities of Practice the member belongs to.
    department, function, location : str
        Perspective; empty when unknown.
    seniority : int
        1-based index into ``SENIORITY_BANDS``; 0 when unknown.
    timezone : str
        IANA time-zone name, e.g. ``"Asia/Bangkok"``.
    languages : frozenset of str
        Languages the member can work in; empty means unknown (never forbids).
    managers : tuple of int
        The reporting line upwards, nearest manager first.
    mentor_capacity : int
        How many learners the member takes as a mentor (0-5).
    years_experience : float
        Years of professional experience.
    """

    id: int
    name: str = ""
    skills: Mapping[str, int] = field(default_factory=dict)
    goals: tuple[Goal, ...] = ()
    communities: frozenset[str] = frozenset()
    department: str = ""
    function: str = ""
    seniority: int = 0
    location: str = ""
    timezone: str = "UTC"
    languages: frozenset[str] = frozenset()
    managers: tuple[int, ...] = ()
    mentor_capacity: int = 0
    years_experience: float = 0.0

    def __post_init__(self) -> None:
        for skill, level in self.skills.items():
            if not (isinstance(level, (int, np.integer)) and 1 <= level <= 5):
                raise ValueError(
                    f"member {self.id}: expected skill levels 1-5, got {skill!r}={level!r}"
                )
        if not 0 <= self.seniority <= len(SENIORITY_BANDS):
            raise ValueError(
                f"member {self.id}: expected seniority 0-{len(SENIORITY_BANDS)}, got {self.seniority!r}"
            )
        if not 0 <= self.mentor_capacity <= 5:
            raise ValueError(
                f"member {self.id}: expected mentor capacity 0-5, got {self.mentor_capacity!r}"
            )
        utc_offset_hours(self.timezone)  # raises ValueError for an unknown zone

    @property
    def seniority_label(self) -> str:
        """The seniority band's name, or ``""`` when unknown."""
        return SENIORITY_BANDS[self.seniority - 1] if self.seniority else ""

    def level(self, skill: str) -> int:
        """The member's level in ``skill``, 0 when they do not have it."""
        return self.skills.get(skill, 0)


@dataclass(frozen=True)
class History:
    """What earlier rounds say about pairs of members (keys from ``pair_key``).

    Attributes
    ----------
    rounds_ago : mapping of (int, int) to int
        For each pair matched before, how many rounds ago (1 = the last round).
    declined : frozenset of (int, int)
        Pairs where one side declined the other.
    low_rated : frozenset of (int, int)
        Pairs whose match either side rated 1 or 2.
    """

    rounds_ago: Mapping[tuple[int, int], int] = field(default_factory=dict)
    declined: frozenset[tuple[int, int]] = frozenset()
    low_rated: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True)
class Rules:
    """Hard rules: pairs that break one are never matched.

    Attributes
    ----------
    cooldown_rounds : int
        Pairs matched within this many past rounds are not matched again.
    reporting_line_depth : int
        How far up the reporting line a pair is forbidden (2: manager and
        manager's manager).
    require_shared_language : bool
        Forbid pairs with no language in common (when both listed some).
    history : History
        Past rounds.
    forbidden : frozenset of (int, int)
        Pairs HR forbade.
    """

    cooldown_rounds: int = 2
    reporting_line_depth: int = 2
    require_shared_language: bool = True
    history: History = field(default_factory=History)
    forbidden: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True)
class Reason:
    """One reason for (or against) a pair: what it is (``kind``) and its facts (``params``).

    The web layer renders a reason from ``kind`` and ``params`` in the
    reader's language and from the reader's side; ``text`` is an English
    default for library users, told to the row member ("you").

    Attributes
    ----------
    kind : str
        What the reason is about, e.g. ``"goal"``, ``"community"``, ``"rule"``.
    contribution : float
        The reason's share of the pair's score; a hard rule that forbids the
        pair has ``-inf``.
    params : mapping of str to JSON values
        The facts behind the reason (str, int, float, bool, lists, dicts):
        levels as ints, names as the profiles spell them, seniority as the
        1-based band index, members by ``Profile.id``. They name the roles
        (``learner_level``, ``mentor_level``), never "you".
    text : str
        The reason in English.

    Examples
    --------
    >>> reason = Reason("language", 0.0, {"languages": ["Thai"]}, "Both speak Thai")
    >>> reason.as_dict()
    {'kind': 'language', 'params': {'languages': ['Thai']}, 'text': 'Both speak Thai', 'contribution': 0.0}
    >>> Reason("language", "Both speak Thai", 0.0)
    Traceback (most recent call last):
    ...
    ValueError: reason 'language': expected contribution as a number, got 'Both speak Thai'
    """

    kind: str
    contribution: float
    params: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""

    def __post_init__(self) -> None:
        # Catches a call in the old order, Reason(kind, text, contribution).
        if isinstance(self.contribution, (bool, str)) or not isinstance(self.contribution, (int, float, np.number)):
            raise ValueError(f"reason {self.kind!r}: expected contribution as a number, got {self.contribution!r}")

    def as_dict(self) -> dict:
        """A JSON-ready form for storing with a match."""
        return {"kind": self.kind, "params": dict(self.params), "text": self.text,
                "contribution": float(self.contribution)}


@dataclass(frozen=True, eq=False)
class ScoreTable:
    """Scores between two lists of profiles, able to explain any pair.

    Attributes
    ----------
    scores : ndarray of shape (len(rows), len(cols))
        Higher is better; ``-inf`` marks a forbidden pair.
    rows, cols : tuple of Profile
        The profiles along each axis (for peers, the same tuple twice).
    explainer : callable
        ``explainer(row_profile, col_profile) -> list[Reason]``.
    """

    scores: np.ndarray
    rows: tuple[Profile, ...]
    cols: tuple[Profile, ...]
    explainer: Callable[[Profile, Profile], list[Reason]]

    def explain(self, i: int, j: int) -> list[Reason]:
        """Reasons for the pair ``(rows[i], cols[j])``."""
        return self.explainer(self.rows[i], self.cols[j])


@lru_cache(maxsize=1024)
def utc_offset_hours(zone: str) -> float:
    """Current UTC offset of an IANA time zone, in hours.

    Raises ``ValueError`` for a name that is not an IANA zone.

    Examples
    --------
    >>> utc_offset_hours("Asia/Bangkok")
    7.0
    """
    try:
        info = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"expected an IANA time zone such as 'Asia/Bangkok', got {zone!r}") from None
    offset = datetime.now(timezone.utc).astimezone(info).utcoffset()
    return offset.total_seconds() / 3600.0


def hours_apart(a, b):
    """Hours between UTC offsets ``a`` and ``b`` on a 24-hour clock, 0 to 12 (arrays broadcast).

    Examples
    --------
    >>> float(hours_apart(7.0, -5.0)), float(hours_apart(-10.0, 12.0))
    (12.0, 2.0)
    """
    apart = np.abs(a - b) % 24.0
    return np.minimum(apart, 24.0 - apart)
