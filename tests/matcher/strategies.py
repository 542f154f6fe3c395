"""Hypothesis strategies and small helpers shared by the matcher's tests.

Every test module under ``tests/matcher`` takes its random problems and
profiles from here, so one strategy serves wherever the same kind of input
is needed.
"""

from __future__ import annotations

import json

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from matcher.profiles import Goal, Profile

#: A forbidden pair's score.
NO = -np.inf

SKILLS = ("SQL", "Python", "Lean", "Facilitation")
ZONES = ("UTC", "Asia/Bangkok", "Europe/London", "America/New_York")


# --- helpers --------------------------------------------------------------------


def symmetric_from_upper(matrix: np.ndarray) -> np.ndarray:
    """The strict upper triangle of ``matrix`` mirrored below it; zero diagonal."""
    upper = np.triu(matrix, 1)
    return upper + upper.T


def random_diversity(n: int, seed: int) -> np.ndarray:
    """A seeded symmetric diversity matrix, entries in [0, 100) to three decimals."""
    rng = np.random.default_rng(seed)
    return symmetric_from_upper(rng.uniform(0, 100, size=(n, n)).round(3))


def assert_json_ready(value) -> None:
    """``value`` is plain JSON data (no numpy scalars, tuples or sets) that survives a round trip."""
    def plain(item) -> bool:
        if isinstance(item, dict):
            return all(type(key) is str and plain(v) for key, v in item.items())
        if isinstance(item, list):
            return all(plain(v) for v in item)
        return item is None or type(item) in (str, int, float, bool)

    assert plain(value), f"not plain JSON data: {value!r}"
    assert json.loads(json.dumps(value, allow_nan=False)) == value


def gap_of(upper_bound: float, total: float) -> float:
    """The relative gap a result should state, computed here independently of the matcher."""
    return max(0.0, (upper_bound - total) / max(abs(upper_bound), 1.0))


# --- profiles --------------------------------------------------------------------


@st.composite
def profiles(draw, pid: int, *, learner: bool = True, mentor: bool = False) -> Profile:
    """One member: random skills, goals (when ``learner``), communities, department,
    seniority, zone, languages and managers, and a capacity of 0-2 when ``mentor``."""
    skills = draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=3))
    goals = draw(st.lists(st.builds(Goal, st.sampled_from(SKILLS), st.integers(1, 5), st.integers(1, 3)),
                          max_size=3, unique_by=lambda goal: goal.skill)) if learner else []
    return Profile(
        pid,
        f"P{pid}",
        skills=skills,
        goals=tuple(goals),
        communities=frozenset(draw(st.sets(st.sampled_from(["Lean Practice", "Data Guild"])))),
        department=draw(st.sampled_from(["", "Finance", "Operations"])),
        seniority=draw(st.integers(0, 5)),
        timezone=draw(st.sampled_from(ZONES)),
        languages=frozenset(draw(st.sets(st.sampled_from(["Thai", "English"])))),
        managers=tuple(draw(st.lists(st.integers(0, 20), max_size=2))),
        mentor_capacity=draw(st.integers(0, 2)) if mentor else 0,
    )


def profile_lists(first_id: int, count: int, **kind) -> st.SearchStrategy[list[Profile]]:
    """``count`` members with ids ``first_id``, ``first_id + 1``, ...; ``kind`` as for ``profiles``."""
    return st.tuples(*(profiles(first_id + k, **kind) for k in range(count))).map(list)


# --- solver problems --------------------------------------------------------------


@st.composite
def assignment_problems(draw, max_learners: int = 8, max_mentors: int = 5):
    """``(scores, capacity)`` for ``assign_mentors``: a share of forbidden pairs, capacities 0-3."""
    n = draw(st.integers(0, max_learners))
    m = draw(st.integers(0, max_mentors))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scores = np.round(rng.normal(size=(n, m)) * 3, 1)
    scores[rng.random((n, m)) < draw(st.sampled_from([0.0, 0.3, 0.7]))] = NO
    capacity = rng.integers(0, 4, size=m)
    return scores, capacity


@st.composite
def peer_score_matrices(draw, max_n: int = 40):
    """Symmetric scores for ``pair_peers``, integral or normal, with a share of forbidden pairs."""
    n = draw(st.integers(0, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    forbidden_share = draw(st.sampled_from([0.0, 0.3, 0.7]))
    integral = draw(st.booleans())
    rng = np.random.default_rng(seed)
    scores = rng.integers(-3, 10, size=(n, n)).astype(float) if integral else rng.normal(size=(n, n))
    scores = symmetric_from_upper(scores)
    forbidden = np.triu(rng.random((n, n)) < forbidden_share, 1)
    scores[forbidden | forbidden.T] = NO
    return scores


@st.composite
def grouping_problems(draw):
    """``(diversity, sizes, anchors, apart, together, seed)`` for ``form_groups``, up to 14 members."""
    n = draw(st.integers(2, 14))
    g = draw(st.integers(1, min(4, n)))
    base = n // g
    sizes = []
    for _ in range(g):
        lo = draw(st.integers(1, max(1, base)))
        sizes.append((lo, lo + draw(st.integers(0, 3))))
    assume(sum(lo for lo, _ in sizes) <= n <= sum(hi for _, hi in sizes))
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    apart = draw(st.lists(pair, max_size=4))
    together = draw(st.lists(pair, max_size=3))
    anchors = draw(st.lists(st.integers(0, n - 1), max_size=g + 1, unique=True))
    seed = draw(st.integers(0, 2**16))
    negative = draw(st.booleans())
    d = random_diversity(n, seed) - (50.0 if negative else 0.0)
    np.fill_diagonal(d, 0.0)
    return d, sizes, anchors, apart, together, seed
