"""Tests for matcher.solve.pairing: hand-worked cases, validation, properties, networkx cross-checks."""

from dataclasses import replace

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher.solve.pairing as pairing_module
from matcher.solve.pairing import PeerPairing, best_trio_for, check_pairing, pair_peers
from tests.matcher.strategies import NO, gap_of, peer_score_matrices, symmetric_from_upper


def networkx_optimum(scores, maxcardinality):
    graph = nx.Graph()
    n = len(scores)
    for i in range(n):
        for j in range(i + 1, n):
            if np.isfinite(scores[i, j]):
                graph.add_edge(i, j, weight=scores[i, j])
    matching = nx.max_weight_matching(graph, maxcardinality=maxcardinality)
    return len(matching), float(sum(scores[a, b] for a, b in matching))


def assert_valid(result: PeerPairing, scores):
    pairs = result.pairs
    assert (pairs[:, 0] < pairs[:, 1]).all()
    members = pairs.ravel()
    assert len(set(members.tolist())) == len(members), "pairs must be disjoint"
    assert np.isfinite(scores[pairs[:, 0], pairs[:, 1]]).all(), "no forbidden pair"
    assert sorted(members.tolist() + result.unpaired.tolist()) == list(range(len(scores)))
    assert result.total == pytest.approx(scores[pairs[:, 0], pairs[:, 1]].sum())
    assert result.upper_bound >= result.total - 1e-9
    assert check_pairing(scores, result)


# --- hand-worked cases ------------------------------------------------------


def test_triangle_pairs_the_best_edge_and_leaves_one_out():
    scores = np.array([[0, 5, 1], [5, 0, 2], [1, 2, 0]], dtype=float)
    result = pair_peers(scores)
    assert result.pairs.tolist() == [[0, 1]]
    assert result.unpaired.tolist() == [2]
    assert result.total == 5.0 and result.gap == 0.0


def test_path_coverage_takes_both_ends_over_the_heavy_middle():
    # 0 - 1 - 2 - 3 with weights 2, 3, 2: coverage wants two pairs (total 4),
    # score wants the heavy middle edge... which is worse (3 < 4) here too.
    scores = np.full((4, 4), NO)
    for (i, j), w in {(0, 1): 2.0, (1, 2): 3.0, (2, 3): 2.0}.items():
        scores[i, j] = scores[j, i] = w
    assert pair_peers(scores).pairs.tolist() == [[0, 1], [2, 3]]


def test_path_score_priority_takes_heavy_middle_when_it_pays():
    scores = np.full((4, 4), NO)
    for (i, j), w in {(0, 1): 1.0, (1, 2): 5.0, (2, 3): 1.0}.items():
        scores[i, j] = scores[j, i] = w
    assert pair_peers(scores, priority="score").pairs.tolist() == [[1, 2]]
    assert pair_peers(scores, priority="coverage").pairs.tolist() == [[0, 1], [2, 3]]


def test_forbidden_edge_is_never_used():
    scores = np.array([[0, NO, 1, 1], [NO, 0, 1, 1], [1, 1, 0, 9], [1, 1, 9, 0]])
    scores[0, 1] = scores[1, 0] = NO
    result = pair_peers(scores)
    assert len(result.pairs) == 2
    assert [0, 1] not in result.pairs.tolist()


def test_all_forbidden_pairs_nobody():
    result = pair_peers(np.full((3, 3), NO))
    assert result.pairs.shape == (0, 2)
    assert result.unpaired.tolist() == [0, 1, 2]
    assert result.total == 0.0 and result.upper_bound == 0.0


def test_one_member_is_unpaired():
    result = pair_peers([[7.0]])
    assert result.pairs.shape == (0, 2) and result.unpaired.tolist() == [0]


def test_no_members():
    result = pair_peers(np.zeros((0, 0)))
    assert result.pairs.shape == (0, 2) and result.unpaired.tolist() == []


def test_score_priority_skips_negative_pairs_coverage_takes_them():
    scores = np.array([[0, -1.0], [-1.0, 0]])
    assert pair_peers(scores, priority="score").pairs.shape == (0, 2)
    assert pair_peers(scores, priority="coverage").pairs.tolist() == [[0, 1]]


def test_diagonal_is_ignored():
    scores = np.array([[100.0, 1.0], [1.0, 100.0]])
    assert pair_peers(scores).pairs.tolist() == [[0, 1]]


