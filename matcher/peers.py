"""From member profiles to peer-swap scores, reasons and diagnoses.

A skill swap is good when **both** members gain: what A can teach B (B's
goals covered by A's higher levels) and what B can teach A. The weaker
direction counts more, so a one-sided pair scores low. ``score_peers`` builds
the symmetric table with numpy (a loop over goal skills, never over pairs);
``explain`` gives the same numbers for one pair in words, because both run
``_terms``; ``diagnose_unpaired`` tells HR why a member got no partner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.pairing import PeerPairing, pair_peers  # noqa: F401 (doctests)
from matcher.profiles import PRIORITY_WEIGHT, Goal, Profile, Reason, Rules, ScoreTable, utc_offset_hours
from matcher.rules import broken_rules, forbidden_mask, rule_counts, rule_text
from matcher.weights import Weights

#: Hours apart that still leave a comfortable shared working day.
COMFORTABLE_HOURS = 3.0
#: Hours apart (beyond the comfortable ones) at which the time-zone penalty is full.
PENALTY_SPAN_HOURS = 9.0


@dataclass(frozen=True)
class PeerWeights(Weights):
    """How much each term counts in a peer-swap score (HR moves these as sliders).

    Examples
    --------
    >>> PeerWeights().learning
    10.0
    >>> PeerWeights.describe()[1]
    ('balance', 0.7, 'Share of the learning score from the weaker direction (1: only the weaker; 0.5: plain average)')
    """

    learning: float = field(
        default=10.0,
        metadata={"meaning": "What the two can teach each other: share of each one's goals the other covers"},
    )
    balance: float = field(
        default=0.7,
        metadata={
            "meaning": "Share of the learning score from the weaker direction (1: only the weaker; 0.5: plain average)"
        },
    )
    community: float = field(default=1.5, metadata={"meaning": "Belonging to a Community of Practice in common"})
    cross_department: float = field(
        default=1.0, metadata={"meaning": "Working in different departments (a fresh perspective)"}
    )
    time_zone: float = field(
        default=1.5, metadata={"meaning": "Penalty for time zones far apart (full from 12 hours apart)"}
    )
    repeat: float = field(default=1.0, metadata={"meaning": "Penalty for pairs that were matched in an earlier round"})

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.balance > 1:
            raise ValueError(f"expected weight 'balance' between 0 and 1, got {self.balance!r}")


@dataclass(frozen=True, eq=False)
class PeerScores(ScoreTable):
    """A symmetric ``ScoreTable`` of members x members that remembers its weights and rules."""

    weights: PeerWeights = field(default_factory=PeerWeights)
    rules: Rules = field(default_factory=Rules)


@dataclass(frozen=True)
class PeerDiagnosis:
    """Why one member got no partner, for the round review.

    Attributes
    ----------
    member : int
        Index of the member in the score table.
    kind : str
        ``"no_eligible_partner"``, ``"partners_taken"`` or ``"not_worth_it"``.
    text : str
        The explanation in words HR reads.
    rule_counts : dict of str to int
        For ``"no_eligible_partner"``: how many candidates each hard rule removed.
    best_partner : int or None
        The best eligible partner, when there is one.
    """

    member: int
    kind: str
    text: str
    rule_counts: dict[str, int] = field(default_factory=dict)
    best_partner: int | None = None


def goal_coverage(teachers: Sequence[Profile], learners: Sequence[Profile]) -> np.ndarray:
    """Share of each learner's goals that each teacher can cover, in ``[0, 1]``.

    ``coverage[t, l]`` is the priority-weighted sum over ``l``'s goals of the
    levels ``t`` can lift ``l`` by (up to the target, only where ``t`` knows
    more), divided by the priority-weighted levels ``l`` still wants. A
    learner with no open goal gets 0 from everyone.

    Examples
    --------
    >>> ann = Profile(1, skills={"SQL": 4})
    >>> ben = Profile(2, skills={"SQL": 2}, goals=(Goal("SQL", 4), Goal("Go", 3)))
    >>> goal_coverage([ann], [ben]).round(3).tolist()
    [[0.4]]
    """
    skills = sorted({goal.skill for learner in learners for goal in learner.goals})
    coverage = np.zeros((len(teachers), len(learners)))
    wanted = np.zeros(len(learners))
    for skill in skills:
        target, priority = _goal_columns(learners, skill)
        current = np.array([learner.level(skill) for learner in learners], dtype=float)
        teacher_level = np.array([teacher.level(skill) for teacher in teachers], dtype=float)
        lift = np.minimum(teacher_level[:, None], target[None, :]) - current[None, :]
        coverage += priority[None, :] * np.maximum(lift, 0.0)
        wanted += priority * np.maximum(target - current, 0.0)
    return np.divide(coverage, wanted[None, :], out=np.zeros_like(coverage), where=wanted[None, :] > 0)


def _goal_columns(learners: Sequence[Profile], skill: str) -> tuple[np.ndarray, np.ndarray]:
    """Each learner's target level and priority weight for ``skill`` (0, 0 without that goal)."""
    target = np.zeros(len(learners))
    priority = np.zeros(len(learners))
    for index, learner in enumerate(learners):
        for goal in learner.goals:
            if goal.skill == skill and goal.target > target[index]:
                target[index], priority[index] = goal.target, PRIORITY_WEIGHT[goal.priority]
    return target, priority


