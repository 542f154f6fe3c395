"""From member profiles to peer-swap scores, reasons and diagnoses.

A skill swap is good when **both** members gain: what A can teach B (B's
goals covered by A's higher levels) and what B can teach A. The weaker
direction counts more, so a one-sided pair scores low. ``score_peers`` builds
the symmetric table with numpy in row blocks (each distinct goal is valued
against every member once, never a loop over pairs); ``explain`` gives the
same numbers for one pair in words, because both run ``_PeerTerms``;
``diagnose_unpaired`` tells HR why a member got no partner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher._numerics import row_blocks
from matcher.diagnosis import Diagnosis, rounded_score
from matcher.profiles import (
    PRIORITY_WEIGHT,
    Goal,
    Profile,
    Reason,
    Rules,
    ScoreTable,
    hours_apart,
    pair_key,
    utc_offset_hours,
)
from matcher.rules import forbidden_mask, rule_counts, rule_params, rule_reasons, rule_text
from matcher.solve.pairing import PeerPairing, pair_peers  # noqa: F401 (doctests)
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
    return np.ascontiguousarray(_coverage_by_learner(teachers, learners).T)


def _coverage_by_learner(teachers: Sequence[Profile], learners: Sequence[Profile]) -> np.ndarray:
    """``goal_coverage(teachers, learners).T``: one row per learner, one column per teacher.

    Learners share few distinct goals (skill, target, priority, current
    level), and a goal's value depends only on the teacher's level 0-5 in
    its skill: each distinct goal is valued against every teacher once,
    then each learner's row adds up the rows of their goals, in skill
    order, so the sums are exactly those of a loop over skills.
    """
    coverage = np.zeros((len(learners), len(teachers)))
    goals = _open_goals(learners)
    if not goals:
        return coverage
    distinct: dict[tuple[str, float, float, float], int] = {}
    which = np.array([distinct.setdefault(goal[1:5], len(distinct)) for goal in goals])
    skill, target, priority, current = zip(*distinct)
    column = {name: k for k, name in enumerate(sorted(set(skill)))}
    levels = np.zeros((len(teachers), len(column)), dtype=np.int64)
    for t, teacher in enumerate(teachers):
        for name, level in teacher.skills.items():
            if name in column:
                levels[t, column[name]] = level
    # value[goal, v]: what a teacher at level v gives the goal (as a loop over skills computes it)
    target, priority, current = np.array(target), np.array(priority), np.array(current)
    lift = np.minimum(np.arange(6.0)[None, :], target[:, None]) - current[:, None]
    value = priority[:, None] * np.maximum(lift, 0.0)
    by_teacher = value[np.arange(len(distinct))[:, None], levels[:, [column[name] for name in skill]].T]
    learner, rank = np.array([goal[0] for goal in goals]), np.array([goal[5] for goal in goals])
    wants = (priority * np.maximum(target - current, 0.0))[which]
    wanted = np.zeros(len(learners))
    for r in range(int(rank.max()) + 1):  # each learner's goals in skill order, as the loop adds them
        mine = rank == r
        coverage[learner[mine]] += by_teacher[which[mine]]
        wanted[learner[mine]] += wants[mine]
    # A learner who wants nothing more has a row of zeros, which stays.
    return np.divide(coverage, wanted[:, None], out=coverage, where=wanted[:, None] > 0)


def _open_goals(learners: Sequence[Profile]) -> list[tuple[int, str, float, float, float, int]]:
    """``(learner, skill, target, priority weight, current level, rank)`` for each learner's goals.

    One goal per skill (the highest target, the first of equals), ranked in
    skill order within each learner.
    """
    goals = []
    for index, learner in enumerate(learners):
        best: dict[str, Goal] = {}
        for goal in learner.goals:
            if goal.target > (best[goal.skill].target if goal.skill in best else 0):
                best[goal.skill] = goal
        for rank, skill in enumerate(sorted(best)):
            goal = best[skill]
            goals.append((index, skill, float(goal.target), PRIORITY_WEIGHT[goal.priority],
                          float(learner.level(skill)), rank))
    return goals


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
    n = len(members)
    terms = _PeerTerms(members, weights, rules)
    scores = np.empty((n, n))
    for start, stop in row_blocks(n):
        rows = slice(start, stop)
        block = scores[rows]
        block.fill(0.0)
        for contribution in terms.rows(rows).values():  # in order: the same sums as explain's
            block += contribution
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


class _PeerTerms:
    """The soft terms of a round, row block by row block.

    What the terms need is computed once (goal coverage both ways, community
    memberships, department and time-zone codes with small value tables,
    earlier pairs); ``rows`` then gives each term for a block of rows as an
    ``(rows, n)`` matrix of signed contributions, summing to the score.
    ``teach_weaker``/``teach_stronger`` hold the learning score split by
    direction.
    """

    def __init__(self, members: Sequence[Profile], weights: PeerWeights, rules: Rules):
        self.weights = weights
        self.n = len(members)
        self.coverage = _coverage_by_learner(members, members)  # [j, i]: share of j's goals i covers
        names = {name: k for k, name in enumerate(sorted({c for m in members for c in m.communities}))}
        self.communities = np.zeros((self.n, max(len(names), 1)))
        for i, member in enumerate(members):
            self.communities[i, [names[c] for c in member.communities]] = 1.0
        codes = {name: k for k, name in enumerate(sorted({m.department for m in members} - {""}))}
        self.department = np.array([codes.get(m.department, -1) for m in members], dtype=np.int64)
        zones: dict[float, int] = {}
        self.zone = np.array([zones.setdefault(utc_offset_hours(m.timezone), len(zones)) for m in members],
                             dtype=np.int64)
        offsets = np.array(list(zones), dtype=float)
        self.strain = _time_zone_strain(offsets[:, None], offsets[None, :])
        index = {m.id: i for i, m in enumerate(members)}
        pairs = [(index[a], index[b]) for a, b in rules.history.rounds_ago if a in index and b in index]
        pairs = np.array(pairs + [(b, a) for a, b in pairs], dtype=np.int64).reshape(-1, 2)
        self.before = pairs[np.argsort(pairs[:, 0], kind="stable")]

    def rows(self, rows: slice) -> dict[str, np.ndarray]:
        """Each term's contributions for the members in ``rows`` against everyone."""
        weights, coverage, department = self.weights, self.coverage, self.department
        # [i, j]: the share of j's goals that i covers, and of i's goals that j covers
        gives, gets = np.ascontiguousarray(coverage[:, rows].T), coverage[rows]
        weaker = np.minimum(gives, gets)
        weaker *= weights.learning * weights.balance
        stronger = np.maximum(gives, gets, out=gives)
        stronger *= weights.learning * (1.0 - weights.balance)
        community = (self.communities[rows] @ self.communities.T > 0).astype(float)
        community *= weights.community
        known = department >= 0
        cross = (department[rows, None] != department[None, :]) & known[rows, None] & known[None, :]
        cross = cross.astype(float)
        cross *= weights.cross_department
        strain = np.take(self.strain[self.zone[rows]], self.zone, axis=1)
        strain *= -weights.time_zone
        repeat = np.zeros((rows.stop - rows.start, self.n))
        first = np.searchsorted(self.before[:, 0], [rows.start, rows.stop])
        mine = self.before[first[0] : first[1]]
        repeat[mine[:, 0] - rows.start, mine[:, 1]] = -weights.repeat
        return {
            "teach_weaker": weaker,
            "teach_stronger": stronger,
            "community": community,
            "cross_department": cross,
            "time_zone": strain,
            "repeat": repeat,
        }


