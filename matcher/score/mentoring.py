"""From member profiles to mentoring scores, reasons and round-review diagnoses.

``score_mentoring`` builds the learner x mentor score table with numpy in row
blocks (no Python loop over pairs); ``explain`` gives the same numbers for
one pair in words a member understands, because both run the same term
functions; ``diagnose_unmatched`` tells HR why a learner got no mentor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from matcher._numerics import row_blocks
from matcher.diagnosis import Diagnosis, rounded_score
from matcher.profiles import (
    Goal,
    PRIORITY_WEIGHT,
    Profile,
    Reason,
    Rules,
    ScoreTable,
    hours_apart,
    utc_offset_hours,
)
from matcher.rules import forbidden_mask, rule_counts, rule_params, rule_reasons, rule_text
from matcher.score._words import join_words
from matcher.solve.assignment import MentorAssignment, assign_mentors  # noqa: F401 (doctests)
from matcher.weights import Weights

#: Learner rows per call of the (shared) hard-rule masks, which loop over history once per
#: call: larger than the scoring blocks (``matcher._numerics.BLOCK_ROWS``), so history is read less often.
RULE_BLOCK_ROWS = 4096
#: Terms valued by a table over one code per person: term -> code field of ``_Side``.
CODED_TERMS = {"cross_department": "department", "time_zone": "zone", "seniority": "seniority"}
#: Largest goal table (distinct goals x mentors) worth precomputing.
MAX_GOAL_TABLE = 50_000_000
#: Working day used for the time-zone overlap, in hours.
WORKING_HOURS = 8.0
#: Value of a seniority gap (mentor band minus learner band); other gaps count 0.
SENIORITY_GAP_VALUE = {0: 0.25, 1: 1.0, 2: 1.0, 3: 0.5}
#: A seniority gap in words (bands are 1-5, so a gap is at most 4).
_BANDS_APART = {1: "one band", 2: "two bands", 3: "three bands", 4: "four bands"}


@dataclass(frozen=True)
class MentoringWeights(Weights):
    """How much each soft term counts in a mentoring score (HR moves these as sliders).

    Every term is worth between 0 and its weight; ``describe()`` lists the
    one-line meaning of each weight.

    Examples
    --------
    >>> MentoringWeights(community=0.0).community
    0.0
    >>> MentoringWeights.describe()[0]
    ('goals', 10.0, 'How well the mentor can teach what the learner wants to learn (priority counts)')
    """

    goals: float = field(
        default=10.0,
        metadata={"meaning": "How well the mentor can teach what the learner wants to learn (priority counts)"},
    )
    community: float = field(
        default=2.0, metadata={"meaning": "Sharing a Community of Practice (full weight from two shared)"}
    )
    cross_department: float = field(
        default=1.5, metadata={"meaning": "Learning from another part of the organisation"}
    )
    time_zone: float = field(default=1.5, metadata={"meaning": "Overlap of an 8-hour working day"})
    seniority: float = field(
        default=1.0,
        metadata={"meaning": "A sensible seniority gap: the mentor one or two bands up (three up, or the same band, "
                             "counts less)"},
    )


@dataclass(frozen=True, eq=False)
class MentoringScores(ScoreTable):
    """A ``ScoreTable`` of learners x mentors that remembers its weights and rules."""

    weights: MentoringWeights = field(default_factory=MentoringWeights)
    rules: Rules = field(default_factory=Rules)

    @property
    def capacity(self) -> np.ndarray:
        """Each mentor's capacity, ready for ``assign_mentors``."""
        return np.array([m.mentor_capacity for m in self.cols], dtype=np.int64)


# --- features -----------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    """Profiles as arrays over shared vocabularies."""

    goal_skill: np.ndarray  # (n, G) int, index into the skill vocabulary (pad = last)
    goal_current: np.ndarray  # (n, G) float32
    goal_span: np.ndarray  # (n, G) float32, levels from current to target, >= 1
    goal_share: np.ndarray  # (n, G) float32, priority share, rows sum to 1 (or 0)
    levels: np.ndarray  # (n_skills + 1, n) float32, skill level per member
    communities: np.ndarray  # (n, C) float32 one-hot
    department: np.ndarray  # (n,) int, len(departments) when unknown
    zone: np.ndarray  # (n,) int into the zone vocabulary
    seniority: np.ndarray  # (n,) int, 0 unknown
    coded: np.ndarray | None = None  # (n,) int into the rows of a combined coded table
    goal_code: np.ndarray | None = None  # (n, G) int into the rows of a goal table