def test_result_is_frozen():
    result = pair_peers([[0, 1], [1, 0]])
    with pytest.raises(AttributeError):
        result.total = 3.0


# --- validation, one by one -------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "match"),
    [
        ([1, 2], "2-D"),
        ([[0, 1, 2], [1, 0, 2]], r"square \(n, n\)"),
        ([[0, np.nan], [np.nan, 0]], "NaN"),
        ([[0, np.inf], [np.inf, 0]], r"\+inf"),
        ([[0, 1.0], [2.0, 0]], r"symmetric .* scores\[0, 1\]=1.0 but scores\[1, 0\]=2.0"),
        ([[0, 1.0], [NO, 0]], "symmetric"),
        ([["a", "b"], ["c", "d"]], "numeric"),
    ],
)
def test_bad_scores_raise(scores, match):
    with pytest.raises(ValueError, match=match):
        pair_peers(scores)


def test_asymmetry_within_tolerance_is_accepted():
    pair_peers([[0, 1.0], [1.0 + 1e-12, 0]])


def test_bad_priority_raises():
    with pytest.raises(ValueError, match="expected priority 'coverage' or 'score', got 'size'"):
        pair_peers([[0, 1], [1, 0]], priority="size")


# --- check_pairing: a result verified without the solver ---------------------

TRIANGLE = [[0, 5, 1], [5, 0, 2], [1, 2, NO]]
SQUARE = [[0, 5, 1, NO], [5, 0, 2, 1], [1, 2, 0, 3], [NO, 1, 3, 0]]


def pairing(pairs, total, upper_bound=None, unpaired=None, n=4):
    """A hand-built result; by default its bound is its total and unpaired is the rest."""
    pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    upper_bound = total if upper_bound is None else upper_bound
    if unpaired is None:
        unpaired = sorted(set(range(n)) - set(pairs.ravel().tolist()))
    return PeerPairing(pairs, total, upper_bound, gap_of(upper_bound, total), np.array(unpaired, dtype=np.int64))


def test_check_pairing_accepts_the_solver_answer_and_an_empty_one():
    assert check_pairing(SQUARE, pair_peers(SQUARE)) is True
    assert check_pairing(TRIANGLE, pair_peers(TRIANGLE)) is True
    assert check_pairing(SQUARE, pairing([], 0.0)) is True
    assert check_pairing(np.zeros((0, 0)), pair_peers(np.zeros((0, 0)))) is True


def test_a_suboptimal_but_feasible_pairing_is_valid():
    assert check_pairing(SQUARE, pairing([[1, 2]], 2.0, upper_bound=8.0))


@pytest.mark.parametrize(
    "result",
    [
        pairing([[0, 1], [1, 2]], 7.0),
        pairing([[2, 2]], 0.0),
        pairing([[0, 3]], NO),
        pairing([[0, 1]], 5.0, unpaired=[2]),
        pairing([[0, 1]], 5.0, unpaired=[0, 2, 3]),
        pairing([[0, 1], [2, 3]], 9.0),
        pairing([[0, 1], [2, 3]], 8.0, upper_bound=7.5),
        PeerPairing(np.array([[0, 1], [2, 3]]), 8.0, 9.0, 0.0, np.array([], dtype=np.int64)),
    ],
    ids=["member in two pairs", "member paired with themself", "forbidden pair", "unpaired member missing",
         "paired member listed unpaired", "total does not add up", "bound below the total",
         "gap does not follow from the bound"],
)
def test_check_pairing_refuses_a_wrong_result(result):
    assert check_pairing(SQUARE, result) is False


@pytest.mark.parametrize(
    "scores, result, match",
    [
        (SQUARE, pairing([[0, 4]], 0.0, unpaired=[1, 2, 3]), r"indices below \(4, 4\), got \[0, 4\]"),
        (SQUARE, pairing([[0, 1]], 5.0, unpaired=[2, -1]), "unpaired members as indices 0 to 3, got -1"),
        (SQUARE, PeerPairing(np.array([[0.0, 1.0]]), 5.0, 5.0, 0.0, np.array([2, 3])), "integer indices"),
        (SQUARE, (np.array([[0, 1]]), 5.0), "expected a PeerPairing, got a tuple"),
        ([[0, 1.0], [2.0, 0]], pairing([[0, 1]], 1.0, n=2), "symmetric"),
        ([[0, 1, 2], [1, 0, 2]], pairing([[0, 1]], 1.0, n=2), "square"),
    ],
    ids=["member out of range", "unpaired out of range", "float pairs", "not a result", "asymmetric scores",
         "scores not square"],
)
def test_check_pairing_raises_for_malformed_input(scores, result, match):
    with pytest.raises(ValueError, match=match):
        check_pairing(scores, result)


