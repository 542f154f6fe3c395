"""Peer skill swaps: maximum-weight matching on a general graph.

Each member is paired with at most one other member. The solver starts from
the *assignment relaxation*: on the symmetric matrix with a self-loop of value
0 (staying unpaired), the best permutation is worth at least twice the best
matching, because a matching read both ways is a permutation. Its cycles of
length 2 are pairs; even cycles split into pairs at no loss; only odd cycles
need repair. Dual potentials of the relaxation give ``y`` with
``y[i] + y[j] >= w[i, j]`` for every pair and ``y >= 0``, so ``sum(y)`` is a
proven upper bound on any matching (LP duality for fractional matchings).

Exact mode (up to ``exact_up_to`` members): with a feasible matching of value
``LB``, every matching better than ``LB`` uses only pairs whose reduced cost
``y[i] + y[j] - w[i, j]`` is below ``sum(y) - LB``; networkx solves that
small graph exactly, so the result is optimal.

Certified mode (larger rounds): the relaxation runs on a sparse graph of each
member's best candidates; every pass checks the dual over *all* pairs in row
blocks and adds the most violated pairs, until none is left (price and
resolve, as ``assign_mentors`` does). The converged relaxation is the
fractional-matching LP: its 2-cycles are kept as pairs, its odd cycles are
matched among themselves, and the region of small reduced cost around them
is solved exactly (which proves optimality when the region closes). No
``n x n`` array is made: weights and reduced costs come from the scores one
row block at a time, and a ``float32`` table is used as it is. The answer
carries the proven bound and gap.

Coverage priority (as many pairs as possible, then the highest total) is the
same problem on transformed weights ``w + c`` with a constant ``c`` so large
that one more pair always beats any difference in total. With an odd number
of members a dummy member, adjacent to everyone with base weight 0, absorbs
the odd one out so that the relaxation does not lose half a pair.

``check_pairing`` verifies any result against the scores without the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matcher._numerics import bellman_ford, row_blocks
from matcher._validation import (
    check_indices,
    check_index_pairs,
    check_priority,
    check_score_matrix,
    figures_hold,
    relative_gap,
)
from matcher.progress import Progress, report

#: Rounds up to this many members are solved exactly.
EXACT_UP_TO = 600
#: Candidates per member in the sparse relaxation of large rounds.
CANDIDATES_PER_MEMBER = 10
#: Largest leftover (odd-cycle) graph repaired exactly with networkx.
LEFTOVER_EXACT_UP_TO = 1500
#: Most members left open by a converged relaxation that are matched exactly on all their pairs.
LEFTOVER_COMPLETE_UP_TO = 300
#: Relative tolerance for symmetry and for float comparisons of potentials.
SYMMETRY_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class PeerPairing:
    """The result of :func:`pair_peers`, with its own proof of quality.

    Attributes
    ----------
    pairs : ndarray of int, shape (k, 2)
        Paired members (row indices of ``scores``), each row ``i < j``,
        sorted by ``i``.
    total : float
        Sum of ``scores[i, j]`` over the pairs.
    upper_bound : float
        Proven upper bound on the total of the best pairing for the same
        priority (``total`` itself when solved exactly). For coverage it bounds
        the pairings with the most pairs; ``inf`` if it could not be proven
        that no pairing has more pairs than this one.
    gap : float
        ``relative_gap(upper_bound, total)``: 0.0 when proven optimal.
    unpaired : ndarray of int
        Members left without a partner, ascending.
    trio : tuple of int or None
        When exactly one member is unpaired (the odd one out of a round),
        ``(i, j, k)``: the pair ``(i, j)`` that member ``k`` adds most to
        (``best_trio_for``), so the round can make it a trio; ``None``
        otherwise, or when no pair can take them. ``total`` and the bound
        count pairs only.
    """

    pairs: np.ndarray
    total: float
    upper_bound: float
    gap: float
    unpaired: np.ndarray
    trio: tuple[int, int, int] | None = None

    @property
    def proven_optimal(self) -> bool:
        """True when the bound shows no better pairing exists."""
        return self.gap == 0.0


def pair_peers(scores, *, priority: str = "coverage", exact_up_to: int = EXACT_UP_TO,
               progress: Progress | None = None) -> PeerPairing:
    """Pair members so that the sum of pair scores is as high as possible.

    Solves the maximum-weight matching problem on a general graph:
    maximise ``sum(scores[i, j] for (i, j) in pairs)`` where every member is
    in at most one pair and no pair has score ``-inf``.

    Parameters
    ----------
    scores : array_like, shape (n, n)
        Symmetric pair scores, higher is better, ``-inf`` for a forbidden
        pair. The diagonal is ignored.
    priority : {"coverage", "score"}
        ``"coverage"``: as many pairs as possible, then the highest total
        (networkx's ``maxcardinality=True``). ``"score"``: the highest total;
        pairs with a score of 0 or less are never made.
    exact_up_to : int
        Rounds with at most this many members are solved exactly; larger
        ones get a fast solution with a certified bound.
    progress : callable, optional
        ``progress(phase, fraction)``, called on entering ``"solving"`` and
        ``"certifying"`` (see ``matcher.progress``); it may raise to stop the solve.

    Returns
    -------
    PeerPairing
        Pairs, total, proven upper bound, relative gap and unpaired members.

    Raises
    ------
    ValueError
        If ``scores`` is not a square matrix, is asymmetric beyond 1e-9,
        holds NaN or ``+inf``, or ``priority`` is unknown.

    Notes
    -----
    The relaxation is a linear assignment problem (``linear_sum_assignment``
    for exact rounds, the sparse ``min_weight_full_bipartite_matching`` over
    ``CANDIDATES_PER_MEMBER`` best candidates for large ones). Its potentials
    come from a vectorised Bellman-Ford pass on the residual graph; the
    resulting dual bound is verified against every pair of the full matrix,
    so it holds whatever the candidate graph missed. Exact rounds then run
    networkx on the pairs whose reduced cost could still matter, which is
    typically a few edges per member. Certified rounds price and resolve
    until no pair is violated (at most ``PRICING_PASSES``), keep the pairs the
    relaxation decides, match its odd cycles, then re-solve with networkx the
    region of reduced cost below the slack around them (at most
    ``REGION_PAIRS`` pairs): if that region closes, the answer is optimal. Totals are floats: ties may be broken
    differently from networkx and totals agree up to rounding.

    Complexity: an exact round costs ``O(n^3)`` at worst (the dense
    assignment, then the blossom algorithm [1]_ [2]_ that networkx runs in
    ``O(V^3)`` on the pruned graph), typically far less since that graph has
    a few edges per member; a certified round costs a few ``O(n^2)`` passes
    over the scores in row blocks per pricing pass plus a sparse assignment
    on ``O(CANDIDATES_PER_MEMBER * n)`` edges. Memory: exact rounds make the
    ``O(n^2)`` transformed weights; certified rounds need ``O(n)`` per row
    block and the candidate pairs beside the caller's table (pass a
    ``float32`` table to halve it).

    References
    ----------
    .. [1] Edmonds, J. "Paths, trees, and flowers", Canadian Journal of
       Mathematics, 17, 449-467, 1965.
    .. [2] Galil, Z. "Efficient algorithms for finding maximum matching in
       graphs", ACM Computing Surveys, 18(1), 23-38, 1986.

    Examples
    --------
    >>> result = pair_peers([[0, 5, 1], [5, 0, 2], [1, 2, 0]])
    >>> result.pairs.tolist(), result.total, result.unpaired.tolist()
    ([[0, 1]], 5.0, [2])
    >>> result.upper_bound, result.gap
    (5.0, 0.0)
    >>> result.trio  # member 2, the odd one out, would join pair (0, 1)
    (0, 1, 2)
    """
    matrix = _check_symmetric_scores(scores)
    priority = check_priority(priority)
    dense = matrix.shape[0] + 1 <= exact_up_to
    problem = _Problem.build(matrix, priority, dense=dense)
    report(progress, "solving", 0.0)
    if problem.size <= 1:
        mate, bound = np.full(problem.size, -1), np.nan
    elif problem.size <= exact_up_to:
        mate, bound = _solve_exact(problem.dense())
    else:
        mate, bound = _solve_converged(problem)
    report(progress, "certifying", 0.5)
    result = _result(problem, mate, bound)
    if priority == "coverage" and problem.size > exact_up_to and not np.isfinite(result.upper_bound):
        del problem  # the score-first solve below makes its own weights
        result = _better_of_equal_coverage(result, pair_peers(matrix, priority="score", exact_up_to=exact_up_to))
    return _with_trio(matrix, result)


def _with_trio(scores: np.ndarray, result: PeerPairing) -> PeerPairing:
    """``result`` with the odd one out's best trio, when exactly one member is unpaired."""
    if len(result.unpaired) != 1 or not len(result.pairs):
        return result
    leftover = int(result.unpaired[0])
    pair = best_trio_for(leftover, result.pairs, scores)
    if pair is None:
        return result
    return replace(result, trio=(*pair, leftover))


