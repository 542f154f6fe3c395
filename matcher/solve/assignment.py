"""Mentor assignment: learners to mentors with capacities, optimal and certified.

The problem is a bipartite b-matching. Each learner takes at most one mentor,
mentor ``j`` takes at most ``capacity[j]`` learners, forbidden pairs
(``-inf``) are never used. It is solved as follows.

1. Candidates. Tiny problems keep every allowed pair. Others keep, for
   each learner, about the best ``ROW_CANDIDATES`` mentors and, for each
   mentor, about the best few learners per seat.
2. Restricted solve. The candidate graph is expanded into one node per seat
   and solved exactly with
   ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``.
3. Dual prices. Complementary slackness turns the optimal restricted
   assignment into difference constraints on mentor prices, which a
   vectorised Bellman-Ford solves.
4. Certificate over all pairs. Any prices ``v >= 0`` give the upper bound
   ``sum_i max(0, max_j s_ij - v_j) + sum_j capacity_j v_j`` (LP duality),
   computed in row blocks over every pair. Pairs that the prices undervalue
   join the candidates and steps 2-4 repeat. Up to ``EXACT_SEAT_PAIRS``
   learner-seat pairs this goes on until the bound meets the total (falling
   back to every pair if it is slow to), so the solution is proven optimal;
   above, it stops after ``LARGE_ROUNDS`` rounds or once the gap is tiny.

``check_assignment`` verifies any result against the problem without the solver.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

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

#: Problems with at most this many learner x mentor pairs keep every pair as a candidate.
ALL_PAIRS_LIMIT = 100_000
#: Problems with at most this many learner x seat pairs are iterated until proven optimal.
EXACT_SEAT_PAIRS = 30_000_000
#: About how many mentors each learner keeps as candidates on large problems.
ROW_CANDIDATES = 8
#: About how many learners per seat each mentor keeps as candidates on large problems.
COL_CANDIDATES_PER_SEAT = 3
#: Rounds on exact-size problems before every allowed pair becomes a candidate.
EXACT_ROUNDS = 8
#: Rounds of adding undervalued pairs on problems too large to iterate to the end.
LARGE_ROUNDS = 3
#: On problems too large to iterate to the end, rounds stop once the proven gap is this small.
LARGE_GAP = 1e-5
#: Relative gap below which a solution counts as proven optimal (float rounding).
OPTIMAL_GAP = 1e-9
#: Learner rows ``assign_mentors_blocked`` scores per call by default.
BLOCKED_ROWS = 2048
#: ``assign_mentors_blocked`` keeps the blocks of its first pass when the whole table takes at
#: most this many bytes (then it is scored once, like ``score_mentoring``), else scores them again.
KEEP_TABLE_BYTES = 2**30


@dataclass(frozen=True, eq=False)
class MentorAssignment:
    """An assignment of learners to mentors with its own optimality certificate.

    Attributes
    ----------
    pairs : ndarray of int, shape (k, 2)
        ``(learner, mentor)`` rows, sorted by learner.
    total : float
        Sum of the scores of ``pairs``.
    upper_bound : float
        A proven upper bound on the best total for the same priority (for
        ``"coverage"``: among assignments that match ``k`` learners).
    gap : float
        ``(upper_bound - total) / max(|upper_bound|, 1)``; 0 means optimal.
    unmatched : ndarray of int
        Learners without a mentor, ascending.
    """

    pairs: np.ndarray
    total: float
    upper_bound: float
    gap: float
    unmatched: np.ndarray

    @property
    def mentor_of(self) -> dict[int, int]:
        """Learner index -> mentor index for every matched learner."""
        return dict(zip(self.pairs[:, 0].tolist(), self.pairs[:, 1].tolist()))


def assign_mentors(scores, capacity, *, priority: str = "coverage", progress: Progress | None = None
                   ) -> MentorAssignment:
    """Assign learners to mentors, maximising coverage and then total score.

    Solves ``max sum s_ij x_ij`` over ``x_ij in {0, 1}`` with
    ``sum_j x_ij <= 1`` for every learner ``i``, ``sum_i x_ij <= capacity_j``
    for every mentor ``j`` and ``x_ij = 0`` where ``s_ij = -inf``. With
    ``priority="coverage"`` the number of matched learners is maximised first.

    Parameters
    ----------
    scores : array_like, shape (n_learners, n_mentors)
        Higher is better; ``-inf`` marks a forbidden pair.
    capacity : array_like of int, shape (n_mentors,)
        How many learners each mentor takes (0 or more).
    priority : {"coverage", "score"}, optional
        ``"coverage"`` (default): as many learners as possible, then the
        highest total. ``"score"``: the highest total (pairs scoring 0 or
        less are never worth making).
    progress : callable, optional
        ``progress(phase, fraction)``, called on entering ``"solving"`` and
        ``"certifying"`` (see ``matcher.progress``); it may raise to stop the solve.

    Returns
    -------
    MentorAssignment
        Pairs, total, a proven ``upper_bound`` and the relative ``gap``.

    Raises
    ------
    ValueError
        For NaN or ``+inf`` scores, a wrong shape, non-numeric input, or a
        capacity that is negative, fractional or of the wrong length.

    Notes
    -----
    The bound is LP duality: for any prices ``v_j >= 0`` every assignment
    scores at most ``sum_i max(0, max_j s_ij - v_j) + sum_j c_j v_j``. For
    coverage the same is applied to ``s + M`` on allowed pairs, so an
    assignment of ``k`` pairs scores at most that bound minus ``k M``; with
    ``M`` larger than any difference in totals the prices also push the
    solver to the most pairs. The bound is evaluated over all pairs, not
    only candidates, so ``gap`` is true.
    The total is exact (gap 0 up to float rounding) whenever
    ``n_learners * sum(capacity) <= EXACT_SEAT_PAIRS`` (30 million, e.g.
    5,000 learners x 6,000 seats): rounds go on until the bound meets the
    total, and after ``EXACT_ROUNDS`` rounds every allowed pair becomes a
    candidate, so the last round is exact by construction. Beyond that the pairs are sparsified, at most ``LARGE_ROUNDS``
    rounds run (stopping once the gap is at most ``LARGE_GAP``), and ``gap``
    says how far from optimal the answer may be. For coverage, one more
    matched learner than ``k`` would lift the bound by the bonus ``M``
    (about ``2 (max|s| + 1) min(n, seats)``), so an absolute gap below
    ``M - (2k + 1) max|s|`` also proves that no larger assignment exists.
    Time is dominated by a few passes over the score matrix plus an LAPJVsp
    solve on ``O(n * ROW_CANDIDATES * capacity)`` seat edges.

    References
    ----------
    .. [1] Bertsekas, D. P. "Network Optimization: Continuous and Discrete
       Models", Athena Scientific, 1998 (assignment duality).
    .. [2] Bijsterbosch, J. and Volgenant, A. "Solving the Rectangular
       assignment problem and applications", Annals of Operations Research,
       181, 443-462, 2010 (LAPJVsp).

    Examples
    --------
    >>> scores = [[9.0, 1.0], [8.0, 2.0], [7.0, -np.inf]]
    >>> result = assign_mentors(scores, [1, 1])
    >>> result.pairs.tolist(), result.total, result.gap, result.unmatched.tolist()
    ([[0, 0], [1, 1]], 11.0, 0.0, [2])
    >>> assign_mentors(scores, [2, 0]).pairs.tolist()
    [[0, 0], [1, 0]]
    """
    priority = check_priority(priority)
    scores = _as_float_matrix(scores)
    capacity = _check_capacity(capacity, scores.shape[1])
    n_learners = scores.shape[0]
    rows, cols, vals = _candidate_pairs(scores, capacity, priority)
    if rows.size == 0:
        return _empty(n_learners)
    exact = n_learners * int(capacity.sum()) <= EXACT_SEAT_PAIRS
    every_pair = False
    report(progress, "solving", 0.0)
    mentor = _solve_restricted(rows, cols, vals, capacity, n_learners, priority)
    for round_number in itertools.count(1):
        report(progress, "certifying", round_number / (round_number + 1))
        bound, extra = _certify(_dense_blocks(scores), capacity, rows, cols, vals, mentor, priority)
        gap = relative_gap(bound, _total(scores, mentor))
        if gap <= OPTIMAL_GAP or (not exact and (round_number >= LARGE_ROUNDS or gap <= LARGE_GAP)):
            break
        grown = _merge_pairs((rows, cols, vals), extra)
        stuck = grown[0].size == rows.size
        if exact and not every_pair and (stuck or round_number >= EXACT_ROUNDS):
            grown, every_pair = _candidate_pairs(scores, capacity, priority, every_pair=True), True
        elif stuck:
            break
        rows, cols, vals = grown
        mentor = _solve_restricted(rows, cols, vals, capacity, n_learners, priority)
    return _result(scores, mentor, bound)


def check_assignment(scores, capacity, result: MentorAssignment) -> bool:
    """Whether ``result`` is a valid assignment for ``scores`` and ``capacity``, with true figures.

    Checks the result independently of the solver: every learner has at
    most one mentor, no mentor takes more learners than their capacity, no
    pair is forbidden (``-inf``), ``unmatched`` lists exactly the other
    learners, ``total`` is the sum of the pairs' scores, ``upper_bound`` is
    not below it and ``gap`` is ``(upper_bound - total) / max(|upper_bound|, 1)``.
    Whether the bound is *true* is not checked here: it is a proof only
    the solver's duals carry (the tests check it against other solvers).

    Parameters
    ----------
    scores, capacity : array_like
        The problem, as given to ``assign_mentors``.
    result : MentorAssignment
        The answer to check.

    Returns
    -------
    bool
        True if ``result`` passes every check, False if it breaks one.

    Raises
    ------
    ValueError
        For malformed input, as ``assign_mentors`` would raise it: bad
        scores or capacity, a ``result`` that is not a ``MentorAssignment``,
        or pairs or unmatched learners that are not integer indices into
        ``scores``. Like networkx's ``is_matching``: a well-formed answer that
        is wrong returns False, a malformed one raises.

    Examples
    --------
    >>> scores, capacity = [[9.0, 1.0], [8.0, 2.0], [7.0, -np.inf]], [1, 1]
    >>> check_assignment(scores, capacity, assign_mentors(scores, capacity))
    True
    >>> twice = MentorAssignment(np.array([[0, 0], [1, 0]]), 17.0, 17.0, 0.0, np.array([2]))
    >>> check_assignment(scores, capacity, twice)  # mentor 0 has one seat
    False
    """
    matrix = _as_float_matrix(scores)
    capacity = _check_capacity(capacity, matrix.shape[1])
    if not isinstance(result, MentorAssignment):
        raise ValueError(f"expected a MentorAssignment, got a {type(result).__name__}")
    pairs = check_index_pairs(result.pairs, matrix.shape, "pairs of (learner, mentor)")
    unmatched = check_indices(result.unmatched, matrix.shape[0], "unmatched learners")
    learners, mentors = pairs[:, 0], pairs[:, 1]
    values = matrix[learners, mentors]
    return bool(
        np.unique(learners).size == learners.size
        and (np.bincount(mentors, minlength=capacity.size) <= capacity).all()
        and np.isfinite(values).all()
        and sorted(learners.tolist() + unmatched.tolist()) == list(range(matrix.shape[0]))
        and figures_hold(result.total, result.upper_bound, result.gap, float(np.sum(values, dtype=np.float64)))
    )


def _as_float_matrix(scores) -> np.ndarray:
    """Validated scores; a float32 matrix stays float32, so a large table is not copied.

    Its check runs on the maximum alone: NaN and ``+inf`` both surface there.
    """
    if isinstance(scores, np.ndarray) and scores.dtype == np.float32 and scores.ndim == 2:
        if scores.size:
            check_score_matrix(np.array([[scores.max()]]))
        return scores
    return check_score_matrix(scores)


def _check_capacity(capacity, n_mentors: int) -> np.ndarray:
    try:
        values = np.asarray(capacity, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"expected capacity as non-negative integers, got a non-numeric {type(capacity).__name__}"
        ) from None
    if values.shape != (n_mentors,):
        raise ValueError(f"expected capacity of shape ({n_mentors},), one per mentor, got shape {values.shape}")
    if not np.isfinite(values).all() or (values != np.round(values)).any():
        raise ValueError(f"expected capacity as whole numbers, got {values[values != np.round(values)][:3].tolist()}")
    if (values < 0).any():
        raise ValueError(f"expected capacity >= 0, got {values[values < 0][:3].astype(int).tolist()}")
    return values.astype(np.int64)


def _empty(n_learners: int) -> MentorAssignment:
    return MentorAssignment(
        pairs=np.zeros((0, 2), dtype=np.int64),
        total=0.0,
        upper_bound=0.0,
        gap=0.0,
        unmatched=np.arange(n_learners, dtype=np.int64),
    )


def _result(scores: np.ndarray, mentor: np.ndarray, bound: float) -> MentorAssignment:
    learners = np.flatnonzero(mentor >= 0)
    pairs = np.column_stack([learners, mentor[learners]]).astype(np.int64)
    total = _total(scores, mentor)
    bound = max(bound, total)
    return MentorAssignment(
        pairs=pairs,
        total=total,
        upper_bound=bound,
        gap=relative_gap(bound, total),
        unmatched=np.flatnonzero(mentor < 0).astype(np.int64),
    )


def _total(scores: np.ndarray, mentor: np.ndarray) -> float:
    learners = np.flatnonzero(mentor >= 0)
    return float(np.sum(scores[learners, mentor[learners]], dtype=np.float64))


# --- candidates ------------------------------------------------------------


def _usable(block: np.ndarray, capacity: np.ndarray, priority: str) -> np.ndarray:
    """Pairs that may be matched: allowed, a mentor with seats, and (for score) worth it."""
    usable = (block > -np.inf) & (capacity > 0)[None, :]
    if priority == "score":
        usable &= block > 0
    return usable


def _candidate_pairs(scores: np.ndarray, capacity: np.ndarray, priority: str, every_pair: bool = False):
    """COO ``(rows, cols, vals)`` of the pairs the restricted problem starts with."""
    n, m = scores.shape
    if every_pair or n * m <= ALL_PAIRS_LIMIT:
        row_cut = np.full(n, -np.inf)
        col_cut = np.full(m, -np.inf)
    else:
        row_cut = _sampled_cut(scores[:, _spread(m)], m, ROW_CANDIDATES)
        col_cut = _sampled_cut(scores[_spread(n)].T, n, COL_CANDIDATES_PER_SEAT * np.maximum(capacity, 1))
    parts = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))]
    for start, stop in row_blocks(n):
        block = scores[start:stop]
        keep = _usable(block, capacity, priority)
        keep &= (block >= row_cut[start:stop, None]) | (block >= col_cut[None, :])
        r, c = np.nonzero(keep)
        parts.append((r + start, c, block[r, c].astype(np.float64)))
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))


def _spread(size: int, count: int = 512) -> np.ndarray:
    """Up to ``count`` evenly spread indices into ``range(size)``."""
    return np.unique(np.linspace(0, size - 1, num=min(size, count)).astype(np.int64))


def _sampled_cut(sample: np.ndarray, population: int, wanted) -> np.ndarray:
    """Per row of ``sample``, a score that about ``wanted`` of ``population`` entries reach.

    ``sample`` holds each row's scores on an even sample of the population.
    """
    n, size = sample.shape
    ranks = np.clip(np.ceil(np.asarray(wanted) * size / population), 1, size).astype(np.int64)
    ranks = np.broadcast_to(ranks, (n,))
    deepest = int(ranks.max(initial=1))
    cuts = np.empty(n)
    for start, stop in row_blocks(n):
        top = np.partition(-sample[start:stop].astype(np.float64), deepest - 1, axis=1)[:, :deepest]
        top.sort(axis=1)
        cuts[start:stop] = -top[np.arange(stop - start), ranks[start:stop] - 1]
    return cuts


def _merge_pairs(pairs, extra):
    rows, cols, vals = (np.concatenate([a, b]) for a, b in zip(pairs, extra))
    _, first = np.unique(rows * (cols.max() + 1) + cols, return_index=True)
    return rows[first], cols[first], vals[first]


# --- restricted solve --------------------------------------------------------


def _solve_restricted(rows, cols, vals, capacity, n_learners: int, priority: str) -> np.ndarray:
    """Exact optimum over the candidate pairs: mentor per learner, -1 when unmatched."""
    seat_rows, seat_cols, seat_vals, seat_mentor = _expand_seats(rows, cols, vals, capacity)
    n_seats = seat_mentor.size
    zero_score_cost = seat_vals.max() + 1.0
    cost = zero_score_cost - seat_vals  # >= 1, so no stored zero is lost
    graph = csr_matrix((cost, (seat_rows, seat_cols)), shape=(n_learners, n_seats))
    need_dummies = True
    if priority == "coverage":
        size = int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())
        need_dummies = size < min(n_learners, n_seats)
    transpose = n_seats < n_learners
    if transpose:
        graph = graph.T.tocsr()
    if need_dummies:
        graph = _with_dummies(graph, zero_score_cost, cost, priority)
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    learner, seat = (col_ind, row_ind) if transpose else (row_ind, col_ind)
    real = (seat < n_seats) & (learner < n_learners)
    mentor = np.full(n_learners, -1, dtype=np.int64)
    mentor[learner[real]] = seat_mentor[seat[real]]
    return mentor


def _expand_seats(rows, cols, vals, capacity):
    """One edge per (learner, seat) for the mentors that appear in the candidates."""
    used = np.unique(cols)
    seats_of = np.zeros(capacity.size, dtype=np.int64)
    seats_of[used] = capacity[used]
    first_seat = np.concatenate([[0], np.cumsum(seats_of)])
    copies = seats_of[cols]
    seat_rows = np.repeat(rows, copies)
    offset = np.arange(seat_rows.size) - np.repeat(np.cumsum(copies) - copies, copies)
    seat_cols = np.repeat(first_seat[cols], copies) + offset
    seat_mentor = np.repeat(np.arange(capacity.size), seats_of)
    return seat_rows, seat_cols, np.repeat(vals, copies), seat_mentor


def _with_dummies(graph: csr_matrix, zero_score_cost: float, cost: np.ndarray, priority: str) -> csr_matrix:
    """Give every row a private 'stay unmatched' column so a full matching exists.

    Staying unmatched costs what a pair scoring 0 would; for coverage it also
    costs more than any difference in pair costs, so fewer rows stay unmatched.
    """
    n_rows, n_cols = graph.shape
    unmatched_cost = zero_score_cost
    if priority == "coverage":
        unmatched_cost = cost.max() + n_rows * (cost.max() - cost.min()) + 1.0
    coo = graph.tocoo()
    return csr_matrix(
        (
            np.concatenate([coo.data, np.full(n_rows, unmatched_cost)]),
            (np.concatenate([coo.row, np.arange(n_rows)]), np.concatenate([coo.col, n_cols + np.arange(n_rows)])),
        ),
        shape=(n_rows, n_cols + n_rows),
    )


# --- certificate -------------------------------------------------------------


def _coverage_bonus(scores_max_abs: float, n_learners: int, capacity: np.ndarray) -> float:
    """A per-pair bonus large enough that one more pair beats any change in total score."""
    return 2.0 * (scores_max_abs + 1.0) * (min(n_learners, int(capacity.sum())) + 1)


def _dense_blocks(scores: np.ndarray):
    """``(start, block)`` over the row blocks of a whole table."""
    for start, stop in row_blocks(scores.shape[0]):
        yield start, scores[start:stop]


def _certify(blocks, capacity, rows, cols, vals, mentor, priority):
    """Upper bound over all pairs, and the pairs the dual prices undervalue.

    ``blocks`` yields ``(start, block)`` row blocks covering every learner
    in order (a stored table's, or blocks scored afresh). For
    ``"coverage"`` the duals are those of the score problem with a bonus
    ``M`` on every allowed pair. Any assignment of ``k`` pairs then scores at
    most ``bound(s + M) - k M``: valid for every ``M``, and tight when the
    assignment has the most pairs and the best total among those.
    """
    n_learners = mentor.size
    scale, bonus = float(np.abs(vals).max()), 0.0
    if priority == "coverage":
        bonus = _coverage_bonus(scale, n_learners, capacity)
    prices = _dual_prices(rows, cols, vals + bonus, mentor, capacity)
    slack = _restricted_slack(rows, cols, vals, mentor, prices - bonus)
    bound = float(np.dot(capacity, np.where(capacity > 0, prices, 0.0))) - bonus * int((mentor >= 0).sum())
    extra = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))]
    tolerance = 1e-9 * (scale + 1.0) + 1e-13 * bonus
    for start, block in blocks:
        stop = start + block.shape[0]
        reduced = block - (prices - bonus)[None, :]  # float64, one pass
        value = np.maximum(reduced.max(axis=1), 0.0)
        bound += float(value.sum())
        undervalued = value > slack[start:stop] + tolerance
        if undervalued.any():
            local = np.flatnonzero(undervalued)
            r, c = _top_entries(reduced[local], 4)
            found = block[local[r], c].astype(np.float64)
            keep = _usable(found[None, :], capacity[c], priority)[0]
            extra.append((local[r][keep] + start, c[keep], found[keep]))
    return bound, tuple(np.concatenate([e[i] for e in extra]) for i in range(3))


def _restricted_slack(rows, cols, vals, mentor, prices) -> np.ndarray:
    """Each learner's dual value as complementary slackness fixes it (0 when unmatched).

    A matched pair is always a candidate, so its score is among ``vals``.
    """
    slack = np.zeros(mentor.size)
    own = cols == mentor[rows]
    slack[rows[own]] = vals[own] - prices[cols[own]]
    return slack


def _top_entries(matrix: np.ndarray, count: int):
    count = min(count, matrix.shape[1])
    top = np.argpartition(-matrix, count - 1, axis=1)[:, :count]
    return np.repeat(np.arange(matrix.shape[0]), count), top.ravel()


def _dual_prices(rows, cols, vals, mentor, capacity):
    """Mentor prices ``v >= 0`` meeting complementary slackness with ``mentor``.

    With ``u_i`` a learner's dual value, the conditions are difference
    constraints on the mentors and a node ``Z`` for the value 0:

    - learner ``i`` matched to ``j``, candidate ``k``: ``v_j <= v_k + s_ij - s_ik``;
    - learner ``i`` matched to ``j``: ``v_j <= s_ij`` (so ``u_i >= 0``);
    - learner ``i`` unmatched, candidate ``k``: ``v_k >= s_ik`` (so ``u_i = 0``);
    - mentor with a free seat: ``v_j = 0``; any mentor: ``v_j >= 0``.

    Shortest distances from ``Z`` solve them (Bellman-Ford). Mentors without
    seats get an infinite price (they take nobody); mentors the constraints
    do not reach get a price no learner gains from. The bound computed from
    the prices is valid whatever they are, so rounding cannot make it wrong.
    """
    m = capacity.size
    zero = m
    load = np.bincount(mentor[mentor >= 0], minlength=m)
    own = mentor[rows]
    own_score = np.zeros(mentor.size)
    own_score[rows[cols == own]] = vals[cols == own]
    matched = np.flatnonzero(mentor >= 0)
    swap = (own >= 0) & (cols != own)
    loose = own < 0
    free = np.flatnonzero((load < capacity) & (capacity > 0))
    seated = np.flatnonzero(capacity > 0)
    src = np.concatenate([cols[swap], np.full(matched.size, zero), cols[loose], np.full(free.size, zero), seated])
    dst = np.concatenate([own[swap], mentor[matched], np.full(int(loose.sum()), zero), free, np.full(seated.size, zero)])
    weight = np.concatenate(
        [own_score[rows[swap]] - vals[swap], own_score[matched], -vals[loose], np.zeros(free.size), np.zeros(seated.size)]
    )
    from_zero = np.full(m + 1, np.inf)
    from_zero[zero] = 0.0
    scale = max(1.0, float(np.abs(weight).max()))
    dist = bellman_ford(src, dst, weight, from_zero, tolerance=1e-14 * scale)[:m]
    prices = np.where(np.isfinite(dist), np.maximum(dist, 0.0), max(float(vals.max()), 0.0))
    prices[capacity == 0] = np.inf
    return prices


# --- blocked path: scores computed on demand, never stored whole -------------------


def assign_mentors_blocked(score_rows, n_learners: int, capacity, *, priority: str = "coverage",
                           block_rows: int = BLOCKED_ROWS, keep_bytes: int = KEEP_TABLE_BYTES,
                           progress: Progress | None = None) -> MentorAssignment:
    """``assign_mentors`` without the whole table: rows are scored in blocks when needed.

    Solves the same problem as ``assign_mentors`` with the same candidates,
    restricted solve, dual prices and certificate, but keeps only the
    candidate pairs (about ``ROW_CANDIDATES`` per learner and
    ``COL_CANDIDATES_PER_SEAT`` per seat), so memory grows with
    ``n_learners x candidates`` plus one block, not with the table.

    Parameters
    ----------
    score_rows : callable
        ``score_rows(start, stop)`` returns the scores of learners
        ``start:stop`` against every mentor, an array of shape
        ``(stop - start, len(capacity))`` (``-inf`` marks a forbidden pair),
        the same numbers on every call (e.g. ``matcher.mentoring_blocks``).
    n_learners : int
        How many learner rows there are.
    capacity : array_like of int, shape (n_mentors,)
        How many learners each mentor takes (0 or more).
    priority : {"coverage", "score"}, optional
        As for ``assign_mentors``.
    block_rows : int, optional
        Learner rows scored per call; a block's temporaries take about
        ``24 * block_rows * n_mentors`` bytes.
    keep_bytes : int, optional
        When the whole table takes at most this many bytes, the blocks of
        the first pass are kept and read again instead of being scored
        again (0: always score again).
    progress : callable, optional
        As for ``assign_mentors``.

    Returns
    -------
    MentorAssignment
        Pairs, total, a proven ``upper_bound`` over all pairs and the relative ``gap``.

    Raises
    ------
    ValueError
        For a block with NaN or ``+inf`` scores or of the wrong shape, or a bad capacity.

    Notes
    -----
    One pass scores every block to choose the candidates (each learner's
    best ``ROW_CANDIDATES`` mentors, each mentor's best learners kept in a
    running top list); every certificate round scores every block again to
    evaluate the bound ``sum_i max(0, max_j s_ij - v_j) + sum_j c_j v_j``
    over all pairs and to add the pairs the prices undervalue. Rounds stop
    as in ``assign_mentors``: proven optimal up to ``EXACT_SEAT_PAIRS``
    learner-seat pairs, else after ``LARGE_ROUNDS`` rounds or a gap of at
    most ``LARGE_GAP``. Time is about ``1 + rounds`` scoring passes plus the
    sparse solves; one pass when the table fits in ``keep_bytes``. Memory
    is the candidates, a few block temporaries and the kept blocks, if any.

    Examples
    --------
    >>> table = np.array([[9.0, 1.0], [8.0, 2.0], [7.0, -np.inf]])
    >>> result = assign_mentors_blocked(lambda start, stop: table[start:stop], 3, [1, 1], block_rows=2)
    >>> result.pairs.tolist(), result.total, result.gap, result.unmatched.tolist()
    ([[0, 0], [1, 1]], 11.0, 0.0, [2])
    """
    priority = check_priority(priority)
    n_learners = int(n_learners)
    if np.ndim(capacity) != 1:
        raise ValueError(f"expected capacity as a 1-d sequence, one per mentor, got {np.ndim(capacity)} dimensions")
    capacity = _check_capacity(capacity, len(capacity))
    if block_rows < 1:
        raise ValueError(f"expected block_rows >= 1, got {block_rows}")

    kept: list = []

    def blocks():
        if kept:
            return iter(kept)
        scored = _scored_blocks(score_rows, n_learners, capacity.size, block_rows)
        if 4 * n_learners * capacity.size <= keep_bytes:
            return _keeping(scored, kept)
        return scored

    rows, cols, vals = _block_candidates(blocks(), n_learners, capacity, priority)
    if rows.size == 0:
        return _empty(n_learners)
    exact = n_learners * int(capacity.sum()) <= EXACT_SEAT_PAIRS
    every_pair = False
    report(progress, "solving", 0.0)
    mentor = _solve_restricted(rows, cols, vals, capacity, n_learners, priority)
    for round_number in itertools.count(1):
        report(progress, "certifying", round_number / (round_number + 1))
        bound, extra = _certify(blocks(), capacity, rows, cols, vals, mentor, priority)
        gap = relative_gap(bound, _candidate_total(rows, cols, vals, mentor))
        if gap <= OPTIMAL_GAP or (not exact and (round_number >= LARGE_ROUNDS or gap <= LARGE_GAP)):
            break
        grown = _merge_pairs((rows, cols, vals), extra)
        stuck = grown[0].size == rows.size
        if exact and not every_pair and (stuck or round_number >= EXACT_ROUNDS):
            grown = _block_candidates(blocks(), n_learners, capacity, priority, every_pair=True)
            every_pair = True
        elif stuck:
            break
        rows, cols, vals = grown
        mentor = _solve_restricted(rows, cols, vals, capacity, n_learners, priority)
    total = _candidate_total(rows, cols, vals, mentor)
    learners = np.flatnonzero(mentor >= 0)
    bound = max(bound, total)
    return MentorAssignment(
        pairs=np.column_stack([learners, mentor[learners]]).astype(np.int64),
        total=total,
        upper_bound=bound,
        gap=relative_gap(bound, total),
        unmatched=np.flatnonzero(mentor < 0).astype(np.int64),
    )


def _scored_blocks(score_rows, n_learners: int, n_mentors: int, block_rows: int):
    """``(start, block)`` from ``score_rows``, each block checked like a stored table."""
    for start, stop in row_blocks(n_learners, block_rows):
        block = np.asarray(score_rows(start, stop))
        if block.dtype not in (np.float32, np.float64):
            block = block.astype(np.float64)
        if block.shape != (stop - start, n_mentors):
            raise ValueError(
                f"expected score_rows({start}, {stop}) of shape ({stop - start}, {n_mentors}), got shape {block.shape}"
            )
        if block.size:
            check_score_matrix(np.array([[block.max()]]))
        yield start, block


def _keeping(blocks, kept: list):
    """Pass ``blocks`` through, appending each to ``kept``."""
    for item in blocks:
        kept.append(item)
        yield item


def _block_candidates(blocks, n_learners: int, capacity: np.ndarray, priority: str, every_pair: bool = False):
    """COO ``(rows, cols, vals)`` of the starting candidates, from one pass over the blocks.

    Each learner keeps its best ``ROW_CANDIDATES`` usable mentors; each
    mentor keeps its best ``COL_CANDIDATES_PER_SEAT`` learners per seat, in a
    running top list merged block by block.
    """
    m = capacity.size
    keep_all = every_pair or n_learners * m <= ALL_PAIRS_LIMIT
    depth = max(1, min(n_learners, COL_CANDIDATES_PER_SEAT * int(np.maximum(capacity, 1).max(initial=1))))
    col_vals, col_rows = np.full((0, m), -np.inf, dtype=np.float32), np.zeros((0, m), dtype=np.int64)
    parts = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))]
    for start, block in blocks:
        usable = _usable(block, capacity, priority)
        if keep_all or m == 0:
            r, c = np.nonzero(usable)
            parts.append((r + start, c, block[r, c].astype(np.float64)))
            continue
        masked = np.where(usable, block, -np.inf)  # keeps float32 blocks float32
        count = min(ROW_CANDIDATES, m)
        top = np.argpartition(-masked, count - 1, axis=1)[:, :count]
        r, c = np.repeat(np.arange(masked.shape[0]), count), top.ravel()
        v = masked[r, c]
        fine = np.isfinite(v)
        parts.append((r[fine] + start, c[fine], v[fine].astype(np.float64)))
        deep = min(depth, masked.shape[0])
        best = np.argpartition(-masked, deep - 1, axis=0)[:deep]
        col_vals = np.concatenate([col_vals, np.take_along_axis(masked, best, axis=0)])
        col_rows = np.concatenate([col_rows, best + start])
        if col_vals.shape[0] > depth:
            best = np.argpartition(-col_vals, depth - 1, axis=0)[:depth]
            col_vals, col_rows = np.take_along_axis(col_vals, best, axis=0), np.take_along_axis(col_rows, best, axis=0)
    if col_vals.shape[0]:
        order = np.argsort(-col_vals, axis=0, kind="stable")
        col_vals, col_rows = np.take_along_axis(col_vals, order, axis=0), np.take_along_axis(col_rows, order, axis=0)
        wanted = COL_CANDIDATES_PER_SEAT * np.maximum(capacity, 1)
        keep = (np.arange(col_vals.shape[0])[:, None] < wanted[None, :]) & np.isfinite(col_vals)
        parts.append((col_rows[keep], np.nonzero(keep)[1], col_vals[keep].astype(np.float64)))
    rows, cols, vals = (np.concatenate([p[i] for p in parts]) for i in range(3))
    if rows.size == 0:
        return rows, cols, vals
    return _merge_pairs((rows, cols, vals), (rows[:0], cols[:0], vals[:0]))


def _candidate_total(rows, cols, vals, mentor) -> float:
    """Total of the assignment, read from the candidates (every matched pair is one)."""
    own = cols == mentor[rows]
    order = np.argsort(rows[own], kind="stable")
    return float(np.sum(vals[own][order], dtype=np.float64))
