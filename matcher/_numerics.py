"""Numerics shared by the solvers and the scoring: row blocks and one Bellman-Ford.

Both live here once so that every pass over a large table is cut the same
way, and the two solvers that need dual prices (``assign_mentors`` and
``pair_peers``) relax their constraint graphs with the same code.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

#: Rows per block when a pass runs over every pair of a large table (scores,
#: rules, dual checks): a block's temporaries stay a few megabytes at 10,000
#: columns. Measured on the benchmarks, 256, 512 and 1024 run alike within noise.
BLOCK_ROWS = 256


def row_blocks(n_rows: int, block_rows: int = BLOCK_ROWS) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive blocks of at most ``block_rows`` rows.

    Examples
    --------
    >>> list(row_blocks(5, block_rows=2))
    [(0, 2), (2, 4), (4, 5)]
    """
    for start in range(0, n_rows, block_rows):
        yield start, min(start + block_rows, n_rows)


def bellman_ford(tails, heads, lengths, distances, *, tolerance: float) -> np.ndarray:
    """Shortest distances, relaxing every edge at once in each round (Bellman-Ford).

    Parameters
    ----------
    tails, heads : ndarray of int, shape (e,)
        The edges ``tails[k] -> heads[k]``; at least one.
    lengths : ndarray of float, shape (e,)
        Edge lengths (negative allowed; a negative cycle stops after the
        round limit with distances that are upper bounds only).
    distances : ndarray of float, shape (n_nodes,)
        Starting distances: 0 at the sources, ``inf`` elsewhere. Not changed.
    tolerance : float
        A distance must improve by more than this to count, so float
        rounding cannot keep the rounds going.

    Returns
    -------
    ndarray of float, shape (n_nodes,)
        The distances after the last round that improved one.

    Notes
    -----
    The edges are sorted by head once; a round is then one gather and one
    segmented minimum (``np.minimum.reduceat``) over all edges, ``O(e)``
    numpy work, and at most ``n_nodes + 1`` rounds run. A longest-path
    problem is the same call on negated lengths and distances.

    Examples
    --------
    >>> tails, heads = np.array([0, 0, 1]), np.array([1, 2, 2])
    >>> start = np.array([0.0, np.inf, np.inf])
    >>> bellman_ford(tails, heads, np.array([1.0, 5.0, 1.0]), start, tolerance=0.0).tolist()
    [0.0, 1.0, 2.0]
    """
    order = np.argsort(heads, kind="stable")
    tails, heads, lengths = tails[order], heads[order], lengths[order]
    starts = np.flatnonzero(np.concatenate([[True], heads[1:] != heads[:-1]]))
    targets = heads[starts]
    dist = np.array(distances, dtype=float)
    for _ in range(dist.size + 1):
        best = np.minimum.reduceat(dist[tails] + lengths, starts)
        improved = best < dist[targets] - tolerance
        if not improved.any():
            break
        dist[targets[improved]] = best[improved]
    return dist