def _legacy_pair_peers(scores, *, priority: str = "coverage", exact_up_to: int = EXACT_UP_TO) -> PeerPairing:
    """``pair_peers`` as it was before the converged certified mode (kept for the benchmarks).

    Two passes of the sparse relaxation on dense ``float64`` weights, then the
    score-first solve to tighten a coverage-first bound.
    """
    matrix = check_score_matrix(scores, square=True)
    priority = check_priority(priority)
    problem = _Problem.build(matrix, priority, dense=True)
    if problem.size <= exact_up_to:
        return pair_peers(matrix, priority=priority, exact_up_to=exact_up_to)
    result = _result(problem, *_solve_certified(problem))
    if priority == "coverage":
        del problem
        result = _better_of_equal_coverage(result, _legacy_pair_peers(matrix, priority="score", exact_up_to=exact_up_to))
    return result


def _better_of_equal_coverage(coverage: PeerPairing, by_score: PeerPairing) -> PeerPairing:
    """Tighten a large coverage-first answer with the score-first one.

    The score-first bound caps every pairing's total, so it also caps the
    coverage-first optimum; and when the score-first pairing pairs as many
    members, it is an equally covering answer with a higher total.
    """
    upper = min(coverage.upper_bound, by_score.upper_bound)
    best = by_score if len(by_score.pairs) == len(coverage.pairs) and by_score.total > coverage.total else coverage
    upper = max(upper, best.total)
    return PeerPairing(best.pairs, best.total, upper, relative_gap(upper, best.total), best.unpaired)


def best_trio_for(leftover: int, pairs, scores) -> tuple[int, int] | None:
    """The pair that the odd one out adds most to, or ``None`` if none can take them.

    The gain of joining pair ``(i, j)`` is ``scores[leftover, i] +
    scores[leftover, j]``; a pair where either score is ``-inf`` cannot
    take the member. Ties go to the first such pair. ``plan_groups`` makes
    its odd buddy of a value into a trio with it.

    Parameters
    ----------
    leftover : int
        Index of the member without a partner.
    pairs : array_like of int, shape (k, 2)
        The pairs of the round (e.g. ``PeerPairing.pairs``).
    scores : array_like, shape (n, n)
        The score matrix the pairs were made from.

    Returns
    -------
    tuple of int or None
        The chosen pair ``(i, j)``.

    Examples
    --------
    >>> s = [[0, 9, 1, 1, 3], [9, 0, 1, 1, 3], [1, 1, 0, 9, 0], [1, 1, 9, 0, 1],
    ...      [3, 3, 0, 1, 0]]
    >>> best_trio_for(4, [[0, 1], [2, 3]], s)
    (0, 1)
    """
    matrix = check_score_matrix(scores, square=True, keep_float32=True)
    pair_array = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    n = matrix.shape[0]
    if not 0 <= leftover < n:
        raise ValueError(f"expected leftover as a member index 0-{n - 1}, got {leftover!r}")
    if pair_array.size and (pair_array.min() < 0 or pair_array.max() >= n):
        raise ValueError(f"expected pairs of member indices 0-{n - 1}, got {pair_array.tolist()!r}")
    open_pairs = (pair_array != leftover).all(axis=1)
    candidates = pair_array[open_pairs]
    if not len(candidates):
        return None
    gains = matrix[leftover, candidates[:, 0]].astype(float) + matrix[leftover, candidates[:, 1]]
    best = int(np.argmax(gains))
    if not np.isfinite(gains[best]):
        return None
    i, j = candidates[best]
    return (int(i), int(j))


