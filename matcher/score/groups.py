"""Cross-perspective working groups for a Community of Practice.

The profile-level layer over ``matcher.solve.grouping.form_groups``: how diverse two
members are (``diversity_matrix``), a round of groups with anchors, history
and "don't isolate" (``plan_groups``), and what a group mixes, as data
(``describe_group``) and in English words (``explain_group``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from matcher._validation import check_budget
from matcher.profiles import SENIORITY_BANDS, History, Profile
from matcher.progress import Progress
from matcher.score._words import join_words
from matcher.solve.grouping import Grouping, InfeasibleError, form_groups, together_units
from matcher.solve.pairing import best_trio_for
from matcher.weights import Weights

__all__ = ["GroupPlan", "GroupWeights", "Note", "describe_group", "diversity_matrix", "explain_group", "plan_groups"]

#: Attributes that "don't isolate" can protect.
ISOLATION_ATTRIBUTES: tuple[str, ...] = ("seniority", "department", "function", "location")

#: Every kind of ``Note`` a plan can carry, and its ``params``.
NOTE_KINDS: Mapping[str, str] = {
    "relaxed_pairing": "The first \"don't isolate\" attribute could not be kept paired in groups of low-high, "
                       "so that rule was relaxed (attribute, low, high)",
    "sizes_vary": "Group sizes vary between low and high to keep the attribute's values paired (attribute, low, high)",
    "anchors_apart": "Anchors were not made buddies so that every group can have one; that many members are "
                     "the only one of their attribute value in their group (attribute, alone)",
}

_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_BAND_WORDS = {
    "Junior": ("junior", "juniors"),
    "Mid-level": ("mid-level", "mid-levels"),
    "Senior": ("senior", "seniors"),
    "Lead": ("lead", "leads"),
    "Executive": ("executive", "executives"),
}


@dataclass(frozen=True)
class GroupWeights(Weights):
    """How much each kind of difference adds to a pair's diversity.

    Each difference is between 0 and 1 before weighting; an unknown value
    (empty text, seniority 0, no skills) adds nothing.

    Attributes
    ----------
    department : float
        Adds its weight when the two work in different departments.
    function : float
        Adds its weight when their functions (job families) differ.
    seniority : float
        Distance between seniority bands, 1 for Junior against Executive.
    location : float
        Adds its weight when they work at different sites.
    skills : float
        ``1 - cosine similarity`` of their skill-level profiles.
    """

    department: float = field(default=1.0, metadata={"meaning": "Mixing people from different departments"})
    function: float = field(default=1.0, metadata={"meaning": "Mixing job functions (job families)"})
    seniority: float = field(default=1.0, metadata={"meaning": "Mixing seniority, from junior to executive"})
    location: float = field(default=0.5, metadata={"meaning": "Mixing sites and offices"})
    skills: float = field(default=1.0, metadata={"meaning": "Mixing different skill profiles"})


def diversity_matrix(members: Sequence[Profile], weights: GroupWeights | None = None) -> np.ndarray:
    """Pairwise diversity of members: the weighted sum of their differences.

    Parameters
    ----------
    members : sequence of Profile
    weights : GroupWeights, optional
        Defaults to ``GroupWeights()``.

    Returns
    -------
    ndarray of shape (n, n)
        Symmetric, zero diagonal, entries between 0 and the sum of the weights.

    Examples
    --------
    >>> a = Profile(1, department="Finance", seniority=1, skills={"Lean": 5})
    >>> b = Profile(2, department="Sales", seniority=5, skills={"Python": 3})
    >>> diversity_matrix([a, b]).round(2).tolist()
    [[0.0, 3.0], [3.0, 0.0]]
    """
    members = list(members)
    weights = weights or GroupWeights()
    # Department, function, location and seniority differences depend only on a
    # member's combination of the four: score each distinct combination once,
    # then spread that small table over the members (O(n^2) copying, no more).
    combos: dict[tuple, int] = {}
    code = np.array([combos.setdefault(_combination(p), len(combos)) for p in members], dtype=np.int64)
    table = _combination_diversity(list(combos), weights)
    d = np.take(table[code], code, axis=1)
    if weights.skills:
        skill = _skill_distance(members)
        skill *= weights.skills
        d += skill
    np.fill_diagonal(d, 0.0)
    return d


def _combination(p: Profile) -> tuple[str, str, str, int]:
    return (p.department.strip().casefold(), p.function.strip().casefold(),
            p.location.strip().casefold(), p.seniority)


def _combination_diversity(combos: list[tuple[str, str, str, int]], weights: GroupWeights) -> np.ndarray:
    """Diversity between distinct (department, function, location, seniority) combinations."""
    d = np.zeros((len(combos), len(combos)))
    for k, name in enumerate(("department", "function", "location")):
        weight = getattr(weights, name)
        if weight:
            d += weight * _differs([combo[k] for combo in combos])
    if weights.seniority:
        band = np.array([combo[3] for combo in combos], dtype=float)
        known = band > 0
        distance = np.abs(band[:, None] - band[None, :]) / (len(SENIORITY_BANDS) - 1)
        d += weights.seniority * np.where(known[:, None] & known[None, :], distance, 0.0)
    return d


def _differs(values: list[str]) -> np.ndarray:
    """1 where two known (non-empty) values differ."""
    codes = {value: k for k, value in enumerate(sorted(set(values)))}
    code = np.array([codes[v] if v else -1 for v in values])
    known = code >= 0
    return ((code[:, None] != code[None, :]) & known[:, None] & known[None, :]).astype(float)


def _skill_distance(members: Sequence[Profile]) -> np.ndarray:
    vocabulary: dict[str, int] = {}
    entries = [(i, vocabulary.setdefault(skill, len(vocabulary)), level)
               for i, p in enumerate(members) for skill, level in p.skills.items()]
    levels = np.zeros((len(members), max(len(vocabulary), 1)))
    for i, j, level in entries:
        levels[i, j] = level
    norm = np.linalg.norm(levels, axis=1)
    known = norm > 0
    safe = np.where(known, norm, 1.0)
    distance = levels @ levels.T  # in place from here: (n, n) temporaries are costly at scale
    distance /= safe[:, None]
    distance /= safe[None, :]
    np.subtract(1.0, distance, out=distance)  # 1 - cosine similarity
    np.clip(distance, 0.0, 1.0, out=distance)
    distance[~known] = 0.0
    distance[:, ~known] = 0.0
    return distance


@dataclass(frozen=True)
class Note:
    """Something HR should know about a plan: a rule it had to bend.

    Attributes
    ----------
    kind : str
        One of ``NOTE_KINDS``.
    params : mapping of str to JSON values
        ``attribute, low, high`` for ``"relaxed_pairing"`` and
        ``"sizes_vary"``; ``attribute, alone`` for ``"anchors_apart"``.
    text : str
        The note in English, for library users.

    Examples
    --------
    >>> Note("sizes_vary", {"attribute": "seniority", "low": 4, "high": 6}).params["high"]
    6
    >>> Note("too_big", {})
    Traceback (most recent call last):
    ...
    ValueError: expected a note kind from relaxed_pairing, sizes_vary, anchors_apart, got 'too_big'
    """

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in NOTE_KINDS:
            raise ValueError(f"expected a note kind from {', '.join(NOTE_KINDS)}, got {self.kind!r}")


@dataclass(frozen=True, eq=False)
class GroupPlan:
    """A round of working groups and what went into it.

    Attributes
    ----------
    members : tuple of Profile
        Everyone grouped, in the order given (indices below refer to it).
    grouping : Grouping
        The solver's answer over member indices.
    diversity : ndarray of shape (n, n)
        The diversity matrix the groups were formed on.
    anchors : frozenset of int
        Ids of the experienced members the groups were built around.
    anchor_level : int
        The level that made a member an anchor.
    core_skills : tuple of str or None
        The skills an anchor's level is counted in (None: any skill).
    isolated : tuple of (int, str, str)
        ``(member id, attribute, value)`` for every member left as the only
        one of a protected value in their group (empty when none).
    notes : tuple of Note
        Rules that had to be relaxed.
    """

    members: tuple[Profile, ...]
    grouping: Grouping
    diversity: np.ndarray
    anchors: frozenset[int]
    anchor_level: int
    core_skills: tuple[str, ...] | None
    isolated: tuple[tuple[int, str, str], ...]
    notes: tuple[Note, ...]

    @property
    def groups(self) -> list[list[Profile]]:
        """The profiles in each group."""
        return [[self.members[i] for i in group] for group in self.grouping.groups]

    @cached_property
    def mean_pair_diversity(self) -> np.ndarray:
        """Each group's mean pair diversity, computed once per plan (``describe_group`` compares them)."""
        return np.array([_mean_pair(self.diversity, group) for group in self.grouping.groups])