# --- best_trio_for ------------------------------------------------------------


def test_best_trio_names_the_pair_gaining_most():
    scores = np.array(
        [[0, 9, 1, 1, 1], [9, 0, 1, 1, 1], [1, 1, 0, 9, 4], [1, 1, 9, 0, 4], [1, 1, 4, 4, 0]], float
    )
    assert best_trio_for(4, [[0, 1], [2, 3]], scores) == (2, 3)


def test_best_trio_skips_pairs_with_a_forbidden_member():
    scores = np.array([[0, 9, 5], [9, 0, NO], [5, NO, 0]])
    assert best_trio_for(2, [[0, 1]], scores) is None


def test_best_trio_with_no_pairs_is_none():
    assert best_trio_for(0, np.zeros((0, 2), int), [[0.0]]) is None


def test_best_trio_rejects_an_unknown_member():
    with pytest.raises(ValueError, match="expected leftover as a member index 0-1, got 5"):
        best_trio_for(5, [[0, 1]], [[0, 1], [1, 0]])


# --- properties and cross-checks against networkx ----------------------------


@settings(max_examples=60, deadline=None)
@given(peer_score_matrices(), st.sampled_from(["coverage", "score"]))
def test_exact_matches_networkx(scores, priority):
    result = pair_peers(scores, priority=priority)
    assert_valid(result, scores)
    size, total = networkx_optimum(scores, maxcardinality=priority == "coverage")
    if priority == "coverage":
        assert len(result.pairs) == size
    assert result.total == pytest.approx(total, abs=1e-7)
    assert result.gap == 0.0


@settings(max_examples=60, deadline=None)
@given(peer_score_matrices(), st.sampled_from(["coverage", "score"]))
def test_certified_mode_bound_is_proven(scores, priority):
    result = pair_peers(scores, priority=priority, exact_up_to=0)
    assert_valid(result, scores)
    size, total = networkx_optimum(scores, maxcardinality=priority == "coverage")
    if priority == "coverage":
        assert len(result.pairs) <= size
    if priority == "score" or len(result.pairs) == size:
        assert result.total <= total + 1e-7
        assert result.upper_bound >= total - 1e-7


@pytest.mark.parametrize("seed", range(3))
def test_dense_random_rounds_of_40_match_networkx(seed):
    rng = np.random.default_rng(seed)
    scores = symmetric_from_upper(rng.random((40, 40)))
    scores[rng.random((40, 40)) < 0.1] = NO
    scores = np.minimum(scores, scores.T)
    for priority in ("coverage", "score"):
        result = pair_peers(scores, priority=priority)
        _, total = networkx_optimum(scores, maxcardinality=priority == "coverage")
        assert result.total == pytest.approx(total, abs=1e-9)


def test_certified_mode_on_a_larger_round_has_a_small_gap():
    rng = np.random.default_rng(7)
    scores = symmetric_from_upper(rng.random((300, 300)))
    exact = pair_peers(scores)
    certified = pair_peers(scores, exact_up_to=0)
    assert certified.upper_bound >= exact.total - 1e-9
    assert certified.total <= exact.total + 1e-9
    assert certified.gap < 1e-3


@pytest.mark.parametrize("seed", range(5))
def test_large_coverage_rounds_are_tightened_by_the_score_bound_and_stay_certified(seed):
    rng = np.random.default_rng(seed)
    n = 40
    scores = symmetric_from_upper(rng.uniform(0, 10, (n, n)))
    scores[rng.uniform(size=(n, n)) < 0.3] = -np.inf
    scores = np.minimum(scores, scores.T)
    result = pair_peers(scores, priority="coverage", exact_up_to=10)
    by_score = pair_peers(scores, priority="score", exact_up_to=10)
    size, optimum = networkx_optimum(scores, maxcardinality=True)
    assert len(result.pairs) == size
    assert result.total <= optimum + 1e-6 <= result.upper_bound + 2e-6
    assert result.upper_bound <= by_score.upper_bound + 1e-9


# --- certified mode: priced to convergence, then re-solved around the odd cycles ------------


