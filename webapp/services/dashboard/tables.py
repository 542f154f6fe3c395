"""A table as the dashboard shows it and exports it: a title, columns and rows of plain values."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from webapp.services.round_review import spreadsheet_cells


@dataclass(frozen=True)
class Table:
    """One table: ``key`` names its CSV export; ``columns`` are the header in the reader's language."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)


def to_csv(table: Table) -> str:
    """The table as CSV text (formula-like text quoted so a spreadsheet keeps it as text)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(column) for column in table.columns])
    for row in table.rows:
        writer.writerow(spreadsheet_cells(*(str(value) if hasattr(value, "__html__") else value for value in row)))
    return out.getvalue()


def share(part: float, whole: float) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None
