"""Import members from the HR system's CSV: parse, validate, preview, apply.

The import is all-or-nothing. :func:`plan_import` reads the whole file,
checks every row against the rules and the database, and either raises
:class:`ImportProblems` listing every problem with its line number, or
returns an :class:`ImportPlan` saying what will change for each member.
:func:`apply_import` then writes the plan in a handful of bulk statements
(existing members, skills and communities are loaded once into dicts; no
query per row). Neither function commits: the caller does.

Rules for the cells:

* ``email`` is required and identifies the member (case-insensitive);
  ``name`` is required for a new member.
* An empty cell leaves what is stored as it is, so a partial export never
  wipes what members entered themselves. Skills, learning goals and
  communities listed in a row are set or added; others are kept.
* ``skills`` is ``Name:level; Name:level`` (level 1-5); ``learning_goals`` is
  ``Name:target:priority`` (target 1-5, priority 1-3, default 2); lists are
  separated by ``;``.

An import never hands an existing account to someone else: an account
whose password was set by someone who never confirmed the address (a
sign-up from before addresses were confirmed) is reclaimed when HR imports
that address. Its sessions end, its password is cleared, and the address
gets a set-password link like a new member.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import (
    AccountToken,
    Community,
    CommunityMembership,
    LearningGoal,
    Member,
    MemberSkill,
    Skill,
    db,
)
from models.base import normalize_key
from models.member import MAX_MENTOR_CAPACITY, SENIORITY_BANDS, iana_time_zones
from models.skill import PRIORITIES
from webapp.config import DEFAULT_INVITATION_DAYS
from webapp.services.accounts import reclaim
from webapp.services.text import BIDI, CONTROL, INVISIBLE_ONLY, text_problem
from webapp.services.tokens import new_token

log = logging.getLogger(__name__)

COLUMNS = (
    "email", "name", "department", "function", "title", "seniority", "location", "timezone",
    "languages", "manager_email", "skills", "learning_goals", "communities", "mentor_capacity",
)
REQUIRED_COLUMNS = ("email", "name")

#: CSV column -> (Member attribute, maximum length) for the plain text cells.
TEXT_COLUMNS = {
    "name": ("display_name", 120),
    "department": ("department", 80),
    "function": ("function", 80),
    "title": ("job_title", 120),
    "location": ("location", 80),
}
MAX_EMAIL = 254
MAX_SKILL_NAME = 80
MAX_COMMUNITY_NAME = 120
MAX_LANGUAGE = 40
DEFAULT_PRIORITY = 2
DEFAULT_TIME_ZONE = "Asia/Bangkok"

#: Member attributes an import can set, in the order a preview lists changes.
MEMBER_FIELDS = (
    "display_name", "department", "function", "job_title", "seniority", "location",
    "timezone", "languages", "mentor_capacity",
)
#: How a preview names each changed attribute (words for people, not the CSV's column names).
FIELD_LABELS = {
    "display_name": _l("name"), "department": _l("department"), "function": _l("function"),
    "job_title": _l("title"), "seniority": _l("seniority"), "location": _l("location"),
    "timezone": _l("time zone"), "languages": _l("languages"), "mentor_capacity": _l("mentor capacity"),
    "manager": _l("manager"),
}
#: How a preview and the command's output name each :attr:`MemberChange.status`.
STATUS_LABELS = {"new": _l("new"), "updated": _l("updated"), "unchanged": _l("unchanged")}
#: Whole sentences for a number cell that is not a whole number, and for one out of range,
#: per kind of number. Placeholders: ``skill``, ``low``, ``high``, and ``text`` or ``value``.
NUMBER_PROBLEMS = {
    "level": (
        _l("the level of '%(skill)s' must be a whole number from %(low)d to %(high)d, got '%(text)s'"),
        _l("the level of '%(skill)s' must be from %(low)d to %(high)d, got %(value)d"),
    ),
    "target": (
        _l("the target level of '%(skill)s' must be a whole number from %(low)d to %(high)d, got '%(text)s'"),
        _l("the target level of '%(skill)s' must be from %(low)d to %(high)d, got %(value)d"),
    ),
    "priority": (
        _l("the priority of '%(skill)s' must be a whole number from %(low)d to %(high)d, got '%(text)s'"),
        _l("the priority of '%(skill)s' must be from %(low)d to %(high)d, got %(value)d"),
    ),
    "mentor_capacity": (
        _l("mentor_capacity must be a whole number from %(low)d to %(high)d, got '%(text)s'"),
        _l("mentor_capacity must be from %(low)d to %(high)d, got %(value)d"),
    ),
}


#: A cell that cannot be stored or shown safely (``text_problem``'s codes); ``%(column)s`` is its column.
CELL_PROBLEMS = {
    CONTROL: _l("%(column)s contains a control character (a line break, tab or similar)"),
    BIDI: _l("%(column)s contains a hidden character that changes the direction of text"),
    INVISIBLE_ONLY: _l("%(column)s holds only invisible characters"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; ``line`` is the file's line number (1 is the header)."""

    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s", line=self.line, message=self.message)


