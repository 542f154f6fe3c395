"""The read side of a round's review page and its CSV export.

Everything here reads what the solve stored (scores, reasons, explanations,
the unmatched diagnoses) and recomputes nothing. A page costs a fixed
handful of queries however large the round is: pairs and groups are
paginated in SQL with their members eager-loaded, mentor ratings come in one
grouped query, and the stored unmatched list gets its members' names in one
query.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import Forbid, GroupMember, Match, Member, Pin, Round, WorkingGroup, db
from webapp.services.members import member_text_like
from webapp.services.reasons import group_summary, reason_lines
from webapp.services.rounds.history import mentor_ratings
from webapp.services.rounds.notes import diagnosis_members, diagnosis_text
from webapp.services.paging import paginate
from webapp.services.sorting import by_thai_name
from webapp.services.text import like_pattern, sort_key

#: How pairs can be ordered on the review page: (label, ORDER BY terms given the first member's alias).
PAIR_SORTS = {
    "name": (_l("First member's name"), lambda first: [*by_thai_name(first.display_name), Match.id]),
    "weakest": (_l("Lowest score first"), lambda first: [Match.score, Match.id]),
    "strongest": (_l("Highest score first"), lambda first: [Match.score.desc(), Match.id]),
}

#: Colours for departments in the group charts (Okabe–Ito, then two more that stay apart).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#332288", "#882255")
OTHER_COLOUR = "#9AA0AC"
OTHER_DEPARTMENTS = _l("Other departments")
NO_DEPARTMENT = _l("No department given")

#: The kinds of round by name, as HR reads them.
KIND_NAMES = {"mentoring": _l("Mentoring"), "peer": _l("Peer skill swaps"), "groups": _l("Working groups")}
#: A member's role in a match or a group, as HR reads it.
ROLE_WORDS = {"learner": _l("learner"), "mentor": _l("mentor"), "peer": _l("peer"),
              "anchor": _l("anchor"), "member": _l("member")}
#: The members of each role, counted ("learners: 12").
ROLE_COUNTS = {"learner": _l("learners"), "mentor": _l("mentors"), "peer": _l("peers"), "member": _l("members")}

#: A member's answer as HR reads it, by ``answer_key`` (also the answer's CSS class).
ANSWER_WORDS = {
    "not-invited-yet": _l("not invited yet"),
    "pending": _l("not answered yet"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
}


def answer_key(round_: Round, status: str) -> str:
    """A member's answer (``"pending"``, ...); ``"not-invited-yet"`` before the round is published."""
    return status if round_.was_published else "not-invited-yet"


def status_word(round_: Round, status: str) -> str:
    """A member's answer as HR reads it: before publishing nobody has been asked yet."""
    key = answer_key(round_, status)
    return str(ANSWER_WORDS.get(key, key))


def role_word(role: str) -> str:
    """``"anchor"`` → "anchor", in the reader's language."""
    return str(ROLE_WORDS.get(role, role))


# --- pages --------------------------------------------------------------------------------


def rounds_page(page: int = 1, per_page: int = 25):
    """A page of every round, newest first, with their communities loaded."""
    query = (sa.select(Round).order_by(Round.created_at.desc(), Round.id.desc())
             .options(so.selectinload(Round.community)))
    return paginate(query, page, per_page)


def _clean(q: str) -> str:
    return " ".join((q or "").split())


# --- pairs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairRow:
    """One match as the review page shows it."""

    match: Match
    reasons: list[str]
    #: The mentor's average rating from earlier learners and how many ratings, if any.
    rating: tuple[float, int] | None


def pair_page(round_id: int, q: str = "", sort: str = "name", page: int = 1, per_page: int = 25):
    """A page of the round's matches whose either member's name, department or email contains ``q``."""
    first, second = so.aliased(Member), so.aliased(Member)
    query = (
        sa.select(Match)
        .join(first, Match.first_id == first.id)
        .join(second, Match.second_id == second.id)
        .where(Match.round_id == round_id)
        .options(so.selectinload(Match.first), so.selectinload(Match.second))
    )
    if q := _clean(q):
        pattern = like_pattern(q)
        query = query.where(sa.or_(member_text_like(first, pattern), member_text_like(second, pattern)))
    _label, order = PAIR_SORTS.get(sort, PAIR_SORTS["name"])
    return paginate(query.order_by(*order(first)), page, per_page)


def pair_rows(matches: list[Match]) -> list[PairRow]:
    """The matches with their stored reasons (HR reads the first side's) and mentor ratings."""
    ratings = mentor_ratings({m.second_id for m in matches if m.second_role == "mentor"})
    return [PairRow(m, reason_lines(m, None), ratings.get(m.second_id) if m.second_role == "mentor" else None)
            for m in matches]


# --- groups -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One department's share of a group, for the stacked bar chart."""

    label: str
    count: int
    colour: str


