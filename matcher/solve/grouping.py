"""Maximally diverse groups: the array-level solver ``form_groups``.

The Maximally Diverse Grouping Problem (MDGP): split ``n`` members into ``g``
groups, group ``k`` holding between ``a_k`` and ``b_k`` members, so that the
sum of the pairwise diversities ``d_ij`` inside the groups is as large as
possible. It is NP-hard; this module finds very good groupings with an
iterated tabu search and never returns one that breaks a hard rule
(sizes, anchors, apart, together).

The profile-level layer (who is diverse from whom, anchors, explanations)
lives in ``matcher.score.groups``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NoReturn

import numpy as np
from scipy import sparse

from matcher._numerics import BLOCK_ROWS
from matcher._validation import check_budget, check_score_matrix
from matcher.progress import Progress, report

__all__ = ["Grouping", "InfeasibleError", "form_groups", "together_units"]

# Search parameters, as multiples of the number of units m (tuned on MDGPLIB n=120):
# a unit may not return to a group it left for tenure_lo*m + a random 0..tenure_span*m
# iterations; after stall*m iterations without a new best, the search restarts from
# the best grouping shaken by strength*m random steps.
_TUNING = {"tenure_lo": 0.05, "tenure_span": 0.1, "stall": 60.0, "strength": 0.25}
#: Rounds with more units than this are searched in blocks of groups (``_BlockSearch``).
BLOCK_SEARCH_ABOVE = 1000
#: About how many units a block of groups holds.
BLOCK_UNITS = 120


class InfeasibleError(ValueError):
    """The hard rules cannot all be met; the message names the rule."""


@dataclass(frozen=True, eq=False)
class Grouping:
    """A grouping of ``n`` members into ``g`` groups.

    Attributes
    ----------
    labels : ndarray of int, shape (n,)
        ``labels[i]`` is the group (0 to g-1) of member ``i``.
    groups : list of ndarray of int
        The members of each group, in increasing order.
    total : float
        Sum over the groups of the diversities ``d_ij`` of the pairs inside.
    iterations : int
        Search iterations made after the construction.
    """

    labels: np.ndarray
    groups: list[np.ndarray]
    total: float
    iterations: int

    def check(self, diversity, sizes, *, anchors=None, apart=(), together=()) -> None:
        """Verify the grouping against the problem, independently of the search.

        Raises ``ValueError`` naming the first broken rule: a member placed
        twice or never, a group size out of bounds, an anchor, apart or
        together rule, or a ``total`` that differs from the recomputed sum.

        Examples
        --------
        >>> d = [[0, 3, 1], [3, 0, 2], [1, 2, 0]]
        >>> form_groups(d, [(1, 2), (1, 2)], max_iterations=10).check(d, [(1, 2), (1, 2)])
        >>> Grouping(np.array([0, 0, 0]), [np.array([0, 1, 2]), np.array([], int)], 6.0, 0).check(
        ...     d, [(1, 2), (1, 2)])
        Traceback (most recent call last):
        ...
        ValueError: group 0 has 3 members, expected 1 to 2
        """
        d = _check_diversity(diversity)
        n = d.shape[0]
        lo, hi = _check_sizes(sizes, n)
        labels = self._check_groups(n, lo, hi)
        _check_rules_hold(labels, len(lo), _check_anchors(anchors, n),
                          _check_pairs(apart, n, "apart"), _check_pairs(together, n, "together"))
        total = _make_grouping(d, labels, len(lo), 0).total
        if not math.isclose(total, self.total, rel_tol=1e-9, abs_tol=1e-9):
            raise ValueError(f"total is {self.total!r} but the groups add up to {total!r}")

    def _check_groups(self, n: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The labels, once every member has one group, listed there, and every group a size in bounds."""
        labels = np.asarray(self.labels)
        if labels.shape != (n,) or labels.min() < 0 or labels.max() >= len(lo):
            raise ValueError(f"labels must give each of the {n} members a group 0 to {len(lo) - 1}")
        if len(self.groups) != len(lo):
            raise ValueError(f"expected {len(lo)} groups, got {len(self.groups)}")
        for k, members in enumerate(self.groups):
            if sorted(np.asarray(members).tolist()) != np.flatnonzero(labels == k).tolist():
                raise ValueError(f"group {k} does not list the members labelled {k}")
            if not lo[k] <= len(members) <= hi[k]:
                raise ValueError(f"group {k} has {len(members)} members, expected {lo[k]} to {hi[k]}")
        return labels