@dataclass
class _Vocabulary:
    skills: dict[str, int] = field(default_factory=dict)
    communities: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    zones: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, profiles: Sequence[Profile]) -> "_Vocabulary":
        vocabulary = cls()
        for profile in profiles:
            for skill in list(profile.skills) + [goal.skill for goal in profile.goals]:
                vocabulary.skills.setdefault(skill, len(vocabulary.skills))
            for community in profile.communities:
                vocabulary.communities.setdefault(community, len(vocabulary.communities))
            if profile.department:
                vocabulary.departments.setdefault(profile.department, len(vocabulary.departments))
            vocabulary.zones.setdefault(profile.timezone, len(vocabulary.zones))
        return vocabulary


def _encode(profiles: Sequence[Profile], vocabulary: _Vocabulary) -> _Side:
    n, pad = len(profiles), len(vocabulary.skills)
    width = max([len(p.goals) for p in profiles] + [1])
    goal_skill = np.full((n, width), pad, dtype=np.int64)
    goal_current = np.zeros((n, width), dtype=np.float32)
    goal_span = np.ones((n, width), dtype=np.float32)
    goal_share = np.zeros((n, width), dtype=np.float32)
    levels = np.zeros((pad + 1, n), dtype=np.float32)
    communities = np.zeros((n, max(len(vocabulary.communities), 1)), dtype=np.float32)
    for i, profile in enumerate(profiles):
        total = sum(PRIORITY_WEIGHT[g.priority] for g in profile.goals)
        for g, goal in enumerate(profile.goals):
            current = profile.level(goal.skill)
            goal_skill[i, g] = vocabulary.skills[goal.skill]
            goal_current[i, g] = current
            goal_span[i, g] = max(goal.target - current, 1)
            goal_share[i, g] = PRIORITY_WEIGHT[goal.priority] / total
        for skill, level in profile.skills.items():
            levels[vocabulary.skills[skill], i] = level
        for community in profile.communities:
            communities[i, vocabulary.communities[community]] = 1.0
    return _Side(
        goal_skill=goal_skill,
        goal_current=goal_current,
        goal_span=goal_span,
        goal_share=goal_share,
        levels=levels,
        communities=communities,
        department=np.array(
            [vocabulary.departments.get(p.department, len(vocabulary.departments)) for p in profiles], dtype=np.int64
        ),
        zone=np.array([vocabulary.zones[p.timezone] for p in profiles], dtype=np.int64),
        seniority=np.array([p.seniority for p in profiles], dtype=np.int64),
    )


def _combine_coded(learners: _Side, tables: dict[str, np.ndarray]) -> tuple[_Side, dict[str, np.ndarray]]:
    """Sum the coded terms into one table over the learners' distinct code combinations.

    Scoring then gathers one row per learner instead of one per term.
    """
    codes = np.column_stack([getattr(learners, name) for name in CODED_TERMS.values()])
    distinct, coded = np.unique(codes, axis=0, return_inverse=True)
    combined = sum(tables[term][distinct[:, k]] for k, term in enumerate(CODED_TERMS))
    return replace(learners, coded=coded.ravel()), {"coded": combined}


