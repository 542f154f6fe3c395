"""Which rounds and members the dashboard counts: a community, a department and a date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
import sqlalchemy.orm as so

from models import Match, Member, Round


@dataclass(frozen=True)
class Filters:
    """The dashboard's filter: rounds published between ``since`` and ``until`` (days, inclusive), of
    ``community_id`` (None: every round), counting only matches and places with a member of ``department``."""

    community_id: int | None = None
    department: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        """Read the filter from a query string; anything malformed is ignored, not an error."""
        community = args.get("community", "")
        return cls(
            community_id=int(community) if community.isdigit() and len(community) < 10 else None,
            department=" ".join(args.get("department", "").split())[:80],
            since=_day(args.get("since")), until=_day(args.get("until")),
        )

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (for links to the CSV exports)."""
        args = {"community": self.community_id, "department": self.department,
                "since": self.since.isoformat() if self.since else "", "until": self.until.isoformat() if self.until else ""}
        return {key: str(value) for key, value in args.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.as_args())

    def rounds(self) -> sa.Select:
        """Ids of the rounds counted: published (or closed since), in the scope and dates."""
        query = sa.select(Round.id).where(Round.status_allows("count_as_history"))
        if self.community_id is not None:
            query = query.where(Round.community_id == self.community_id)
        if self.since:
            query = query.where(Round.published_at >= _start(self.since))
        if self.until:
            query = query.where(Round.published_at < _start(self.until + timedelta(days=1)))
        return query

    def match_condition(self) -> list:
        """Conditions on ``Match``: in a counted round, and (with a department) one side of it."""
        conditions = [Match.round_id.in_(self.rounds())]
        if self.department:
            conditions.append(sa.or_(Match.first_id.in_(self.department_members()),
                                     Match.second_id.in_(self.department_members())))
        return conditions

    def department_members(self) -> sa.Select:
        return sa.select(Member.id).where(Member.department == self.department)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def aliases():
    """Two aliases of ``Member`` for the two sides of a match."""
    return so.aliased(Member), so.aliased(Member)
