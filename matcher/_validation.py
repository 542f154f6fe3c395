"""Boundary checks shared by the solvers: one place for each message."""

from __future__ import annotations

import math

import numpy as np

#: What a mentoring or peer solve maximises first: ``"coverage"`` (as many
#: members matched as possible, then the highest total) or ``"score"`` (the
#: highest total). The web app offers exactly these.
PRIORITIES = ("coverage", "score")


def check_score_matrix(scores, *, name: str = "scores", square: bool = False,
                       keep_float32: bool = False) -> np.ndarray:
    """Return ``scores`` as a float 2-D array, or raise ``ValueError``.

    Entries must be finite or ``-inf`` (a forbidden pair). With ``square``
    the matrix must be ``(n, n)``. With ``keep_float32`` a ``float32`` array
    is returned as it is (no ``float64`` copy of a large table). The checks
    run in row blocks, so they need no temporary as large as the table.

    Examples
    --------
    >>> check_score_matrix([[1, -np.inf]]).tolist()
    [[1.0, -inf]]
    >>> check_score_matrix([1, 2])
    Traceback (most recent call last):
    ...
    ValueError: expected scores as a matrix (2-D array), got a 1-D array of shape (2,)
    """
    try:
        as_is = keep_float32 and isinstance(scores, np.ndarray) and scores.dtype == np.float32
        matrix = scores if as_is else np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        kind = type(scores).__name__
        raise ValueError(f"expected {name} as a numeric matrix, got a non-numeric {kind}") from None
    if matrix.ndim != 2:
        raise ValueError(
            f"expected {name} as a matrix (2-D array), got a {matrix.ndim}-D array of shape {matrix.shape}"
        )
    if square and matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"expected {name} as a square (n, n) matrix, got shape {matrix.shape}")
    blocks = [matrix[start : start + 256] for start in range(0, matrix.shape[0], 256)]
    if any(np.isnan(block).any() for block in blocks):
        raise ValueError(f"expected {name} without NaN (use -inf for a forbidden pair), got NaN")
    if any(np.isposinf(block).any() for block in blocks):
        raise ValueError(f"expected {name} finite or -inf (forbidden), got +inf")
    return matrix


def check_priority(priority: str) -> str:
    """Return ``priority`` if it is ``"coverage"`` or ``"score"``, else raise ``ValueError``.

    Examples
    --------
    >>> check_priority("size")
    Traceback (most recent call last):
    ...
    ValueError: expected priority 'coverage' or 'score', got 'size'
    """
    if priority not in PRIORITIES:
        raise ValueError(f"expected priority 'coverage' or 'score', got {priority!r}")
    return priority


def check_budget(time_limit, max_iterations) -> None:
    """Raise ``ValueError`` unless a search has a usable time or iteration limit.

    At least one is needed; ``time_limit`` is a positive finite number of
    seconds, ``max_iterations`` an integer >= 0.

    Examples
    --------
    >>> check_budget(None, 0)
    >>> check_budget(None, None)
    Traceback (most recent call last):
    ...
    ValueError: expected a time_limit or max_iterations, got neither
    """
    if time_limit is None and max_iterations is None:
        raise ValueError("expected a time_limit or max_iterations, got neither")
    if time_limit is not None and not (isinstance(time_limit, (int, float)) and time_limit > 0 and math.isfinite(time_limit)):
        raise ValueError(f"expected a positive finite time_limit in seconds, got {time_limit!r}")
    if max_iterations is not None and (
        isinstance(max_iterations, bool) or not isinstance(max_iterations, (int, np.integer)) or max_iterations < 0
    ):
        raise ValueError(f"expected max_iterations as an integer >= 0, got {max_iterations!r}")


def check_index_pairs(pairs, shape: tuple[int, int], what: str) -> np.ndarray:
    """``pairs`` as a ``(k, 2)`` integer array indexing a ``shape`` matrix, or raise ``ValueError``.

    Examples
    --------
    >>> check_index_pairs([[0, 1]], (2, 2), "pairs").tolist()
    [[0, 1]]
    >>> check_index_pairs([[0, 2]], (2, 2), "pairs")
    Traceback (most recent call last):
    ...
    ValueError: expected pairs of indices below (2, 2), got [0, 2]
    """
    array = np.asarray(pairs)
    if array.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "iu":
        raise ValueError(f"expected {what} as a (k, 2) array of integer indices, got {array.dtype} of shape {array.shape}")
    bad = np.flatnonzero((array < 0).any(axis=1) | (array[:, 0] >= shape[0]) | (array[:, 1] >= shape[1]))
    if bad.size:
        raise ValueError(f"expected {what} of indices below {shape}, got {array[bad[0]].tolist()}")
    return array.astype(np.int64)


def check_indices(indices, n: int, what: str) -> np.ndarray:
    """``indices`` as a 1-D integer array of values in ``range(n)``, or raise ``ValueError``.

    Examples
    --------
    >>> check_indices([2, 0], 3, "unmatched").tolist()
    [2, 0]
    """
    array = np.asarray(indices)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError(f"expected {what} as a 1-D array of integer indices, got {array.dtype} of shape {array.shape}")
    bad = np.flatnonzero((array < 0) | (array >= n))
    if bad.size:
        raise ValueError(f"expected {what} as indices 0 to {n - 1}, got {int(array[bad[0]])}")
    return array.astype(np.int64)


def figures_hold(total: float, upper_bound: float, gap: float, recomputed: float) -> bool:
    """Whether a result's ``total``, ``upper_bound`` and ``gap`` agree with the ``recomputed`` total.

    The total must equal the recomputed one (relative tolerance 1e-9), the
    bound must not be below the total, and the gap must be
    ``relative_gap(upper_bound, total)``. A NaN anywhere proves nothing: False.

    Examples
    --------
    >>> figures_hold(10.0, 10.5, relative_gap(10.5, 10.0), 10.0)
    True
    >>> figures_hold(10.0, 9.0, 0.0, 10.0)
    False
    """
    tolerance = 1e-9 * max(abs(total), 1.0)
    return (
        math.isclose(total, recomputed, rel_tol=1e-9, abs_tol=1e-9)
        and upper_bound >= total - tolerance
        and math.isclose(gap, relative_gap(upper_bound, total), rel_tol=1e-9, abs_tol=1e-12)
    )


def relative_gap(upper_bound: float, total: float) -> float:
    """The certified relative gap ``(upper_bound - total) / max(|upper_bound|, 1)``, never below 0.

    Examples
    --------
    >>> relative_gap(101.0, 100.0)
    0.009900990099009901
    """
    return max(0.0, (upper_bound - total) / max(abs(upper_bound), 1.0))