def _tabulate_goals(
    learners: _Side, mentors: _Side, weight: float, tables: dict[str, np.ndarray]
) -> tuple[_Side, dict[str, np.ndarray]]:
    """Value each distinct goal (skill, level, span, share) against every mentor once.

    Learners share few distinct goals, so scoring then gathers one row per
    goal slot. Skipped when the table would not be small.
    """
    keys = np.stack(
        [learners.goal_skill, learners.goal_current, learners.goal_span, learners.goal_share], axis=-1
    ).reshape(-1, 4)
    distinct, inverse = np.unique(keys.astype(np.float64), axis=0, return_inverse=True)
    if distinct.shape[0] * mentors.department.size > MAX_GOAL_TABLE or distinct.shape[0] * 2 > keys.shape[0]:
        return learners, tables
    goals = replace(
        learners,
        goal_skill=distinct[:, :1].astype(np.int64),
        goal_current=distinct[:, 1:2].astype(np.float32),
        goal_span=distinct[:, 2:3].astype(np.float32),
        goal_share=distinct[:, 3:4].astype(np.float32),
    )
    table = _goal_cover(goals, mentors, 0, weight)
    return replace(learners, goal_code=inverse.reshape(learners.goal_skill.shape)), {**tables, "goal": table}


def _rows(side: _Side, start: int, stop: int) -> _Side:
    """Learner rows ``start:stop`` of ``side`` (the level table stays whole; learners only use goals)."""
    return _Side(
        goal_skill=side.goal_skill[start:stop],
        goal_current=side.goal_current[start:stop],
        goal_span=side.goal_span[start:stop],
        goal_share=side.goal_share[start:stop],
        levels=side.levels,
        communities=side.communities[start:stop],
        department=side.department[start:stop],
        zone=side.zone[start:stop],
        seniority=side.seniority[start:stop],
        coded=None if side.coded is None else side.coded[start:stop],
        goal_code=None if side.goal_code is None else side.goal_code[start:stop],
    )


def _pair_tables(vocabulary: _Vocabulary) -> dict[str, np.ndarray]:
    """Value tables of the terms that depend on one code per person."""
    return {
        "cross_department": _department_table(vocabulary),
        "time_zone": _zone_overlap_table(vocabulary),
        "seniority": _seniority_table(),
    }


def _department_table(vocabulary: _Vocabulary) -> np.ndarray:
    """1 where two known departments differ; the last code means unknown."""
    size = len(vocabulary.departments) + 1
    table = 1.0 - np.eye(size, dtype=np.float32)
    table[-1, :] = table[:, -1] = 0.0
    return table


def _zone_overlap_table(vocabulary: _Vocabulary) -> np.ndarray:
    offsets = np.array([utc_offset_hours(zone) for zone in vocabulary.zones], dtype=np.float32)
    apart = hours_apart(offsets[:, None], offsets[None, :])
    return np.clip(WORKING_HOURS - apart, 0, WORKING_HOURS) / WORKING_HOURS


def _seniority_table(n_bands: int = 6) -> np.ndarray:
    table = np.zeros((n_bands, n_bands), dtype=np.float32)
    for learner in range(1, n_bands):
        for mentor in range(1, n_bands):
            table[learner, mentor] = SENIORITY_GAP_VALUE.get(mentor - learner, 0.0)
    return table


def _mentor_tables(vocabulary: _Vocabulary, mentors: _Side, weights: MentoringWeights) -> dict[str, np.ndarray]:
    """For each coded term, ``weight * value[learner code, mentor j]`` as a (codes, mentors) table.

    Scoring a block then gathers whole rows, which is far faster than a
    pairwise lookup.
    """
    tables = _pair_tables(vocabulary)
    return {
        term: np.ascontiguousarray(tables[term][:, getattr(mentors, codes)] * np.float32(getattr(weights, term)))
        for term, codes in CODED_TERMS.items()
    }


# --- soft terms (shared by scoring and explanations) ----------------------------


def _terms(
    learners: _Side, mentors: _Side, weights: MentoringWeights, tables: dict[str, np.ndarray]
) -> Iterator[tuple[str, int, np.ndarray]]:
    """Yield ``(term, goal slot or -1, contribution block)`` for every soft term.

    ``tables`` comes from ``_mentor_tables``: for each coded term, a row per
    learner code holding the weighted value against every mentor.
    """
    for g in range(learners.goal_skill.shape[1]):
        if "goal" in tables:
            yield "goal", g, tables["goal"][learners.goal_code[:, g]]
        else:
            yield "goal", g, _goal_cover(learners, mentors, g, weights.goals)
    shared = learners.communities @ mentors.communities.T
    np.minimum(shared, 2, out=shared)
    yield "community", -1, np.multiply(shared, np.float32(weights.community / 2), out=shared)
    if "coded" in tables:
        yield "coded", -1, tables["coded"][learners.coded]
        return
    for term, codes in CODED_TERMS.items():
        yield term, -1, tables[term][getattr(learners, codes)]


