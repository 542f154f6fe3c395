"""HR's dashboard: is the programme working, where is demand unmet, does knowledge cross departments.

Every figure is a SQL aggregate over the rounds that ``Filters`` keeps (no
loading every row); each module returns frozen dataclasses and ``Table``s
that the page draws and the CSV export writes.
"""
