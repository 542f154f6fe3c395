"""CoPMatch's matching algorithms: numpy, scipy and networkx only.

Two layers, a folder each:

- ``matcher.solve``: the array-level solvers, each with a verifier beside it
  (``assign_mentors`` and ``check_assignment``, ``assign_mentors_blocked``
  for tables too large to store, ``pair_peers`` and
  ``check_pairing``, ``form_groups`` and ``Grouping.check``);
- ``matcher.score``: from member profiles to the solvers' arrays and back to
  words (``score_mentoring`` and its block form ``mentoring_blocks``, ``score_peers``, ``diversity_matrix`` and
  ``plan_groups``, with their explanations and diagnoses).

Explanations are data: every ``Reason``, ``Diagnosis`` and plan ``Note``
carries a ``kind`` and JSON-ready ``params`` (members by ``Profile.id``),
and ``describe_group`` gives a group's facts as a JSON-ready dict, so a
caller can word them in any language; the English ``text`` (and
``explain_group``) is a default.

Shared at the top level: the profile data (``matcher.profiles``), the hard
rules (``matcher.rules``), ``Diagnosis`` (``matcher.diagnosis``) and the
weights' base class (``matcher.weights``).

This package never imports Flask, the models or the web app.
"""

from matcher._validation import PRIORITIES
from matcher.diagnosis import Diagnosis
from matcher.profiles import SENIORITY_BANDS, Goal, History, Profile, Reason, Rules, ScoreTable
from matcher.score.groups import (
    GroupPlan,
    GroupWeights,
    Note,
    describe_group,
    diversity_matrix,
    explain_group,
    plan_groups,
)
from matcher.score.mentoring import (
    MentoringBlocks,
    MentoringScores,
    MentoringWeights,
    diagnose_unmatched,
    mentoring_blocks,
    score_mentoring,
)
from matcher.score.peers import PeerScores, PeerWeights, diagnose_unpaired, goal_coverage, score_peers
from matcher.solve.assignment import MentorAssignment, assign_mentors, assign_mentors_blocked, check_assignment
from matcher.solve.grouping import Grouping, InfeasibleError, form_groups
from matcher.solve.pairing import PeerPairing, best_trio_for, check_pairing, pair_peers

__all__ = [
    # solvers, their results and verifiers
    "assign_mentors",
    "assign_mentors_blocked",
    "MentorAssignment",
    "check_assignment",
    "pair_peers",
    "PeerPairing",
    "check_pairing",
    "best_trio_for",
    "form_groups",
    "Grouping",
    "InfeasibleError",
    # scoring, explanations and diagnoses
    "score_mentoring",
    "MentoringScores",
    "MentoringWeights",
    "mentoring_blocks",
    "MentoringBlocks",
    "diagnose_unmatched",
    "score_peers",
    "PeerScores",
    "PeerWeights",
    "goal_coverage",
    "diagnose_unpaired",
    "diversity_matrix",
    "plan_groups",
    "GroupPlan",
    "GroupWeights",
    "explain_group",
    "describe_group",
    "Note",
    # shared data
    "Profile",
    "Goal",
    "History",
    "Rules",
    "Reason",
    "ScoreTable",
    "Diagnosis",
    "PRIORITIES",
    "SENIORITY_BANDS",
]