def _goal_cover(learners: _Side, mentors: _Side, g: int, weight: float) -> np.ndarray:
    """``weight * share * clip((mentor level - current) / span, 0, 1)`` for goal slot ``g``."""
    most = np.float32(weight) * learners.goal_share[:, g, None]
    cover = mentors.levels[learners.goal_skill[:, g]]
    cover -= learners.goal_current[:, g, None]
    cover *= most / learners.goal_span[:, g, None]
    np.maximum(cover, 0, out=cover)
    return np.minimum(cover, most, out=cover)




def score_mentoring(
    learners: Sequence[Profile],
    mentors: Sequence[Profile],
    weights: MentoringWeights | None = None,
    rules: Rules | None = None,
) -> MentoringScores:
    """Score every learner x mentor pair; hard-rule breakers score ``-inf``.

    The score is the sum of the soft terms of ``MentoringWeights``:

    - goals: for each learning goal, ``clip((mentor level - learner level) /
      max(target - learner level, 1), 0, 1)``, weighted by the goal's
      priority share, so a mentor one level above gives partial credit and one
      at the target gives full credit;
    - community: ``min(shared communities, 2) / 2``;
    - cross_department: 1 when both departments are known and differ;
    - time_zone: overlap of an 8-hour working day, from the UTC offsets;
    - seniority: ``SENIORITY_GAP_VALUE`` of the band gap (unknown counts 0).

    Parameters
    ----------
    learners, mentors : sequence of Profile
        Rows and columns of the table.
    weights : MentoringWeights, optional
        Defaults to ``MentoringWeights()``.
    rules : Rules, optional
        Hard rules (``matcher.rules``); defaults to ``Rules()``.

    Returns
    -------
    MentoringScores
        A ``ScoreTable`` with float32 ``scores`` of shape
        ``(len(learners), len(mentors))``, able to explain any pair.

    Notes
    -----
    Time and memory are ``O(len(learners) * len(mentors))``, in blocks of
    ``matcher._numerics.BLOCK_ROWS`` learners; only the (float32) table itself is kept.

    Examples
    --------
    >>> ann = Profile(1, "Ann", skills={"SQL": 2}, goals=(Goal("SQL", 4, 1),))
    >>> bo = Profile(2, "Bo", skills={"SQL": 5}, mentor_capacity=1)
    >>> table = score_mentoring([ann], [bo, ann], MentoringWeights(time_zone=0.0))
    >>> table.scores.tolist()
    [[10.0, -inf]]
    """
    blocks = mentoring_blocks(learners, mentors, weights, rules)
    scores = np.empty(blocks.shape, dtype=np.float32)
    for start, stop in row_blocks(blocks.shape[0], RULE_BLOCK_ROWS):
        blocks.rows(start, stop, out=scores[start:stop])
    weights, rules = blocks.weights, blocks.rules
    return MentoringScores(
        scores=scores,
        rows=blocks.learners,
        cols=blocks.mentors,
        explainer=lambda learner, mentor: explain(learner, mentor, weights, rules),
        weights=weights,
        rules=rules,
    )