class ImportProblems(ValueError):
    """The file cannot be imported; ``problems`` lists every reason, by line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__(f"{len(self.problems)} problem(s) in the file")


@dataclass
class ImportRow:
    """One valid row: only the cells that were filled in."""

    line: int
    email: str
    values: dict[str, Any] = field(default_factory=dict)
    manager_email: str | None = None
    skills: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (name, level)
    goals: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # key -> (name, target, priority)
    communities: dict[str, str] = field(default_factory=dict)  # key -> name


@dataclass(frozen=True)
class MemberChange:
    """What the import does to one member: ``status`` is new, updated or unchanged."""

    line: int
    email: str
    name: str
    status: str
    changes: tuple[str, ...] = ()

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return str(STATUS_LABELS[self.status])


@dataclass
class ImportPlan:
    rows: list[ImportRow]
    changes: list[MemberChange]
    new_skills: list[str]
    new_communities: list[str]

    def count(self, status: str) -> int:
        return sum(1 for change in self.changes if change.status == status)

    @property
    def summary(self) -> dict[str, int]:
        return {status: self.count(status) for status in ("new", "updated", "unchanged")}


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    new_skills: list[str]
    new_communities: list[str]
    #: (email, display name, raw set-password token) for every new and every reclaimed member.
    invitations: list[tuple[str, str, str]]
    #: How many existing accounts with an unconfirmed password were reclaimed.
    reclaimed: int = 0


# -- reading the file ---------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: UTF-8 with or without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblems(
            [Problem(1, _("the file is not UTF-8 text (byte %(byte)d); save it as 'CSV UTF-8'",
                          byte=error.start + 1))]
        ) from None


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """``(line, {column: cell})`` for each data row; raises for a bad header."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header_line = text.split("\n", 1)[0]
    if not header_line.strip():
        raise ImportProblems([Problem(1, _("the file is empty: expected a header row"))])
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(header_line))
    header = [name.strip().lower() for name in next(reader)]
    problems = [
        Problem(1, _("unknown column '%(column)s'; expected some of: %(columns)s",
                     column=name, columns=", ".join(COLUMNS)))
        for name in header
        if name not in COLUMNS
    ]
    seen: set[str] = set()
    for name in header:
        if name in seen and name in COLUMNS:
            problems.append(Problem(1, _("column '%(column)s' appears twice", column=name)))
        seen.add(name)
    problems += [
        Problem(1, _("missing column '%(column)s'", column=name)) for name in REQUIRED_COLUMNS if name not in header
    ]
    if problems:
        raise ImportProblems(problems)
    rows: list[tuple[int, dict[str, str]]] = []
    last_line = reader.line_num
    for cells in reader:
        line = last_line + 1
        last_line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            rows.append((line, {"__extra__": str(len(cells) - len(header))}))
            continue
        rows.append((line, {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(header)}))
    return rows


def _items(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(";") if item.strip()]


def _number(text: str, low: int, high: int, kind: str, skill: str = "") -> int:
    """``text`` as a whole number from ``low`` to ``high``; raises ValueError worded for ``kind``
    (a key of :data:`NUMBER_PROBLEMS`)."""
    not_whole, out_of_range = NUMBER_PROBLEMS[kind]
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(not_whole % {"skill": skill, "low": low, "high": high, "text": text.strip()}) from None
    if not low <= value <= high:
        raise ValueError(out_of_range % {"skill": skill, "low": low, "high": high, "value": value})
    return value


