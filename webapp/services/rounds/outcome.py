"""What a solve produced, before it is stored, and storing it on the round."""

from __future__ import annotations

from dataclasses import dataclass, field

from models import Match, Round, WorkingGroup, db
from models.base import utcnow
from models.round import RoundStatus
from webapp.services.rounds.eligibility import Eligibility
from webapp.services.rounds.notes import note, unmatched_entry


@dataclass
class Outcome:
    """A solver's result for a round, as rows and figures not yet on the round."""

    matches: list[Match] = field(default_factory=list)
    groups: list[WorkingGroup] = field(default_factory=list)
    matched: int = 0
    max_coverage: int | None = None
    total: float = 0.0
    upper_bound: float | None = None
    gap: float | None = None
    unmatched: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)


def unmatched_entries(members, kind: str) -> list[dict]:
    """The same diagnosis for each of ``members`` (profiles), as the round stores them."""
    return [unmatched_entry(p.id, kind) for p in members]


def replace_result(round_: Round, outcome: Outcome, who: Eligibility, seconds: float) -> None:
    """Swap the round's previous unpublished result for ``outcome``; the round becomes solved."""
    round_.matches.clear()
    round_.groups.clear()
    db.session.flush()
    round_.matches.extend(outcome.matches)
    round_.groups.extend(outcome.groups)
    round_.eligible = who.count
    round_.matched = outcome.matched
    round_.max_coverage = outcome.max_coverage
    round_.total = outcome.total
    round_.upper_bound = outcome.upper_bound
    round_.gap = outcome.gap
    round_.seconds = round(seconds, 3)
    round_.unmatched = outcome.unmatched
    round_.notes = outcome.notes + [note("not_eligible", reason=reason, count=count)
                                    for reason, count in who.excluded.items()]
    round_.status = RoundStatus.SOLVED
    round_.solved_at = utcnow()
    db.session.flush()
