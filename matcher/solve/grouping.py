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

import numpy as np
from scipy import sparse

from matcher._numerics import BLOCK_ROWS
from matcher._validation import check_budget, check_score_matrix

__all__ = ["Grouping", "InfeasibleError", "form_groups", "together_units"]

# Search parameters, as multiples of the number of units m (tuned on MDGPLIB n=120):
# a unit may not return to a group it left for tenure_lo*m + a random 0..tenure_span*m
# iterations; after stall*m iterations without a new best, the search restarts from
# the best grouping shaken by strength*m random steps.
_TUNING = {"tenure_lo": 0.05, "tenure_span": 0.1, "stall": 60.0, "strength": 0.25}


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
        anchor_list = _check_anchors(anchors, n)
        if len(anchor_list) >= len(lo):
            missing = sorted(set(range(len(lo))) - set(labels[anchor_list].tolist()))
            if missing:
                raise ValueError(f"anchors rule broken: group {missing[0]} has no anchor")
        pairs = _check_pairs(apart, n, "apart")
        broken = np.flatnonzero(labels[pairs[:, 0]] == labels[pairs[:, 1]])
        if broken.size:
            i, j = pairs[broken[0]].tolist()
            raise ValueError(f"apart rule broken: members {i} and {j} share group {labels[i]}")
        pairs = _check_pairs(together, n, "together")
        broken = np.flatnonzero(labels[pairs[:, 0]] != labels[pairs[:, 1]])
        if broken.size:
            i, j = pairs[broken[0]].tolist()
            raise ValueError(f"together rule broken: members {i} and {j} are in groups {labels[i]} and {labels[j]}")
        total = _make_grouping(d, labels, len(lo), 0).total
        if not math.isclose(total, self.total, rel_tol=1e-9, abs_tol=1e-9):
            raise ValueError(f"total is {self.total!r} but the groups add up to {total!r}")


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
    The search keeps the ``(units, g)`` matrix ``C`` of each unit's
    diversity to each group, so the gain of a move is ``C[u, b] - C[u, a]``
    and of a swap ``C[u, b] - C[u, a] + C[v, a] - C[v, b] - 2 d_uv``. The
    whole neighbourhood is scored with a few vectorised operations (units
    sit in slots ordered by group, so no gather or transpose of an
    ``(n, n)`` array is needed) and a step updates two columns of ``C`` in
    ``O(n)``; an iteration costs ``O(n^2)`` numpy work. Apart pairs carry a
    penalty larger than any total, so the search never keeps a grouping
    that breaks one; sizes and anchors are masked out of the neighbourhood.
    When the search stalls it restarts from the best grouping after a
    random shake-up, in the spirit of the iterated tabu and iterated maxima
    searches for the MDGP (Palubeckis et al. 2011; Lai & Hao 2016).

    Totals are sums of floats, exact up to rounding.

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
    rng = np.random.default_rng(seed)
    unit_labels, iterations = problem.construct(rng), 0
    out_of_time = deadline is not None and time.perf_counter() >= deadline
    if max_iterations != 0 and not out_of_time and problem.g > 1 and problem.m > 1:
        unit_labels, iterations = _TabuSearch(problem, unit_labels, rng).run(deadline, max_iterations)
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


def _make_grouping(d: np.ndarray, labels: np.ndarray, g: int, iterations: int) -> Grouping:
    labels = np.asarray(labels, dtype=np.int64)
    groups = [np.flatnonzero(labels == k) for k in range(g)]
    total = float(sum(d[np.ix_(members, members)].sum() for members in groups) / 2.0)
    return Grouping(labels=labels, groups=groups, total=total, iterations=int(iterations))


# --------------------------------------------------------------------------
# The problem on units (members merged by "together" rules)