def _time_zone_strain(a, b):
    """The time-zone penalty share for UTC offsets ``a`` and ``b`` (hours), 0 to 1."""
    return np.clip((hours_apart(a, b) - COMFORTABLE_HOURS) / PENALTY_SPAN_HOURS, 0.0, 1.0)


def explain(
    a: Profile, b: Profile, weights: PeerWeights | None = None, rules: Rules | None = None
) -> list[Reason]:
    """Reasons for pairing ``a`` with ``b``, as data with English words told to ``a``, in both directions.

    The contributions add up to ``score_peers([a, b]).scores[0, 1]`` (a
    hard rule gives a ``"rule"`` reason with ``-inf``). Wording is gender-neutral.

    Each reason's ``params`` by kind:

    - ``you_teach`` / ``they_teach`` (``a`` teaches ``b`` / ``b`` teaches ``a``,
      always both): ``skills``, a list of ``{skill, teacher_level,
      learner_level, target}``, most important goal first; empty for a
      one-sided swap;
    - ``community``: ``communities`` shared (sorted);
    - ``cross_department``: ``departments``, ``[a's, b's]``;
    - ``same_department``: ``department``, when the cross-department weight
      is above 0 and both work there (contribution 0);
    - ``time_zone``: ``hours_apart`` (a float);
    - ``repeat``: ``rounds_ago``;
    - ``rule``: ``rule`` (a key of ``matcher.rules.RULE_TEXT``), and
      ``cooldown_rounds`` for ``"cooldown"``.

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
    >>> explain(you, somchai)[0].params
    {'skills': [{'skill': 'SQL', 'teacher_level': 4, 'learner_level': 2, 'target': 4}]}
    """
    weights = weights or PeerWeights()
    rules = rules or Rules()
    pair = _PeerTerms([a, b], weights, rules)
    terms = {name: float(matrix[0, 1]) for name, matrix in pair.rows(slice(0, 2)).items()}
    reasons = rule_reasons(a, b, rules)
    reasons += _learning_reasons(a, b, terms, you_give=pair.coverage[1, 0], you_get=pair.coverage[0, 1])
    reasons += _context_reasons(a, b, terms, weights, rules)
    return reasons