def form_groups(
    diversity,
    sizes: Sequence[tuple[int, int]],
    *,
    anchors: Iterable[int] | None = None,
    apart: Iterable[tuple[int, int]] = (),
    together: Iterable[tuple[int, int]] = (),
    time_limit: float | None = 10.0,
    max_iterations: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> Grouping:
    r"""Split members into groups of bounded size with the most diversity inside.

    Maximises

    .. math:: \sum_k \sum_{i < j,\ i, j \in \text{group } k} d_{ij}

    subject to ``a_k <= |group k| <= b_k`` and the hard rules below.

    Parameters
    ----------
    diversity : array_like, shape (n, n)
        Symmetric matrix of finite pairwise diversities; the diagonal is ignored.
    sizes : sequence of (int, int)
        ``(min, max)`` size of each group, one pair per group; ``min >= 1``.
    anchors : iterable of int, optional
        Experienced members. When there are at least as many as groups,
        every group gets at least one.
    apart : iterable of (int, int)
        Pairs of members that must not share a group.
    together : iterable of (int, int)
        Pairs of members that must share a group.
    time_limit : float or None
        Seconds, counted from the call, after which the best grouping found
        is returned. The construction always completes (at scale it takes
        well under a second), so a very short limit returns it.
    max_iterations : int or None
        Search iterations after which the best grouping is returned; ``0``
        returns the construction. At least one of the two limits is needed.
    seed : int
        Seed of the random choices; with a fixed seed and ``max_iterations``
        (and the time limit not reached) the result is always the same.
    progress : callable, optional
        ``progress(phase, fraction)``, called on entering ``"solving"`` and
        ``"certifying"`` (see ``matcher.progress``); it may raise to stop the solve.

    Returns
    -------
    Grouping
        Labels, groups, total diversity and iterations made.

    Raises
    ------
    ValueError
        For a malformed matrix, malformed or infeasible size bounds,
        or members out of range.
    InfeasibleError
        When the anchors, apart or together rules cannot all hold; the
        message says which rule.

    Notes
    -----
    Together pairs are merged into units, which then move as one. A greedy
    construction aims at the group sizes with the most pairs (a small dynamic
    programme) and backtracks where needed, so the hard rules hold from the
    start; a placement is pruned when the units left could no longer fill
    every group to size (subset sums of their sizes, so two trios in groups
    of six end up together), which keeps the backtracking short. An
    iterated tabu search follows, over two neighbourhoods: moving a unit to
    another group and swapping two units of different groups.
    The search keeps the ``(units, g)`` matrix ``affinity`` of each unit's
    diversity to each group, so the gain of moving unit ``u`` from group
    ``a`` to ``b`` is ``affinity[u, b] - affinity[u, a]`` and of swapping it
    with unit ``v`` of ``b`` is that plus ``affinity[v, a] - affinity[v, b]
    - 2 d_uv``. The whole neighbourhood is scored with a few vectorised
    operations (units sit in slots ordered by group, so no gather or
    transpose of an ``(n, n)`` array is needed) and a step updates two
    columns of ``affinity`` in ``O(n)``. Apart pairs carry a penalty larger
    than any total, so the search never keeps a grouping that breaks one;
    sizes and anchors are masked out of the neighbourhood. When the search
    stalls it restarts from the best grouping after a random shake-up, in
    the spirit of the iterated tabu [1]_ [2]_ and iterated maxima [3]_
    searches for the MDGP.

    Above ``BLOCK_SEARCH_ABOVE`` units (company-wide rounds) one step of that
    search would cost ``O(m^2)`` and it would barely start; the search then
    runs on blocks of groups holding about ``BLOCK_UNITS`` units each: every
    block is searched (the same tabu search, on its own units and groups,
    for a number of steps proportional to its size), then the groups are
    dealt into new random blocks, so members move across blocks on later
    passes. A step inside a block costs ``O(BLOCK_UNITS^2)``.

    Complexity: the checks and the construction cost ``O(n^2)`` (plus
    backtracking, bounded by ``2000 + 10 m`` placements for ``m`` units); each
    search iteration costs ``O(m^2)`` numpy work and ``O(m g)`` memory
    beside the ``(m, m)`` matrices. Totals are sums of floats, exact up to
    rounding.

    References
    ----------
    .. [1] Palubeckis, G., Karčiauskas, E. and Riškus, A. "Comparative
       performance of three metaheuristic approaches for the maximally
       diverse grouping problem", Information Technology and Control, 40(4),
       277-285, 2011.
    .. [2] Palubeckis, G., Ostreika, A. and Rubliauskas, D. "Maximally
       diverse grouping: an iterated tabu search approach", Journal of the
       Operational Research Society, 66(4), 579-592, 2015.
    .. [3] Lai, X. and Hao, J.-K. "Iterated maxima search for the maximally
       diverse grouping problem", European Journal of Operational Research,
       254(3), 780-800, 2016.

    Examples
    --------
    >>> d = [[0, 1, 9, 5],
    ...      [1, 0, 5, 9],
    ...      [9, 5, 0, 1],
    ...      [5, 9, 1, 0]]
    >>> result = form_groups(d, [(2, 2), (2, 2)], max_iterations=20)
    >>> result.total
    18.0
    >>> sorted(sorted(group.tolist()) for group in result.groups)
    [[0, 2], [1, 3]]
    >>> form_groups(d, [(2, 2), (2, 2)], apart=[(0, 2)], max_iterations=20).total
    10.0
    """
    started = time.perf_counter()
    d = _check_diversity(diversity)
    n = d.shape[0]
    lo, hi = _check_sizes(sizes, n)
    anchor_list = _check_anchors(anchors, n)
    apart_pairs = _check_pairs(apart, n, "apart")
    together_pairs = _check_pairs(together, n, "together")
    check_budget(time_limit, max_iterations)
    deadline = None if time_limit is None else started + float(time_limit)

    problem = _Problem(d, lo, hi, anchor_list, apart_pairs, together_pairs)
    report(progress, "solving", 0.0)
    rng = np.random.default_rng(seed)
    unit_labels, iterations = problem.construct(rng), 0
    out_of_time = deadline is not None and time.perf_counter() >= deadline
    if max_iterations != 0 and not out_of_time and problem.n_groups > 1 and problem.n_units > 1:
        search = _BlockSearch if problem.n_units > BLOCK_SEARCH_ABOVE else _TabuSearch
        unit_labels, iterations = search(problem, unit_labels, rng).run(deadline, max_iterations)
    report(progress, "certifying", 0.9)
    return _make_grouping(d, unit_labels[problem.unit_of], len(lo), iterations)


# --------------------------------------------------------------------------
# Boundary checks


def _check_diversity(diversity) -> np.ndarray:
    d = check_score_matrix(diversity, name="diversity", square=True)
    if np.isinf(d).any():
        raise ValueError("expected finite diversities, got -inf")
    n = d.shape[0]
    if n == 0:
        raise ValueError("expected at least one member, got a 0 x 0 diversity matrix")
    d = d.copy()
    np.fill_diagonal(d, 0.0)
    tol = 1e-9 * max(1.0, float(d.max()), -float(d.min()))
    # (d + d.T) / 2 and its check, a square block and its mirror at a time:
    # transposing an (n, n) array whole is slow once it no longer fits in the cache.
    step = BLOCK_ROWS
    for r in range(0, n, step):
        for c in range(r, n, step):
            upper, lower = d[r : r + step, c : c + step], d[c : c + step, r : r + step].T
            if np.abs(upper - lower).max() > tol:
                diff = np.abs(d - d.T)
                i, j = np.unravel_index(int(diff.argmax()), diff.shape)
                raise ValueError(
                    f"expected a symmetric diversity matrix, got d[{i}, {j}]={d[i, j]!r} "
                    f"but d[{j}, {i}]={d[j, i]!r}"
                )
            mean = (upper + lower) / 2.0
            upper[...] = mean
            lower[...] = mean
    return d


def _check_sizes(sizes, n: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        bounds = np.asarray(sizes)
    except (TypeError, ValueError):
        raise ValueError("expected sizes as a sequence of (min, max) pairs") from None
    if bounds.ndim != 2 or bounds.shape[1] != 2 or bounds.shape[0] == 0:
        raise ValueError(
            f"expected sizes as a non-empty sequence of (min, max) pairs, got shape {bounds.shape}"
        )
    if bounds.dtype.kind not in "iu" and not (
        bounds.dtype.kind == "f" and np.all(np.isfinite(bounds)) and np.all(bounds == np.round(bounds))
    ):
        raise ValueError(f"expected integer group sizes, got {bounds.tolist()!r}")
    bounds = bounds.astype(np.int64)
    lo, hi = bounds[:, 0], bounds[:, 1]
    for k in range(len(lo)):
        if lo[k] < 1 or hi[k] < lo[k]:
            raise ValueError(f"expected 1 <= min <= max for every group, got group {k}: ({lo[k]}, {hi[k]})")
    if lo.sum() > n:
        raise ValueError(f"infeasible sizes: the minimum sizes add up to {lo.sum()}, more than the {n} members")
    if hi.sum() < n:
        raise ValueError(f"infeasible sizes: the maximum sizes add up to {hi.sum()}, fewer than the {n} members")
    return lo, hi


def _as_index(value, n: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"expected member indices as integers in {what}, got {value!r}")
    if not 0 <= value < n:
        raise ValueError(f"expected member indices 0 to {n - 1} in {what}, got {value}")
    return int(value)


def _check_anchors(anchors, n: int) -> list[int]:
    if anchors is None:
        return []
    return sorted({_as_index(m, n, "anchors") for m in anchors})


def _check_pairs(pairs, n: int, what: str) -> np.ndarray:
    """The pairs as a sorted ``(k, 2)`` array of distinct ``(min, max)`` index pairs.

    An integer array of shape ``(k, 2)`` is checked in one go (``plan_groups``
    passes many pairs); anything else, or a bad pair, pair by pair.
    """
    if isinstance(pairs, np.ndarray) and pairs.dtype.kind in "iu" and pairs.ndim == 2 and pairs.shape[1] == 2:
        i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
        if pairs.size == 0 or (min(i.min(), j.min()) >= 0 and max(i.max(), j.max()) < n and (i != j).all()):
            return np.unique(np.stack([np.minimum(i, j), np.maximum(i, j)], axis=1), axis=0).reshape(-1, 2)
        pairs = pairs.tolist()  # a bad pair: find and name it below
    checked = []
    for pair in pairs:
        try:
            i, j = pair
        except (TypeError, ValueError):
            raise ValueError(f"expected {what} as (i, j) pairs, got {pair!r}") from None
        i, j = _as_index(i, n, what), _as_index(j, n, what)
        if i == j:
            raise ValueError(f"expected two different members in each {what} pair, got ({i}, {j})")
        checked.append((min(i, j), max(i, j)))
    return np.array(sorted(set(checked)), dtype=np.int64).reshape(-1, 2)


def _check_rules_hold(labels: np.ndarray, n_groups: int, anchors: list[int], apart: np.ndarray,
                      together: np.ndarray) -> None:
    """Raise ``ValueError`` naming the first anchor, apart or together rule that ``labels`` break."""
    if len(anchors) >= n_groups:
        missing = sorted(set(range(n_groups)) - set(labels[anchors].tolist()))
        if missing:
            raise ValueError(f"anchors rule broken: group {missing[0]} has no anchor")
    broken = np.flatnonzero(labels[apart[:, 0]] == labels[apart[:, 1]])
    if broken.size:
        i, j = apart[broken[0]].tolist()
        raise ValueError(f"apart rule broken: members {i} and {j} share group {labels[i]}")
    broken = np.flatnonzero(labels[together[:, 0]] != labels[together[:, 1]])
    if broken.size:
        i, j = together[broken[0]].tolist()
        raise ValueError(f"together rule broken: members {i} and {j} are in groups {labels[i]} and {labels[j]}")


def _make_grouping(d: np.ndarray, labels: np.ndarray, g: int, iterations: int) -> Grouping:
    labels = np.asarray(labels, dtype=np.int64)
    groups = [np.flatnonzero(labels == k) for k in range(g)]
    total = float(sum(d[np.ix_(members, members)].sum() for members in groups) / 2.0)
    return Grouping(labels=labels, groups=groups, total=total, iterations=int(iterations))


# --------------------------------------------------------------------------
# The problem on units (members merged by "together" rules)


class _Problem:
    """Members merged into units, the diversity between units and the rules on units.

    Attributes
    ----------
    lo, hi : ndarray of int, shape (n_groups,)
        Size bounds of each group, in members.
    n_groups, n_units : int
        How many groups, and how many units the members merge into.
    unit_of : ndarray of int, shape (n,)
        Each member's unit (``together_units``).
    unit_size : ndarray of int, shape (n_units,)
        Members in each unit.
    unit_anchors : ndarray of int, shape (n_units,)
        Anchors in each unit.
    anchor_each_group : bool
        Every group needs an anchor (there are at least as many as groups).
    apart : ndarray of bool, shape (n_units, n_units), or None
        Units that must not share a group.
    diversity : ndarray, shape (n_units, n_units)
        The members' diversities summed between units; never written to.
    apart_penalty : float
        More than any total: taken off every apart pair in ``penalised``.
    penalised : ndarray, shape (n_units, n_units)
        ``diversity`` less ``apart_penalty`` on apart pairs: what the search maximises.
    double_penalised : ndarray of float32, shape (n_units, n_units)
        ``2 * penalised`` in single precision, for scoring swaps fast (the
        search keeps its objective from double-precision sums).
    least_pair : float
        The smallest diversity between two different units.
    """

    def __init__(self, d, lo, hi, anchors, apart, together):
        self.lo, self.hi = lo, hi
        self.n_groups = len(lo)
        self.unit_of = together_units(d.shape[0], together)
        self.n_units = int(self.unit_of.max()) + 1
        self.unit_size = np.bincount(self.unit_of, minlength=self.n_units).astype(np.int64)
        self.diversity = _unit_diversity(d, self.unit_of, self.n_units)
        self._check_unit_sizes()
        self.apart = self._apart_units(np.asarray(apart, dtype=np.int64).reshape(-1, 2))
        self.unit_anchors, self.anchor_each_group = self._anchors_by_unit(anchors)
        diversity = self.diversity
        # A penalty larger than any total keeps apart pairs out of every group the search keeps.
        self.apart_penalty = 4.0 * (float((diversity if diversity.min() >= 0 else np.abs(diversity)).sum()) + 1.0)
        self.penalised = diversity
        if self.apart is not None:
            self.penalised = diversity.copy()
            self.penalised[self.apart] -= self.apart_penalty
        self.double_penalised = self.penalised.astype(np.float32)
        self.double_penalised *= 2.0
        m = self.n_units
        # The off-diagonal entries: the (m - 1) runs of m between diagonal ones, as a view.
        off_diagonal = diversity.reshape(-1)[1:].reshape(m - 1, m + 1)[:, :m]
        self.least_pair = float(off_diagonal.min()) if m > 1 else 0.0

    def _check_unit_sizes(self) -> None:
        largest = int(self.unit_size.argmax())
        if self.unit_size[largest] > self.hi.max():
            members = np.flatnonzero(self.unit_of == largest).tolist()
            raise InfeasibleError(
                f"together rules join members {members} into one group of {self.unit_size[largest]}, "
                f"larger than the largest group allowed ({self.hi.max()})"
            )

    def _apart_units(self, pairs: np.ndarray) -> np.ndarray | None:
        """The apart rules between units, or None when there are none."""
        if not len(pairs):
            return None
        units = self.unit_of[pairs]
        same = np.flatnonzero(units[:, 0] == units[:, 1])
        if same.size:
            i, j = pairs[same[0]]
            raise InfeasibleError(f"apart rule ({i}, {j}) breaks the together rules, which put both in one group")
        apart = np.zeros((self.n_units, self.n_units), dtype=bool)
        apart[units[:, 0], units[:, 1]] = True
        apart[units[:, 1], units[:, 0]] = True
        return apart

    def _anchors_by_unit(self, anchors: list[int]) -> tuple[np.ndarray, bool]:
        """Anchors in each unit, and whether every group needs one."""
        m, g = self.n_units, self.n_groups
        unit_anchors = np.bincount(self.unit_of[anchors], minlength=m).astype(np.int64) if anchors else np.zeros(m, np.int64)
        anchor_each_group = bool(anchors) and len(anchors) >= g
        if anchor_each_group and np.count_nonzero(unit_anchors) < g:
            raise InfeasibleError(
                f"anchors rule: {len(anchors)} anchors for {g} groups, but the together rules "
                f"leave them in only {np.count_nonzero(unit_anchors)} different groups"
            )
        return unit_anchors, anchor_each_group

    def construct(self, rng) -> np.ndarray:
        """A grouping meeting every hard rule, built greedily; raise ``InfeasibleError`` if none found."""
        # Size, anchor and apart pruning keep the construction from backtracking much:
        # a few nodes per unit is plenty, and more only delays the fallbacks.
        limit = 2000 + 10 * self.n_units
        target = _target_sizes(self.lo, self.hi, len(self.unit_of))
        labels, _ = _Construction(self, rng, use_apart=True, use_anchors=True, cap=target).run(limit)
        if labels is not None:
            return labels
        labels, exhausted = _Construction(self, rng, use_apart=True, use_anchors=True).run(limit)
        if labels is not None:
            return labels
        self._name_the_broken_rule(rng, limit, exhausted)

    def _name_the_broken_rule(self, rng, limit: int, exhausted: bool) -> NoReturn:
        """Raise ``InfeasibleError`` for the first rule that cannot be met."""
        how = "no grouping exists" if exhausted else "no grouping was found within the search limit"
        unsure = "no grouping was found within the search limit"
        if self.n_units < len(self.unit_of):
            alone, sure = _Construction(self, rng, use_apart=False, use_anchors=False).run(limit)
            if alone is None:
                raise InfeasibleError(
                    f"together rules: the merged members do not fit the group sizes ({how if sure else unsure})"
                )
        if self.anchor_each_group:
            alone, sure = _Construction(self, rng, use_apart=False, use_anchors=True).run(limit)
            if alone is None:
                raise InfeasibleError(
                    f"anchors rule: cannot place an anchor in every group with these sizes and together rules ({how if sure else unsure})"
                )
        raise InfeasibleError(f"apart rules: {how} that keeps every apart pair in different groups")


def _unit_diversity(d: np.ndarray, unit_of: np.ndarray, n_units: int) -> np.ndarray:
    """The diversities of ``d`` summed between units (``d`` itself when every unit is one member)."""
    n = d.shape[0]
    if n_units == n:
        return d  # already a private copy from the boundary check; never written to
    # Sum each unit's rows, then its columns, with a sparse (units, members) indicator.
    member = sparse.csr_matrix((np.ones(n), (unit_of, np.arange(n))), shape=(n_units, n))
    unit_d = np.asarray(member @ np.asarray(member @ d).T)
    unit_d = (unit_d + unit_d.T) / 2.0  # exactly symmetric, whatever the rounding
    np.fill_diagonal(unit_d, 0.0)
    return unit_d


def _target_sizes(lo: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    """Group sizes within the bounds, adding up to ``n``, with the most pairs in all.

    The number of pairs is convex in the sizes, so the best sizes sit at the
    bounds: a small dynamic programme over groups and running totals finds them.
    """
    g = len(lo)
    value = np.full((g + 1, n + 1), -np.inf)
    value[0, 0] = 0.0
    choice = np.zeros((g + 1, n + 1), dtype=np.int64)
    for k in range(g):
        for s in range(int(lo[k]), int(min(hi[k], n)) + 1):
            candidate = np.full(n + 1, -np.inf)
            candidate[s:] = value[k, : n + 1 - s] + s * (s - 1) / 2.0
            better = candidate > value[k + 1]
            value[k + 1][better] = candidate[better]
            choice[k + 1][better] = s
    sizes = np.zeros(g, dtype=np.int64)
    total = n
    for k in range(g, 0, -1):
        sizes[k - 1] = choice[k, total]
        total -= sizes[k - 1]
    return sizes


def together_units(n: int, together) -> np.ndarray:
    """Each member's unit once the ``together`` pairs are merged, numbered by first member.

    ``form_groups`` moves a unit as one; a union-find over the pairs finds them.

    Examples
    --------
    >>> together_units(5, [(3, 1), (1, 4)]).tolist()
    [0, 1, 2, 1, 1]
    """
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in np.asarray(together, dtype=np.int64).reshape(-1, 2).tolist():
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([find(i) for i in range(n)])
    return np.unique(roots, return_inverse=True)[1].astype(np.int64)


class _Construction:
    """Greedy depth-first construction of a grouping, with backtracking.

    Units go, largest and most constrained first, to the feasible group with
    the highest mean diversity to its members (empty groups first, so every
    group gets a seed). Candidates that would leave the remaining units
    unable to fill the minimum sizes (``_Packing``) or the anchors are pruned.
    ``use_apart`` and ``use_anchors`` switch those rules on (off to find
    which rule is impossible); ``cap`` replaces the maximum sizes (e.g. to
    aim at the best sizes).
    """

    def __init__(self, problem: _Problem, rng, *, use_apart: bool, use_anchors: bool, cap=None):
        m, g = problem.n_units, problem.n_groups
        self.problem, self.rng = problem, rng
        self.hi = problem.hi if cap is None else cap
        self.apart = problem.apart if use_apart else None
        self.anchor_each_group = problem.anchor_each_group and use_anchors
        self.has_anchor = problem.unit_anchors > 0
        self.labels = np.full(m, -1, dtype=np.int64)
        self.group_size = np.zeros(g, dtype=np.int64)
        self.group_anchors = np.zeros(g, dtype=np.int64)
        # Group-major, so placing a unit adds one contiguous row: affinity[k, v] is the
        # diversity of unit v to the members of group k.
        self.affinity = np.zeros((g, m))
        self.conflicts = np.zeros((g, m), dtype=np.int64) if self.apart is not None else None
        self.packing = _Packing(problem.unit_size, problem.lo, self.hi)
        self.members_left = int(problem.unit_size.sum())
        self.anchor_units_left = int(np.count_nonzero(self.has_anchor))

    def run(self, node_limit: int) -> tuple[np.ndarray | None, bool]:
        """``(unit labels or None, exhausted)``: ``exhausted`` when the whole tree was explored, so none exists."""
        order = self._order()
        stack: list[list[int]] = []
        depth = nodes = 0
        while depth < len(order):
            u = int(order[depth])
            if len(stack) == depth:
                stack.append(self._candidates(u))
            else:
                self._place(u, int(self.labels[u]), -1)
            if not stack[depth]:
                stack.pop()
                depth -= 1
                if depth < 0:
                    return None, True
                continue
            self._place(u, stack[depth].pop(0), +1)
            depth += 1
            nodes += 1
            if nodes > node_limit:
                return None, False
        return self.labels, False

    def _order(self) -> np.ndarray:
        """Units in placing order: anchors first when every group needs one, then largest, then most apart rules."""
        problem, m = self.problem, self.problem.n_units
        degree = self.apart.sum(axis=1) if self.apart is not None else np.zeros(m, np.int64)
        order = self.rng.permutation(m)
        anchor_first = np.where(self.has_anchor[order], 0, 1) if self.anchor_each_group else np.zeros(m, np.int64)
        return order[np.lexsort((-degree[order], -problem.unit_size[order], anchor_first))]

    def _candidates(self, u: int) -> list[int]:
        """The groups unit ``u`` may go to, best first."""
        problem, size = self.problem, self.group_size
        unit_size = int(problem.unit_size[u])
        ok = size + unit_size <= self.hi
        if self.conflicts is not None:
            ok &= self.conflicts[:, u] == 0
        deficit = np.maximum(problem.lo - size, 0)
        ok &= deficit.sum() - np.minimum(unit_size, deficit) <= self.members_left - unit_size
        if self.anchor_each_group:
            lacking = self.group_anchors == 0
            after = lacking.sum() - (lacking & bool(self.has_anchor[u]))
            ok &= after <= self.anchor_units_left - int(self.has_anchor[u])
        easy = self.packing.prune(u, size, self.members_left - unit_size, ok)
        candidates = np.flatnonzero(ok)
        if candidates.size:
            candidates = candidates[self.rng.permutation(candidates.size)]
            mean = np.where(size[candidates] == 0, np.inf, self.affinity[candidates, u] / np.maximum(size[candidates], 1))
            if easy is None:
                candidates = candidates[np.argsort(-mean, kind="stable")]
            else:
                candidates = candidates[np.lexsort((-mean, ~easy[candidates]))]
        return candidates.tolist()

    def _place(self, u: int, k: int, sign: int) -> None:
        """Put unit ``u`` into group ``k`` (``sign`` +1) or take it out again (-1)."""
        problem = self.problem
        self.labels[u] = k if sign > 0 else -1
        self.group_size[k] += sign * problem.unit_size[u]
        self.group_anchors[k] += sign * int(self.has_anchor[u])
        self.affinity[k] += sign * problem.diversity[u]
        if self.conflicts is not None:
            self.conflicts[k] += sign * self.apart[u]
        self.packing.count(u, -sign)
        self.members_left -= sign * int(problem.unit_size[u])
        self.anchor_units_left -= sign * int(self.has_anchor[u])


class _Packing:
    """Whether the units left can still fill every group, when units weigh more than one member.

    With single members only, enough of them for the minimum sizes is all it
    takes (the construction checks that sum). Merged units make some fills
    impossible: pairs cannot top a group up by exactly one, and two trios in
    groups of six must share a group. From the subset sums of the weights
    left, ``prune`` checks that every group can still reach its minimum
    without passing its maximum, and that what the groups can take in all
    brackets what is left; weights with fewer units than groups are *rare*,
    and a group that needs one to fit uses one up. These conditions are
    necessary, so no grouping is lost and an exhausted search still proves
    that there is none.
    """

    _NONE = 1 << 40

    def __init__(self, unit_size: np.ndarray, lo: np.ndarray, hi: np.ndarray):
        self.values, self.kind = np.unique(unit_size, return_inverse=True)
        self.left = np.bincount(self.kind).astype(np.int64)
        self.lo, self.hi = lo, hi
        self.active = bool(self.values[-1] > 1)
        self.common = self.left >= len(lo)

    def count(self, u: int, change: int) -> None:
        self.left[self.kind[u]] += change

    def prune(self, u: int, size: np.ndarray, rest: int, ok: np.ndarray) -> np.ndarray | None:
        """Clear ``ok`` where placing ``u`` would leave some group unfillable.

        ``rest`` is the number of members in the units left after ``u``.
        Returns, per group, whether placing ``u`` there leaves the group
        able to reach its largest fill with common weights alone, so that
        rare units go where they are needed (None when single members can
        fill anything, so every placement is as good).
        """
        if not self.active:
            return None
        left = self.left.copy()
        left[self.kind[u]] -= 1
        need = np.maximum(self.lo - size, 0)
        room = self.hi - size
        wu = int(self.values[self.kind[u]])
        singles = int(left[0]) if self.values[0] == 1 else 0
        if singles >= max(int(need.max()), int(room.max())):
            return None
        limit = max(int(need.max()) + int(self.values[-1]) - 1, int(room.max()), 0)
        if not self._fits(self.left, need, room, rest + wu, limit):
            ok[:] = False  # no placement of u can help: back up
            return None
        above, below = self._sums(left, limit)
        feasible = above[need] <= room
        least = np.where(feasible, above[need], self._NONE)
        most = np.where(feasible, below[room], -self._NONE)
        need_after, room_after = np.maximum(need - wu, 0), np.maximum(room - wu, 0)
        fits = (above[need_after] <= room_after) & (room >= wu)
        least_after = np.where(fits, above[need_after], self._NONE)
        most_after = np.where(fits, below[room_after], -self._NONE)
        ok &= fits
        ok &= least.sum() - least + least_after <= rest
        ok &= most.sum() - most + most_after >= rest
        above_common, below_common = self._sums(np.where(self.common, left, 0), limit)
        return (above_common[need_after] <= room_after) & (below_common[room_after] == most_after)

    def _fits(self, left: np.ndarray, need: np.ndarray, room: np.ndarray, total: int, limit: int) -> bool:
        """Can units ``left`` (``total`` members) bring every group into ``[need, room]`` more members?"""
        above, below = self._sums(left, limit)
        if (above[need] > room).any():
            return False
        above_common, below_common = self._sums(np.where(self.common, left, 0), limit)
        alone = above_common[need] <= room  # fillable without a rare unit
        spare = int(left[~self.common].sum()) - int(np.count_nonzero(~alone))
        if spare < 0:
            return False
        least, most = above[need], below[room]
        least_alone = np.where(alone, above_common[need], least)
        most_alone = np.where(alone, below_common[room], most)
        # Each group given a rare unit it does not need uses one of the spare ones.
        return (least_alone.sum() - _largest_sum(least_alone - least, spare) <= total
                <= most_alone.sum() + _largest_sum(most - most_alone, spare))

    def _sums(self, left: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """For every total 0..limit, the least reachable sum at or above it and the most at or below."""
        bits, mask = 1, (1 << (limit + 1)) - 1
        for value, count in zip(self.values.tolist(), left.tolist()):
            count, piece = min(count, limit // value), 1
            while count > 0:  # binary splitting: pieces 1, 2, 4, ... make every count up to it
                take = min(piece, count)
                bits |= (bits << (take * value)) & mask
                count -= take
                piece *= 2
        raw = np.frombuffer(bits.to_bytes(limit // 8 + 1, "little"), dtype=np.uint8)
        reachable = np.unpackbits(raw, bitorder="little")[: limit + 1].astype(bool)
        totals = np.arange(limit + 1)
        above = np.minimum.accumulate(np.where(reachable, totals, self._NONE)[::-1])[::-1]
        below = np.maximum.accumulate(np.where(reachable, totals, -1))
        return above, below


def _largest_sum(values: np.ndarray, k: int) -> int:
    """Sum of the ``k`` largest of ``values`` (non-negative)."""
    if k <= 0:
        return 0
    if k >= values.size:
        return int(values.sum())
    return int(np.partition(values, values.size - k)[values.size - k :].sum())


# --------------------------------------------------------------------------
# Iterated tabu search

#: The two kinds of step: exchange the units of two slots, or move one unit to another group.
_SWAP, _MOVE = 0, 1


class _BlockProblem:
    """The part of a ``_Problem`` that some groups hold, in the shape ``_TabuSearch`` reads.

    ``units`` are the units of those groups (in the order given); the group
    bounds are those of ``groups``; anchors, the apart penalty and the
    smallest pair come from the whole problem (a smaller ``least_pair`` only
    loosens the aspiration bound, which stays true).
    """

    def __init__(self, problem: _Problem, units: np.ndarray, groups: np.ndarray):
        self.units, self.groups = units, groups
        self.n_units, self.n_groups = len(units), len(groups)
        self.lo, self.hi = problem.lo[groups], problem.hi[groups]
        self.unit_size = problem.unit_size[units]
        self.unit_anchors = problem.unit_anchors[units]
        self.anchor_each_group = problem.anchor_each_group
        self.apart_penalty = problem.apart_penalty
        self.least_pair = problem.least_pair
        self.penalised = problem.penalised[np.ix_(units, units)]
        self.double_penalised = problem.double_penalised[np.ix_(units, units)]


class _BlockSearch:
    """The tabu search of large rounds, run on blocks of groups in turn (see ``form_groups``).

    Each pass deals the groups into random blocks of about ``BLOCK_UNITS``
    units and runs ``_TabuSearch`` on each block for ``BLOCK_STEPS`` steps per
    unit; a block's best grouping replaces its part of the whole one, which
    only grows the total, since the other groups are unchanged.
    """

    #: Tabu steps per unit of a block, each time the block is searched (short visits, many passes).
    BLOCK_STEPS = 0.5

    def __init__(self, problem: _Problem, labels: np.ndarray, rng):
        self.problem, self.rng, self.labels = problem, rng, labels.copy()

    def run(self, deadline: float | None, max_iterations: int | None) -> tuple[np.ndarray, int]:
        """Search until ``deadline`` or ``max_iterations`` (steps summed over the blocks)."""
        problem, labels = self.problem, self.labels
        per_group = max(problem.n_units / problem.n_groups, 1.0)
        blocks = max(1, int(round(problem.n_groups * per_group / BLOCK_UNITS)))
        iterations = 0
        while max_iterations is None or iterations < max_iterations:
            order = self.rng.permutation(problem.n_groups)
            for groups in np.array_split(order, blocks):
                if deadline is not None and time.perf_counter() >= deadline:
                    return labels, iterations
                if len(groups) < 2:
                    continue
                groups = np.sort(groups)
                position = np.full(problem.n_groups, -1)
                position[groups] = np.arange(len(groups))
                units = np.flatnonzero(position[labels] >= 0)
                part = _BlockProblem(problem, units, groups)
                steps = max(10, int(self.BLOCK_STEPS * len(units)))
                if max_iterations is not None:
                    steps = min(steps, max_iterations - iterations)
                found, made = _TabuSearch(part, position[labels[units]], self.rng).run(deadline, steps)
                labels[units] = groups[found]
                iterations += made
                if max_iterations is not None and iterations >= max_iterations:
                    return labels, iterations
        return labels, iterations


class _TabuSearch:
    """Tabu search over swaps and moves of units, restarted from the best after a shake-up.

    The search keeps its units in *slots* ordered by group, so each group is a
    contiguous block of slots. The swap gains ``gains[s, group_of[t]] +
    gains[t, group_of[s]] - 2 penalised[s, t]`` then come from two
    ``np.repeat`` of the small gain matrix and one addition, without a gather
    or a transpose of an ``(m, m)`` array. A swap exchanges two slots (a row
    and a column of ``double_penalised``); a move walks one unit across block
    borders, ``O(m)`` per border crossed.

    State, by slot ``s`` and group ``k``: ``unit_in_slot[s]``, ``group_of[s]``,
    ``slot_size[s]`` (members), ``slot_anchors[s]``, ``affinity[s, k]`` (the
    unit's penalised diversity to the units of group ``k``) and
    ``tabu_until[s, k]`` (the iteration until which the unit may not return
    to ``k``); ``slot_count[k]`` and ``first_slot[k]`` (group ``k``'s block),
    ``group_size[k]`` (members), ``group_anchors[k]``; and ``objective``, the
    grouping's penalised total.
    """

    def __init__(self, problem: _Problem, labels: np.ndarray, rng):
        self.problem, self.rng = problem, rng
        self.n_units, self.n_groups = problem.n_units, problem.n_groups
        self.slots = np.arange(problem.n_units)
        self.unequal_units = bool((problem.unit_size != 1).any())
        # Moves only matter when a group can change size or units differ in size.
        self.try_moves = self.unequal_units or bool((problem.lo < problem.hi).any())
        self.tabu_until = np.zeros((problem.n_units, problem.n_groups), dtype=np.int64)
        self._reset(labels)

    def _reset(self, labels: np.ndarray) -> None:
        """Lay the units of grouping ``labels`` out in slots by group."""
        problem = self.problem
        self.unit_in_slot = np.argsort(labels, kind="stable")
        self.group_of = labels[self.unit_in_slot].copy()
        self.slot_count = np.bincount(labels, minlength=self.n_groups).astype(np.int64)
        self.first_slot = np.concatenate(([0], np.cumsum(self.slot_count)[:-1]))
        self.double_penalised = problem.double_penalised[np.ix_(self.unit_in_slot, self.unit_in_slot)]
        self.slot_size = problem.unit_size[self.unit_in_slot]
        self.slot_anchors = problem.unit_anchors[self.unit_in_slot]
        # affinity[s, k] = sum of penalised[unit in slot s, v] over the units v of group k (it is symmetric).
        in_group = sparse.csr_matrix((np.ones(self.n_units), (labels, self.slots)), shape=(self.n_groups, self.n_units))
        self.affinity = np.ascontiguousarray(np.asarray(in_group @ problem.penalised).T[self.unit_in_slot])
        self.group_size = np.bincount(labels, weights=problem.unit_size, minlength=self.n_groups).astype(np.int64)
        self.group_anchors = np.bincount(labels, weights=problem.unit_anchors, minlength=self.n_groups).astype(np.int64)
        self.objective = 0.5 * float(self.affinity[self.slots, self.group_of].sum())
        self.tabu_until.fill(0)

    def unit_labels(self) -> np.ndarray:
        """The current grouping as the group of each unit."""
        labels = np.empty(self.n_units, dtype=np.int64)
        labels[self.unit_in_slot] = self.group_of
        return labels

    # -- scoring the neighbourhood

    def _gains(self) -> np.ndarray:
        """``gains[s, k]``: of moving the unit in slot ``s`` to group ``k``, rules aside; ``-inf`` for its own."""
        own = self.affinity[self.slots, self.group_of]
        gains = self.affinity - own[:, None]
        gains[self.slots, self.group_of] = -np.inf
        return gains

    def _swap_gains(self, gains: np.ndarray) -> np.ndarray:
        """Gain of swapping the units in each pair of slots; ``-inf`` where the sizes or anchors forbid it."""
        gains32 = gains.astype(np.float32)
        swap = np.repeat(gains32, self.slot_count, axis=1)  # [s, t] = gains[s, group_of[t]]
        swap += np.repeat(np.ascontiguousarray(gains32.T), self.slot_count, axis=0)  # [s, t] = gains[t, group_of[s]]
        swap -= self.double_penalised
        if self.unequal_units:
            self._forbid_swaps_out_of_size(swap)
        if self.problem.anchor_each_group:
            self._forbid_swaps_losing_an_anchor(swap)
        return swap

    def _forbid_swaps_out_of_size(self, swap: np.ndarray) -> None:
        # group_of[s] receives slot_size[t] and loses slot_size[s]: does it stay within its bounds?
        problem, group_of, slot_size = self.problem, self.group_of, self.slot_size
        free_lo = problem.lo[group_of] - self.group_size[group_of] + slot_size
        free_hi = problem.hi[group_of] - self.group_size[group_of] + slot_size
        bad = (slot_size[None, :] < free_lo[:, None]) | (slot_size[None, :] > free_hi[:, None])
        bad |= bad.T
        swap[bad] = -np.inf

    def _forbid_swaps_losing_an_anchor(self, swap: np.ndarray) -> None:
        # A unit that holds all its group's anchors may only swap with a unit that brings one.
        need = 1 - (self.group_anchors[self.group_of] - self.slot_anchors)
        rows = np.flatnonzero(need > 0)
        if rows.size:
            bad = self.slot_anchors[None, :] < need[rows, None]
            sub = swap[rows]
            sub[bad] = -np.inf
            swap[rows] = sub
            sub_t = swap[:, rows]
            sub_t[bad.T] = -np.inf
            swap[:, rows] = sub_t

    def _move_gains(self, gains: np.ndarray) -> np.ndarray:
        """Gain of moving each unit to each group; ``-inf`` where the sizes or anchors forbid it."""
        problem, group_of = self.problem, self.group_of
        if self.unequal_units:
            ok_from = self.group_size[group_of] - self.slot_size >= problem.lo[group_of]
            ok_to = self.group_size[None, :] + self.slot_size[:, None] <= problem.hi[None, :]
        else:
            ok_from = (self.group_size > problem.lo)[group_of]
            ok_to = (self.group_size < problem.hi)[None, :]
        if problem.anchor_each_group:
            ok_from &= self.group_anchors[group_of] - self.slot_anchors >= 1
        return np.where(ok_from[:, None] & ok_to, gains, -np.inf)

    def _best_step(self, gains: np.ndarray, moves: np.ndarray | None) -> tuple[float, int, int, int]:
        """The best ``(gain, kind, slot, other slot or group)`` from ``gains`` and the move gains ``moves``."""
        swap = self._swap_gains(gains)
        flat = int(swap.argmax())
        best = (float(swap.flat[flat]), _SWAP, flat // self.n_units, flat % self.n_units)
        if moves is not None:
            k = int(moves.argmax())
            if moves.flat[k] > best[0]:
                best = (float(moves.flat[k]), _MOVE, k // self.n_groups, k % self.n_groups)
        return best

    def _gain_bound(self, gains: np.ndarray, moves: np.ndarray | None) -> float:
        """An upper bound on the gain of any step, tabu or not (for the aspiration test)."""
        best_between = np.maximum.reduceat(gains, self.first_slot, axis=0)  # [a, b]: best gain a -> b
        bound = float((best_between + best_between.T).max()) - 2.0 * self.problem.least_pair
        if moves is not None:
            bound = max(bound, float(moves.max()))
        return bound

    # -- changing the grouping

    def _apply(self, kind: int, slot: int, target: int, iteration: int, tenure: int) -> None:
        """Swap the units in ``slot`` and slot ``target`` (``_SWAP``) or move ``slot`` to group ``target`` (``_MOVE``).

        The unit may not return to the group it left for ``tenure`` iterations after ``iteration``.
        """
        if kind == _SWAP:
            self._swap(slot, target, iteration + tenure)
        else:
            self._move(slot, target, iteration + tenure)

    def _swap(self, s: int, t: int, tabu_until: int) -> None:
        problem, affinity = self.problem, self.affinity
        a, b = int(self.group_of[s]), int(self.group_of[t])
        unit_s, unit_t = int(self.unit_in_slot[s]), int(self.unit_in_slot[t])
        self.objective += float(
            affinity[s, b] - affinity[s, a] + affinity[t, a] - affinity[t, b] - 2.0 * problem.penalised[unit_s, unit_t]
        )
        change = problem.penalised[self.unit_in_slot, unit_t] - problem.penalised[self.unit_in_slot, unit_s]
        affinity[:, a] += change
        affinity[:, b] -= change
        members, anchors = self.slot_size[t] - self.slot_size[s], self.slot_anchors[t] - self.slot_anchors[s]
        self.group_size[a] += members
        self.group_size[b] -= members
        self.group_anchors[a] += anchors
        self.group_anchors[b] -= anchors
        self.tabu_until[s, a] = tabu_until
        self.tabu_until[t, b] = tabu_until
        self._exchange(s, t)

    def _move(self, slot: int, group: int, tabu_until: int) -> None:
        problem, affinity = self.problem, self.affinity
        a = int(self.group_of[slot])
        unit = int(self.unit_in_slot[slot])
        self.objective += float(affinity[slot, group] - affinity[slot, a])
        column = problem.penalised[self.unit_in_slot, unit]
        affinity[:, a] -= column
        affinity[:, group] += column
        self.group_size[a] -= self.slot_size[slot]
        self.group_size[group] += self.slot_size[slot]
        self.group_anchors[a] -= self.slot_anchors[slot]
        self.group_anchors[group] += self.slot_anchors[slot]
        self.tabu_until[slot, a] = tabu_until
        if group > a:
            self._walk_right(slot, a, group)
        else:
            self._walk_left(slot, a, group)

    def _walk_right(self, slot: int, a: int, group: int) -> None:
        """Carry the unit in ``slot`` from group ``a`` to ``group > a``, one block border at a time."""
        count, start = self.slot_count, self.first_slot
        edge = start[a] + count[a] - 1
        self._exchange(slot, edge)
        slot = edge
        for k in range(a + 1, group + 1):
            count[k - 1] -= 1
            count[k] += 1
            start[k] -= 1
            self.group_of[slot] = k
            if k < group:
                edge = start[k] + count[k] - 1
                self._exchange(slot, edge)
                slot = edge

    def _walk_left(self, slot: int, a: int, group: int) -> None:
        """Carry the unit in ``slot`` from group ``a`` to ``group <= a``, one block border at a time."""
        count, start = self.slot_count, self.first_slot
        edge = start[a]
        self._exchange(slot, edge)
        slot = edge
        for k in range(a - 1, group - 1, -1):
            count[k + 1] -= 1
            count[k] += 1
            start[k + 1] += 1
            self.group_of[slot] = k
            if k > group:
                edge = start[k]
                self._exchange(slot, edge)
                slot = edge

    def _exchange(self, s: int, t: int) -> None:
        """Exchange the units in slots ``s`` and ``t`` (their groups are the slots')."""
        if s == t:
            return
        for vector in (self.slot_size, self.slot_anchors, self.unit_in_slot):
            vector[s], vector[t] = vector[t], vector[s]
        for matrix in (self.affinity, self.tabu_until, self.double_penalised):
            row = matrix[s].copy()
            matrix[s] = matrix[t]
            matrix[t] = row
        column = self.double_penalised[:, s].copy()
        self.double_penalised[:, s] = self.double_penalised[:, t]
        self.double_penalised[:, t] = column

    def _shake(self, strength: int) -> None:
        """Apply ``strength`` random feasible swaps or moves (a perturbation)."""
        feasible = -self.problem.apart_penalty / 2
        for _ in range(strength):
            gains = self._gains()
            options = np.flatnonzero(self._swap_gains(gains) > feasible)
            kind = _SWAP
            if self.try_moves:
                moves = np.flatnonzero(self._move_gains(gains) > feasible)
                if moves.size and not options.size:
                    options, kind = moves, _MOVE
            if not options.size:
                return
            pick = int(options[self.rng.integers(options.size)])
            width = self.n_units if kind == _SWAP else self.n_groups
            self._apply(kind, pick // width, pick % width, 0, 0)

    # -- the search

    def run(self, deadline: float | None, max_iterations: int | None) -> tuple[np.ndarray, int]:
        """Search until ``deadline`` or ``max_iterations``: the best unit labels found, and the iterations made."""
        best_labels, best_objective = self.unit_labels(), self.objective
        if self.n_groups == 1 or self.n_units == 1 or max_iterations == 0:
            return best_labels, 0
        m = self.n_units
        tenure_lo, tenure_span = max(2, int(m * _TUNING["tenure_lo"])), max(2, int(m * _TUNING["tenure_span"]))
        stall_limit = max(50, int(_TUNING["stall"] * m))
        strength = max(2, int(m * _TUNING["strength"]))
        tolerance = 1e-9 * max(1.0, abs(best_objective))
        feasible = -self.problem.apart_penalty / 2  # a gain below this breaks an apart rule
        iteration = stall = 0
        while max_iterations is None or iteration < max_iterations:
            if deadline is not None and time.perf_counter() >= deadline:
                break
            iteration += 1
            gains = self._gains()
            moves = self._move_gains(gains) if self.try_moves else None
            gain, kind, slot, target = self._choose(gains, moves, iteration, best_objective + tolerance)
            if gain <= feasible:
                if not np.isfinite(gain) and self._best_step(gains, moves)[0] <= feasible:
                    break  # no feasible neighbour at all
                continue
            self._apply(kind, slot, target, iteration, tenure_lo + int(self.rng.integers(tenure_span)))
            if self.objective > best_objective + tolerance:
                best_labels, best_objective = self.unit_labels(), self.objective
                stall = 0
            else:
                stall += 1
                if stall > stall_limit:
                    self._reset(best_labels)
                    self._shake(strength)
                    stall = 0
        return best_labels, iteration

    def _choose(self, gains: np.ndarray, moves: np.ndarray | None, iteration: int, to_beat: float):
        """The best step that is not tabu, or a tabu one that makes a grouping better than ``to_beat`` (aspiration)."""
        is_tabu = self.tabu_until > iteration
        step = self._best_step(
            np.where(is_tabu, -np.inf, gains), None if moves is None else np.where(is_tabu, -np.inf, moves)
        )
        if (
            self.objective + 2.0 * float(gains.max()) - 2.0 * self.problem.least_pair > to_beat
            and self.objective + self._gain_bound(gains, moves) > to_beat
        ):
            raw = self._best_step(gains, moves)
            if raw[0] > step[0] and self.objective + raw[0] > to_beat:
                step = raw
        return step