class _Problem:
    """Members merged into units, the unit diversity matrix and the rules on units."""

    def __init__(self, d, lo, hi, anchors, apart, together):
        n = d.shape[0]
        self.lo, self.hi = lo, hi
        self.g = len(lo)
        apart = np.asarray(apart, dtype=np.int64).reshape(-1, 2)
        self.unit_of = together_units(n, together)
        m = int(self.unit_of.max()) + 1
        self.m = m
        self.weight = np.bincount(self.unit_of, minlength=m).astype(np.int64)
        if m < n:
            # Sum each unit's rows, then its columns, with a sparse (units, members) indicator.
            member = sparse.csr_matrix((np.ones(n), (self.unit_of, np.arange(n))), shape=(m, n))
            unit_d = np.asarray(member @ np.asarray(member @ d).T)
            unit_d = (unit_d + unit_d.T) / 2.0  # exactly symmetric, whatever the rounding
            np.fill_diagonal(unit_d, 0.0)
        else:
            unit_d = d  # already a private copy from the boundary check; never written to
        largest = int(self.weight.argmax())
        if self.weight[largest] > hi.max():
            members = np.flatnonzero(self.unit_of == largest).tolist()
            raise InfeasibleError(
                f"together rules join members {members} into one group of {self.weight[largest]}, "
                f"larger than the largest group allowed ({hi.max()})"
            )
        self.apart = None
        if len(apart):
            pairs = apart
            units = self.unit_of[pairs]
            same = np.flatnonzero(units[:, 0] == units[:, 1])
            if same.size:
                i, j = pairs[same[0]]
                raise InfeasibleError(
                    f"apart rule ({i}, {j}) breaks the together rules, which put both in one group"
                )
            self.apart = np.zeros((m, m), dtype=bool)
            self.apart[units[:, 0], units[:, 1]] = True
            self.apart[units[:, 1], units[:, 0]] = True
        self.alpha = np.bincount(self.unit_of[anchors], minlength=m).astype(np.int64) if anchors else np.zeros(m, np.int64)
        self.need_anchor = bool(anchors) and len(anchors) >= self.g
        if self.need_anchor and np.count_nonzero(self.alpha) < self.g:
            raise InfeasibleError(
                f"anchors rule: {len(anchors)} anchors for {self.g} groups, but the together rules "
                f"leave them in only {np.count_nonzero(self.alpha)} different groups"
            )
        # A penalty larger than any total keeps apart pairs out of every group the search keeps.
        self.big = 4.0 * (float((unit_d if unit_d.min() >= 0 else np.abs(unit_d)).sum()) + 1.0)
        self.D = unit_d
        self.W = unit_d
        if self.apart is not None:
            self.W = unit_d.copy()
            self.W[self.apart] -= self.big
        # Twice the working matrix in single precision, for scoring swaps fast;
        # the grouping's total is always kept from the double-precision C.
        self.W2 = self.W.astype(np.float32)
        self.W2 *= 2.0
        # The off-diagonal entries: the (m - 1) runs of m between diagonal ones, as a view.
        off = unit_d.reshape(-1)[1:].reshape(m - 1, m + 1)[:, :m]
        self.min_pair = float(off.min()) if m > 1 else 0.0

    def construct(self, rng) -> np.ndarray:
        """A grouping meeting every hard rule, built greedily; raise ``InfeasibleError`` if none found."""
        # Size, anchor and apart pruning keep the construction from backtracking much:
        # a few nodes per unit is plenty, and more only delays the fallbacks.
        limit = 2000 + 10 * self.m
        target = _target_sizes(self.lo, self.hi, len(self.unit_of))
        labels, _ = _construct(self, rng, use_apart=True, use_anchors=True, node_limit=limit, cap=target)
        if labels is not None:
            return labels
        labels, exhausted = _construct(self, rng, use_apart=True, use_anchors=True, node_limit=limit)
        if labels is not None:
            return labels
        # Find the first rule that cannot be met, to name it.
        how = "no grouping exists" if exhausted else "no grouping was found within the search limit"
        if self.m < len(self.unit_of):
            alone, sure = _construct(self, rng, use_apart=False, use_anchors=False, node_limit=limit)
            if alone is None:
                raise InfeasibleError(
                    f"together rules: the merged members do not fit the group sizes ({how if sure else 'no grouping was found within the search limit'})"
                )
        if self.need_anchor:
            alone, sure = _construct(self, rng, use_apart=False, use_anchors=True, node_limit=limit)
            if alone is None:
                raise InfeasibleError(
                    f"anchors rule: cannot place an anchor in every group with these sizes and together rules ({how if sure else 'no grouping was found within the search limit'})"
                )
        raise InfeasibleError(f"apart rules: {how} that keeps every apart pair in different groups")


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