@dataclass(frozen=True, eq=False)
class MentoringBlocks:
    """The mentoring score table of ``score_mentoring``, scored a block of learners at a time.

    Call it (or ``rows``) with ``(start, stop)`` for the float32 scores of
    learners ``start:stop`` against every mentor: the same numbers as the
    matching rows of ``score_mentoring(...).scores``. Hand it to
    ``assign_mentors_blocked`` to match without ever storing the whole table.

    Attributes
    ----------
    learners, mentors : tuple of Profile
        Rows and columns.
    weights : MentoringWeights
        The weights used.
    rules : Rules
        The hard rules used.
    """

    learners: tuple
    mentors: tuple
    weights: MentoringWeights
    rules: Rules
    _learner_side: _Side = field(repr=False)
    _mentor_side: _Side = field(repr=False)
    _tables: dict = field(repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_learners, n_mentors)``."""
        return len(self.learners), len(self.mentors)

    @property
    def capacity(self) -> np.ndarray:
        """Each mentor's capacity, ready for ``assign_mentors_blocked``."""
        return np.array([m.mentor_capacity for m in self.mentors], dtype=np.int64)

    def rows(self, start: int, stop: int, out: np.ndarray | None = None) -> np.ndarray:
        """Scores of learners ``start:stop`` (float32, ``-inf`` where a hard rule forbids the pair).

        Parameters
        ----------
        start, stop : int
            The learner rows, ``0 <= start <= stop <= n_learners``.
        out : ndarray of float32, shape (stop - start, n_mentors), optional
            Where to write them (a slice of a whole table, say).

        Returns
        -------
        ndarray of float32, shape (stop - start, n_mentors)
            ``out`` when given.
        """
        start, stop = max(0, int(start)), min(len(self.learners), int(stop))
        stop = max(start, stop)
        if out is None:
            out = np.empty((stop - start, len(self.mentors)), dtype=np.float32)
        out[...] = 0.0
        for first, last in row_blocks(stop - start):
            block = out[first:last]
            learners = _rows(self._learner_side, start + first, start + last)
            for _, _, contribution in _terms(learners, self._mentor_side, self.weights, self._tables):
                block += contribution
        np.copyto(out, -np.inf, where=forbidden_mask(self.learners[start:stop], self.mentors, self.rules))
        return out

    def __call__(self, start: int, stop: int) -> np.ndarray:
        return self.rows(start, stop)


def mentoring_blocks(
    learners: Sequence[Profile],
    mentors: Sequence[Profile],
    weights: MentoringWeights | None = None,
    rules: Rules | None = None,
) -> MentoringBlocks:
    """Prepare the mentoring scores of ``score_mentoring`` to be scored in learner blocks.

    Parameters
    ----------
    learners, mentors : sequence of Profile
        Rows and columns of the table.
    weights : MentoringWeights, optional
        Defaults to ``MentoringWeights()``.
    rules : Rules, optional
        Hard rules (``matcher.rules``); defaults to ``Rules()``.

    Returns
    -------
    MentoringBlocks
        A callable ``(start, stop) -> scores``; only the encoded profiles
        and small value tables are kept, ``O(len(learners) + len(mentors))``.

    Examples
    --------
    >>> ann = Profile(1, "Ann", skills={"SQL": 2}, goals=(Goal("SQL", 4, 1),))
    >>> bo = Profile(2, "Bo", skills={"SQL": 5}, mentor_capacity=1)
    >>> blocks = mentoring_blocks([ann], [bo, ann], MentoringWeights(time_zone=0.0))
    >>> blocks(0, 1).tolist(), blocks.capacity.tolist()
    ([[10.0, -inf]], [1, 0])
    """
    weights = weights if weights is not None else MentoringWeights()
    rules = rules if rules is not None else Rules()
    learners, mentors = tuple(learners), tuple(mentors)
    _check_profiles(learners, "learners")
    _check_profiles(mentors, "mentors")
    vocabulary = _Vocabulary.of(learners + mentors)
    learner_side, mentor_side = _encode(learners, vocabulary), _encode(mentors, vocabulary)
    learner_side, tables = _combine_coded(learner_side, _mentor_tables(vocabulary, mentor_side, weights))
    learner_side, tables = _tabulate_goals(learner_side, mentor_side, weights.goals, tables)
    return MentoringBlocks(learners, mentors, weights, rules, learner_side, mentor_side, tables)


def _check_profiles(profiles, name: str) -> None:
    for item in profiles:
        if not isinstance(item, Profile):
            raise ValueError(f"expected {name} as Profile objects, got a {type(item).__name__}")


# --- explanations --------------------------------------------------------------