@dataclass(frozen=True)
class GroupRow:
    """One working group as the review page shows it: anchors first, then by name."""

    group: WorkingGroup
    places: list[GroupMember]
    mix: list[Segment]

    @property
    def size(self) -> int:
        """Members who have not declined: the ones the diversity counts."""
        return sum(segment.count for segment in self.mix)


def group_page(round_id: int, q: str = "", page: int = 1, per_page: int = 25):
    """A page of the round's groups that hold a member whose name, department or email contains ``q``."""
    query = (
        sa.select(WorkingGroup)
        .where(WorkingGroup.round_id == round_id)
        .order_by(WorkingGroup.number)
        .options(so.selectinload(WorkingGroup.members).selectinload(GroupMember.member))
    )
    if q := _clean(q):
        hits = (sa.select(GroupMember.group_id).join(Member, GroupMember.member_id == Member.id)
                .where(member_text_like(Member, like_pattern(q))))
        query = query.where(WorkingGroup.id.in_(hits))
    return paginate(query, page, per_page)


def all_groups(round_id: int) -> list[WorkingGroup]:
    """Every group of the round in order, with its members loaded (the chart shows the whole round)."""
    return list(db.session.scalars(
        sa.select(WorkingGroup).where(WorkingGroup.round_id == round_id).order_by(WorkingGroup.number)
        .options(so.selectinload(WorkingGroup.members).selectinload(GroupMember.member))
    ))


def department_colours(round_id: int) -> dict[str, str]:
    """A colour per department of the round's groups, largest first; the smallest share one grey.

    The colours hold across the pages of one round, so a department keeps its colour.
    """
    size = sa.func.count()
    rows = db.session.execute(
        sa.select(Member.department, size)
        .select_from(GroupMember)
        .join(WorkingGroup, GroupMember.group_id == WorkingGroup.id)
        .join(Member, GroupMember.member_id == Member.id)
        .where(WorkingGroup.round_id == round_id, GroupMember.status != "declined")
        .group_by(Member.department)
        .order_by(size.desc(), Member.department)
    ).all()
    labels = [department or str(NO_DEPARTMENT) for department, _size in rows]
    colours = dict(zip(labels, PALETTE, strict=False))  # the smallest departments have none
    if len(labels) > len(PALETTE):
        colours[str(OTHER_DEPARTMENTS)] = OTHER_COLOUR
    return colours


def group_rows(groups: list[WorkingGroup], colours: dict[str, str]) -> list[GroupRow]:
    """The groups with their places in reading order and each one's department mix."""
    rows = []
    for group in groups:
        places = reading_order(group)
        counts = Counter(_department_label(p.member.department, colours)
                         for p in places if p.status != "declined")
        mix = [Segment(label, counts[label], colour) for label, colour in colours.items() if counts[label]]
        rows.append(GroupRow(group, places, mix))
    return rows


def reading_order(group: WorkingGroup) -> list[GroupMember]:
    """A group's places, anchors first, then in Thai dictionary order of the names."""
    return sorted(group.members, key=lambda p: (p.role != "anchor", sort_key(p.member.display_name), p.member_id))


def _department_label(department: str | None, colours: dict[str, str]) -> str:
    label, other = department or str(NO_DEPARTMENT), str(OTHER_DEPARTMENTS)
    return label if label in colours and label != other else other


# --- the score histogram ------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    """Scores from ``low`` to ``high`` (the last bin includes its upper end) and how many."""

    low: float
    high: float
    count: int


def histogram(values, bins: int = 10) -> list[Bin]:
    """Equal-width bins from the smallest value to the largest; no values, no bins.

    Examples
    --------
    >>> [(b.low, b.high, b.count) for b in histogram([1, 2, 2, 3], bins=2)]
    [(1.0, 2.0, 1), (2.0, 3.0, 3)]
    >>> histogram([4.5, 4.5])
    [Bin(low=4.5, high=4.5, count=2)]
    >>> histogram([])
    []
    """
    values = np.asarray(list(values), dtype=float)
    if values.size == 0:
        return []
    low, high = float(values.min()), float(values.max())
    if low == high:
        return [Bin(low, high, int(values.size))]
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    return [Bin(float(edges[k]), float(edges[k + 1]), int(counts[k])) for k in range(len(counts))]


def score_histogram(round_: Round, bins: int = 10) -> list[Bin]:
    """Bins of the stored match scores, or of the groups' diversity in a working-group round."""
    if round_.kind == "groups":
        values = db.session.scalars(sa.select(WorkingGroup.diversity).where(WorkingGroup.round_id == round_.id))
    else:
        values = db.session.scalars(sa.select(Match.score).where(Match.round_id == round_.id))
    return histogram(values, bins)


# --- unmatched, pins and forbids ----------------------------------------------------------


@dataclass(frozen=True)
class UnmatchedRow:
    """A member the solve left out, with the stored diagnosis."""

    member_id: int
    name: str
    email: str
    department: str
    kind: str
    text: str