def _skill_name(name: str, cell: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValueError(_("a %(column)s entry has no skill name", column=cell))
    if len(name) > MAX_SKILL_NAME:
        raise ValueError(
            _("skill name '%(start)s...' is longer than %(max)d characters", start=name[:30], max=MAX_SKILL_NAME)
        )
    return name


def _parse_skill(item: str) -> tuple[str, int]:
    name, sep, level = item.rpartition(":")
    if not sep:
        raise ValueError(_("skill '%(item)s' needs a level, like 'Python:4'", item=item))
    return _skill_name(name, "skills"), _number(level, 1, 5, "level", name.strip())


def _parse_goal(item: str) -> tuple[str, int, int]:
    parts = item.rsplit(":", 2)
    if len(parts) == 3 and parts[1].strip().isdigit() and parts[2].strip().isdigit():
        name, target, priority = parts
    else:
        name, sep, target = item.rpartition(":")
        if not sep:
            raise ValueError(_("learning goal '%(item)s' needs a target level, like 'SQL:4:1'", item=item))
        priority = str(DEFAULT_PRIORITY)
    return (
        _skill_name(name, "learning_goals"),
        _number(target, 1, 5, "target", name.strip()),
        _number(priority, 1, max(PRIORITIES), "priority", name.strip()),
    )


_SENIORITY = {band.casefold(): band for band in SENIORITY_BANDS}


def parse_row(line: int, cells: dict[str, str]) -> tuple[ImportRow | None, list[Problem]]:
    """Check one row on its own; returns the row as far as it could be read, and every problem found in it.

    A row with problems is still returned (unless its cells cannot be read at
    all), so the checks against the whole file report its other problems too;
    a file with any problem is never applied.
    """
    problems: list[Problem] = []

    def problem(message: str) -> None:
        problems.append(Problem(line, message))

    if "__extra__" in cells:
        problem(_("%(count)s more cell(s) than there are columns", count=cells["__extra__"]))
        return None, problems
    unsafe = {column: text_problem(cell) for column, cell in cells.items()}
    for column, code in unsafe.items():
        if code:
            problem(CELL_PROBLEMS[code] % {"column": column})
    if any(unsafe.values()):  # the cell's other checks would only repeat it, or quote it back
        return None, problems
    email = cells.get("email", "").strip().lower()
    if not email:
        problem(_("email is empty"))
    elif len(email) > MAX_EMAIL:
        problem(_("email is longer than %(max)d characters", max=MAX_EMAIL))
    elif "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        problem(_("email '%(email)s' is not an email address", email=email))
    row = ImportRow(line=line, email=email)

    for column, (attribute, limit) in TEXT_COLUMNS.items():
        value = " ".join(cells.get(column, "").split())
        if len(value) > limit:
            problem(_("%(column)s is longer than %(max)d characters (%(length)d)",
                      column=column, max=limit, length=len(value)))
        elif value:
            row.values[attribute] = value
    if seniority := cells.get("seniority", ""):
        if seniority.casefold() in _SENIORITY:
            row.values["seniority"] = _SENIORITY[seniority.casefold()]
        else:
            problem(_("seniority '%(value)s' is not one of: %(bands)s",
                      value=seniority, bands=", ".join(SENIORITY_BANDS)))
    if zone := cells.get("timezone", ""):
        if zone in iana_time_zones():
            row.values["timezone"] = zone
        else:
            problem(_("time zone '%(zone)s' is not an IANA time zone such as 'Asia/Bangkok'", zone=zone))
    if languages := _items(cells.get("languages", "")):
        too_long = [language for language in languages if len(language) > MAX_LANGUAGE]
        if too_long:
            problem(_("language '%(start)s...' is longer than %(max)d characters",
                      start=too_long[0][:20], max=MAX_LANGUAGE))
        else:
            unique: dict[str, str] = {}
            for language in languages:
                unique.setdefault(language.casefold(), language)
            row.values["languages"] = list(unique.values())
    if capacity := cells.get("mentor_capacity", ""):
        try:
            row.values["mentor_capacity"] = _number(capacity, 0, MAX_MENTOR_CAPACITY, "mentor_capacity")
        except ValueError as error:
            problem(str(error))
    if manager := cells.get("manager_email", "").strip().lower():
        if "@" not in manager or len(manager) > MAX_EMAIL:
            problem(_("manager_email '%(email)s' is not an email address", email=manager[:60]))
        elif manager == email:
            problem(_("a member cannot be their own manager"))
        else:
            row.manager_email = manager

    for item in _items(cells.get("skills", "")):
        try:
            name, level = _parse_skill(item)
        except ValueError as error:
            problem(str(error))
            continue
        key = normalize_key(name)
        if key in row.skills:
            problem(_("skill '%(skill)s' is listed twice", skill=name))
        row.skills[key] = (name, level)
    for item in _items(cells.get("learning_goals", "")):
        try:
            name, target, priority = _parse_goal(item)
        except ValueError as error:
            problem(str(error))
            continue
        key = normalize_key(name)
        if key in row.goals:
            problem(_("learning goal '%(skill)s' is listed twice", skill=name))
        row.goals[key] = (name, target, priority)
    for name in _items(cells.get("communities", "")):
        name = " ".join(name.split())
        if len(name) > MAX_COMMUNITY_NAME:
            problem(_("community '%(start)s...' is longer than %(max)d characters",
                      start=name[:30], max=MAX_COMMUNITY_NAME))
        else:
            row.communities.setdefault(normalize_key(name), name)
    return row, problems


# -- checking the whole file against the database -----------------------------------------


@dataclass
class _Existing:
    """What the database holds, loaded once."""

    members: dict[str, Member]  # email -> member
    emails_by_id: dict[int, str]
    skills: dict[str, Skill]  # name_key -> skill
    communities: dict[str, Community]
    levels: dict[tuple[int, int], int]  # (member_id, skill_id) -> level
    goals: dict[tuple[int, int], tuple[int, int]]  # (member_id, skill_id) -> (target, priority)
    memberships: set[tuple[int, int]]  # (member_id, community_id)

    @classmethod
    def load(cls) -> _Existing:
        members = db.session.scalars(sa.select(Member)).all()
        return cls(
            members={m.email: m for m in members},
            emails_by_id={m.id: m.email for m in members},
            skills={s.name_key: s for s in db.session.scalars(sa.select(Skill))},
            communities={c.name_key: c for c in db.session.scalars(sa.select(Community))},
            levels={
                (m, s): level
                for m, s, level in db.session.execute(
                    sa.select(MemberSkill.member_id, MemberSkill.skill_id, MemberSkill.level)
                )
            },
            goals={
                (m, s): (t, p)
                for m, s, t, p in db.session.execute(
                    sa.select(
                        LearningGoal.member_id, LearningGoal.skill_id,
                        LearningGoal.target_level, LearningGoal.priority,
                    )
                )
            },
            memberships={
                (m, c)
                for m, c in db.session.execute(
                    sa.select(CommunityMembership.member_id, CommunityMembership.community_id)
                )
            },
        )


def _check_managers(rows: list[ImportRow], file_emails: set[str], existing: _Existing) -> list[Problem]:
    """Every manager exists somewhere, and nobody ends up managing themselves.

    ``file_emails`` holds every email in the file, also on rows with problems,
    so a manager on a bad row is not reported as missing.
    """
    problems: list[Problem] = []
    in_file = {row.email: row for row in rows}
    manager_of: dict[str, str | None] = {
        email: existing.emails_by_id.get(member.manager_id) if member.manager_id else None
        for email, member in existing.members.items()
    }
    for row in rows:
        if row.manager_email is None:
            manager_of.setdefault(row.email, None)
            continue
        if row.manager_email not in file_emails and row.manager_email not in existing.members:
            problems.append(
                Problem(row.line, _("manager_email '%(email)s' is neither in the file nor a member",
                                    email=row.manager_email))
            )
            manager_of.setdefault(row.email, None)
        else:
            manager_of[row.email] = row.manager_email
    # Each person has at most one manager, so a cycle is found by walking up the chain.
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    for start in in_file:
        walk: list[str] = []
        email: str | None = start
        while email is not None and state.get(email) is None:
            state[email] = 1
            walk.append(email)
            email = manager_of.get(email)
        if email is not None and state.get(email) == 1:
            cycle = walk[walk.index(email):]
            lines = sorted(in_file[e].line for e in cycle if e in in_file)
            if lines:  # a cycle the file does not touch was there before; not this import's doing
                chain = " → ".join(cycle + [email])
                problems.append(
                    Problem(lines[0], _("managers form a cycle: %(chain)s (lines %(lines)s)",
                                        chain=chain, lines=", ".join(map(str, lines))))
                )
        for seen in walk:
            state[seen] = 2
    return problems


def _shown(value: Any) -> str:
    """A stored or imported value as a preview shows it: lists joined, nothing as a dash (0 is a value)."""
    if value is None or value == "" or value == []:
        return "—"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _describe_changes(row: ImportRow, member: Member, existing: _Existing) -> list[str]:
    """One line of text per change, in the reader's language."""
    changes: list[str] = []
    for attribute, value in row.values.items():
        if getattr(member, attribute) != value:
            changes.append(_("%(field)s: %(old)s → %(new)s", field=FIELD_LABELS[attribute],
                             old=_shown(getattr(member, attribute)), new=_shown(value)))
    if row.manager_email is not None:
        current = existing.emails_by_id.get(member.manager_id) if member.manager_id else None
        if current != row.manager_email:
            changes.append(_("%(field)s: %(old)s → %(new)s", field=FIELD_LABELS["manager"],
                             old=_shown(current), new=row.manager_email))
    for key, (name, level) in row.skills.items():
        skill = existing.skills.get(key)
        old = existing.levels.get((member.id, skill.id)) if skill else None
        if old != level:
            changes.append(_("skill %(skill)s: %(old)s → %(new)d", skill=name, old=_shown(old), new=level))
    for key, (name, target, priority) in row.goals.items():
        skill = existing.skills.get(key)
        old = existing.goals.get((member.id, skill.id)) if skill else None
        if old != (target, priority):
            changes.append(_("goal %(skill)s: target %(target)d, priority %(priority)d",
                             skill=name, target=target, priority=priority))
    for key, name in row.communities.items():
        community = existing.communities.get(key)
        if community is None or (member.id, community.id) not in existing.memberships:
            changes.append(_("joins %(community)s", community=name))
    return changes


def plan_import(data: bytes) -> ImportPlan:
    """Read and check the whole file; raise :class:`ImportProblems` or return the plan.

    Nothing is written. Every row is checked, so one run reports every problem.
    """
    rows: list[ImportRow] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for line, cells in read_rows(decode(data)):
        row, row_problems = parse_row(line, cells)
        problems += row_problems
        email = cells.get("email", "").strip().lower()
        if email and "__extra__" not in cells:
            if email in first_line:
                problems.append(Problem(line, _("email %(email)s is also on line %(line)d",
                                                email=email, line=first_line[email])))
                continue
            first_line[email] = line
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        raise ImportProblems([Problem(1, _("the file has a header but no members"))])

    existing = _Existing.load()
    for row in rows:  # rows with problems too: the preview lists every problem of every line
        if row.email and row.email not in existing.members and "display_name" not in row.values:
            problems.append(Problem(row.line, _("name is empty, and %(email)s is a new member", email=row.email)))
    problems += _check_managers(rows, set(first_line), existing)
    if problems:
        raise ImportProblems(problems)

    changes: list[MemberChange] = []
    new_skills: dict[str, str] = {}
    new_communities: dict[str, str] = {}
    for row in rows:
        member = existing.members.get(row.email)
        for key, name in [(k, v[0]) for k, v in row.skills.items()] + [(k, v[0]) for k, v in row.goals.items()]:
            if key not in existing.skills:
                new_skills.setdefault(key, name)
        for key, name in row.communities.items():
            if key not in existing.communities:
                new_communities.setdefault(key, name)
        if member is None:
            name = row.values["display_name"]
            changes.append(MemberChange(row.line, row.email, name, "new"))
        else:
            described = _describe_changes(row, member, existing)
            if member.unclaimed_password:
                described.append(_("address never confirmed: the password is cleared, sessions end, and a "
                                   "set-password link goes to the address"))
            changes.append(
                MemberChange(
                    row.line, row.email, row.values.get("display_name", member.display_name),
                    "updated" if described else "unchanged", tuple(described),
                )
            )
    return ImportPlan(rows, changes, list(new_skills.values()), list(new_communities.values()))


# -- writing ------------------------------------------------------------------------------


def _insert_returning(model, key_column, records: list[dict]) -> dict:
    """Bulk-insert ``records``; return ``{key: id}``."""
    if not records:
        return {}
    result = db.session.execute(
        sa.insert(model).returning(key_column, model.id, sort_by_parameter_order=True), records
    )
    return {key: ident for key, ident in result}


def apply_import(plan: ImportPlan, invitation_days: int = DEFAULT_INVITATION_DAYS) -> ImportResult:
    """Write ``plan`` in bulk statements; the caller commits (or rolls back).

    Unknown skills and communities are created as HR-approved. New members
    have no password: each gets a one-time set-password token, returned in
    :attr:`ImportResult.invitations` (only its hash is stored).
    """
    db.session.flush()
    existing = _Existing.load()
    now = datetime.now(timezone.utc)

    skill_ids = {key: skill.id for key, skill in existing.skills.items()}
    wanted_skills: dict[str, str] = {}
    for row in plan.rows:
        for key, value in list(row.skills.items()) + list(row.goals.items()):
            if key not in skill_ids:
                wanted_skills.setdefault(key, value[0])
    skill_ids |= _insert_returning(
        Skill, Skill.name_key,
        [{"name": name, "name_key": key, "approved": True, "created_at": now} for key, name in wanted_skills.items()],
    )
    community_ids = {key: community.id for key, community in existing.communities.items()}
    wanted_communities: dict[str, str] = {}
    for row in plan.rows:
        for key, name in row.communities.items():
            if key not in community_ids:
                wanted_communities.setdefault(key, name)
    community_ids |= _insert_returning(
        Community, Community.name_key,
        [
            {"name": name, "name_key": key, "description": "", "created_at": now}
            for key, name in wanted_communities.items()
        ],
    )

    status = {change.email: change.status for change in plan.changes}
    new_rows = [row for row in plan.rows if row.email not in existing.members]
    member_ids = {email: member.id for email, member in existing.members.items()}
    member_ids |= _insert_returning(
        Member, Member.email,
        [
            {
                "email": row.email,
                "display_name": row.values["display_name"],
                "role": "member",
                "active": True,
                "timezone": DEFAULT_TIME_ZONE,
                "languages": [],
                "mentor_capacity": 0,
                "wants_mentor": False,
                "open_to_peer_swaps": False,
                "open_to_groups": False,
                "locale": current_app.config["DEFAULT_LOCALE"],  # until the member chooses
                "created_at": now,
            }
            | row.values
            for row in new_rows
        ],
    )

    updates = []
    for row in plan.rows:
        if status[row.email] == "unchanged":
            continue
        record = {"id": member_ids[row.email]}
        if row.email in existing.members:
            record |= row.values
        if row.manager_email is not None:
            record["manager_id"] = member_ids[row.manager_email]
        if len(record) > 1:
            updates.append(record)
    _bulk_update(Member, updates)

    level_inserts, level_updates, goal_inserts, goal_updates, joins = [], [], [], [], []
    for row in plan.rows:
        member_id = member_ids[row.email]
        for key, (_name, level) in row.skills.items():
            pk = (member_id, skill_ids[key])
            if pk not in existing.levels:
                level_inserts.append({"member_id": pk[0], "skill_id": pk[1], "level": level})
            elif existing.levels[pk] != level:
                level_updates.append({"member_id": pk[0], "skill_id": pk[1], "level": level})
        for key, (_name, target, priority) in row.goals.items():
            pk = (member_id, skill_ids[key])
            record = {"member_id": pk[0], "skill_id": pk[1], "target_level": target, "priority": priority}
            if pk not in existing.goals:
                goal_inserts.append(record)
            elif existing.goals[pk] != (target, priority):
                goal_updates.append(record)
        for key in row.communities:
            pk = (member_id, community_ids[key])
            if pk not in existing.memberships:
                joins.append({"member_id": pk[0], "community_id": pk[1], "joined_on": now.date()})
    for model, records in ((MemberSkill, level_inserts), (LearningGoal, goal_inserts), (CommunityMembership, joins)):
        if records:
            db.session.execute(sa.insert(model), records)
    _bulk_update(MemberSkill, level_updates)
    _bulk_update(LearningGoal, goal_updates)

    reclaimed = [existing.members[row.email] for row in plan.rows
                 if row.email in existing.members and existing.members[row.email].unclaimed_password]
    for member in reclaimed:
        reclaim(member)
    invitations: list[tuple[str, str, str]] = []
    token_records = []
    expires_at = now + timedelta(days=invitation_days)
    invited = [(row.email, row.values["display_name"]) for row in new_rows]
    invited += [(member.email, plan_name(plan, member)) for member in reclaimed]
    for email, name in invited:
        raw, hashed = new_token()
        invitations.append((email, name, raw))
        token_records.append(
            {
                "member_id": member_ids[email], "purpose": "set_password",
                "token_hash": hashed, "expires_at": expires_at, "created_at": now,
            }
        )
    db.session.flush()
    if token_records:
        db.session.execute(sa.insert(AccountToken), token_records)

    # Bulk statements bypass the identity map: let loaded objects re-read their rows.
    db.session.expire_all()
    result = ImportResult(
        created=len(new_rows),
        updated=plan.count("updated"),
        unchanged=plan.count("unchanged"),
        new_skills=list(wanted_skills.values()),
        new_communities=list(wanted_communities.values()),
        invitations=invitations,
        reclaimed=len(reclaimed),
    )
    log.info(
        "Member import: %d new, %d updated, %d unchanged; %d new skills, %d new communities",
        result.created, result.updated, result.unchanged, len(result.new_skills), len(result.new_communities),
    )
    return result


def plan_name(plan: ImportPlan, member: Member) -> str:
    """The member's name as the import leaves it."""
    row = next(row for row in plan.rows if row.email == member.email)
    return row.values.get("display_name", member.display_name)


def _bulk_update(model, records: list[dict]) -> None:
    """ORM bulk UPDATE by primary key, grouped by the set of columns changed."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for record in records:
        groups.setdefault(tuple(sorted(record)), []).append(record)
    for group in groups.values():
        db.session.execute(sa.update(model), group)


def import_members(data: bytes, invitation_days: int = DEFAULT_INVITATION_DAYS) -> tuple[ImportPlan, ImportResult]:
    """Plan and apply in one go (the CLI without ``--dry-run``); the caller commits."""
    plan = plan_import(data)
    return plan, apply_import(plan, invitation_days)


#: The example file HR downloads: it names no community, so importing it as it is creates none
#: (a community named in the file that does not exist yet is created, and every member would see it).
EXAMPLE_CSV = (
    "email,name,department,function,title,seniority,location,timezone,languages,manager_email,"
    "skills,learning_goals,communities,mentor_capacity\n"
    "somsri.k@example.com,สมศรี คงดี,ฝ่ายข้อมูล,Analytics,Head of Data,Lead,กรุงเทพฯ,Asia/Bangkok,"
    "Thai; English,,Python:5; SQL:4; การวิเคราะห์ข้อมูล:5,Leadership:4:1,,3\n"
    "anan.p@example.com,อนันต์ พูลสุข,ฝ่ายข้อมูล,Analytics,Data Analyst,Junior,เชียงใหม่,Asia/Bangkok,"
    "Thai,somsri.k@example.com,SQL:3; Excel:4,Python:3:1; Data visualisation:4:2,,0\n"
    "jane.doe@example.com,Jane Doe,Engineering,Software,Senior Engineer,Senior,Singapore,Asia/Singapore,"
    "English; Thai,somsri.k@example.com,Python:4; Docker:4,การนำเสนอ:3:2,,2\n"
)