def _learning_reasons(
    a: Profile, b: Profile, terms: dict[str, float], you_give: float, you_get: float
) -> list[Reason]:
    """What each side teaches; ``you_give``/``you_get``: shares of ``b``'s/``a``'s goals the other covers."""
    weaker, stronger = terms["teach_weaker"], terms["teach_stronger"]
    you_value, them_value = (weaker, stronger) if you_give <= you_get else (stronger, weaker)
    name = b.name or "your partner"
    you_teach, they_teach = _lifts(teacher=a, learner=b), _lifts(teacher=b, learner=a)
    return [
        Reason(
            "you_teach",
            you_value,
            {"skills": you_teach},
            f"You teach {name} {_lift_words(you_teach, 'their')}" if you_teach
            else f"You cover none of {name}'s goals: a one-sided swap",
        ),
        Reason(
            "they_teach",
            them_value,
            {"skills": they_teach},
            f"{name} teaches you {_lift_words(they_teach, 'your')}" if they_teach
            else f"{name} covers none of your goals: a one-sided swap",
        ),
    ]


def _lifts(teacher: Profile, learner: Profile) -> list[dict]:
    """``{skill, teacher_level, learner_level, target}`` for each goal of the learner the teacher can lift."""
    lifts = []
    for goal in sorted(learner.goals, key=lambda g: (g.priority, g.skill)):
        have, know = learner.level(goal.skill), teacher.level(goal.skill)
        if know > have and goal.target > have:
            lifts.append({"skill": goal.skill, "teacher_level": int(know), "learner_level": int(have),
                          "target": int(goal.target)})
    return lifts


def _lift_words(lifts: list[dict], learner_word: str) -> str:
    """``"SQL (4 → their 2), Go (3 → their 0)"``."""
    return ", ".join(f"{x['skill']} ({x['teacher_level']} → {learner_word} {x['learner_level']})" for x in lifts)


def _context_reasons(a: Profile, b: Profile, terms: dict[str, float], weights: PeerWeights,
                     rules: Rules) -> list[Reason]:
    reasons = []
    shared = sorted(a.communities & b.communities)
    if shared:
        reasons.append(Reason("community", terms["community"], {"communities": shared},
                              f"You both belong to {', '.join(shared)}"))
    if terms["cross_department"] or (a.department and b.department and a.department != b.department):
        reasons.append(Reason("cross_department", terms["cross_department"],
                              {"departments": [a.department, b.department]},
                              f"Different departments: {a.department} and {b.department}"))
    elif weights.cross_department > 0 and a.department and a.department == b.department:
        reasons.append(Reason("same_department", 0.0, {"department": a.department},
                              f"Same department ({a.department}): not a cross-department pair"))
    if terms["time_zone"]:
        apart = float(hours_apart(utc_offset_hours(a.timezone), utc_offset_hours(b.timezone)))
        reasons.append(Reason("time_zone", terms["time_zone"], {"hours_apart": apart},
                              f"Your time zones are {apart:g} hours apart"))
    if terms["repeat"]:
        key, history = pair_key(a.id, b.id), rules.history.rounds_ago  # ``_PeerTerms`` takes either order
        ago = int(history[key] if key in history else history[key[::-1]])
        reasons.append(Reason("repeat", terms["repeat"], {"rounds_ago": ago}, f"You were paired {ago} round(s) ago"))
    return reasons