def plan_groups(
    members: Sequence[Profile],
    group_size: tuple[int, int] = (4, 6),
    *,
    anchor_level: int = 4,
    core_skills: Collection[str] | None = None,
    dont_isolate: Sequence[str] = ("seniority",),
    history: History | None = None,
    cooldown_rounds: int = 1,
    apart: Iterable[tuple[int, int]] = (),
    together: Iterable[tuple[int, int]] = (),
    weights: GroupWeights | None = None,
    time_limit: float | None = 5.0,
    max_iterations: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> GroupPlan:
    """Form a round of cross-perspective working groups.

    Parameters
    ----------
    members : sequence of Profile
        Everyone to group (unique ids).
    group_size : (int, int)
        Smallest and largest group. The group count is the smallest that
        fits; sizes are then as equal as possible.
    anchor_level : int
        Members at this level (1-5) or above in a core skill are anchors:
        every group gets one when there are enough, and otherwise no two
        share a group.
    core_skills : collection of str, optional
        The community's core skills; None counts every skill.
    dont_isolate : sequence of str
        Attributes (``"seniority"``, ``"department"``, ``"function"``,
        ``"location"``) whose values must not be left alone: no group holds
        exactly one member of a value that two or more members share. The
        first attribute is a hard rule (members are paired with a buddy of
        the same value, as a together rule); later ones are only checked
        and reported in ``GroupPlan.isolated``. If the sizes cannot take
        the buddies, the rule is relaxed and a note says so.
    history : History, optional
        Earlier rounds: pairs grouped within ``cooldown_rounds`` rounds are
        kept apart.
    cooldown_rounds : int
        How many past rounds to keep pairs apart for.
    apart, together : iterable of (int, int)
        Member-id pairs HR keeps apart or puts together.
    weights : GroupWeights, optional
        Weights of the diversity dimensions.
    time_limit : float or None
        Seconds for the whole plan: building the diversity matrix, the
        construction and the search; the search stops when they are up
        (a valid grouping is always built first, so a very short limit
        can be overrun by the construction).
    max_iterations, seed
        Passed to ``form_groups``.
    progress : callable, optional
        Passed on to ``form_groups`` (see ``matcher.progress``).

    Returns
    -------
    GroupPlan

    Raises
    ------
    ValueError
        For malformed input, or sizes no group count can meet.
    InfeasibleError
        When anchors, apart or together rules cannot all hold.

    Examples
    --------
    >>> people = [Profile(1, "Malee", department="Finance", seniority=3, skills={"Lean": 5}),
    ...           Profile(2, "Niran", department="Finance", seniority=1, skills={"Lean": 2}),
    ...           Profile(3, "Ploy", department="Sales", seniority=3, skills={"Lean": 4}),
    ...           Profile(4, "Krit", department="Sales", seniority=1, skills={"Python": 3})]
    >>> plan = plan_groups(people, (2, 2), core_skills=["Lean"], dont_isolate=(), max_iterations=50)
    >>> sorted(sorted(p.name for p in group) for group in plan.groups)
    [['Krit', 'Malee'], ['Niran', 'Ploy']]
    >>> sorted(plan.anchors)
    [1, 3]
    """
    started = time.perf_counter()
    members = tuple(members)
    _check_members(members)
    n = len(members)
    low, high = _check_group_size(group_size)
    _check_plan_options(anchor_level, core_skills, dont_isolate, cooldown_rounds)
    g = _group_count(n, low, high)
    check_budget(time_limit, max_iterations)
    balanced = [(max(low, n // g), min(high, -(-n // g)))] * g
    index = {p.id: i for i, p in enumerate(members)}
    core = None if core_skills is None else tuple(core_skills)

    d = diversity_matrix(members, weights)
    anchor_idx = [i for i, p in enumerate(members) if _anchor_skill(p, core, anchor_level) is not None]
    hr_apart = list(_to_indices(apart, index, "apart"))
    together_idx = list(_to_indices(together, index, "together"))
    apart_pairs = _apart_pairs(index, g, hr_apart, together_idx, history, cooldown_rounds, anchor_idx)
    buddies, separate = [], None
    if dont_isolate:
        buddies, separate = _buddy_pairs(members, dont_isolate[0], d, apart_pairs, anchor_idx, together_idx, g)
    attempts = [(balanced, buddies)] if buddies else []
    if buddies and [(low, high)] * g != balanced:
        attempts.append(([(low, high)] * g, buddies))
    attempts.append((balanced, []))
    for k, (sizes, extra) in enumerate(attempts):
        try:
            grouping = form_groups(
                d, sizes, anchors=anchor_idx, apart=apart_pairs, together=together_idx + extra,
                time_limit=_seconds_left(time_limit, started), max_iterations=max_iterations, seed=seed,
                progress=progress,
            )
            break
        except InfeasibleError:
            if k == len(attempts) - 1:
                raise
    isolated = tuple(
        (members[i].id, name, value)
        for name in dont_isolate
        for i, value in _isolated(members, grouping.labels, name)
    )
    notes = _plan_notes(dont_isolate, (low, high), sizes != balanced, bool(buddies), bool(extra),
                        separate is not None, isolated)
    return GroupPlan(
        members=members,
        grouping=grouping,
        diversity=d,
        anchors=frozenset(members[i].id for i in anchor_idx),
        anchor_level=anchor_level,
        core_skills=core,
        isolated=isolated,
        notes=notes,
    )


def _check_plan_options(anchor_level, core_skills, dont_isolate, cooldown_rounds) -> None:
    if isinstance(anchor_level, bool) or not isinstance(anchor_level, int) or not 1 <= anchor_level <= 5:
        raise ValueError(f"expected anchor_level 1-5, got {anchor_level!r}")
    if isinstance(core_skills, str):
        raise ValueError(f"expected core_skills as a collection of skill names, got the string {core_skills!r}")
    for name in dont_isolate:
        if name not in ISOLATION_ATTRIBUTES:
            raise ValueError(f"expected dont_isolate attributes from {ISOLATION_ATTRIBUTES}, got {name!r}")
    if isinstance(cooldown_rounds, bool) or not isinstance(cooldown_rounds, int) or cooldown_rounds < 0:
        raise ValueError(f"expected cooldown_rounds as an integer >= 0, got {cooldown_rounds!r}")


def _apart_pairs(index: dict[int, int], g: int, hr_apart, together_idx, history: History | None,
                 cooldown_rounds: int, anchor_idx: list[int]) -> np.ndarray:
    """Index pairs kept apart: HR's, plus recent groupmates and (when too few to anchor every
    group) anchors, unless HR put the pair together."""
    n = len(index)
    implied = []  # apart pairs HR did not ask for; an HR together pair overrides them
    if history is not None:
        for pair, ago in history.rounds_ago.items():
            if 1 <= ago <= cooldown_rounds and pair[0] in index and pair[1] in index:
                i, j = index[pair[0]], index[pair[1]]
                implied.append((min(i, j), max(i, j)))
    implied_keys = _pair_keys(implied, n)
    if 1 < len(anchor_idx) < g:  # too few to anchor every group: spread them
        first, second = np.triu_indices(len(anchor_idx), 1)
        spread = np.array(anchor_idx, dtype=np.int64)
        implied_keys = np.concatenate([implied_keys, spread[first] * n + spread[second]])
    keys = np.union1d(_pair_keys(hr_apart, n), np.setdiff1d(implied_keys, _pair_keys(together_idx, n)))
    return np.stack(np.divmod(keys, n), axis=1)


def _buddy_pairs(members, name: str, d: np.ndarray, apart_pairs: np.ndarray, anchor_idx: list[int],
                 together_idx: list[tuple[int, int]], g: int) -> tuple[list[tuple[int, int]], np.ndarray | None]:
    """Buddies for "don't isolate" ``name``, and the members no two of whom may be buddies (or None)."""
    n = len(members)
    buddies = _buddies(members, name, d, apart_pairs)
    if len(anchor_idx) >= g and _anchor_units(n, anchor_idx, together_idx + buddies) < g:
        # Buddies would merge the anchors into fewer units than groups, and no
        # grouping could anchor every group: pair anchors only with others.
        separate = np.zeros(n, dtype=bool)
        separate[anchor_idx] = True
        return _buddies(members, name, d, apart_pairs, separate), separate
    return buddies, None


def _plan_notes(dont_isolate: Sequence[str], group_size: tuple[int, int], sizes_widened: bool, had_buddies: bool,
                kept_buddies: bool, anchors_separate: bool, isolated) -> tuple[Note, ...]:
    """What HR should know about the rules the plan had to bend."""
    low, high = group_size
    notes: list[Note] = []
    if had_buddies and not kept_buddies:
        notes.append(Note(
            "relaxed_pairing", {"attribute": dont_isolate[0], "low": low, "high": high},
            f"Could not keep every {dont_isolate[0]} value paired within groups of "
            f"{low}-{high} and the other rules, so that rule was relaxed.",
        ))
    elif sizes_widened:
        notes.append(Note(
            "sizes_vary", {"attribute": dont_isolate[0], "low": low, "high": high},
            f"Group sizes vary between {low} and {high} to keep {dont_isolate[0]} values paired.",
        ))
    alone = sum(name == dont_isolate[0] for _, name, _ in isolated) if dont_isolate else 0
    if anchors_separate and kept_buddies and alone:
        notes.append(Note(
            "anchors_apart", {"attribute": dont_isolate[0], "alone": alone},
            f"Anchors were not paired with each other to keep {dont_isolate[0]} values together, so that "
            f"every group can have one; {alone} member(s) are the only one of their {dont_isolate[0]} in their group.",
        ))
    return tuple(notes)


def _check_members(members: tuple[Profile, ...]) -> None:
    if not members:
        raise ValueError("expected at least one member to group, got none")
    for p in members:
        if not isinstance(p, Profile):
            raise ValueError(f"expected Profile members, got {type(p).__name__}")
    seen = Counter(p.id for p in members)
    twice = [pid for pid, count in seen.items() if count > 1]
    if twice:
        raise ValueError(f"expected unique member ids, got id {twice[0]} more than once")


def _check_group_size(group_size) -> tuple[int, int]:
    try:
        low, high = group_size
    except (TypeError, ValueError):
        raise ValueError(f"expected group_size as (min, max), got {group_size!r}") from None
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (low, high)) or not 1 <= low <= high:
        raise ValueError(f"expected group_size as integers 1 <= min <= max, got {group_size!r}")
    return low, high


def _group_count(n: int, low: int, high: int) -> int:
    """The fewest groups of ``low``-``high`` members that hold ``n``."""
    g = -(-n // high)
    if g * low > n:
        raise ValueError(f"cannot split {n} member(s) into groups of {low} to {high}")
    return g


def _seconds_left(time_limit: float | None, started: float) -> float | None:
    """What is left of ``time_limit`` since ``started``; a millisecond when it is spent (then
    ``form_groups`` returns its construction)."""
    if time_limit is None:
        return None
    return max(float(time_limit) - (time.perf_counter() - started), 1e-3)


def _pair_keys(pairs, n: int) -> np.ndarray:
    """Pairs ``(i, j)`` with ``i < j`` as sorted unique keys ``i * n + j``."""
    array = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
    return np.unique(array[:, 0] * n + array[:, 1])


def _anchor_units(n: int, anchor_idx: list[int], together: list[tuple[int, int]]) -> int:
    """How many different units the anchors fall into once ``together`` pairs are merged."""
    return len(np.unique(together_units(n, together)[anchor_idx]))


def _to_indices(pairs, index: dict[int, int], what: str):
    for pair in pairs:
        try:
            a, b = pair
        except (TypeError, ValueError):
            raise ValueError(f"expected {what} as (id, id) pairs, got {pair!r}") from None
        for pid in (a, b):
            if pid not in index:
                raise ValueError(f"{what} pair {pair!r} names id {pid!r}, who is not among the members")
        yield (min(index[a], index[b]), max(index[a], index[b]))


def _anchor_skill(p: Profile, core: tuple[str, ...] | None, level: int) -> tuple[str, int] | None:
    """The member's strongest core skill at ``level`` or above, as ``(skill, level)``."""
    skills = p.skills if core is None else {s: p.level(s) for s in core}
    best = max(skills.items(), key=lambda item: (item[1], item[0]), default=None)
    return best if best is not None and best[1] >= level else None


def _value(p: Profile, name: str) -> str:
    return p.seniority_label if name == "seniority" else getattr(p, name).strip()


def _buddies(members, name: str, d: np.ndarray, apart: np.ndarray,
             separate: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Pair members who share a value of ``name`` (a trio when odd), most diverse pairs first.

    ``apart`` holds index pairs that may not be buddies, ``separate`` (a boolean
    per member) members no two of whom may be.
    """
    by_value: dict[str, list[int]] = {}
    for i, p in enumerate(members):
        if _value(p, name):
            by_value.setdefault(_value(p, name), []).append(i)
    position = np.full(len(members), -1, dtype=np.int64)
    pairs: list[tuple[int, int]] = []
    for indices in by_value.values():
        if len(indices) < 2:
            continue
        sub = d[np.ix_(indices, indices)]
        position[indices] = np.arange(len(indices))
        a, b = position[apart[:, 0]], position[apart[:, 1]]
        inside = (a >= 0) & (b >= 0)
        sub[a[inside], b[inside]] = sub[b[inside], a[inside]] = -np.inf
        position[indices] = -1
        if separate is not None:
            flagged = np.flatnonzero(separate[indices])
            sub[np.ix_(flagged, flagged)] = -np.inf
        np.fill_diagonal(sub, -np.inf)
        chosen = _greedy_pairs(sub)
        free = np.ones(len(indices), dtype=bool)
        free[[x for pair in chosen for x in pair]] = False
        if free.sum() == 1 and chosen:  # the odd one out joins the pair it differs from most
            last = int(np.flatnonzero(free)[0])
            trio = best_trio_for(last, chosen, sub)
            if trio is not None:
                chosen.append((trio[0], last))
        pairs.extend((indices[a], indices[b]) for a, b in chosen)
    return pairs


def _greedy_pairs(sub: np.ndarray) -> list[tuple[int, int]]:
    """Repeatedly pair the two free members with the highest finite ``sub``, until none is left.

    The same pairs, in the same order, as taking the ``argmax`` of ``sub``
    masked to free members each time (ties to the first in row-major order),
    without its ``O(k^3)``: the best entries are sorted a batch at a time and
    swept, then entries of members already paired are dropped from the rest.
    """
    k = len(sub)
    a, b = np.triu_indices(k, 1)
    upper, lower = sub[a, b], sub[b, a]
    value = np.maximum(upper, lower)
    flat = np.where(upper >= lower, a * k + b, b * k + a)  # where argmax would find the pair first
    keep = np.isfinite(value)
    value, flat = value[keep], flat[keep]
    free = np.ones(k, dtype=bool)
    chosen: list[tuple[int, int]] = []
    batch = 4 * k
    while value.size and np.count_nonzero(free) >= 2:
        if value.size > batch:  # the best entries, with every tie of the last one
            top = value >= np.partition(value, value.size - batch)[value.size - batch]
        else:
            top = np.ones(value.size, dtype=bool)
        best = flat[top][np.lexsort((flat[top], -value[top]))]
        first, second = np.divmod(best, k)
        for i, j in zip(first.tolist(), second.tolist()):
            if free[i] and free[j]:
                chosen.append((i, j))
                free[i] = free[j] = False
        value, flat = value[~top], flat[~top]
        first, second = np.divmod(flat, k)
        alive = free[first] & free[second]
        value, flat = value[alive], flat[alive]
    return chosen


def _isolated(members, labels: np.ndarray, name: str):
    """``(index, value)`` of members alone with a value shared by two or more members."""
    values = [_value(p, name) for p in members]
    overall = Counter(v for v in values if v)
    per_group = Counter((int(labels[i]), v) for i, v in enumerate(values) if v)
    for i, v in enumerate(values):
        if v and overall[v] >= 2 and per_group[(int(labels[i]), v)] == 1:
            yield i, v


def describe_group(plan: GroupPlan, group: int) -> dict:
    """What one group mixes and how diverse it is, as JSON-ready facts.

    Parameters
    ----------
    plan : GroupPlan
    group : int
        Index of the group in ``plan.grouping.groups``.

    Returns
    -------
    dict
        - ``size``: how many members;
        - ``departments``, ``functions``: ``[{"name", "count"}]`` of the known
          values, the most common first (ties in member order);
        - ``seniority``: ``[{"band", "count"}]`` of the known bands (1-based
          index into ``SENIORITY_BANDS``), the most common first, then the
          more senior;
        - ``anchors``: ``[{"member_id", "name", "skill", "level"}]``, each
          anchor's strongest core skill;
        - ``mean_pair_diversity``: the group's mean pair diversity, and
          ``round_average``: the mean of that over the plan's groups.

    Examples
    --------
    >>> people = [Profile(1, "Malee", department="Finance", seniority=3, skills={"Lean": 5}),
    ...           Profile(2, "Niran", department="Sales", seniority=1),
    ...           Profile(3, "Ploy", department="Sales", seniority=3)]
    >>> plan = plan_groups(people, (3, 3), core_skills=["Lean"], dont_isolate=(), max_iterations=10)
    >>> facts = describe_group(plan, 0)
    >>> facts["departments"]
    [{'name': 'Sales', 'count': 2}, {'name': 'Finance', 'count': 1}]
    >>> facts["seniority"]
    [{'band': 3, 'count': 2}, {'band': 1, 'count': 1}]
    >>> facts["anchors"]
    [{'member_id': 1, 'name': 'Malee', 'skill': 'Lean', 'level': 5}]
    """
    groups = plan.grouping.groups
    if not 0 <= group < len(groups):
        raise ValueError(f"expected a group index 0 to {len(groups) - 1}, got {group!r}")
    people = [plan.members[i] for i in groups[group]]
    bands = Counter(p.seniority for p in people if p.seniority)
    means = plan.mean_pair_diversity
    return {
        "size": len(people),
        "departments": _counts(p.department for p in people),
        "functions": _counts(p.function for p in people),
        "seniority": [{"band": int(band), "count": count}
                      for band, count in sorted(bands.items(), key=lambda item: (-item[1], -item[0]))],
        "anchors": [_anchor_fact(p, plan.core_skills) for p in people if p.id in plan.anchors],
        "mean_pair_diversity": float(means[group]),
        "round_average": float(np.mean(means)),
    }


def _counts(values: Iterable[str]) -> list[dict]:
    """``[{"name", "count"}]`` of the known values, the most common first."""
    counts = Counter(v.strip() for v in values if v.strip())
    return [{"name": name, "count": count} for name, count in counts.most_common()]


def _anchor_fact(p: Profile, core: tuple[str, ...] | None) -> dict:
    # The strongest core skill at any level: an anchor HR kept (``restate_groups``) may since
    # have lowered it below the anchor level, and is still the group's anchor.
    skill, level = _anchor_skill(p, core, 1) or ("", 0)
    return {"member_id": p.id, "name": p.name, "skill": skill, "level": int(level)}


def explain_group(plan: GroupPlan, group: int) -> str:
    """Say in English what one group mixes and how diverse it is (the words of ``describe_group``).

    Parameters
    ----------
    plan : GroupPlan
    group : int
        Index of the group in ``plan.grouping.groups``.

    Returns
    -------
    str
        Departments, seniority mix, anchors and the group's mean pair
        diversity against the round's average.

    Examples
    --------
    >>> people = [Profile(1, "Malee", department="Finance", seniority=3, skills={"Lean": 5}),
    ...           Profile(2, "Niran", department="Engineering", seniority=1),
    ...           Profile(3, "Ploy", department="Sales", seniority=3),
    ...           Profile(4, "Krit", department="Sales", seniority=1),
    ...           Profile(5, "Dao", department="Finance", seniority=3, skills={"Lean": 4}),
    ...           Profile(6, "Ton", department="Engineering", seniority=2, skills={"Python": 4}),
    ...           Profile(7, "Fah", department="Sales", seniority=3),
    ...           Profile(8, "Beam", department="Finance", seniority=1)]
    >>> plan = plan_groups(people, (4, 4), core_skills=["Lean"], max_iterations=100)
    >>> for k in range(2):
    ...     print(explain_group(plan, k))
    Sales, Engineering and Finance; two seniors and two juniors; anchored by Dao, level 4 in Lean. Mean pair diversity 1.17, 5% below the round average of 1.23.
    Finance, Sales and Engineering; two seniors, one mid-level and one junior; anchored by Malee, level 5 in Lean. Mean pair diversity 1.29, 5% above the round average of 1.23.
    >>> plan.isolated  # three juniors, two anchors and groups of 4: something had to give
    ((8, 'seniority', 'Junior'),)
    """
    facts = describe_group(plan, group)
    parts = [_mix([item["name"] for item in facts["departments"]]), _seniority_mix(facts["seniority"])]
    anchors = [_anchor_words(anchor) for anchor in facts["anchors"]]
    if anchors:
        parts.append("anchored by " + join_words(anchors, last=", and " if len(anchors) > 2 else " and "))
    else:
        parts.append("no anchor")
    text = "; ".join(part for part in parts if part)
    text = text[0].upper() + text[1:]
    mine, average = facts["mean_pair_diversity"], facts["round_average"]
    if abs(mine - average) <= 1e-9 * max(1.0, abs(average)) or average == 0:
        compare = "the same as the round average"
    else:
        pct = 100.0 * (mine - average) / abs(average)
        compare = f"{abs(pct):.0f}% {'above' if pct > 0 else 'below'} the round average of {average:.2f}"
    return f"{text}. Mean pair diversity {mine:.2f}, {compare}."


def _mean_pair(d: np.ndarray, group: np.ndarray) -> float:
    k = len(group)
    return float(d[np.ix_(group, group)].sum() / (k * (k - 1))) if k > 1 else 0.0


def _mix(names: list[str]) -> str:
    """The known values, most common first: ``"all from X"`` or ``"X, Y and Z"``."""
    if not names:
        return ""
    return f"all from {names[0]}" if len(names) == 1 else join_words(names)


def _anchor_words(anchor: dict) -> str:
    """``"Malee, level 5 in Lean"`` (just the name for an anchor with no core skill left)."""
    name = anchor["name"] or str(anchor["member_id"])
    return f"{name}, level {anchor['level']} in {anchor['skill']}" if anchor["skill"] else name


def _count(k: int) -> str:
    return _NUMBERS[k] if k < len(_NUMBERS) else str(k)


def _seniority_mix(bands: list[dict]) -> str:
    """``"two seniors and one junior"`` from ``describe_group``'s ``seniority``."""
    words = []
    for item in bands:
        one, many = _BAND_WORDS[SENIORITY_BANDS[item["band"] - 1]]
        words.append(f"{_count(item['count'])} {one if item['count'] == 1 else many}")
    return join_words(words) if words else ""
