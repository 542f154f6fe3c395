"""Progress of a long solve: an optional plain callable the solvers call at phase boundaries.

A solver that takes ``progress`` calls ``progress(phase, fraction)`` when it
enters a phase (``"solving"``, ``"certifying"``), ``fraction`` in ``[0, 1]``
being how far it is through the whole solve, as well as it can tell. The
callable may raise to stop the solve (a caller that cancels); the solver
lets the exception through and has changed nothing.

>>> seen = []
>>> report(lambda phase, fraction: seen.append((phase, fraction)), "solving", 1.5)
>>> seen
[('solving', 1.0)]
>>> report(None, "solving", 0.5)  # no callable: nothing happens
"""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(phase, fraction)``.
Progress = Callable[[str, float], None]


def report(progress: Progress | None, phase: str, fraction: float) -> None:
    """Call ``progress(phase, fraction)`` if a callable was given; ``fraction`` is clipped to [0, 1]."""
    if progress is not None:
        progress(phase, min(max(float(fraction), 0.0), 1.0))