def diagnose_unpaired(table: PeerScores, pairing: PeerPairing) -> list[Diagnosis]:
    """Why each unpaired member got no partner, as data with English words for HR.

    - ``"no_eligible_partner"``: every other member is forbidden;
      ``rule_counts`` says how many candidates each hard rule removed.
      ``params``: ``rule_counts`` (and ``cooldown_rounds`` when the cooldown
      rule counted).
    - ``"partners_taken"``: eligible partners exist but were paired with
      others; names the best one (``best_partner``) and whom they were
      paired with (``taken_by``).
      ``params``: ``eligible`` (how many), ``best_id, best_score, paired_with_id``.
    - ``"not_worth_it"``: an eligible partner (``best_partner``) was also
      left unpaired, but the pair scored too low to make (``priority="score"``).
      ``params``: ``partner_id, score``.

    ``params`` name members by ``Profile.id`` and round scores to 2 decimals.

    Parameters
    ----------
    table : PeerScores
        From ``score_peers``.
    pairing : PeerPairing
        From ``pair_peers(table.scores, ...)``.

    Returns
    -------
    list of Diagnosis
        One per unpaired member, in member order.

    Examples
    --------
    >>> ann, ben = Profile(1, "Ann"), Profile(2, "Ben", managers=(1,))
    >>> table = score_peers([ann, ben])
    >>> [d.text for d in diagnose_unpaired(table, pair_peers(table.scores))]
    ['No eligible partner: In the same reporting line (1 member)', 'No eligible partner: In the same reporting line (1 member)']
    >>> [d.params for d in diagnose_unpaired(table, pair_peers(table.scores))][0]
    {'rule_counts': {'reporting_line': 1}}
    """
    partner = np.full(len(table.rows), -1)
    partner[pairing.pairs[:, 0]] = pairing.pairs[:, 1]
    partner[pairing.pairs[:, 1]] = pairing.pairs[:, 0]
    return [_diagnose(table, int(i), partner) for i in pairing.unpaired]


def _diagnose(table: PeerScores, i: int, partner: np.ndarray) -> Diagnosis:
    row = table.scores[i].copy()
    row[i] = -np.inf
    eligible = np.flatnonzero(row > -np.inf)
    if eligible.size == 0:
        return _no_eligible(table, i)
    best = int(eligible[np.argmax(row[eligible])])
    name = table.rows[best].name or f"member {best}"
    if partner[best] < 0:
        return Diagnosis(
            i, "not_worth_it", f"{name} was free too, but the pair scored only {row[best]:.2f}",
            {"partner_id": table.rows[best].id, "score": rounded_score(row[best])}, best_partner=best,
        )
    taken_by = int(partner[best])
    other = table.rows[taken_by].name or f"member {taken_by}"
    return Diagnosis(
        i,
        "partners_taken",
        f"All {eligible.size} eligible partner(s) were paired with others; the best, {name} "
        f"({row[best]:.2f}), went to {other}",
        {"eligible": int(eligible.size), "best_id": table.rows[best].id, "best_score": rounded_score(row[best]),
         "paired_with_id": table.rows[taken_by].id},
        best_partner=best,
        taken_by=taken_by,
    )


def _no_eligible(table: PeerScores, i: int) -> Diagnosis:
    others = [member for k, member in enumerate(table.cols) if k != i]
    counts = rule_counts(table.rows[i], others, table.rules)
    parts = [f"{rule_text(name, table.rules)} ({count} member{'s' if count != 1 else ''})" for name, count in counts.items()]
    text = "No eligible partner: " + ("; ".join(parts) if parts else "nobody else in the round")
    return Diagnosis(i, "no_eligible_partner", text, {"rule_counts": counts, **rule_params(counts, table.rules)},
                     rule_counts=counts)
