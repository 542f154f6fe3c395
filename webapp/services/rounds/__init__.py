"""Matching rounds, one concept per module.

- ``guards``: loading a round and refusing what its status does not allow (``RoundError``);
- ``parameters``: defaults, weight classes and the bounds of every parameter;
- ``eligibility``: who takes part in a round, by role, and why the others do not;
- ``participation``: members who stopped answering, and their "keep matching me";
- ``history``: what earlier rounds say about pairs, and the hard rules of a solve;
- ``pairs``: mentoring and peer matches, built one way for a solve and a repair;
- ``groups``: working groups: solve, repair, HR's moves and restating the figures;
- ``outcome``: what a solve produced, and storing it on the round;
- ``solving``: ``solve_round``;
- ``lifecycle``: create, publish, repair and close;
- ``pins``: HR's pins and forbids;
- ``figures``: the stored figures in words, for the review page and the CLI.

Every function runs outside a request too (a CLI command or a job calls them
the same way). They change the session and never commit: the caller
commits, so a round's result is stored in one transaction, and a refused or
failing step leaves the round exactly as it was.
"""