def explain(
    learner: Profile, mentor: Profile, weights: MentoringWeights | None = None, rules: Rules | None = None
) -> list[Reason]:
    """The reasons behind one learner-mentor score, as data with English words told to the learner.

    Soft reasons carry their share of the score (they add up to it); a pair
    that breaks a hard rule gets one ``"rule"`` reason per rule with
    contribution ``-inf``. "Both speak ..." is shown with contribution 0: it
    is the language rule passing, not a soft term; so is "Same department"
    when the round values cross-department pairs and this one is not.

    Each reason's ``params`` by kind (levels as ints, seniority as the band index):

    - ``goal`` (one per learner goal): ``skill, priority, learner_level, target,
      mentor_level, verdict``; ``verdict`` is ``"teaches"`` (mentor at
      ``max(target, learner + 1)`` or above), ``"a_little_beyond"`` (above the
      learner), ``"not_ahead"`` (has the skill, not above) or ``"does_not_list"``;
    - ``community``: ``communities`` shared (sorted);
    - ``cross_department``: ``learner_department, mentor_department``;
    - ``same_department``: ``department`` (contribution 0);
    - ``time_zone``: ``learner_zone, mentor_zone, overlap_hours`` (of 8, an int), ``same_zone``;
    - ``seniority``: ``learner_band, mentor_band, gap`` (mentor minus learner);
    - ``language``: ``languages`` shared (sorted);
    - ``rule``: ``rule`` (a key of ``matcher.rules.RULE_TEXT``), and
      ``cooldown_rounds`` for ``"cooldown"``.

    Community, cross-department, time-zone and seniority reasons appear only
    when they add to the score.

    Parameters
    ----------
    learner, mentor : Profile
        The pair.
    weights, rules : optional
        As in ``score_mentoring``.

    Returns
    -------
    list of Reason

    Examples
    --------
    >>> ann = Profile(1, "Ann", skills={"Data analysis": 2}, goals=(Goal("Data analysis", 4),),
    ...               department="Finance", languages=frozenset({"Thai"}))
    >>> bo = Profile(2, "Bo", skills={"Data analysis": 5}, department="Operations",
    ...              languages=frozenset({"Thai", "English"}))
    >>> reasons = explain(ann, bo, MentoringWeights(time_zone=0.0))
    >>> [r.text for r in reasons]
    ['Teaches Data analysis (level 5; you are at 2, aiming for 4)', 'Different department: Finance ↔ Operations', 'Both speak Thai']
    >>> reasons[0].params
    {'skill': 'Data analysis', 'priority': 2, 'learner_level': 2, 'target': 4, 'mentor_level': 5, 'verdict': 'teaches'}
    >>> senior, lead = Profile(3, "Chai", seniority=3), Profile(4, "Dao", seniority=4)
    >>> [(r.text, r.params) for r in explain(senior, lead) if r.kind == "seniority"]
    [('Mentor one band up: Lead mentoring Senior', {'learner_band': 3, 'mentor_band': 4, 'gap': 1})]
    """
    weights = weights if weights is not None else MentoringWeights()
    rules = rules if rules is not None else Rules()
    broken = rule_reasons(learner, mentor, rules)
    if broken:
        return broken
    vocabulary = _Vocabulary.of([learner, mentor])
    learner_side, mentor_side = _encode([learner], vocabulary), _encode([mentor], vocabulary)
    reasons = []
    tables = _mentor_tables(vocabulary, mentor_side, weights)
    for term, slot, contribution in _terms(learner_side, mentor_side, weights, tables):
        reason = _reason(term, slot, learner, mentor, float(contribution[0, 0]), weights)
        if reason is not None:
            reasons.append(reason)
    shared = sorted(learner.languages & mentor.languages)
    if shared:
        reasons.append(Reason("language", 0.0, {"languages": shared}, f"Both speak {join_words(shared)}"))
    return reasons


def _reason(
    term: str, slot: int, learner: Profile, mentor: Profile, value: float, weights: MentoringWeights
) -> Reason | None:
    """The reason for one soft term; None for a term that contributes nothing worth saying."""
    if term == "goal":
        return _goal_reason(learner.goals[slot], learner, mentor, value) if slot < len(learner.goals) else None
    if value > 0:
        return _CONTEXT_REASONS[term](learner, mentor, value)
    return _same_department(learner, mentor, weights) if term == "cross_department" else None