def _construct(p: _Problem, rng, *, use_apart: bool, use_anchors: bool, node_limit: int, cap=None):
    """Greedy depth-first construction with backtracking.

    Units go, largest and most constrained first, to the feasible group with
    the highest mean diversity to its members (empty groups first, so every
    group gets a seed). Candidates that would leave the remaining units
    unable to fill the minimum sizes (``_Packing``) or the anchors are pruned.

    Returns ``(labels or None, exhausted)``: ``exhausted`` is True when the
    whole search tree was explored, so no grouping exists. ``cap`` replaces
    the maximum sizes (e.g. to aim at the best sizes).
    """
    m, g, w = p.m, p.g, p.weight
    hi = p.hi if cap is None else cap
    apart = p.apart if use_apart else None
    need_anchor = p.need_anchor and use_anchors
    has_anchor = p.alpha > 0
    degree = apart.sum(axis=1) if apart is not None else np.zeros(m, np.int64)
    order = rng.permutation(m)
    anchor_first = np.where(has_anchor[order], 0, 1) if need_anchor else np.zeros(m, np.int64)
    order = order[np.lexsort((-degree[order], -w[order], anchor_first))]

    labels = np.full(m, -1, dtype=np.int64)
    size = np.zeros(g, dtype=np.int64)
    anchored = np.zeros(g, dtype=np.int64)
    # Group-major, so placing a unit adds one contiguous row: C[k, v] is the
    # diversity of unit v to the members of group k.
    C = np.zeros((g, m))
    conflicts = np.zeros((g, m), dtype=np.int64) if apart is not None else None
    packing = _Packing(w, p.lo, hi)
    remaining = int(w.sum())
    anchor_units_left = int(np.count_nonzero(has_anchor))
    stack: list[list[int]] = []
    depth = nodes = 0

    def place(u: int, k: int, sign: int) -> None:
        nonlocal remaining, anchor_units_left
        labels[u] = k if sign > 0 else -1
        size[k] += sign * w[u]
        anchored[k] += sign * int(has_anchor[u])
        C[k] += sign * p.D[u]
        if conflicts is not None:
            conflicts[k] += sign * apart[u]
        packing.count(u, -sign)
        remaining -= sign * int(w[u])
        anchor_units_left -= sign * int(has_anchor[u])

    while depth < m:
        u = int(order[depth])
        if len(stack) == depth:
            wu = int(w[u])
            ok = size + wu <= hi
            if conflicts is not None:
                ok &= conflicts[:, u] == 0
            deficit = np.maximum(p.lo - size, 0)
            ok &= deficit.sum() - np.minimum(wu, deficit) <= remaining - wu
            if need_anchor:
                lacking = anchored == 0
                after = lacking.sum() - (lacking & bool(has_anchor[u]))
                ok &= after <= anchor_units_left - int(has_anchor[u])
            easy = packing.prune(u, size, remaining - wu, ok)
            cand = np.flatnonzero(ok)
            if cand.size:
                cand = cand[rng.permutation(cand.size)]
                score = np.where(size[cand] == 0, np.inf, C[cand, u] / np.maximum(size[cand], 1))
                if easy is None:
                    cand = cand[np.argsort(-score, kind="stable")]
                else:
                    cand = cand[np.lexsort((-score, ~easy[cand]))]
            stack.append(cand.tolist())
        else:
            place(u, int(labels[u]), -1)
        if not stack[depth]:
            stack.pop()
            depth -= 1
            if depth < 0:
                return None, True
            continue
        place(u, stack[depth].pop(0), +1)
        depth += 1
        nodes += 1
        if nodes > node_limit:
            return None, False
    return labels, False


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

    def __init__(self, weight: np.ndarray, lo: np.ndarray, hi: np.ndarray):
        self.values, self.kind = np.unique(weight, return_inverse=True)
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


