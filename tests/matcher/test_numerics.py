"""Tests for matcher._numerics: row blocks and the one Bellman-Ford both solvers use."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import bellman_ford as scipy_bellman_ford

from matcher._numerics import BLOCK_ROWS, bellman_ford, row_blocks


def test_row_blocks_cover_every_row_once():
    blocks = list(row_blocks(2 * BLOCK_ROWS + 3))
    assert blocks == [(0, BLOCK_ROWS), (BLOCK_ROWS, 2 * BLOCK_ROWS), (2 * BLOCK_ROWS, 2 * BLOCK_ROWS + 3)]
    assert list(row_blocks(0)) == []


def test_a_shorter_path_through_a_negative_edge():
    # 0 -> 2 directly costs 4; 0 -> 1 -> 2 costs 3 - 2 = 1.
    tails, heads, lengths = np.array([0, 0, 1]), np.array([2, 1, 2]), np.array([4.0, 3.0, -2.0])
    start = np.array([0.0, np.inf, np.inf])
    assert bellman_ford(tails, heads, lengths, start, tolerance=0.0).tolist() == [0.0, 3.0, 1.0]


def test_unreached_nodes_stay_infinite_and_the_start_is_not_changed():
    start = np.array([0.0, np.inf, np.inf])
    dist = bellman_ford(np.array([0]), np.array([1]), np.array([2.0]), start, tolerance=0.0)
    assert dist.tolist() == [0.0, 2.0, np.inf]
    assert start.tolist() == [0.0, np.inf, np.inf]


def test_every_node_a_source_gives_longest_paths_on_negated_lengths():
    # All start at 0 (as pair_peers's potentials do): each node's value is its best path into it.
    tails, heads, lengths = np.array([0, 1]), np.array([1, 2]), np.array([2.0, 3.0])
    longest = -bellman_ford(tails, heads, -lengths, np.zeros(3), tolerance=0.0)
    assert longest.tolist() == [0.0, 2.0, 5.0]


@pytest.mark.parametrize("seed", range(5))
def test_seeded_cross_check_against_scipy(seed):
    rng = np.random.default_rng(seed)
    n = 40
    potential = rng.uniform(0, 10, n)  # lengths w + p[tail] - p[head] >= -10: negative edges, no negative cycle
    tails, heads = rng.integers(0, n, 300), rng.integers(0, n, 300)
    keep = tails != heads
    tails, heads = tails[keep], heads[keep]
    lengths = rng.uniform(0, 5, tails.size) + potential[tails] - potential[heads]
    start = np.full(n, np.inf)
    start[0] = 0.0
    ours = bellman_ford(tails, heads, lengths, start, tolerance=1e-12)
    dense = np.full((n, n), np.inf)
    np.minimum.at(dense, (tails, heads), lengths)
    graph = csr_matrix(np.where(np.isfinite(dense), dense, 0.0))
    theirs = scipy_bellman_ford(graph, indices=0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)