def score_peers(
    members: Sequence[Profile], weights: PeerWeights | None = None, rules: Rules | None = None
) -> PeerScores:
    """Score every pair of members for a reciprocal skill swap.

    ``score = learning * (balance * weaker + (1 - balance) * stronger)
    + community + cross_department - time_zone - repeat``, where
    ``weaker``/``stronger`` are the two directions of ``goal_coverage``.
    Pairs that break a hard rule (and each member with themself) get ``-inf``.

    Parameters
    ----------
    members : sequence of Profile
        The members of the round; ids must be distinct.
    weights : PeerWeights, optional
        Term weights; the defaults when omitted.
    rules : Rules, optional
        Hard rules and history; the defaults when omitted.

    Returns
    -------
    PeerScores
        ``scores`` is a symmetric ``(n, n)`` array, ready for ``pair_peers``.

    Examples
    --------
    >>> ann = Profile(1, "Ann", skills={"SQL": 4}, goals=(Goal("Facilitation", 4),))
    >>> ben = Profile(2, "Ben", skills={"SQL": 2, "Facilitation": 5}, goals=(Goal("SQL", 4),))
    >>> table = score_peers([ann, ben])
    >>> float(table.scores[0, 1])
    10.0
    >>> pair_peers(table.scores).pairs.tolist()
    [[0, 1]]
    """
    members = tuple(members)
    weights = weights or PeerWeights()
    rules = rules or Rules()
    _check_members(members)
    scores = sum(_terms(members, weights, rules).values(), np.zeros((len(members), len(members))))
    scores[forbidden_mask(members, members, rules)] = -np.inf
    np.fill_diagonal(scores, -np.inf)
    return PeerScores(scores, members, members, _explainer(weights, rules), weights, rules)


def _explainer(weights: PeerWeights, rules: Rules):
    def explainer(a: Profile, b: Profile) -> list[Reason]:
        return explain(a, b, weights, rules)

    return explainer


def _check_members(members: tuple[Profile, ...]) -> None:
    ids = [member.id for member in members]
    if len(set(ids)) != len(ids):
        duplicate = next(pid for pid in ids if ids.count(pid) > 1)
        raise ValueError(f"expected distinct member ids, got id {duplicate!r} twice")


def _terms(members: Sequence[Profile], weights: PeerWeights, rules: Rules) -> dict[str, np.ndarray]:
    """Each soft term as an ``(n, n)`` matrix of signed contributions (summing to the score).

    ``teach_weaker``/``teach_stronger`` hold the learning score split by direction.
    """
    coverage = goal_coverage(members, members)
    weaker = np.minimum(coverage, coverage.T)
    stronger = np.maximum(coverage, coverage.T)
    return {
        "teach_weaker": weights.learning * weights.balance * weaker,
        "teach_stronger": weights.learning * (1.0 - weights.balance) * stronger,
        "community": weights.community * _share_community(members),
        "cross_department": weights.cross_department * _different_departments(members),
        "time_zone": -weights.time_zone * _time_zone_strain(members),
        "repeat": -weights.repeat * _matched_before(members, rules),
    }


