"""A round's stored figures in words, the same on the review page and in the CLI."""

from __future__ import annotations

import sqlalchemy as sa

from models import Match, Round, WorkingGroup, db


def result_count(round_: Round) -> int:
    """How many matches (or working groups) the round holds, counted in the database."""
    model = WorkingGroup if round_.kind == "groups" else Match
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.round_id == round_.id))


def headline_figures(round_: Round) -> list[tuple[str, str]]:
    """The round's stored figures as (label, value) pairs."""
    if round_.eligible is None:
        return [("Status", f"{round_.status.title}: not solved yet")]
    figures = [("Eligible members", f"{round_.eligible:,}")]
    if round_.kind == "groups":
        figures.append(("Groups", f"{result_count(round_):,} with {round_.matched or 0:,} members"))
        figures.append(("Total diversity", f"{round_.total or 0:,.2f}"))
    else:
        unit = "learners" if round_.kind == "mentoring" else "members"
        most = round_.max_coverage or 0
        share = f" ({100 * (round_.matched or 0) / most:.0f}% of the maximum possible)" if most else ""
        figures.append(("Matched", f"{round_.matched or 0:,} of {most:,} {unit} who could be{share}"))
        figures.append(("Total score", f"{round_.total or 0:,.2f}"))
        if round_.upper_bound is not None:
            figures.append(("Certified upper bound", f"{round_.upper_bound:,.2f} (gap {100 * (round_.gap or 0):.3f}%)"))
    figures.append(("Unmatched", f"{len(round_.unmatched):,}"))
    figures.append(("Solve time", f"{round_.seconds:.2f} s"))
    return figures