@settings(max_examples=80, deadline=None)
@given(peer_score_matrices(), st.sampled_from(["coverage", "score"]))
def test_certified_mode_reaches_the_networkx_optimum_when_the_region_closes(scores, priority):
    # On small rounds the region around the undecided members never hits its budget,
    # so the region solve is a global optimum and the answer says it is proven.
    result = pair_peers(scores, priority=priority, exact_up_to=0)
    assert_valid(result, scores)
    size, total = networkx_optimum(scores, maxcardinality=priority == "coverage")
    if priority == "coverage":
        assert len(result.pairs) == size
    assert result.total == pytest.approx(total, abs=1e-7)
    assert result.upper_bound >= total - 1e-7


@pytest.mark.parametrize("priority", ["coverage", "score"])
@pytest.mark.parametrize("seed", range(4))
def test_certified_mode_with_a_tiny_region_budget_stays_valid_and_bounded(monkeypatch, priority, seed):
    monkeypatch.setattr(pairing_module, "REGION_PAIRS", 3)
    rng = np.random.default_rng(seed)
    n = 41
    scores = symmetric_from_upper(rng.uniform(0, 10, (n, n)))
    scores[rng.uniform(size=(n, n)) < 0.3] = -np.inf
    scores = np.minimum(scores, scores.T)
    result = pair_peers(scores, priority=priority, exact_up_to=0)
    assert_valid(result, scores)
    size, optimum = networkx_optimum(scores, maxcardinality=priority == "coverage")
    assert result.total <= optimum + 1e-7 <= result.upper_bound + 2e-7


def test_float32_scores_are_solved_without_a_float64_copy_and_give_float64_figures():
    rng = np.random.default_rng(3)
    scores = symmetric_from_upper(rng.uniform(0, 10, (61, 61))).astype(np.float32)
    result = pair_peers(scores, exact_up_to=0)
    assert isinstance(result.total, float)
    assert check_pairing(scores, result)
    _, optimum = networkx_optimum(scores.astype(float), maxcardinality=True)
    assert result.total == pytest.approx(optimum, abs=1e-6)


def test_the_old_certified_path_kept_for_the_benchmarks_is_still_valid():
    rng = np.random.default_rng(5)
    scores = symmetric_from_upper(rng.uniform(0, 10, (51, 51)))
    old = pairing_module._legacy_pair_peers(scores, exact_up_to=10)
    assert_valid(old, scores)
    _, optimum = networkx_optimum(scores, maxcardinality=True)
    assert old.total <= optimum + 1e-7 <= old.upper_bound + 2e-7


# --- the odd one out joins the best trio ---------------------------------------------------


def test_the_odd_one_out_joins_the_pair_they_add_most_to():
    s = np.array([[0, 9, 1, 1, 3], [9, 0, 1, 1, 3], [1, 1, 0, 9, 0], [1, 1, 9, 0, 1], [3, 3, 0, 1, 0]], dtype=float)
    result = pair_peers(s)
    assert result.pairs.tolist() == [[0, 1], [2, 3]]
    assert result.trio == (0, 1, 4)
    assert check_pairing(s, result)


def test_an_even_round_has_no_trio():
    assert pair_peers([[0, 5], [5, 0]]).trio is None


def test_no_trio_when_the_odd_one_out_may_not_join_any_pair():
    s = np.array([[0, 5, 1], [5, 0, NO], [1, NO, 0]], dtype=float)
    result = pair_peers(s)
    assert result.unpaired.tolist() == [2] and result.trio is None


def test_check_pairing_rejects_a_trio_whose_third_member_is_paired():
    s = np.array([[0, 5, 1], [5, 0, 2], [1, 2, 0]], dtype=float)
    result = pair_peers(s)
    assert not check_pairing(s, replace(result, trio=(0, 1, 0)))
    with pytest.raises(ValueError, match="trio of member indices"):
        check_pairing(s, replace(result, trio=(0, 1, 7)))


@settings(max_examples=40, deadline=None)
@given(peer_score_matrices(), st.sampled_from([0, 600]))
def test_a_trio_is_the_best_pair_for_the_only_unpaired_member(scores, exact_up_to):
    result = pair_peers(scores, exact_up_to=exact_up_to)
    if len(result.unpaired) == 1 and len(result.pairs):
        expected = best_trio_for(int(result.unpaired[0]), result.pairs, scores)
        assert result.trio == (None if expected is None else (*expected, int(result.unpaired[0])))
    else:
        assert result.trio is None
    assert check_pairing(scores, result)
