"""Tests for ``matcher.solve.grouping.form_groups``: worked examples, enumeration, rules, properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from matcher.solve.grouping import Grouping, InfeasibleError, form_groups
from tests.matcher.strategies import grouping_problems, random_diversity

BUDGET = dict(time_limit=None, max_iterations=300)


def recomputed_total(d: np.ndarray, labels: np.ndarray) -> float:
    same = labels[:, None] == labels[None, :]
    return float(np.triu(np.where(same, d, 0.0), 1).sum())


def brute_force(d, sizes, anchors=(), apart=(), together=()) -> float | None:
    """Best total over every labelling that meets the rules (n <= 10), None if none does."""
    n, g = len(d), len(sizes)
    labels = np.array(list(itertools.product(range(g), repeat=n)))
    counts = np.stack([(labels == k).sum(axis=1) for k in range(g)], axis=1)
    ok = np.all((counts >= [lo for lo, _ in sizes]) & (counts <= [hi for _, hi in sizes]), axis=1)
    for i, j in apart:
        ok &= labels[:, i] != labels[:, j]
    for i, j in together:
        ok &= labels[:, i] == labels[:, j]
    if len(anchors) >= g:
        for k in range(g):
            ok &= (labels[:, list(anchors)] == k).any(axis=1)
    if not ok.any():
        return None
    labels = labels[ok]
    totals = np.zeros(len(labels))
    for i, j in itertools.combinations(range(n), 2):
        totals += np.where(labels[:, i] == labels[:, j], d[i, j], 0.0)
    return float(totals.max())


def check_valid(result: Grouping, d, sizes, anchors=(), apart=(), together=()) -> None:
    n, g = len(d), len(sizes)
    labels = result.labels
    assert labels.shape == (n,)
    assert sorted(np.concatenate(result.groups).tolist()) == list(range(n))  # everyone once
    for k, group in enumerate(result.groups):
        assert np.all(labels[group] == k)
        assert sizes[k][0] <= len(group) <= sizes[k][1]
    for i, j in apart:
        assert labels[i] != labels[j]
    for i, j in together:
        assert labels[i] == labels[j]
    if len(anchors) >= g:
        assert set(labels[list(anchors)].tolist()) == set(range(g))
    assert result.total == pytest.approx(recomputed_total(np.asarray(d, float), labels), abs=1e-6)
    result.check(d, sizes, anchors=anchors, apart=apart, together=together)


# -- hand-worked examples


def test_two_pairs_takes_the_two_far_pairs():
    # {0,2} and {1,3} score 9 + 9; {0,3},{1,2} 5 + 5; {0,1},{2,3} 1 + 1.
    d = [[0, 1, 9, 5], [1, 0, 5, 9], [9, 5, 0, 1], [5, 9, 1, 0]]
    result = form_groups(d, [(2, 2), (2, 2)], **BUDGET)
    assert result.total == 18.0
    assert sorted(sorted(g.tolist()) for g in result.groups) == [[0, 2], [1, 3]]


def test_apart_rule_gives_up_the_best_pair():
    d = [[0, 1, 9, 5], [1, 0, 5, 9], [9, 5, 0, 1], [5, 9, 1, 0]]
    result = form_groups(d, [(2, 2), (2, 2)], apart=[(0, 2)], **BUDGET)
    assert result.total == 10.0


def test_together_rule_forces_the_near_pair():
    d = [[0, 1, 9, 5], [1, 0, 5, 9], [9, 5, 0, 1], [5, 9, 1, 0]]
    result = form_groups(d, [(2, 2), (2, 2)], together=[(0, 1)], **BUDGET)
    assert result.total == 2.0


def test_unequal_bounds_fill_the_bigger_group():
    # Every pair is worth 1, so the most pairs win: sizes 4 + 1 (6 pairs) beat 3 + 2 (4 pairs).
    d = np.ones((5, 5))
    result = form_groups(d, [(1, 4), (1, 4)], **BUDGET)
    assert sorted(len(g) for g in result.groups) == [1, 4]
    assert result.total == 6.0


def test_one_group_holds_everyone():
    d = random_diversity(4, 0)
    result = form_groups(d, [(4, 4)], **BUDGET)
    assert result.labels.tolist() == [0, 0, 0, 0]
    assert result.total == pytest.approx(np.triu(d, 1).sum())


def test_single_member():
    result = form_groups([[0.0]], [(1, 1)], **BUDGET)
    assert result.labels.tolist() == [0]
    assert result.total == 0.0


def test_diagonal_is_ignored():
    d = random_diversity(4, 1)
    noisy = d + np.diag([100.0, -5.0, 3.0, 7.0])
    assert form_groups(noisy, [(2, 2)] * 2, **BUDGET).total == form_groups(d, [(2, 2)] * 2, **BUDGET).total


# -- optimum by enumeration (n <= 10)

CASES = [
    # n, sizes, anchors, apart, together
    (6, [(3, 3), (3, 3)], (), (), ()),
    (8, [(2, 3), (2, 3), (2, 3)], (), (), ()),
    (9, [(3, 3)] * 3, (), (), ()),
    (9, [(2, 5), (2, 5), (1, 4)], (), (), ()),
    (10, [(5, 5), (5, 5)], (), (), ()),
    (8, [(4, 4), (4, 4)], (0, 1), (), ()),
    (9, [(3, 3)] * 3, (0, 1, 2, 3), ((4, 5), (5, 6), (4, 6)), ()),
    (9, [(2, 4)] * 3, (), ((0, 1), (2, 3)), ((0, 2), (4, 5), (5, 6))),
    (8, [(2, 5), (2, 5)], (0, 7), ((1, 2),), ((3, 4),)),
    (7, [(1, 3), (2, 3), (2, 3)], (1, 2, 3), (), ((1, 4),)),
]


@pytest.mark.parametrize("n, sizes, anchors, apart, together", CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_finds_the_enumerated_optimum(n, sizes, anchors, apart, together, seed):
    d = random_diversity(n, 100 + n + seed)
    best = brute_force(d, sizes, anchors, apart, together)
    result = form_groups(d, sizes, anchors=anchors, apart=apart, together=together,
                         time_limit=None, max_iterations=500, seed=seed)
    check_valid(result, d, sizes, anchors, apart, together)
    assert result.total == pytest.approx(best, abs=1e-6)


# -- boundary checks

GOOD_D = np.ones((4, 4)) - np.eye(4)


@pytest.mark.parametrize(
    "diversity, sizes, match",
    [
        ([1, 2, 3], [(1, 3)], "matrix \\(2-D array\\)"),
        (np.ones((2, 3)), [(1, 2)], "square"),
        (np.zeros((0, 0)), [(1, 1)], "at least one member"),
        ([[0, np.nan], [np.nan, 0]], [(2, 2)], "NaN"),
        ([[0, np.inf], [np.inf, 0]], [(2, 2)], "\\+inf"),
        ([[0, -np.inf], [-np.inf, 0]], [(2, 2)], "finite"),
        ([[0, 1], [2, 0]], [(2, 2)], "symmetric"),
        ([["a", "b"], ["c", "d"]], [(2, 2)], "numeric"),
        (GOOD_D, [], "non-empty"),
        (GOOD_D, [(1, 2, 3)], "\\(min, max\\) pairs"),
        (GOOD_D, [(0, 4)], "1 <= min <= max"),
        (GOOD_D, [(3, 2), (1, 2)], "1 <= min <= max"),
        (GOOD_D, [(1.5, 2), (2, 2)], "integer group sizes"),
        (GOOD_D, [(3, 3), (2, 2)], "minimum sizes add up to 5, more than the 4"),
        (GOOD_D, [(1, 1), (1, 2)], "maximum sizes add up to 3, fewer than the 4"),
    ],
)
def test_bad_matrix_or_sizes(diversity, sizes, match):
    with pytest.raises(ValueError, match=match):
        form_groups(diversity, sizes, **BUDGET)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(anchors=[4]), "indices 0 to 3 in anchors, got 4"),
        (dict(anchors=[-1]), "indices 0 to 3 in anchors"),
        (dict(anchors=["a"]), "integers in anchors"),
        (dict(apart=[(0, 9)]), "in apart, got 9"),
        (dict(apart=[(1, 1)]), "two different members in each apart pair"),
        (dict(apart=[(1, 2, 3)]), "apart as \\(i, j\\) pairs"),
        (dict(together=[(0, 0)]), "two different members in each together pair"),
        (dict(together=[(True, 1)]), "integers in together"),
        (dict(time_limit=None, max_iterations=None), "neither"),
        (dict(time_limit=0), "positive finite time_limit"),
        (dict(time_limit=float("inf")), "positive finite time_limit"),
        (dict(time_limit=None, max_iterations=-1), "max_iterations as an integer >= 0"),
        (dict(time_limit=None, max_iterations=2.5), "max_iterations as an integer >= 0"),
    ],
)
def test_bad_rules_or_budget(kwargs, match):
    kwargs = {**BUDGET, **kwargs}
    with pytest.raises(ValueError, match=match):
        form_groups(GOOD_D, [(2, 2), (2, 2)], **kwargs)


@pytest.mark.parametrize(
    "sizes, kwargs, match",
    [
        ([(2, 2)] * 3, dict(together=[(0, 1), (1, 2)]), "together rules join members \\[0, 1, 2\\]"),
        ([(3, 3)] * 2, dict(together=[(0, 1), (2, 3), (4, 5)]), "together rules: .*do not fit"),
        ([(3, 3)] * 2, dict(apart=[(0, 1)], together=[(0, 1)]), "apart rule \\(0, 1\\) breaks the together"),
        ([(3, 3)] * 2, dict(anchors=[0, 1], together=[(0, 1)]), "anchors rule: 2 anchors for 2 groups"),
        ([(3, 3)] * 2, dict(apart=[(0, 1), (1, 2), (0, 2)], together=[(0, 3), (1, 4)]), "apart rules"),
        ([(2, 2)] * 3, dict(apart=[(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]), "apart rules: no grouping exists"),
        ([(2, 4)] * 2, dict(anchors=[0, 1], apart=[(0, 2), (1, 2), (0, 3), (1, 3)], together=[(2, 3), (3, 4), (4, 5)]), "anchors rule"),
    ],
)
def test_infeasible_rules_name_the_rule(sizes, kwargs, match):
    with pytest.raises(InfeasibleError, match=match):
        form_groups(random_diversity(6, 3), sizes, **{**BUDGET, **kwargs})


def test_merged_members_are_packed_into_exact_sizes():
    # 2 trios and 147 pairs into 50 groups of exactly 6: the trios must share a group,
    # which the construction has to see coming rather than find by backtracking.
    n = 300
    together = [(0, 1), (1, 2), (3, 4), (4, 5)] + [(i, i + 1) for i in range(6, n, 2)]
    d = random_diversity(n, 4)
    result = form_groups(d, [(6, 6)] * 50, together=together, time_limit=None, max_iterations=0)
    check_valid(result, d, [(6, 6)] * 50, together=together)
    assert result.labels[0] == result.labels[3]


def test_pairs_as_an_integer_array_are_the_same_rules():
    d = random_diversity(12, 6)
    sizes = [(3, 3)] * 4
    apart = [(0, 1), (2, 3), (5, 4)]
    listed = form_groups(d, sizes, apart=apart, together=[(6, 7)], **BUDGET)
    arrays = form_groups(d, sizes, apart=np.array(apart), together=np.array([[6, 7]]), **BUDGET)
    assert listed.labels.tolist() == arrays.labels.tolist()
    with pytest.raises(ValueError, match="expected member indices 0 to 11 in apart, got 12"):
        form_groups(d, sizes, apart=np.array([[0, 12]]), **BUDGET)
    with pytest.raises(ValueError, match="two different members in each apart pair, got \\(3, 3\\)"):
        form_groups(d, sizes, apart=np.array([[0, 1], [3, 3]]), **BUDGET)


def test_infeasible_error_is_a_value_error():
    assert issubclass(InfeasibleError, ValueError)


# -- anytime behaviour


def test_same_seed_and_budget_give_the_same_grouping():
    d = random_diversity(30, 5)
    sizes = [(4, 7)] * 5
    first = form_groups(d, sizes, time_limit=None, max_iterations=400, seed=7)
    again = form_groups(d, sizes, time_limit=None, max_iterations=400, seed=7)
    assert first.labels.tolist() == again.labels.tolist()
    assert first.total == again.total
    assert first.iterations == again.iterations == 400


@pytest.mark.parametrize("seed", range(4))
def test_search_is_never_worse_than_its_construction(seed):
    d = random_diversity(24, seed)
    sizes = [(3, 6), (3, 5), (4, 6), (2, 8)]
    rules = dict(anchors=[0, 1, 2, 3, 4], apart=[(5, 6), (6, 7)], together=[(8, 9)])
    start = form_groups(d, sizes, time_limit=None, max_iterations=0, seed=seed, **rules)
    searched = form_groups(d, sizes, time_limit=None, max_iterations=200, seed=seed, **rules)
    check_valid(start, d, sizes, **rules)
    check_valid(searched, d, sizes, **rules)
    assert start.iterations == 0
    assert searched.total >= start.total - 1e-9


def test_time_limit_alone_returns_a_valid_grouping():
    d = random_diversity(20, 9)
    result = form_groups(d, [(5, 5)] * 4, time_limit=0.05)
    check_valid(result, d, [(5, 5)] * 4)


def grouping_of(labels, total):
    labels = np.array(labels)
    return Grouping(labels, [np.flatnonzero(labels == k) for k in range(2)], total, 0)


@pytest.mark.parametrize(
    "labels, total, rules, match",
    [
        ([0, 0, 0, 1], 6.0, {}, "group 0 has 3 members, expected 2 to 2"),
        ([0, 0, 1, 1], 2.0, dict(apart=[(0, 1)]), "apart rule broken: members 0 and 1 share group 0"),
        ([0, 0, 1, 1], 2.0, dict(together=[(1, 2)]), "together rule broken: members 1 and 2"),
        ([0, 0, 1, 1], 2.0, dict(anchors=[0, 1]), "anchors rule broken: group 1 has no anchor"),
        ([0, 0, 1, 1], 3.0, {}, "total is 3.0 but the groups add up to 2.0"),
        ([0, 0, 1, 2], 2.0, {}, "labels must give each of the 4 members a group 0 to 1"),
    ],
)
def test_check_names_the_broken_rule(labels, total, rules, match):
    with pytest.raises(ValueError, match=match):
        grouping_of(labels, total).check(GOOD_D, [(2, 2), (2, 2)], **rules)


def test_grouping_is_frozen():
    result = form_groups(GOOD_D, [(2, 2), (2, 2)], **BUDGET)
    with pytest.raises(AttributeError):
        result.total = 0.0


# -- properties


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(grouping_problems())
def test_every_grouping_meets_every_rule(instance):
    d, sizes, anchors, apart, together, seed = instance
    try:
        result = form_groups(d, sizes, anchors=anchors, apart=apart, together=together,
                             time_limit=None, max_iterations=60, seed=seed)
    except InfeasibleError:
        if len(d) <= 9:  # small enough to confirm by enumeration
            assert brute_force(d, sizes, anchors, apart, together) is None
        assume(False)
    check_valid(result, d, sizes, anchors, apart, together)
    assert 0 <= result.iterations <= 60


@pytest.mark.parametrize("seed", range(3))
def test_incremental_state_matches_a_recomputation(seed):
    # White-box: after many random steps the search's slots, affinity matrix,
    # sizes and objective agree with a fresh computation from the labels.
    from matcher.solve.grouping import _MOVE, _SWAP, _Problem, _TabuSearch

    rng = np.random.default_rng(seed)
    d = random_diversity(15, seed)
    sizes = [(2, 6), (3, 5), (1, 7), (2, 4)]
    problem = _Problem(d, np.array([lo for lo, _ in sizes]), np.array([hi for _, hi in sizes]),
                       [0, 1, 2, 3], [(4, 5)], [(6, 7), (8, 9)])
    search = _TabuSearch(problem, problem.construct(rng), rng)
    for step in range(60):
        gains = search._gains()
        moves = np.flatnonzero(search._move_gains(gains) > -problem.apart_penalty / 2)
        swaps = np.flatnonzero(search._swap_gains(gains) > -problem.apart_penalty / 2)
        if step % 2 and moves.size:
            pick = int(rng.choice(moves))
            search._apply(_MOVE, pick // search.n_groups, pick % search.n_groups, step, 3)
        else:
            pick = int(rng.choice(swaps))
            search._apply(_SWAP, pick // search.n_units, pick % search.n_units, step, 3)
        labels = search.unit_labels()
        fresh = _TabuSearch(problem, labels, rng)
        assert np.all(np.diff(search.group_of) >= 0)  # slots stay ordered by group
        assert search.slot_count.tolist() == np.bincount(labels, minlength=search.n_groups).tolist()
        assert np.allclose(by_unit(search, search.affinity), by_unit(fresh, fresh.affinity))
        assert np.array_equal(by_unit(search, by_unit(search, search.double_penalised).T), problem.double_penalised)
        assert np.array_equal(search.group_of, labels[search.unit_in_slot])
        assert search.group_size.tolist() == fresh.group_size.tolist()
        assert search.group_anchors.tolist() == fresh.group_anchors.tolist()
        assert search.objective == pytest.approx(fresh.objective)
        member_labels = labels[problem.unit_of]
        check_valid(_grouping(d, member_labels, len(sizes)), d, sizes, [0, 1, 2, 3], [(4, 5)], [(6, 7), (8, 9)])


def by_unit(search, rows):
    """Rows kept per slot, put back in unit order."""
    out = np.empty_like(rows)
    out[search.unit_in_slot] = rows
    return out


def _grouping(d, labels, g):
    from matcher.solve.grouping import _make_grouping

    return _make_grouping(d, labels, g, 0)


# -- large rounds: the search in blocks of groups


@pytest.mark.parametrize("seed", range(3))
def test_block_search_keeps_every_rule_and_never_loses_to_its_construction(monkeypatch, seed):
    import matcher.solve.grouping as grouping

    monkeypatch.setattr(grouping, "BLOCK_SEARCH_ABOVE", 10)
    monkeypatch.setattr(grouping, "BLOCK_UNITS", 12)
    d = random_diversity(60, seed)
    sizes = [(4, 6)] * 12
    rules = dict(anchors=list(range(12)), apart=[(20, 21), (21, 22)], together=[(30, 31), (40, 41)])
    start = form_groups(d, sizes, time_limit=None, max_iterations=0, seed=seed, **rules)
    searched = form_groups(d, sizes, time_limit=None, max_iterations=600, seed=seed, **rules)
    check_valid(searched, d, sizes, **rules)
    assert searched.iterations == 600
    assert searched.total > start.total


def test_block_search_reaches_what_the_whole_search_reaches_on_a_small_round(monkeypatch):
    # With blocks of about half the round, a long search gets within 1% of the plain search.
    import matcher.solve.grouping as grouping

    d = random_diversity(40, 3)
    sizes = [(4, 4)] * 10
    whole = form_groups(d, sizes, time_limit=None, max_iterations=3000, seed=1)
    monkeypatch.setattr(grouping, "BLOCK_SEARCH_ABOVE", 10)
    monkeypatch.setattr(grouping, "BLOCK_UNITS", 20)
    blocks = form_groups(d, sizes, time_limit=None, max_iterations=3000, seed=1)
    check_valid(blocks, d, sizes)
    assert blocks.total >= 0.99 * whole.total
