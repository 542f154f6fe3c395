"""The solvers: arrays in, a checkable result out (no profiles, no words).

- ``assignment``: ``assign_mentors``, learners to mentors with capacities;
- ``pairing``: ``pair_peers``, members into pairs (maximum-weight matching);
- ``grouping``: ``form_groups``, members into diverse groups of bounded size.

Each result carries what is needed to check it without trusting the search:
``check_assignment``, ``check_pairing`` and ``Grouping.check``.
"""