def _share_community(members: Sequence[Profile]) -> np.ndarray:
    names = {name: k for k, name in enumerate(sorted({c for m in members for c in m.communities}))}
    onehot = np.zeros((len(members), max(len(names), 1)))
    for i, member in enumerate(members):
        onehot[i, [names[c] for c in member.communities]] = 1.0
    return (onehot @ onehot.T > 0).astype(float)


def _different_departments(members: Sequence[Profile]) -> np.ndarray:
    codes = {name: k for k, name in enumerate(sorted({m.department for m in members} - {""}))}
    department = np.array([codes.get(m.department, -1) for m in members])
    known = department >= 0
    return ((department[:, None] != department[None, :]) & known[:, None] & known[None, :]).astype(float)


def _time_zone_strain(members: Sequence[Profile]) -> np.ndarray:
    offsets = np.array([utc_offset_hours(m.timezone) for m in members])
    apart = _hours_apart(offsets[:, None], offsets[None, :])
    return np.clip((apart - COMFORTABLE_HOURS) / PENALTY_SPAN_HOURS, 0.0, 1.0)


def _hours_apart(a, b):
    apart = np.abs(a - b) % 24.0
    return np.minimum(apart, 24.0 - apart)


def _matched_before(members: Sequence[Profile], rules: Rules) -> np.ndarray:
    index = {m.id: i for i, m in enumerate(members)}
    before = np.zeros((len(members), len(members)))
    for a, b in rules.history.rounds_ago:
        if a in index and b in index:
            before[index[a], index[b]] = before[index[b], index[a]] = 1.0
    return before


def explain(
    a: Profile, b: Profile, weights: PeerWeights | None = None, rules: Rules | None = None
) -> list[Reason]:
    """Reasons for pairing ``a`` with ``b``, told to ``a``, in both directions.

    The contributions add up to ``score_peers([a, b]).scores[0, 1]`` (a
    hard rule gives a reason with ``-inf``). Wording is gender-neutral.

    Examples
    --------
    >>> you = Profile(1, "Malee", skills={"SQL": 4, "Facilitation": 2},
    ...               goals=(Goal("Facilitation", 5),))
    >>> somchai = Profile(2, "Somchai", skills={"SQL": 2, "Facilitation": 5},
    ...                   goals=(Goal("SQL", 4),))
    >>> for reason in explain(you, somchai)[:2]:
    ...     print(reason.text)
    You teach Somchai SQL (4 → their 2)
    Somchai teaches you Facilitation (5 → your 2)
    """
    weights = weights or PeerWeights()
    rules = rules or Rules()
    terms = {name: float(matrix[0, 1]) for name, matrix in _terms([a, b], weights, rules).items()}
    reasons = [Reason("rule", rule_text(name, rules), -np.inf) for name in broken_rules(a, b, rules)]
    reasons += _learning_reasons(a, b, terms)
    reasons += _context_reasons(a, b, terms, rules)
    return reasons


def _learning_reasons(a: Profile, b: Profile, terms: dict[str, float]) -> list[Reason]:
    you_give, you_get = goal_coverage([a], [b])[0, 0], goal_coverage([b], [a])[0, 0]
    weaker, stronger = terms["teach_weaker"], terms["teach_stronger"]
    you_value, them_value = (weaker, stronger) if you_give <= you_get else (stronger, weaker)
    name = b.name or "your partner"
    you_teach = _lifts(teacher=a, learner=b, learner_word="their")
    they_teach = _lifts(teacher=b, learner=a, learner_word="your")
    return [
        Reason(
            "you_teach",
            f"You teach {name} {you_teach}" if you_teach else f"You cover none of {name}'s goals: a one-sided swap",
            you_value,
        ),
        Reason(
            "they_teach",
            f"{name} teaches you {they_teach}" if they_teach else f"{name} covers none of your goals: a one-sided swap",
            them_value,
        ),
    ]


