"""From member profiles to the solvers' arrays, and back to words.

- ``mentoring``: learner x mentor scores, reasons, why a learner got no mentor;
- ``peers``: member x member skill-swap scores, reasons, why a member got no partner;
- ``groups``: pairwise diversity, a planned round of groups, what a group mixes.
"""