def check_pairing(scores, result: PeerPairing) -> bool:
    """Whether ``result`` is a valid pairing for ``scores``, with true figures.

    Checks the result independently of the solver: every member is in at
    most one pair, nobody is paired with themself, no pair is forbidden
    (``-inf``), ``unpaired`` lists exactly the other members, ``total`` is
    the sum of the pairs' scores, ``upper_bound`` is not below it and
    ``gap`` is ``(upper_bound - total) / max(|upper_bound|, 1)``, and a
    ``trio`` is one of the pairs with the only unpaired member. Whether
    the bound is *true* is not checked here: it is a proof only the
    solver's duals carry (the tests check it against networkx).

    Parameters
    ----------
    scores : array_like, shape (n, n)
        The symmetric scores, as given to ``pair_peers``.
    result : PeerPairing
        The answer to check.

    Returns
    -------
    bool
        True if ``result`` passes every check, False if it breaks one.

    Raises
    ------
    ValueError
        For malformed input, as ``pair_peers`` would raise it: scores that
        are not a symmetric square matrix, a ``result`` that is not a
        ``PeerPairing``, or pairs or unpaired members that are not integer
        indices into ``scores``. Like networkx's ``is_matching``: a
        well-formed answer that is wrong returns False, a malformed one raises.

    Examples
    --------
    >>> scores = [[0, 5, 1], [5, 0, 2], [1, 2, 0]]
    >>> check_pairing(scores, pair_peers(scores))
    True
    >>> shared = PeerPairing(np.array([[0, 1], [1, 2]]), 7.0, 7.0, 0.0, np.array([], dtype=int))
    >>> check_pairing(scores, shared)  # member 1 is in two pairs
    False
    """
    matrix = _check_symmetric_scores(scores)
    if not isinstance(result, PeerPairing):
        raise ValueError(f"expected a PeerPairing, got a {type(result).__name__}")
    n = matrix.shape[0]
    pairs = check_index_pairs(result.pairs, matrix.shape, "pairs of members")
    unpaired = check_indices(result.unpaired, n, "unpaired members")
    members = pairs.ravel()
    values = matrix[pairs[:, 0], pairs[:, 1]].astype(float)
    if result.trio is not None and not _trio_holds(matrix, pairs, unpaired, result.trio):
        return False
    return bool(
        np.unique(members).size == members.size  # also rules out a member paired with themself
        and np.isfinite(values).all()
        and sorted(members.tolist() + unpaired.tolist()) == list(range(n))
        and figures_hold(result.total, result.upper_bound, result.gap, float(values.sum()))
    )


def _trio_holds(matrix: np.ndarray, pairs: np.ndarray, unpaired: np.ndarray, trio) -> bool:
    """The trio is one of the pairs plus the only unpaired member, with no forbidden pair."""
    i, j, k = (int(x) for x in trio)
    n = matrix.shape[0]
    if not all(0 <= x < n for x in (i, j, k)):
        raise ValueError(f"expected a trio of member indices 0-{n - 1}, got {tuple(trio)!r}")
    return (
        unpaired.tolist() == [k]
        and [i, j] in pairs.tolist()
        and bool(np.isfinite(matrix[k, i]) and np.isfinite(matrix[k, j]))
    )


# --------------------------------------------------------------------------- #
# Validation


def _check_symmetric_scores(scores) -> np.ndarray:
    """The shared matrix checks plus symmetry, checked in square tiles (``float32`` is kept as it is)."""
    matrix = check_score_matrix(scores, square=True, keep_float32=True)
    n = matrix.shape[0]
    for start, stop in row_blocks(n):
        for left, right in row_blocks(n):
            if left < start:
                continue
            rows = matrix[start:stop, left:right]
            cols = matrix[left:right, start:stop].T
            unequal = np.argwhere(rows != cols)
            if not len(unequal):
                continue
            i, j = unequal[:, 0], unequal[:, 1]
            bad = np.flatnonzero(_differ(rows[i, j].astype(float), cols[i, j].astype(float)))
            if len(bad):
                i, j = int(i[bad[0]]) + start, int(j[bad[0]]) + left
                raise ValueError(
                    f"expected symmetric scores (scores[i, j] == scores[j, i] within "
                    f"{SYMMETRY_TOLERANCE:g}), got scores[{i}, {j}]={float(matrix[i, j])!r} "
                    f"but scores[{j}, {i}]={float(matrix[j, i])!r}"
                )
    return matrix


def _differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    both = finite_a & finite_b
    a, b = np.where(both, a, 0.0), np.where(both, b, 0.0)
    scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    return (finite_a != finite_b) | (np.abs(a - b) > SYMMETRY_TOLERANCE * scale)


# --------------------------------------------------------------------------- #
# The transformed problem


@dataclass(frozen=True, eq=False)
class _Problem:
    """Edge weights ``w'`` on ``size`` vertices (maybe one dummy), ``-inf`` = no edge.

    ``weights``, when made (:meth:`dense`, small rounds), has a ``-inf``
    diagonal; the relaxation adds self-loops of 0. A real pair's ``w'`` is
    its score plus ``offset``; a dummy edge is ``offset``. Large rounds keep
    ``weights`` as ``None`` and make rows of it on demand (``_weight_rows``).
    """

    scores: np.ndarray
    weights: np.ndarray | None
    offset: float
    lightest: float
    largest: float
    has_dummy: bool
    priority: str

    @property
    def size(self) -> int:
        return self.members + int(self.has_dummy)

    @property
    def members(self) -> int:
        return self.scores.shape[0]

    @classmethod
    def build(cls, scores: np.ndarray, priority: str, *, dense: bool = True) -> "_Problem":
        lo, hi = _score_range(scores, priority)
        n = scores.shape[0]
        offset, lightest = _coverage_offset(n, lo, hi) if priority == "coverage" else (0.0, 0.0)
        has_dummy = priority == "coverage" and n % 2 == 1
        problem = cls(scores, None, offset, lightest, max(abs(lo), abs(hi)), has_dummy, priority)
        return problem.dense() if dense else problem

    def dense(self) -> "_Problem":
        """The same problem with its ``(size, size)`` weights made."""
        if self.weights is not None:
            return self
        weights = np.empty((self.size, self.size))
        for start, stop in row_blocks(self.size):
            weights[start:stop] = _weight_rows(self, start, stop)
        return _Problem(self.scores, weights, self.offset, self.lightest, self.largest,
                        self.has_dummy, self.priority)


def _score_range(scores: np.ndarray, priority: str) -> tuple[float, float]:
    """Lowest and highest usable score, 0 included, in row blocks.

    The diagonal is counted too: a wider range only makes the coverage
    offset larger, which keeps it valid.
    """
    lo, hi = 0.0, 0.0
    for start, stop in row_blocks(scores.shape[0]):
        block = scores[start:stop]
        hi = max(hi, float(block.max(initial=-np.inf)))
        if priority == "coverage":
            lo = min(lo, float(np.min(block, where=block > -np.inf, initial=np.inf)))
    return lo, hi


