"""The solvers' optional ``progress`` callable: phases in order, and raising from it stops the solve."""

import numpy as np
import pytest

from matcher import assign_mentors, form_groups, pair_peers


class Stop(Exception):
    pass


def recorder():
    seen = []
    return seen, lambda phase, fraction: seen.append((phase, fraction))


def _phases(seen):
    return [phase for phase, _fraction in seen]


def test_assign_mentors_reports_solving_then_certifying_and_the_same_answer():
    scores = np.array([[9.0, 1.0], [8.0, 2.0], [7.0, 3.0]])
    seen, progress = recorder()
    result = assign_mentors(scores, [1, 2], progress=progress)
    assert _phases(seen)[0] == "solving" and "certifying" in _phases(seen)
    assert all(0.0 <= fraction <= 1.0 for _phase, fraction in seen)
    assert result.pairs.tolist() == assign_mentors(scores, [1, 2]).pairs.tolist()


@pytest.mark.parametrize("size", [4, 60])  # the exact solver, then the certified one
def test_pair_peers_reports_solving_then_certifying(size):
    rng = np.random.default_rng(size)
    scores = rng.random((size, size))
    scores = (scores + scores.T) / 2
    seen, progress = recorder()
    pair_peers(scores, progress=progress)
    assert _phases(seen) == ["solving", "certifying"]


def test_form_groups_reports_solving_then_certifying():
    d = np.ones((6, 6)) - np.eye(6)
    seen, progress = recorder()
    form_groups(d, [(3, 3), (3, 3)], max_iterations=10, progress=progress)
    assert _phases(seen) == ["solving", "certifying"]


@pytest.mark.parametrize("solve", [
    lambda p: assign_mentors([[1.0, 2.0]], [1, 1], progress=p),
    lambda p: pair_peers([[0.0, 1.0], [1.0, 0.0]], progress=p),
    lambda p: form_groups(np.ones((4, 4)), [(2, 2), (2, 2)], max_iterations=5, progress=p),
])
def test_a_progress_callable_that_raises_stops_the_solve(solve):
    def stop(_phase, _fraction):
        raise Stop

    with pytest.raises(Stop):
        solve(stop)