def _lifts(teacher: Profile, learner: Profile, learner_word: str) -> str:
    """``"SQL (4 → their 2), Go (3 → their 0)"`` for the goals the teacher can lift."""
    parts = []
    for goal in sorted(learner.goals, key=lambda g: (g.priority, g.skill)):
        have, know = learner.level(goal.skill), teacher.level(goal.skill)
        if know > have and goal.target > have:
            parts.append(f"{goal.skill} ({know} → {learner_word} {have})")
    return ", ".join(parts)


def _context_reasons(a: Profile, b: Profile, terms: dict[str, float], rules: Rules) -> list[Reason]:
    reasons = []
    shared = sorted(a.communities & b.communities)
    if shared:
        reasons.append(Reason("community", f"You both belong to {', '.join(shared)}", terms["community"]))
    if terms["cross_department"] or (a.department and b.department and a.department != b.department):
        reasons.append(
            Reason("cross_department", f"Different departments: {a.department} and {b.department}", terms["cross_department"])
        )
    if terms["time_zone"]:
        apart = _hours_apart(utc_offset_hours(a.timezone), utc_offset_hours(b.timezone))
        reasons.append(Reason("time_zone", f"Your time zones are {apart:g} hours apart", terms["time_zone"]))
    if terms["repeat"]:
        ago = rules.history.rounds_ago.get((min(a.id, b.id), max(a.id, b.id)))
        reasons.append(Reason("repeat", f"You were paired {ago} round(s) ago", terms["repeat"]))
    return reasons


def diagnose_unpaired(table: PeerScores, pairing: PeerPairing) -> list[PeerDiagnosis]:
    """Why each unpaired member got no partner, in words HR reads.

    - ``"no_eligible_partner"``: every other member is forbidden;
      ``rule_counts`` says how many candidates each hard rule removed.
    - ``"partners_taken"``: eligible partners exist but were paired with
      others; names the best one and whom they were paired with.
    - ``"not_worth_it"``: an eligible partner was also left unpaired, but
      the pair scored too low to make (``priority="score"``).

    Parameters
    ----------
    table : PeerScores
        From ``score_peers``.
    pairing : PeerPairing
        From ``pair_peers(table.scores, ...)``.

    Returns
    -------
    list of PeerDiagnosis
        One per unpaired member, in member order.

    Examples
    --------
    >>> ann, ben = Profile(1, "Ann"), Profile(2, "Ben", managers=(1,))
    >>> table = score_peers([ann, ben])
    >>> [d.text for d in diagnose_unpaired(table, pair_peers(table.scores))]
    ['No eligible partner: In the same reporting line (1 member)', 'No eligible partner: In the same reporting line (1 member)']
    """
    partner = np.full(len(table.rows), -1)
    partner[pairing.pairs[:, 0]] = pairing.pairs[:, 1]
    partner[pairing.pairs[:, 1]] = pairing.pairs[:, 0]
    return [_diagnose(table, int(i), partner) for i in pairing.unpaired]


def _diagnose(table: PeerScores, i: int, partner: np.ndarray) -> PeerDiagnosis:
    row = table.scores[i].copy()
    row[i] = -np.inf
    eligible = np.flatnonzero(row > -np.inf)
    if eligible.size == 0:
        return _no_eligible(table, i)
    best = int(eligible[np.argmax(row[eligible])])
    name = table.rows[best].name or f"member {best}"
    if partner[best] < 0:
        return PeerDiagnosis(
            i, "not_worth_it", f"{name} was free too, but the pair scored only {row[best]:.2f}", best_partner=best
        )
    other = table.rows[partner[best]].name or f"member {partner[best]}"
    return PeerDiagnosis(
        i,
        "partners_taken",
        f"All {eligible.size} eligible partner(s) were paired with others; the best, {name} "
        f"({row[best]:.2f}), went to {other}",
        best_partner=best,
    )


def _no_eligible(table: PeerScores, i: int) -> PeerDiagnosis:
    others = [member for k, member in enumerate(table.cols) if k != i]
    counts = rule_counts(table.rows[i], others, table.rules)
    parts = [f"{rule_text(name, table.rules)} ({count} member{'s' if count != 1 else ''})" for name, count in counts.items()]
    text = "No eligible partner: " + ("; ".join(parts) if parts else "nobody else in the round")
    return PeerDiagnosis(i, "no_eligible_partner", text, rule_counts=counts)
