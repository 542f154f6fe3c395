"""CoPMatch's matching algorithms: numpy, scipy and networkx only.

Array-level solvers sit under profile-level scoring and explanations:

- mentoring: ``assign_mentors`` (solver), ``matcher.score.mentoring`` (scores, reasons);
- peer skill swaps: ``pair_peers`` (solver), ``matcher.score.peers``;
- working groups: ``form_groups`` (solver), ``matcher.score.groups``.

This package never imports Flask, the models or the web app.
"""

from matcher.solve.assignment import MentorAssignment, assign_mentors
from matcher.solve.grouping import Grouping, InfeasibleError, form_groups
from matcher.solve.pairing import PeerPairing, best_trio_for, pair_peers
from matcher.profiles import Goal, History, Profile, Reason, Rules, ScoreTable

__all__ = [
    "assign_mentors",
    "MentorAssignment",
    "pair_peers",
    "PeerPairing",
    "best_trio_for",
    "form_groups",
    "Grouping",
    "InfeasibleError",
    "Goal",
    "History",
    "Profile",
    "Reason",
    "Rules",
    "ScoreTable",
]