def _community_reason(learner: Profile, mentor: Profile, value: float) -> Reason:
    shared = sorted(learner.communities & mentor.communities)
    noun = "community" if len(shared) == 1 else "communities"
    return Reason("community", value, {"communities": shared}, f"Both in the {join_words(shared)} {noun}")


def _department_reason(learner: Profile, mentor: Profile, value: float) -> Reason:
    return Reason("cross_department", value,
                  {"learner_department": learner.department, "mentor_department": mentor.department},
                  f"Different department: {learner.department} ↔ {mentor.department}")


def _zone_reason(learner: Profile, mentor: Profile, value: float) -> Reason:
    hours, same = round(_zone_overlap_hours(learner.timezone, mentor.timezone)), learner.timezone == mentor.timezone
    params = {"learner_zone": learner.timezone, "mentor_zone": mentor.timezone, "overlap_hours": hours,
              "same_zone": same}
    if same:
        return Reason("time_zone", value, params, f"Same time zone ({learner.timezone})")
    return Reason("time_zone", value, params,
                  f"Working hours overlap about {hours} of 8 hours ({learner.timezone} ↔ {mentor.timezone})")


def _seniority_reason(learner: Profile, mentor: Profile, value: float) -> Reason:
    """Says the gap the score rewarded (``SENIORITY_GAP_VALUE``), in words that are true of it."""
    bands = {"learner_band": int(learner.seniority), "mentor_band": int(mentor.seniority)}
    gap = bands["mentor_band"] - bands["learner_band"]
    if gap == 0:
        text = f"Same seniority band ({mentor.seniority_label})"
    else:
        way = "up" if gap > 0 else "down"
        text = f"Mentor {_BANDS_APART[abs(gap)]} {way}: {mentor.seniority_label} mentoring {learner.seniority_label}"
    return Reason("seniority", value, {**bands, "gap": gap}, text)


#: The reason for each soft term other than goals, when it adds to the score.
_CONTEXT_REASONS = {
    "community": _community_reason,
    "cross_department": _department_reason,
    "time_zone": _zone_reason,
    "seniority": _seniority_reason,
}


def _same_department(learner: Profile, mentor: Profile, weights: MentoringWeights) -> Reason | None:
    """Said when the round values cross-department pairs and this pair shares a department (issue 20)."""
    if weights.cross_department > 0 and learner.department and learner.department == mentor.department:
        return Reason("same_department", 0.0, {"department": learner.department},
                      f"Same department ({learner.department}): not a cross-department pair")
    return None


def _goal_reason(goal: Goal, learner: Profile, mentor: Profile, value: float) -> Reason:
    have, mine = mentor.level(goal.skill), learner.level(goal.skill)
    levels = f"level {have}; you are at {mine}, aiming for {goal.target}"
    if have >= max(goal.target, mine + 1):
        verdict, text = "teaches", f"Teaches {goal.skill} ({levels})"
    elif have > mine:
        verdict, text = "a_little_beyond", f"Knows {goal.skill} a little beyond you ({levels})"
    elif have:
        verdict, text = "not_ahead", f"Not ahead of you in {goal.skill} ({levels})"
    else:
        verdict, text = "does_not_list", f"Does not list {goal.skill} (you are at {mine}, aiming for {goal.target})"
    params = {"skill": goal.skill, "priority": int(goal.priority), "learner_level": int(mine),
              "target": int(goal.target), "mentor_level": int(have), "verdict": verdict}
    return Reason("goal", value, params, text)


def _zone_overlap_hours(zone_a: str, zone_b: str) -> float:
    return max(0.0, WORKING_HOURS - float(hours_apart(utc_offset_hours(zone_a), utc_offset_hours(zone_b))))


# --- round review --------------------------------------------------------------


