"""Tests for matcher.solve.assignment.assign_mentors_blocked: same answers as the dense path, true bounds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher.solve.assignment as assignment_module
from matcher.solve.assignment import assign_mentors, assign_mentors_blocked
from tests.matcher.solve.test_assignment import (
    assert_valid_and_optimal,
    best_total,
    check_valid,
    force_sparse_candidates,
)
from tests.matcher.strategies import NO, assignment_problems


class Rows:
    """A block-scoring callable over a stored table that records the blocks asked for."""

    def __init__(self, scores):
        self.scores = np.asarray(scores, dtype=float)
        self.calls = []

    def __call__(self, start, stop):
        self.calls.append((start, stop))
        return self.scores[start:stop]


def blocked(scores, capacity, **options):
    scores = np.asarray(scores, dtype=float).reshape(len(scores), len(capacity))
    options.setdefault("keep_bytes", 0)  # score again for every pass, as on a table too large to keep
    return assign_mentors_blocked(Rows(scores), scores.shape[0], capacity, **options)


@given(assignment_problems(), st.sampled_from(["coverage", "score"]), st.integers(1, 5))
def test_small_problems_get_the_dense_paths_total_and_a_zero_gap(instance, priority, block_rows):
    scores, capacity = instance
    result = blocked(scores, capacity, priority=priority, block_rows=block_rows)
    dense = assign_mentors(scores, capacity, priority=priority)
    assert len(result.pairs) == len(dense.pairs)
    assert result.total == pytest.approx(dense.total, abs=1e-9)
    assert_valid_and_optimal(result, scores, capacity, priority)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["coverage", "score"]), st.integers(1, 17))
def test_sparse_candidates_iterate_to_the_dense_optimum(seed, priority, block_rows):
    """Tiny candidate lists kept block by block: certificate rounds over re-scored blocks reach the optimum."""
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((40, 15)) * 10, 2)
    scores[rng.random(scores.shape) < 0.2] = NO
    capacity = rng.integers(0, 4, size=15)
    with pytest.MonkeyPatch.context() as patch:
        force_sparse_candidates(patch)
        result = blocked(scores, capacity, priority=priority, block_rows=block_rows)
        dense = assign_mentors(scores, capacity, priority=priority)
    assert result.total == pytest.approx(dense.total, abs=1e-6)
    assert_valid_and_optimal(result, scores, capacity, priority)


def test_one_round_bound_is_a_true_bound(monkeypatch):
    """One certificate round on sparse candidates may fall short of the optimum, never above its bound."""
    force_sparse_candidates(monkeypatch)
    monkeypatch.setattr(assignment_module, "EXACT_SEAT_PAIRS", 0)
    monkeypatch.setattr(assignment_module, "LARGE_ROUNDS", 1)
    rng = np.random.default_rng(7)
    short = 0
    for _ in range(10):
        scores = np.round(rng.random((60, 20)) * 10, 2)
        scores[rng.random(scores.shape) < 0.1] = NO
        capacity = rng.integers(1, 3, size=20)
        for priority in ("coverage", "score"):
            result = blocked(scores, capacity, priority=priority, block_rows=16)
            check_valid(result, scores, capacity)
            best = best_total(scores, capacity, priority)
            assert result.total <= best + 1e-6 <= result.upper_bound + 2e-6
            short += result.total < best - 1e-6
    assert short, "no instance fell short: the test would not catch a bound that is just the total"


def test_blocks_are_asked_for_in_order_and_never_larger_than_block_rows():
    rng = np.random.default_rng(3)
    rows = Rows(np.round(rng.random((50, 7)) * 5, 1))
    assign_mentors_blocked(rows, 50, rng.integers(1, 3, size=7), block_rows=8, keep_bytes=0)
    assert rows.calls and all(stop - start <= 8 for start, stop in rows.calls)
    passes = [call for call in rows.calls if call[0] == 0]
    assert len(passes) >= 2, "a candidate pass and at least one certificate pass"
    assert rows.calls[: len(rows.calls) // len(passes)] == [(s, min(s + 8, 50)) for s in range(0, 50, 8)]


def test_float32_blocks_give_the_dense_float32_answer():
    rng = np.random.default_rng(5)
    scores = np.round(rng.random((300, 40)) * 10, 2).astype(np.float32)
    scores[rng.random(scores.shape) < 0.1] = -np.inf
    capacity = rng.integers(0, 4, size=40)
    dense = assign_mentors(scores, capacity)
    result = assign_mentors_blocked(lambda a, b: scores[a:b], 300, capacity, block_rows=64)
    assert result.total == pytest.approx(dense.total, abs=1e-6) and len(result.pairs) == len(dense.pairs)
    assert result.gap <= 1e-9


def test_no_usable_pair_matches_nobody():
    result = blocked([[NO, NO], [NO, NO]], [1, 1])
    assert result.pairs.shape == (0, 2) and result.unmatched.tolist() == [0, 1] and result.gap == 0.0


@pytest.mark.parametrize(
    ("score_rows", "capacity", "message"),
    [
        (lambda a, b: np.zeros((b - a, 3)), [1, 1], r"shape \(2, 2\)"),
        (lambda a, b: np.full((b - a, 2), np.nan), [1, 1], "NaN"),
        (lambda a, b: np.full((b - a, 2), np.inf), [1, 1], "inf"),
        (lambda a, b: np.zeros((b - a, 2)), [1, -1], ">= 0"),
        (lambda a, b: np.zeros((b - a, 2)), [[1, 1]], "1-d"),
    ],
)
def test_malformed_blocks_or_capacity_raise(score_rows, capacity, message):
    with pytest.raises(ValueError, match=message):
        assign_mentors_blocked(score_rows, 2, capacity)


@pytest.mark.parametrize(("keep_bytes", "passes"), [(10**9, 1), (0, None)])
def test_a_table_that_fits_is_scored_once_else_again_for_every_certificate(keep_bytes, passes):
    rng = np.random.default_rng(11)
    rows = Rows(np.round(rng.random((40, 9)) * 5, 1))
    capacity = rng.integers(1, 3, size=9)
    with pytest.MonkeyPatch.context() as patch:
        force_sparse_candidates(patch)
        result = assign_mentors_blocked(rows, 40, capacity, block_rows=8, keep_bytes=keep_bytes)
    first_calls = sum(start == 0 for start, _ in rows.calls)
    assert first_calls == passes if passes else first_calls >= 2
    assert result.total == pytest.approx(best_total(rows.scores, capacity, "coverage"), abs=1e-6)
