"""CoPMatch's matching algorithms: numpy, scipy and networkx only.

Array-level solvers sit under profile-level scoring and explanations:

- mentoring: ``assign_mentors`` (solver), ``matcher.mentoring`` (scores, reasons);
- peer skill swaps: ``pair_peers`` (solver), ``matcher.peers``;
- working groups: ``form_groups`` (solver), ``matcher.groups``.

This package never imports Flask, the models or the web app.
"""

from matcher.assignment import MentorAssignment, assign_mentors
from matcher.grouping import Grouping, InfeasibleError, form_groups
from matcher.pairing import PeerPairing, best_trio_for, pair_peers
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