def _coverage_offset(n: int, lo: float, hi: float) -> tuple[float, float]:
    """A constant ``c`` so that one more pair outweighs any difference in total.

    With every base weight in ``[lo, hi]`` (0 included for the dummy), a
    pairing with ``m + 1`` pairs beats one with ``m`` if ``c + lo > m (hi - lo)``;
    twice that margin also lets a fractional relaxation certify the count.
    Returns ``c`` and the lightest transformed edge ``c + lo``.
    """
    offset = 2.0 * (n + 2) * (hi - lo + 1.0) + 1.0 - lo
    return offset, offset + lo


# --------------------------------------------------------------------------- #
# Exact mode


def _solve_exact(problem: _Problem) -> tuple[np.ndarray, float]:
    relaxation = _relaxation_matrix(problem.weights)
    _, sigma = linear_sum_assignment(relaxation, maximize=True)
    potentials = _dense_potentials(relaxation, sigma)
    y = _feasible_dual(problem.weights, potentials)
    mate = _repair(problem, sigma, y)
    lower = _matching_value(problem, mate)
    upper = float(y.sum())
    slack = upper - lower
    if slack > _tolerance(problem, upper):
        mate = _solve_pruned(problem, y, slack, mate)
    return mate, np.nan


def _relaxation_matrix(weights: np.ndarray) -> np.ndarray:
    relaxation = weights.copy()
    np.fill_diagonal(relaxation, 0.0)
    return relaxation


