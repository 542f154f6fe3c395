"""CoPMatch's matching algorithms: numpy, scipy and networkx only.

Array-level solvers sit under profile-level scoring and explanations:

- mentoring: ``assign_mentors`` (solver), ``matcher.mentoring`` (scores, reasons);
- peer skill swaps: ``pair_peers`` (solver), ``matcher.peers``;
- working groups: ``form_groups`` (solver), ``matcher.groups``.

This package never imports Flask, the models or the web app.
"""
