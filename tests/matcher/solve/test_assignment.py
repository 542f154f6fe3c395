"""Tests for matcher.solve.assignment: worked cases, validation, properties, cross-checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

import matcher.solve.assignment as assignment_module
from matcher.solve.assignment import MentorAssignment, assign_mentors, check_assignment
from tests.matcher.strategies import NO, assignment_problems, gap_of


# --- independent references ---------------------------------------------------


def seat_expanded(scores, capacity):
    return np.repeat(np.asarray(scores, dtype=float), np.asarray(capacity, dtype=int), axis=1)


def max_coverage(scores, capacity):
    """Most learners that can be matched: Hopcroft-Karp on the seat-expanded graph."""
    expanded = seat_expanded(scores, capacity)
    if expanded.size == 0:
        return 0
    graph = csr_matrix(np.isfinite(expanded).astype(float))
    return int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())


def best_total(scores, capacity, priority):
    """Best total by linear_sum_assignment on the seat-expanded matrix (big bonus for coverage)."""
    expanded = seat_expanded(scores, capacity)
    if expanded.size == 0:
        return 0.0
    allowed = np.isfinite(expanded)
    if priority == "score":
        allowed &= expanded > 0
    bonus = 0.0
    if priority == "coverage" and allowed.any():
        bonus = 2.0 * (np.abs(expanded[allowed]).max() + 1.0) * min(expanded.shape)
    rows, cols = linear_sum_assignment(np.where(allowed, expanded + bonus, 0.0), maximize=True)
    used = allowed[rows, cols]
    return float(expanded[rows[used], cols[used]].sum())


def check_valid(result: MentorAssignment, scores, capacity):
    scores = np.asarray(scores, dtype=float)
    pairs = result.pairs
    assert pairs.shape[1] == 2
    assert len(set(pairs[:, 0].tolist())) == len(pairs), "a learner has two mentors"
    load = np.bincount(pairs[:, 1], minlength=scores.shape[1])
    assert (load <= np.asarray(capacity)).all(), "a mentor is over capacity"
    assert np.isfinite(scores[pairs[:, 0], pairs[:, 1]]).all(), "a forbidden pair was matched"
    assert sorted(pairs[:, 0].tolist() + result.unmatched.tolist()) == list(range(scores.shape[0]))
    assert result.total == pytest.approx(scores[pairs[:, 0], pairs[:, 1]].sum(), abs=1e-9)
    assert result.upper_bound >= result.total - 1e-9
    assert result.gap >= 0
    assert check_assignment(scores, capacity, result)


def assert_valid_and_optimal(result: MentorAssignment, scores, capacity, priority):
    check_valid(result, scores, capacity)
    if priority == "coverage":
        assert len(result.pairs) == max_coverage(scores, capacity)
    assert result.total == pytest.approx(best_total(scores, capacity, priority), abs=1e-6)
    assert result.gap <= 1e-9


# --- hand-worked cases ----------------------------------------------------------


def test_trivial_one_pair():
    result = assign_mentors([[3.0]], [1])
    assert result.pairs.tolist() == [[0, 0]]
    assert result.total == 3.0 and result.upper_bound == pytest.approx(3.0) and result.gap == 0.0


def test_capacity_two_takes_both_learners():
    result = assign_mentors([[5.0], [4.0]], [2])
    assert result.pairs.tolist() == [[0, 0], [1, 0]]
    assert result.total == 9.0


def test_coverage_beats_a_higher_score():
    # Learner 0 is best with mentor 0 (10) but then learner 1 is left out;
    # coverage pairs 0-1 and 1-0 for 2 + 2 = 4 instead of 10 alone.
    scores = [[10.0, 2.0], [2.0, NO]]
    coverage = assign_mentors(scores, [1, 1])
    assert coverage.pairs.tolist() == [[0, 1], [1, 0]] and coverage.total == 4.0
    score = assign_mentors(scores, [1, 1], priority="score")
    assert score.pairs.tolist() == [[0, 0]] and score.total == 10.0


def test_score_priority_skips_pairs_that_do_not_pay():
    result = assign_mentors([[-1.0, 0.0]], [1, 1], priority="score")
    assert result.pairs.shape == (0, 2) and result.unmatched.tolist() == [0]
    assert assign_mentors([[-1.0, NO]], [1, 1]).pairs.tolist() == [[0, 0]]


def test_forbidden_pair_is_never_used():
    result = assign_mentors([[NO, 1.0], [9.0, NO]], [1, 1])
    assert result.pairs.tolist() == [[0, 1], [1, 0]]


def test_zero_capacity_mentor_takes_nobody():
    result = assign_mentors([[9.0, 1.0]], [0, 1])
    assert result.pairs.tolist() == [[0, 1]]


def test_mentor_of_maps_learners():
    assert assign_mentors([[1.0, 2.0], [2.0, 1.0]], [1, 1]).mentor_of == {0: 1, 1: 0}


@pytest.mark.parametrize(
    "scores, capacity",
    [
        (np.zeros((0, 3)), [1, 1, 1]),
        (np.zeros((3, 0)), []),
        (np.ones((2, 2)), [0, 0]),
        (np.full((2, 2), NO), [1, 1]),
    ],
    ids=["no learners", "no mentors", "no seats", "all forbidden"],
)
def test_empty_problems_give_an_empty_assignment(scores, capacity):
    result = assign_mentors(scores, capacity)
    assert result.pairs.shape == (0, 2)
    assert result.total == 0.0 and result.gap == 0.0
    assert result.unmatched.tolist() == list(range(len(scores)))


def test_result_is_frozen():
    result = assign_mentors([[1.0]], [1])
    with pytest.raises(AttributeError):
        result.total = 2.0


# --- validation -------------------------------------------------------------------


def test_nan_score_raises():
    with pytest.raises(ValueError, match="without NaN"):
        assign_mentors([[np.nan]], [1])


def test_nan_in_float32_scores_raises():
    with pytest.raises(ValueError, match="without NaN"):
        assign_mentors(np.array([[np.nan]], dtype=np.float32), [1])


def test_plus_inf_score_raises():
    with pytest.raises(ValueError, match=r"finite or -inf"):
        assign_mentors([[np.inf]], [1])


def test_one_dimensional_scores_raise():
    with pytest.raises(ValueError, match="2-D array"):
        assign_mentors([1.0, 2.0], [1, 1])


def test_non_numeric_scores_raise():
    with pytest.raises(ValueError, match="non-numeric"):
        assign_mentors([["a", "b"]], [1, 1])


def test_negative_capacity_raises():
    with pytest.raises(ValueError, match=r"capacity >= 0, got \[-1\]"):
        assign_mentors([[1.0, 2.0]], [1, -1])


def test_fractional_capacity_raises():
    with pytest.raises(ValueError, match="whole numbers, got \\[1.5\\]"):
        assign_mentors([[1.0, 2.0]], [1.5, 1])


def test_capacity_of_wrong_length_raises():
    with pytest.raises(ValueError, match=r"shape \(2,\), one per mentor, got shape \(3,\)"):
        assign_mentors([[1.0, 2.0]], [1, 1, 1])


def test_non_numeric_capacity_raises():
    with pytest.raises(ValueError, match="capacity as non-negative integers, got a non-numeric"):
        assign_mentors([[1.0]], ["x"])


def test_unknown_priority_raises():
    with pytest.raises(ValueError, match="priority 'coverage' or 'score', got 'size'"):
        assign_mentors([[1.0]], [1], priority="size")


# --- check_assignment: a result verified without the solver ----------------------

SCORES = [[9.0, 1.0], [8.0, 2.0], [7.0, NO]]
CAPACITY = [1, 1]


def assignment(pairs, total, upper_bound=None, unmatched=None):
    """A hand-built result; by default its bound is its total and unmatched is the rest."""
    pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    upper_bound = total if upper_bound is None else upper_bound
    if unmatched is None:
        unmatched = sorted(set(range(3)) - set(pairs[:, 0].tolist()))
    return MentorAssignment(pairs, total, upper_bound, gap_of(upper_bound, total), np.array(unmatched, dtype=np.int64))


def test_check_assignment_accepts_the_solver_answer_and_an_empty_one():
    assert check_assignment(SCORES, CAPACITY, assign_mentors(SCORES, CAPACITY)) is True
    assert check_assignment(SCORES, CAPACITY, assignment([], 0.0)) is True


def test_a_suboptimal_but_feasible_assignment_is_valid():
    assert check_assignment(SCORES, CAPACITY, assignment([[0, 1], [2, 0]], 8.0, upper_bound=11.0))


@pytest.mark.parametrize(
    "result",
    [
        assignment([[0, 0], [0, 1]], 10.0),
        assignment([[0, 0], [1, 0]], 17.0),
        assignment([[2, 1]], NO),
        assignment([[0, 0]], 9.0, unmatched=[2]),
        assignment([[0, 0]], 9.0, unmatched=[0, 1, 2]),
        assignment([[0, 0]], 10.0),
        assignment([[0, 0]], 9.0, upper_bound=8.0),
        MentorAssignment(np.array([[0, 0]]), 9.0, 10.0, 0.0, np.array([1, 2])),
    ],
    ids=["learner with two mentors", "mentor over capacity", "forbidden pair", "unmatched learner missing",
         "matched learner listed unmatched", "total does not add up", "bound below the total",
         "gap does not follow from the bound"],
)
def test_check_assignment_refuses_a_wrong_result(result):
    assert check_assignment(SCORES, CAPACITY, result) is False


@pytest.mark.parametrize(
    "scores, capacity, result, match",
    [
        (SCORES, CAPACITY, assignment([[3, 0]], 9.0, unmatched=[]), r"pairs of \(learner, mentor\) of indices below \(3, 2\), got \[3, 0\]"),
        (SCORES, CAPACITY, assignment([[0, 2]], 9.0), r"indices below \(3, 2\), got \[0, 2\]"),
        (SCORES, CAPACITY, MentorAssignment(np.array([[0.0, 0.0]]), 9.0, 9.0, 0.0, np.array([1, 2])), "integer indices"),
        (SCORES, CAPACITY, MentorAssignment(np.array([0, 0]), 9.0, 9.0, 0.0, np.array([1, 2])), r"\(k, 2\) array"),
        (SCORES, CAPACITY, assignment([[0, 0]], 9.0, unmatched=[1, 5]), "unmatched learners as indices 0 to 2, got 5"),
        (SCORES, CAPACITY, {"pairs": [[0, 0]]}, "expected a MentorAssignment, got a dict"),
        (SCORES, [1], assignment([[0, 0]], 9.0), r"capacity of shape \(2,\)"),
        ([1.0, 2.0], CAPACITY, assignment([[0, 0]], 9.0), "2-D array"),
    ],
    ids=["learner out of range", "mentor out of range", "float pairs", "pairs not (k, 2)", "unmatched out of range",
         "not a result", "capacity of the wrong length", "scores not a matrix"],
)
def test_check_assignment_raises_for_malformed_input(scores, capacity, result, match):
    with pytest.raises(ValueError, match=match):
        check_assignment(scores, capacity, result)


# --- properties -----------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(assignment_problems(), st.sampled_from(["coverage", "score"]))
def test_solution_is_valid_and_optimal(instance, priority):
    scores, capacity = instance
    assert_valid_and_optimal(assign_mentors(scores, capacity, priority=priority), scores, capacity, priority)


def force_sparse_candidates(patch: pytest.MonkeyPatch) -> None:
    """Make every instance 'large', so candidate lists and certificate rounds are exercised."""
    patch.setattr(assignment_module, "ALL_PAIRS_LIMIT", 0)
    patch.setattr(assignment_module, "ROW_CANDIDATES", 1)
    patch.setattr(assignment_module, "COL_CANDIDATES_PER_SEAT", 1)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["coverage", "score"]))
def test_sparse_path_iterates_to_the_optimum(seed, priority):
    """Forcing tiny candidate lists: certificate rounds add the missing pairs until optimal."""
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((40, 15)) * 10, 2)
    scores[rng.random(scores.shape) < 0.2] = NO
    capacity = rng.integers(0, 4, size=15)
    with pytest.MonkeyPatch.context() as patch:
        force_sparse_candidates(patch)
        result = assign_mentors(scores, capacity, priority=priority)
    assert_valid_and_optimal(result, scores, capacity, priority)


def test_one_round_bound_still_holds(monkeypatch):
    """With a single round on sparse candidates the answer may fall short, but never above its bound."""
    force_sparse_candidates(monkeypatch)
    monkeypatch.setattr(assignment_module, "EXACT_SEAT_PAIRS", 0)
    monkeypatch.setattr(assignment_module, "LARGE_ROUNDS", 1)
    rng = np.random.default_rng(7)
    for _ in range(10):
        scores = np.round(rng.random((60, 20)) * 10, 2)
        capacity = rng.integers(1, 3, size=20)
        for priority in ("coverage", "score"):
            result = assign_mentors(scores, capacity, priority=priority)
            check_valid(result, scores, capacity)
            best = best_total(scores, capacity, priority)
            assert result.total <= best + 1e-6
            if priority == "score" or len(result.pairs) == max_coverage(scores, capacity):
                assert best <= result.upper_bound + 1e-6


def test_seeded_cross_check_against_linear_sum_assignment():
    rng = np.random.default_rng(2026)
    scores = rng.random((300, 120)) * 10
    scores[rng.random(scores.shape) < 0.05] = NO
    capacity = rng.integers(1, 4, size=120)
    for priority in ("coverage", "score"):
        result = assign_mentors(scores, capacity, priority=priority)
        check_valid(result, scores, capacity)
        assert result.total == pytest.approx(best_total(scores, capacity, priority), rel=1e-12)
        assert result.gap <= 1e-9


def test_float32_scores_are_accepted_without_copy_semantics_changing_results():
    rng = np.random.default_rng(3)
    scores = (rng.random((30, 10)) * 10).astype(np.float32)
    capacity = rng.integers(1, 3, size=10)
    assert assign_mentors(scores, capacity).total == pytest.approx(
        assign_mentors(scores.astype(float), capacity).total
    )


def test_exact_rounds_fall_back_to_every_pair(monkeypatch):
    """If certificate rounds do not close the gap quickly, the last round uses every pair and is exact."""
    force_sparse_candidates(monkeypatch)
    monkeypatch.setattr(assignment_module, "EXACT_ROUNDS", 1)
    rng = np.random.default_rng(11)
    scores = np.round(rng.random((50, 20)) * 10, 2)
    capacity = rng.integers(1, 3, size=20)
    for priority in ("coverage", "score"):
        result = assign_mentors(scores, capacity, priority=priority)
        assert result.total == pytest.approx(best_total(scores, capacity, priority), abs=1e-6)
        assert result.gap <= 1e-9


def test_plus_inf_in_float32_scores_raises():
    with pytest.raises(ValueError, match=r"finite or -inf"):
        assign_mentors(np.array([[1.0, np.inf]], dtype=np.float32), [1, 1])