def _dense_potentials(relaxation: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Symmetric potentials ``(u + v) / 2`` of an optimal assignment (dense).

    Column potentials ``v`` are longest-path distances in the residual graph
    (an arc from column ``sigma[i]`` to column ``j`` of length
    ``A[i, j] - A[i, sigma[i]]``), found by vectorised Bellman-Ford.
    """
    n = len(sigma)
    rows = np.arange(n)
    assigned = relaxation[rows, sigma]
    v = np.zeros(n)
    tol = _float_slack(assigned)
    for _ in range(n + 1):
        reach = (v[sigma] - assigned)[:, None] + relaxation
        best = reach.max(axis=0)
        if not (best > v + tol).any():
            break
        v = np.maximum(v, best)
    u = np.empty(n)
    u[rows] = assigned - v[sigma]
    return (u + v) / 2.0


def _float_slack(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    scale = float(np.abs(finite).max()) if finite.size else 1.0
    return 1e-12 * max(scale, 1.0) * max(len(values), 1)


def _feasible_dual(weights: np.ndarray, y: np.ndarray, collect: bool = False):
    """Raise ``y`` until ``y >= 0`` and ``y[i] + y[j] >= w[i, j]`` holds for every pair.

    ``y[i] += max(0, max_j (w[i, j] - y[i] - y[j]))`` suffices because the
    raises are non-negative; the scan runs over all pairs in row blocks.
    With ``collect``, also return the most violated pairs ``(rows, cols)``
    (up to ``CANDIDATES_PER_MEMBER`` per member) to add to a sparse relaxation.
    """
    y = np.maximum(y, 0.0)
    raise_by = np.zeros_like(y)
    found_rows, found_cols = [], []
    for start, stop in row_blocks(len(y)):
        block = weights[start:stop]
        excess = block - y[start:stop, None] - y[None, :]
        raise_by[start:stop] = np.maximum(excess.max(axis=1, initial=-np.inf), 0.0)
        if collect:
            i, j = _most_violated(excess, CANDIDATES_PER_MEMBER * len(block))
            found_rows.append(i + start)
            found_cols.append(j)
    if not collect:
        return y + raise_by
    empty = [np.zeros(0, dtype=np.int64)]
    return y + raise_by, (np.concatenate(found_rows + empty), np.concatenate(found_cols + empty))


def _most_violated(excess: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    i, j = np.nonzero(excess > 0)
    if len(i) > limit:
        keep = np.argpartition(excess[i, j], len(i) - limit)[len(i) - limit :]
        i, j = i[keep], j[keep]
    return i, j


def _solve_pruned(problem: _Problem, y: np.ndarray, slack: float, mate: np.ndarray) -> np.ndarray:
    """Exact optimum by solving on pairs of small reduced cost.

    A matching that uses a pair of reduced cost ``>= t`` is worth at most
    ``sum(y) - t``. So solve exactly on the pairs below ``t``; once the best
    found is worth at least ``sum(y) - t`` it is optimal, else retry with
    ``t = sum(y) - best``, which settles it. ``t`` starts small (a few pairs
    per member) because networkx is fast on sparse graphs.
    """
    weights = problem.weights
    upper_bound = float(y.sum())
    i, j = np.nonzero(np.triu(np.isfinite(weights), k=1))
    reduced = y[i] + y[j] - weights[i, j]
    threshold = min(slack, _sparse_threshold(reduced, len(y)))
    best, best_value = mate, _matching_value(problem, mate)
    tolerance = _tolerance(problem, upper_bound)
    while True:
        keep = reduced < threshold + tolerance
        graph = nx.Graph()
        graph.add_weighted_edges_from(zip(i[keep].tolist(), j[keep].tolist(), weights[i[keep], j[keep]].tolist()))
        found = _mate_from_pairs(len(mate), nx.max_weight_matching(graph))
        if _matching_value(problem, found) >= best_value:
            best, best_value = found, _matching_value(problem, found)
        if best_value >= upper_bound - threshold - tolerance or keep.all():
            return best
        threshold = upper_bound - best_value


def _sparse_threshold(reduced: np.ndarray, vertices: int, per_vertex: int = 4) -> float:
    """A reduced-cost cut keeping about ``per_vertex`` pairs per member."""
    wanted = per_vertex * vertices
    if wanted >= len(reduced):
        return np.inf
    return float(np.partition(reduced, wanted)[wanted])


def _tolerance(problem: _Problem, upper: float) -> float:
    return 1e-9 * max(abs(upper), 1.0)


# --------------------------------------------------------------------------- #
# Certified mode


def _solve_certified(problem: _Problem) -> tuple[np.ndarray, float]:
    """Sparse relaxation, verified over all pairs; one more pass with the violated pairs."""
    weights = problem.weights
    rows, cols = _candidate_edges(weights, CANDIDATES_PER_MEMBER)
    sigma, y = _sparse_relaxation(weights, rows, cols)
    dual, (extra_rows, extra_cols) = _feasible_dual(weights, y, collect=True)
    if dual.sum() - y.sum() > _tolerance(problem, float(y.sum())) and len(extra_rows):
        rows, cols = _symmetric_union(rows, cols, extra_rows, extra_cols)
        sigma, y = _sparse_relaxation(weights, rows, cols)
        dual = _feasible_dual(weights, y)
    mate = _repair(problem, sigma, dual)
    return mate, float(dual.sum())


def _candidate_edges(weights: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each vertex's ``k`` heaviest edges, made symmetric."""
    n = weights.shape[0]
    k = min(k, n - 1)
    found_rows, found_cols = [], []
    for start, stop in row_blocks(n):
        block = weights[start:stop]
        top = np.argpartition(block, n - k, axis=1)[:, n - k :]
        local = np.repeat(np.arange(start, stop), k)
        flat = top.ravel()
        finite = np.isfinite(weights[local, flat])
        found_rows.append(local[finite])
        found_cols.append(flat[finite])
    rows, cols = np.concatenate(found_rows), np.concatenate(found_cols)
    return _symmetric_union(rows, cols, cols, rows)


def _symmetric_union(rows, cols, more_rows, more_cols):
    """Distinct edges of both lists, each in both directions."""
    all_rows = np.concatenate([rows, more_rows, cols, more_cols]).astype(np.int64)
    all_cols = np.concatenate([cols, more_cols, rows, more_rows]).astype(np.int64)
    base = int(max(all_rows.max(initial=0), all_cols.max(initial=0))) + 1
    keys = np.unique(all_rows * base + all_cols)
    return keys // base, keys % base


def _sparse_relaxation(weights: np.ndarray, rows: np.ndarray, cols: np.ndarray):
    """Optimal assignment on candidate edges plus self-loops, and its potentials."""
    n = weights.shape[0]
    diagonal = np.arange(n)
    arc_rows = np.concatenate([rows, diagonal])
    arc_cols = np.concatenate([cols, diagonal])
    values = np.concatenate([weights[rows, cols], np.zeros(n)])
    graph = csr_matrix((_integral_positive(values), (arc_rows, arc_cols)), shape=(n, n))
    _, sigma = min_weight_full_bipartite_matching(graph, maximize=True)
    y = _sparse_potentials(arc_rows, arc_cols, values, sigma)
    return sigma, y


def _integral_positive(values: np.ndarray) -> np.ndarray:
    """Values rounded onto an integer grid of 2**36 steps, all >= 1.

    LAPJVsp can loop forever on float rounding (scipy gh-17269); integral
    weights keep its arithmetic exact. Rounding only affects which
    assignment seeds the search: the bound is re-verified on the true scores.
    """
    low, high = float(values.min()), float(values.max())
    step = max(high - low, 1e-300) / 2.0**36
    return np.round((values - low) / step) + 1.0


def _sparse_potentials(arc_rows, arc_cols, values, sigma) -> np.ndarray:
    """Symmetric potentials of an optimal sparse assignment (see ``_dense_potentials``).

    The column potentials are longest paths from every column (all start at
    0), found as shortest paths on negated lengths.
    """
    n = len(sigma)
    assigned = np.full(n, -np.inf)
    on_sigma = sigma[arc_rows] == arc_cols
    assigned[arc_rows[on_sigma]] = values[on_sigma]
    length = values - assigned[arc_rows]
    v = -bellman_ford(sigma[arc_rows], arc_cols, -length, np.zeros(n), tolerance=_float_slack(values))
    u = assigned - v[sigma]
    return (u + v) / 2.0


# --------------------------------------------------------------------------- #
# Certified mode, converged: price and resolve until no pair is violated


#: Most price-and-resolve passes of a certified round (each adds the most violated pairs).
PRICING_PASSES = 60
#: Most pairs of small reduced cost in the region that the final exact solve re-matches.
REGION_PAIRS = 1500
#: Most pairs of small reduced cost kept per member when looking for the region.
REDUCED_PER_MEMBER = 64
#: Pricing stops when the dual repair it would still need is below this share of the bound.
PRICING_SHARE = 1e-5


def _solve_converged(problem: _Problem) -> tuple[np.ndarray, float]:
    """Price and resolve the sparse relaxation until the dual holds for every pair.

    Each pass solves the assignment relaxation on the candidate pairs, then
    scans all pairs in row blocks and adds the most violated ones. When none
    is left the sparse optimum is the optimum of the whole relaxation (the
    fractional-matching LP), and ``sum(y)`` is its value. The matching keeps
    the pairs the relaxation decides (its 2-cycles, and even cycles split);
    :func:`_improve_near_odd_cycles` then solves exactly the region around
    what the relaxation left undecided (its odd cycles).
    Never holds an ``n x n`` array: weights are made block by block.
    """
    rows, cols = _candidate_edges_blocks(problem, CANDIDATES_PER_MEMBER)
    tolerance = _pricing_tolerance(problem)
    for _ in range(PRICING_PASSES):
        sigma, y = _sparse_relaxation_edges(problem, rows, cols)
        dual, (extra_rows, extra_cols) = _priced_dual(problem, y, tolerance)
        known = len(rows)
        rows, cols = _symmetric_union(rows, cols, extra_rows, extra_cols)
        if len(rows) == known or dual.sum() - y.sum() <= PRICING_SHARE * _score_scale(problem, dual):
            break  # only rounding is left, or too little to matter
    mate = _repair_sparse(problem, sigma)
    _match_open(problem, mate, rows, cols)
    mate, proven = _improve_near_odd_cycles(problem, dual, mate)
    return mate, (np.nan if proven else float(dual.sum()))


def _score_scale(problem: _Problem, y: np.ndarray) -> float:
    """About the bound in score units: ``sum(y)`` less the offsets of a full matching."""
    return max(abs(float(y.sum()) - problem.offset * (problem.size // 2)), 1.0)


def _pricing_tolerance(problem: _Problem) -> float:
    """Excess below which a pair counts as satisfied: float rounding of the weights."""
    scale = abs(problem.offset) + abs(problem.largest) + 1.0
    return 1e-10 * scale


def _weight_rows(problem: _Problem, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of the transformed weights ``w'`` (float64, a new block)."""
    n, size = problem.members, problem.size
    real_stop = min(stop, n)
    block = np.full((stop - start, size), -np.inf)
    if real_stop > start:
        part = block[: real_stop - start, :n]
        part[:] = problem.scores[start:real_stop]
        if problem.priority == "score":
            part[part <= 0] = -np.inf
        part += problem.offset
        local = np.arange(real_stop - start)
        part[local, local + start] = -np.inf
        if problem.has_dummy:
            block[: real_stop - start, n] = problem.offset
    if stop > n:  # the dummy's row
        block[n - start, :n] = problem.offset
    return block


def _edge_weights(problem: _Problem, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``w'[i, j]`` for edge lists (``-inf`` for no edge)."""
    n = problem.members
    out = np.full(len(i), -np.inf)
    real = (i < n) & (j < n) & (i != j)
    values = np.asarray(problem.scores[i[real], j[real]], dtype=float)
    allowed = values > 0 if problem.priority == "score" else np.isfinite(values)
    out[real] = np.where(allowed, values + problem.offset, -np.inf)
    if problem.has_dummy:
        out[(i != j) & ((i == n) | (j == n))] = problem.offset
    return out


def _excess_blocks(problem: _Problem, y: np.ndarray):
    """``(start, stop, excess)`` with ``excess[r, j] = w'[start + r, j] - y[start + r] - y[j]`` over real members.

    Computed straight from the scores, in their own precision, as
    ``scores - (y - offset / 2)`` on both sides, so no weights are made; a
    pair not allowed in score priority (score <= 0) has excess <= 0 anyway
    since ``y >= 0``. The dummy's edges are ``_dummy_excess``.
    """
    n = problem.members
    shifted = (y[:n] - problem.offset / 2.0).astype(problem.scores.dtype)
    for start, stop in row_blocks(n):
        block = problem.scores[start:stop] - shifted[start:stop, None]
        block -= shifted[None, :]
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        yield start, stop, block


def _dummy_excess(problem: _Problem, y: np.ndarray) -> np.ndarray:
    """Excess ``offset - y[i] - y[dummy]`` of each real member's edge to the dummy (empty without one)."""
    n = problem.members
    return problem.offset - y[:n] - y[n] if problem.has_dummy else np.zeros(0)


def _rounding_margin(problem: _Problem, y: np.ndarray) -> float:
    """A bound on the rounding error of an excess from ``_excess_blocks`` (``float32`` scores round more)."""
    shifted = np.abs(y[: problem.members] - problem.offset / 2.0).max(initial=0.0)
    rounding = 4.0 * float(np.finfo(problem.scores.dtype).eps) * (problem.largest + 2.0 * shifted + 1.0)
    return rounding + SYMMETRY_TOLERANCE * max(problem.largest, 1.0)  # scores may differ that much both ways


def _candidate_edges_blocks(problem: _Problem, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each vertex's ``k`` heaviest edges, made symmetric (block by block)."""
    size = problem.size
    k = min(k, size - 1)
    found_rows, found_cols = [], []
    n = problem.members
    k_real = min(k, n - 1)
    best = np.full(n, -np.inf)
    for start, stop in row_blocks(n):
        block = np.array(problem.scores[start:stop], dtype=float)
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        if problem.priority == "score":
            block[block <= 0] = -np.inf
        top = np.argpartition(block, n - k_real, axis=1)[:, n - k_real :] if k_real else block[:, :0].astype(int)
        local = np.repeat(np.arange(stop - start), k_real)
        flat = top.ravel()
        finite = np.isfinite(block[local, flat])
        best[start:stop] = block.max(axis=1)
        found_rows.append(local[finite] + start)
        found_cols.append(flat[finite])
    if problem.has_dummy:  # the dummy starts beside the members with the weakest best pairs
        weakest = np.argsort(best, kind="stable")[:k]
        found_rows.append(weakest)
        found_cols.append(np.full(len(weakest), n))
    rows, cols = np.concatenate(found_rows), np.concatenate(found_cols)
    return _symmetric_union(rows, cols, cols, rows)


def _sparse_relaxation_edges(problem: _Problem, rows: np.ndarray, cols: np.ndarray):
    """``_sparse_relaxation`` with the weights of the candidate edges made on demand."""
    n = problem.size
    diagonal = np.arange(n)
    arc_rows = np.concatenate([rows, diagonal])
    arc_cols = np.concatenate([cols, diagonal])
    values = np.concatenate([_edge_weights(problem, rows, cols), np.zeros(n)])
    graph = csr_matrix((_integral_positive(values), (arc_rows, arc_cols)), shape=(n, n))
    _, sigma = min_weight_full_bipartite_matching(graph, maximize=True)
    y = _sparse_potentials(arc_rows, arc_cols, values, sigma)
    return sigma, y


def _priced_dual(problem: _Problem, y: np.ndarray, tolerance: float):
    """A feasible dual from ``y`` (checked over all pairs in blocks), and the pairs violated by more than ``tolerance``.

    As ``_feasible_dual``, but each member is raised by half its row's
    largest excess: both ends of a pair are raised, so the halves add up.
    """
    y = np.maximum(y, 0.0)
    raise_by = np.zeros_like(y)
    margin = _rounding_margin(problem, y)
    dummy = _dummy_excess(problem, y)
    found_rows, found_cols = [], []
    for start, stop, block in _excess_blocks(problem, y):
        # A pair (i, j) is in row i and in row j with the same excess (symmetric scores, within
        # ``margin``), so half of each row's largest excess covers it; the dummy's edges are in
        # the real members' rows only, so they count in full.
        most = np.maximum(block.max(axis=1).astype(float), 0.0) / 2.0
        if len(dummy):
            most = np.maximum(most, dummy[start:stop])
        raise_by[start:stop] = np.maximum(most + margin, 0.0)
        i, j = np.nonzero(block > tolerance)
        limit = CANDIDATES_PER_MEMBER * (stop - start)
        if len(i) > limit:
            keep = np.argpartition(block[i, j], len(i) - limit)[len(i) - limit :]
            i, j = i[keep], j[keep]
        found_rows.append(i + start)
        found_cols.append(j)
    if len(dummy):
        violated = np.flatnonzero(dummy > tolerance)
        found_rows.append(violated)
        found_cols.append(np.full(len(violated), problem.members))
    empty = [np.zeros(0, dtype=np.int64)]
    return y + raise_by, (np.concatenate(found_rows + empty), np.concatenate(found_cols + empty))


def _repair_sparse(problem: _Problem, sigma: np.ndarray) -> np.ndarray:
    """The pairs the relaxation decides (2-cycles), and even cycles split; odd cycles stay open."""
    mate = np.full(len(sigma), -1)
    for cycle in _cycles(sigma):
        if len(cycle) > 1 and len(cycle) % 2 == 0:
            nodes = np.array(cycle)
            after = np.roll(nodes, -1)
            values = _edge_weights(problem, nodes, after)
            start = 0 if values[0::2].sum() >= values[1::2].sum() else 1
            for a, b, value in zip(nodes[start::2], after[start::2], values[start::2]):
                if np.isfinite(value):
                    mate[a], mate[b] = b, a
    return mate


def _improve_near_odd_cycles(problem: _Problem, y: np.ndarray, mate: np.ndarray) -> tuple[np.ndarray, bool]:
    """Re-solve exactly the region of the graph around what the relaxation left undecided.

    A matching that uses a pair of reduced cost ``y[i] + y[j] - w'[i, j] >= t``
    is worth at most ``sum(y) - t``, so a better matching than ``mate`` only
    uses pairs below the current slack. Starting from the members the
    relaxation did not pair (odd cycles, members alone), rings of such pairs
    (and the partners of the members reached) are added while the region
    stays under ``REGION_PAIRS`` pairs; networkx then solves the region
    exactly with everyone outside it kept as they are. Returns the better
    matching and whether it is proven optimal.

    The proof: where a better matching ``M'`` differs from ``mate``, each
    alternating path or cycle gains only if it touches a seed (its other
    pairs have reduced cost 0, its own ones are positive and ``y >= 0``), and
    every pair of ``M'`` has reduced cost below the slack. So when the rings
    over all pairs below the slack close within the budget, the region holds
    every such path and the exact region solve is a global optimum.
    """
    upper = float(y.sum())
    slack = upper - _edge_value(problem, mate)
    if slack <= _tolerance(problem, upper):
        return mate, True
    i, j, reduced, complete_below = _small_reduced_pairs(problem, y, slack + _tolerance(problem, upper))
    if complete_below < slack:  # the list is complete only below ``complete_below``
        keep = reduced < complete_below
        i, j, reduced = i[keep], j[keep], reduced[keep]
    widest = min(slack, complete_below)
    size = problem.size
    partner = np.where(mate >= 0, mate, np.arange(size))
    everyone = np.arange(size)
    own = _edge_weights(problem, everyone, partner)
    seeds = np.flatnonzero(~(y + y[partner] - own <= _tolerance(problem, upper)) | (partner == everyone))
    threshold, inside, used, closed = slack / 64.0, None, 0.0, False
    while True:  # the widest rings of pairs below ``threshold`` that stay under the budget
        grown, full = _region(seeds, i, j, reduced < threshold, partner, size)
        if full and inside is not None:
            break
        inside, used, closed = grown, threshold, not full and threshold >= slack
        if full or threshold >= widest:
            break
        threshold = min(2.0 * threshold, widest)
    region = np.flatnonzero(inside)
    within = inside[i] & inside[j] & (reduced < used)
    a, b = i[within], j[within]
    paired = region[partner[region] > region]
    a, b = np.concatenate([a, paired]), np.concatenate([b, partner[paired]])
    values = _edge_weights(problem, a, b)
    finite = np.isfinite(values)
    solver = nx.Graph()
    solver.add_weighted_edges_from(zip(a[finite].tolist(), b[finite].tolist(), (values[finite] - problem.offset).tolist()))
    found = mate.copy()
    found[region] = -1
    for u, v in nx.max_weight_matching(solver, maxcardinality=problem.priority == "coverage"):
        found[u], found[v] = v, u
    _greedy_fill(problem, found, i, j)
    if _edge_value(problem, found) > _edge_value(problem, mate):
        mate = found
    # ``closed``: the region holds every member that a better matching could change (see above)
    return mate, closed or upper - _edge_value(problem, mate) <= _tolerance(problem, upper)


def _match_open(problem: _Problem, mate: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
    """Pair the members the relaxation left open (odd cycles): exactly among themselves if few, else greedily."""
    nodes = np.flatnonzero(mate < 0)
    if len(nodes) < 2:
        return
    if len(nodes) > LEFTOVER_COMPLETE_UP_TO:
        _greedy_fill(problem, mate, rows, cols)
        return
    a, b = np.triu_indices(len(nodes), k=1)
    i, j = nodes[a], nodes[b]
    values = _edge_weights(problem, i, j)
    keep = np.isfinite(values)
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(i[keep].tolist(), j[keep].tolist(), (values[keep] - problem.offset).tolist()))
    for u, v in nx.max_weight_matching(graph, maxcardinality=problem.priority == "coverage"):
        mate[u], mate[v] = v, u


def _greedy_fill(problem: _Problem, mate: np.ndarray, i: np.ndarray, j: np.ndarray) -> None:
    """Pair members still open (outside a region cut short) over the pairs ``(i, j)``, heaviest first."""
    open_ = mate < 0
    usable = open_[i] & open_[j]
    if not usable.any():
        return
    a, b = i[usable], j[usable]
    values = _edge_weights(problem, a, b)
    for k in np.argsort(-values, kind="stable").tolist():
        if np.isfinite(values[k]) and mate[a[k]] < 0 and mate[b[k]] < 0:
            mate[a[k]], mate[b[k]] = b[k], a[k]


def _region(seeds, i, j, usable, partner, size) -> tuple[np.ndarray, bool]:
    """Members reached from ``seeds`` over ``usable`` pairs (with partners), and whether the budget stopped it."""
    a, b = i[usable], j[usable]
    graph = csr_matrix((np.ones(2 * len(a), dtype=np.int8), (np.concatenate([a, b]), np.concatenate([b, a]))),
                       shape=(size, size))
    inside = np.zeros(size, dtype=bool)
    frontier = seeds
    while len(frontier):
        before = inside.copy()
        inside[frontier] = True
        inside[partner[frontier]] = True
        if np.count_nonzero(inside[a] & inside[b]) > REGION_PAIRS:
            return before, True
        reached = np.flatnonzero(np.asarray(graph[frontier].sum(axis=0)).ravel() > 0)
        reached = np.union1d(reached, partner[reached])
        frontier = reached[~inside[reached]]
    return inside, False


def _small_reduced_pairs(problem: _Problem, y: np.ndarray, below: float):
    """Pairs ``i < j`` whose reduced cost is below ``below``, their costs, and how far the list is complete.

    At most ``REDUCED_PER_MEMBER`` pairs per member of a row block are kept
    (the cheapest); the list then holds *every* pair below the returned
    ``complete_below`` (``below`` when nothing was cut).
    """
    found_i, found_j, found_r = [], [], []
    complete_below = below
    n = problem.members
    for start, stop, block in _excess_blocks(problem, y):
        a, b = np.nonzero(block > -below)
        upper_half = a + start < b
        a, b = a[upper_half], b[upper_half]
        reduced = -block[a, b].astype(float)
        limit = REDUCED_PER_MEMBER * (stop - start)
        if len(reduced) > limit:
            cut = float(np.partition(reduced, limit)[limit])
            keep = reduced < cut
            a, b, reduced = a[keep], b[keep], reduced[keep]
            complete_below = min(complete_below, cut)
        found_i.append(a + start)
        found_j.append(b)
        found_r.append(reduced)
    dummy = -_dummy_excess(problem, y)
    near = np.flatnonzero(dummy < below)
    found_i.append(near)
    found_j.append(np.full(len(near), n))
    found_r.append(dummy[near])
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_r), complete_below


def _edge_value(problem: _Problem, mate: np.ndarray) -> float:
    i = np.flatnonzero(mate > np.arange(len(mate)))
    return float(_edge_weights(problem, i, mate[i]).sum())


# --------------------------------------------------------------------------- #
# From the relaxation to a matching


def _repair(problem: _Problem, sigma: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A matching from the assignment's cycles; odd cycles are re-matched exactly."""
    mate = np.full(len(sigma), -1)
    leftover = []
    for cycle in _cycles(sigma):
        if len(cycle) == 1 or len(cycle) % 2:
            leftover.extend(cycle)
        else:
            _match_even_cycle(problem.weights, cycle, mate)
    if leftover:
        _match_leftover(problem.weights, np.array(leftover), y, mate)
    return mate


def _cycles(sigma: np.ndarray) -> list[list[int]]:
    seen = np.zeros(len(sigma), dtype=bool)
    successor = sigma.tolist()
    cycles = []
    for start in range(len(sigma)):
        if seen[start]:
            continue
        cycle, node = [], start
        while not seen[node]:
            seen[node] = True
            cycle.append(node)
            node = successor[node]
        cycles.append(cycle)
    return cycles


def _match_even_cycle(weights: np.ndarray, cycle: list[int], mate: np.ndarray) -> None:
    nodes = np.array(cycle)
    after = np.roll(nodes, -1)
    values = weights[nodes, after]
    first, second = values[0::2].sum(), values[1::2].sum()
    start = 0 if first >= second else 1
    for a, b in zip(nodes[start::2], after[start::2]):
        if np.isfinite(weights[a, b]):
            mate[a], mate[b] = b, a


def _match_leftover(weights: np.ndarray, nodes: np.ndarray, y: np.ndarray, mate: np.ndarray) -> None:
    """Best matching among the unmatched vertices (exact on a pruned graph if small)."""
    block = weights[np.ix_(nodes, nodes)]
    reduced = y[nodes][:, None] + y[nodes][None, :] - block
    upper = np.triu(np.isfinite(block), k=1)
    if len(nodes) > LEFTOVER_EXACT_UP_TO:
        _greedy(block, nodes, upper, mate)
        return
    keep = upper & (reduced <= _per_vertex_threshold(reduced, upper, 12)[:, None])
    i, j = np.nonzero(keep | keep.T)
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        (int(nodes[a]), int(nodes[b]), float(block[a, b])) for a, b in zip(i, j) if a < b
    )
    for a, b in nx.max_weight_matching(graph):
        mate[a], mate[b] = b, a


def _per_vertex_threshold(reduced: np.ndarray, upper: np.ndarray, k: int) -> np.ndarray:
    both = upper | upper.T
    costs = np.where(both, reduced, np.inf)
    k = min(k, costs.shape[1] - 1)
    if k <= 0:
        return np.full(costs.shape[0], np.inf)
    return np.partition(costs, k - 1, axis=1)[:, k - 1]


def _greedy(block, nodes, upper, mate) -> None:
    i, j = np.nonzero(upper)
    order = np.argsort(-block[i, j], kind="stable")
    for a, b in zip(nodes[i[order]], nodes[j[order]]):
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a


def _mate_from_pairs(size: int, pairs) -> np.ndarray:
    mate = np.full(size, -1)
    for a, b in pairs:
        mate[a], mate[b] = b, a
    return mate


def _matching_value(problem: _Problem, mate: np.ndarray) -> float:
    i = np.flatnonzero(mate > np.arange(len(mate)))
    return float(problem.weights[i, mate[i]].sum())


# --------------------------------------------------------------------------- #
# The result


def _result(problem: _Problem, mate: np.ndarray, bound: float) -> PeerPairing:
    n = problem.members
    mate = _attach_dummy(problem, mate)
    real = mate[:n]
    first = np.flatnonzero((real > np.arange(n)) & (real < n))
    pairs = np.column_stack([first, real[first]]).astype(np.int64).reshape(-1, 2)
    total = float(problem.scores[pairs[:, 0], pairs[:, 1]].astype(float).sum()) if len(pairs) else 0.0
    unpaired = np.flatnonzero((real < 0) | (real >= n)).astype(np.int64)
    upper = total if np.isnan(bound) else _certified_bound(problem, mate, bound, len(pairs))
    upper = max(upper, total)
    return PeerPairing(pairs, total, upper, relative_gap(upper, total), unpaired)


def _attach_dummy(problem: _Problem, mate: np.ndarray) -> np.ndarray:
    """With a dummy vertex, make sure it takes an unpaired member (bounds rely on it)."""
    if not problem.has_dummy or mate[-1] >= 0:
        return mate
    free = np.flatnonzero(mate[:-1] < 0)
    if len(free):
        mate = mate.copy()
        mate[-1], mate[free[0]] = free[0], len(mate) - 1
    return mate


def _certified_bound(problem: _Problem, mate: np.ndarray, lp_bound: float, pairs: int) -> float:
    """Turn the bound on transformed weights into one on scores, for the same priority.

    Coverage: ``w'`` of a pairing with ``m`` real pairs (plus the dummy edge) is
    its total plus ``(m + dummy) * c``. If no pairing can have one more pair
    (``lp_bound < (m + dummy + 1) * (c + lo)``), the best maximum pairing's
    total is at most ``lp_bound - (m + dummy) * c``; otherwise unproven.
    """
    if problem.priority == "score":
        return lp_bound
    edges = pairs + int(problem.has_dummy)
    if lp_bound >= (edges + 1) * problem.lightest:
        return np.inf
    return lp_bound - edges * problem.offset