def unmatched_rows(round_: Round, q: str = "") -> list[UnmatchedRow]:
    """The round's stored unmatched list with names, filtered by ``q``, in Thai dictionary order."""
    names = _names(diagnosis_members(round_.unmatched))
    display_names = {member_id: name for member_id, (name, _email, _department) in names.items()}
    rows = []
    for entry in round_.unmatched:
        name, email, department = names.get(entry["member_id"],
                                            (_("member %(id)d (removed)", id=entry["member_id"]), "", ""))
        rows.append(UnmatchedRow(entry["member_id"], name, email, department, entry.get("kind", ""),
                                 diagnosis_text(entry, display_names)))
    if q := _clean(q).casefold():
        rows = [row for row in rows if any(q in text.casefold() for text in (row.name, row.email, row.department))]
    return sorted(rows, key=lambda row: (sort_key(row.name), row.member_id))


@dataclass(frozen=True)
class NamedPair:
    """A pin or forbid with both members' names and emails."""

    first_id: int
    second_id: int
    first: tuple[str, str]
    second: tuple[str, str]


def pins_and_forbids(round_: Round) -> tuple[list[NamedPair], list[NamedPair]]:
    """The round's pins and forbids with the members' names, in one query for the names."""
    pins = db.session.scalars(sa.select(Pin).where(Pin.round_id == round_.id)).all()
    forbids = db.session.scalars(sa.select(Forbid).where(Forbid.round_id == round_.id)).all()
    names = _names({m for row in (*pins, *forbids) for m in (row.first_id, row.second_id)})

    def pairs(rows) -> list[NamedPair]:
        return [NamedPair(r.first_id, r.second_id, names[r.first_id][:2], names[r.second_id][:2]) for r in rows]

    return pairs(pins), pairs(forbids)


def _names(member_ids) -> dict[int, tuple[str, str, str]]:
    """``{id: (name, email, department)}`` in one query."""
    member_ids = list(set(member_ids))
    if not member_ids:
        return {}
    rows = db.session.execute(
        sa.select(Member.id, Member.display_name, Member.email, Member.department).where(Member.id.in_(member_ids))
    )
    return {member_id: (name, email, department or "") for member_id, name, email, department in rows}


# --- the CSV export ---------------------------------------------------------------------------

#: The export's header rows, in the reader's language (the English words are the column names).
PAIR_HEADER = (
    _l("round"), _l("kind"),
    _l("first_name"), _l("first_email"), _l("first_department"), _l("first_role"),
    _l("second_name"), _l("second_email"), _l("second_department"), _l("second_role"),
    _l("score"), _l("first_status"), _l("second_status"), _l("pinned"), _l("reasons"),
)
GROUP_HEADER = (
    _l("round"), _l("kind"), _l("group"), _l("member"), _l("email"), _l("department"), _l("function"), _l("role"),
    _l("status"), _l("group_diversity"), _l("explanation"),
)


def export_csv(round_: Round) -> str:
    """The round's matches (one row per pair) or groups (one row per member) as CSV text.

    The header, kind, roles and answers are in the reader's language; names and the
    stored reasons and explanations are as stored.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    kind = str(KIND_NAMES[round_.kind])
    if round_.kind == "groups":
        writer.writerow([str(title) for title in GROUP_HEADER])
        groups = db.session.scalars(
            sa.select(WorkingGroup).where(WorkingGroup.round_id == round_.id).order_by(WorkingGroup.number)
            .options(so.selectinload(WorkingGroup.members).selectinload(GroupMember.member))
        )
        for group in groups:
            for place in reading_order(group):
                member = place.member
                writer.writerow(spreadsheet_cells(
                    round_.name, kind, group.number, member.display_name, member.email,
                    member.department, member.function, role_word(place.role), status_word(round_, place.status),
                    round(group.diversity, 4), "; ".join(group_summary(group, html=False, for_hr=True)),
                ))
    else:
        writer.writerow([str(title) for title in PAIR_HEADER])
        matches = db.session.scalars(
            sa.select(Match).where(Match.round_id == round_.id).order_by(Match.id)
            .options(so.selectinload(Match.first), so.selectinload(Match.second))
        )
        for match in matches:
            first, second = match.first, match.second
            writer.writerow(spreadsheet_cells(
                round_.name, kind,
                first.display_name, first.email, first.department, role_word(match.first_role),
                second.display_name, second.email, second.department, role_word(match.second_role),
                round(match.score, 4), status_word(round_, match.first_status),
                status_word(round_, match.second_status), _("yes") if match.pinned else _("no"),
                "; ".join(reason_lines(match, None, html=False)),
            ))
    return out.getvalue()


def spreadsheet_cells(*values: Any) -> list:
    """Cells for a spreadsheet: text that starts like a formula is quoted, so it stays text."""
    return [f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else
            ("" if value is None else value) for value in values]