def diagnose_unmatched(table: MentoringScores, assignment: MentorAssignment) -> list[Diagnosis]:
    """Why each unmatched learner got no mentor, as data with English words for HR.

    - ``"no_eligible_mentor"``: every mentor is forbidden or has no seats;
      ``rule_counts`` says how many candidates each hard rule removed.
      ``params``: ``rule_counts, no_seats`` (and ``cooldown_rounds`` when the
      cooldown rule counted).
    - ``"seats_taken"``: eligible mentors exist but their seats went to
      others; names the best such mentor (``best_partner``) and the learner
      holding the seat who scores highest with them (``taken_by``).
      ``params``: ``mentor_id, mentor_score, taken_by_id, taken_by_score``.
    - ``"not_worth_it"``: an eligible mentor (``best_partner``) had a free
      seat, but the pair scored too low to be worth making (``priority="score"``).
      ``params``: ``mentor_id, score``.

    ``params`` name members by ``Profile.id`` and round scores to 2 decimals.

    Parameters
    ----------
    table : MentoringScores
        From ``score_mentoring``.
    assignment : MentorAssignment
        From ``assign_mentors(table.scores, table.capacity, ...)``.

    Returns
    -------
    list of Diagnosis
        One per unmatched learner, in learner order; ``member`` is the learner's row.

    Examples
    --------
    >>> ann = Profile(1, "Ann", goals=(Goal("SQL", 3),))
    >>> ben = Profile(2, "Ben", goals=(Goal("SQL", 3),))
    >>> cho = Profile(3, "Cho", skills={"SQL": 5}, mentor_capacity=1)
    >>> table = score_mentoring([ann, ben], [cho], rules=Rules(forbidden=frozenset({(2, 3)})))
    >>> [diagnosis] = diagnose_unmatched(table, assign_mentors(table.scores, table.capacity))
    >>> diagnosis.text
    'No eligible mentor: HR ruled this pair out (1 mentor)'
    >>> diagnosis.params
    {'rule_counts': {'forbidden': 1}, 'no_seats': 0}
    """
    capacity = table.capacity
    load = np.bincount(assignment.pairs[:, 1], minlength=len(table.cols))
    holders = {}
    for learner, mentor in assignment.pairs.tolist():
        holders.setdefault(mentor, []).append(learner)
    return [_diagnose(table, int(i), capacity, load, holders) for i in assignment.unmatched]


def _diagnose(table: MentoringScores, i: int, capacity, load, holders) -> Diagnosis:
    row = table.scores[i]
    eligible = np.flatnonzero((row > -np.inf) & (capacity > 0))
    if eligible.size == 0:
        return _no_eligible(table, i, capacity)
    free = eligible[load[eligible] < capacity[eligible]]
    if free.size:
        best = int(free[np.argmax(row[free])])
        return Diagnosis(
            i,
            "not_worth_it",
            f"{table.cols[best].name or 'A mentor'} had a free seat, but the pair scored only {row[best]:.2f}",
            {"mentor_id": table.cols[best].id, "score": rounded_score(row[best])},
            best_partner=best,
        )
    best = int(eligible[np.argmax(row[eligible])])
    taken_by = int(max(holders[best], key=lambda other: table.scores[other, best]))
    return Diagnosis(
        i,
        "seats_taken",
        f"Best eligible mentor {table.cols[best].name} ({row[best]:.2f}) is full; "
        f"the seat went to {table.rows[taken_by].name} ({table.scores[taken_by, best]:.2f})",
        {"mentor_id": table.cols[best].id, "mentor_score": rounded_score(row[best]),
         "taken_by_id": table.rows[taken_by].id, "taken_by_score": rounded_score(table.scores[taken_by, best])},
        best_partner=best,
        taken_by=taken_by,
    )


def _no_eligible(table: MentoringScores, i: int, capacity) -> Diagnosis:
    with_seats = [mentor for mentor, seats in zip(table.cols, capacity) if seats > 0]
    counts = rule_counts(table.rows[i], with_seats, table.rules)
    parts = [f"{rule_text(name, table.rules)} ({_mentors(count)})" for name, count in counts.items()]
    no_seats = len(table.cols) - len(with_seats)
    if no_seats:
        parts.append(f"No seats this round ({_mentors(no_seats)})")
    params = {"rule_counts": counts, "no_seats": no_seats, **rule_params(counts, table.rules)}
    return Diagnosis(i, "no_eligible_mentor", "No eligible mentor: " + "; ".join(parts), params, rule_counts=counts)


def _mentors(count: int) -> str:
    return f"{count} mentor" if count == 1 else f"{count} mentors"