class _TabuSearch:
    """Tabu search over moves and swaps of units, restarted from the best after a shake-up.

    The search keeps its units in *slots* ordered by group, so each group is a
    contiguous block of slots. Then the swap gains ``G[s, L[t]] + G[t, L[s]] - 2 W[s, t]``
    come from two ``np.repeat`` of the small gain matrix and one addition,
    without a gather or a transpose of an ``(m, m)`` array. A swap exchanges
    two slots (a row and a column of ``W``); a move walks one unit across
    block borders, ``O(m)`` per border crossed.
    """

    def __init__(self, p: _Problem, labels: np.ndarray, rng):
        self.p, self.rng = p, rng
        self.m, self.g = p.m, p.g
        self.rows = np.arange(p.m)
        self.weighted = bool((p.weight != 1).any())
        self.moves = self.weighted or bool((p.lo < p.hi).any())
        self.tabu = np.zeros((p.m, p.g), dtype=np.int64)
        self._reset(labels)

    def _reset(self, labels: np.ndarray) -> None:
        """Lay the units of grouping ``labels`` out in slots by group."""
        p = self.p
        self.unit = np.argsort(labels, kind="stable")
        self.L = labels[self.unit].copy()
        self.count = np.bincount(labels, minlength=self.g).astype(np.int64)
        self.start = np.concatenate(([0], np.cumsum(self.count)[:-1]))
        self.W2 = p.W2[np.ix_(self.unit, self.unit)]
        self.w = p.weight[self.unit]
        self.alpha = p.alpha[self.unit]
        # C[s, k] = sum of W[unit in slot s, v] over the units v of group k (W is symmetric).
        member = sparse.csr_matrix((np.ones(self.m), (labels, self.rows)), shape=(self.g, self.m))
        self.C = np.ascontiguousarray(np.asarray(member @ p.W).T[self.unit])
        self.size = np.bincount(labels, weights=p.weight, minlength=self.g).astype(np.int64)
        self.anchored = np.bincount(labels, weights=p.alpha, minlength=self.g).astype(np.int64)
        self.f = 0.5 * float(self.C[self.rows, self.L].sum())
        self.tabu.fill(0)

    def labels(self) -> np.ndarray:
        """The current grouping as unit labels."""
        labels = np.empty(self.m, dtype=np.int64)
        labels[self.unit] = self.L
        return labels

    # -- scoring the neighbourhood

    def _gains(self) -> np.ndarray:
        """``G[s, k]``: gain of moving the unit in slot ``s`` to group ``k``; ``-inf`` for its own."""
        own = self.C[self.rows, self.L]
        G = self.C - own[:, None]
        G[self.rows, self.L] = -np.inf
        return G

    def _swap_deltas(self, G: np.ndarray) -> np.ndarray:
        """Gain of swapping the units in each pair of slots; ``-inf`` where forbidden."""
        p, L, w, alpha = self.p, self.L, self.w, self.alpha
        G32 = G.astype(np.float32)
        delta = np.repeat(G32, self.count, axis=1)  # [s, t] = G[s, L[t]]
        delta += np.repeat(np.ascontiguousarray(G32.T), self.count, axis=0)  # [s, t] = G[t, L[s]]
        delta -= self.W2
        if self.weighted:
            # group L[s] receives w[t] and loses w[s]: does it stay within its bounds?
            free_lo = p.lo[L] - self.size[L] + w
            free_hi = p.hi[L] - self.size[L] + w
            bad = (w[None, :] < free_lo[:, None]) | (w[None, :] > free_hi[:, None])
            bad |= bad.T
            delta[bad] = -np.inf
        if p.need_anchor:
            need = 1 - (self.anchored[L] - alpha)
            rows = np.flatnonzero(need > 0)
            if rows.size:
                bad = alpha[None, :] < need[rows, None]
                sub = delta[rows]
                sub[bad] = -np.inf
                delta[rows] = sub
                subt = delta[:, rows]
                subt[bad.T] = -np.inf
                delta[:, rows] = subt
        return delta

    def _move_gains(self, G: np.ndarray) -> np.ndarray:
        """Gain of moving each unit to each group; ``-inf`` where forbidden."""
        p, L = self.p, self.L
        if self.weighted:
            ok_from = self.size[L] - self.w >= p.lo[L]
            ok_to = self.size[None, :] + self.w[:, None] <= p.hi[None, :]
        else:
            ok_from = (self.size > p.lo)[L]
            ok_to = (self.size < p.hi)[None, :]
        if p.need_anchor:
            ok_from &= self.anchored[L] - self.alpha >= 1
        return np.where(ok_from[:, None] & ok_to, G, -np.inf)

    def _best(self, G: np.ndarray, moves: np.ndarray | None):
        """Best (gain, kind, slot, slot_or_group) from gains ``G`` and move gains ``moves``."""
        delta = self._swap_deltas(G)
        flat = int(delta.argmax())
        best = (float(delta.flat[flat]), 0, flat // self.m, flat % self.m)
        if moves is not None:
            k = int(moves.argmax())
            if moves.flat[k] > best[0]:
                best = (float(moves.flat[k]), 1, k // self.g, k % self.g)
        return best

    def _bound(self, G: np.ndarray, moves: np.ndarray | None) -> float:
        """An upper bound on the gain of any step, tabu or not (for the aspiration test)."""
        best_from = np.maximum.reduceat(G, self.start, axis=0)  # [a, b]: best gain a -> b
        bound = float((best_from + best_from.T).max()) - 2.0 * self.p.min_pair
        if moves is not None:
            bound = max(bound, float(moves.max()))
        return bound

    # -- changing the grouping

    def _exchange(self, s: int, t: int) -> None:
        """Exchange the units in slots ``s`` and ``t`` (their groups are the slots')."""
        if s == t:
            return
        for vector in (self.w, self.alpha, self.unit):
            vector[s], vector[t] = vector[t], vector[s]
        for matrix in (self.C, self.tabu, self.W2):
            row = matrix[s].copy()
            matrix[s] = matrix[t]
            matrix[t] = row
        column = self.W2[:, s].copy()
        self.W2[:, s] = self.W2[:, t]
        self.W2[:, t] = column

    def _apply(self, kind: int, s: int, x: int, it: int, tenure: int) -> None:
        """Swap the units in slots ``s`` and ``x`` (kind 0) or move slot ``s`` to group ``x`` (kind 1)."""
        p, L, C = self.p, self.L, self.C
        a = int(L[s])
        us = int(self.unit[s])
        if kind == 0:
            b = int(L[x])
            ux = int(self.unit[x])
            self.f += float(C[s, b] - C[s, a] + C[x, a] - C[x, b] - 2.0 * p.W[us, ux])
            diff = p.W[self.unit, ux] - p.W[self.unit, us]
            C[:, a] += diff
            C[:, b] -= diff
            dw, dalpha = self.w[x] - self.w[s], self.alpha[x] - self.alpha[s]
            self.size[a] += dw
            self.size[b] -= dw
            self.anchored[a] += dalpha
            self.anchored[b] -= dalpha
            self.tabu[s, a] = it + tenure
            self.tabu[x, b] = it + tenure
            self._exchange(s, x)
            return
        self.f += float(C[s, x] - C[s, a])
        column = p.W[self.unit, us]
        C[:, a] -= column
        C[:, x] += column
        self.size[a] -= self.w[s]
        self.size[x] += self.w[s]
        self.anchored[a] -= self.alpha[s]
        self.anchored[x] += self.alpha[s]
        self.tabu[s, a] = it + tenure
        count, start = self.count, self.start
        if x > a:  # walk the unit right, one block border at a time
            edge = start[a] + count[a] - 1
            self._exchange(s, edge)
            s = edge
            for k in range(a + 1, x + 1):
                count[k - 1] -= 1
                count[k] += 1
                start[k] -= 1
                L[s] = k
                if k < x:
                    edge = start[k] + count[k] - 1
                    self._exchange(s, edge)
                    s = edge
        else:  # walk it left
            edge = start[a]
            self._exchange(s, edge)
            s = edge
            for k in range(a - 1, x - 1, -1):
                count[k + 1] -= 1
                count[k] += 1
                start[k + 1] += 1
                L[s] = k
                if k > x:
                    edge = start[k]
                    self._exchange(s, edge)
                    s = edge

    def _shake(self, strength: int) -> None:
        """Apply ``strength`` random feasible swaps or moves (a perturbation)."""
        limit = -self.p.big / 2
        for _ in range(strength):
            G = self._gains()
            delta = self._swap_deltas(G)
            options = np.flatnonzero(delta > limit)
            kind = 0
            if self.moves:
                moves = np.flatnonzero(self._move_gains(G) > limit)
                if moves.size and not options.size:
                    options, kind = moves, 1
            if not options.size:
                return
            pick = int(options[self.rng.integers(options.size)])
            width = self.m if kind == 0 else self.g
            self._apply(kind, pick // width, pick % width, 0, 0)

    # -- the search

    def run(self, deadline, max_iterations):
        p, rng = self.p, self.rng
        best_L, best_f = self.labels(), self.f
        if self.g == 1 or self.m == 1 or max_iterations == 0:
            return best_L, 0
        m = self.m
        tabu = self.tabu
        tenure_lo, tenure_span = max(2, int(m * _TUNING["tenure_lo"])), max(2, int(m * _TUNING["tenure_span"]))
        stall_limit = max(50, int(_TUNING["stall"] * m))
        strength = max(2, int(m * _TUNING["strength"]))
        eps = 1e-9 * max(1.0, abs(best_f))
        it = stall = 0
        limit = -p.big / 2
        while max_iterations is None or it < max_iterations:
            if deadline is not None and time.perf_counter() >= deadline:
                break
            it += 1
            G = self._gains()
            is_tabu = tabu > it
            moves = self._move_gains(G) if self.moves else None
            gain, kind, u, x = self._best(
                np.where(is_tabu, -np.inf, G), None if moves is None else np.where(is_tabu, -np.inf, moves)
            )
            # Aspiration: a tabu step that beats the best grouping is allowed.
            if (
                self.f + 2.0 * float(G.max()) - 2.0 * p.min_pair > best_f + eps
                and self.f + self._bound(G, moves) > best_f + eps
            ):
                raw = self._best(G, moves)
                if raw[0] > gain and self.f + raw[0] > best_f + eps:
                    gain, kind, u, x = raw
            if gain <= limit:
                if not np.isfinite(gain) and self._best(G, moves)[0] <= limit:
                    break  # no feasible neighbour at all
                continue
            self._apply(kind, u, x, it, tenure_lo + int(rng.integers(tenure_span)))
            if self.f > best_f + eps:
                best_L, best_f = self.labels(), self.f
                stall = 0
            else:
                stall += 1
                if stall > stall_limit:
                    self._reset(best_L)
                    self._shake(strength)
                    stall = 0
        return best_L, it
