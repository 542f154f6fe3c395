"""The audit trail: what happened is stored as an action and its parameters, and put in words
(Thai or English, today's names) when HR reads it.

Parameters hold ids and counts, never names, emails or free text, so the trail keeps nothing
of a member once they are erased: their entries then read "former member". Failed logins are
counted per account and hour (``LoginFailure``) and read as one line each. Nothing here
updates or deletes an entry; the functions add to the session and never commit.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models import AuditEntry, LoginFailure, Member, Round, db
from models.base import utcnow
from webapp.i18n import format_day, format_number
from webapp.services.paging import ListPage
from webapp.services.round_review import spreadsheet_cells
from webapp.services.rounds.notes import member_names

#: Every action the trail knows, with its name for HR's filter; ``describe`` puts each in words.
ACTIONS = {
    "import": _l("Member import"),
    "round_export": _l("Round export"),
    "publish": _l("Round published"),
    "repair": _l("Round repaired"),
    "close": _l("Round closed"),
    "role_change": _l("Role change"),
    "deactivate": _l("Deactivation"),
    "reactivate": _l("Reactivation"),
    "data_export": _l("Personal data download"),
    "erase": _l("Erasure"),
    "login_failed": _l("Failed logins"),
    "message_failed": _l("Message not sent"),
    "audit_export": _l("Audit trail export"),
    "purge": _l("Expired text removed"),
    "cancel_solve": _l("Solve cancelled"),
    "message_retry": _l("Message sent again"),
    "coordinator": _l("Community coordinator"),
    "hide_content": _l("Content hidden"),
    "community_archive": _l("Community archived"),
    "community_restore": _l("Community restored"),
    "community_delete": _l("Community deleted"),
}
#: What was hidden, for "content hidden" entries.
CONTENT_KIND_WORDS = {"question": _l("a question"), "answer": _l("an answer"), "note": _l("a practice note")}
#: What a message was, for "message not sent" entries (``Message.kind``).
MESSAGE_KINDS = {
    "match_invitation": _l("match invitation"),
    "group_invitation": _l("working-group invitation"),
    "match_confirmation": _l("match confirmation"),
    "invitation_reminder": _l("invitation reminder"),
    "mentor_request": _l("mentor request"),
    "question": _l("question to the community"),
    "match_declined": _l("notice of a declined match"),
    "message": _l("message"),
}
#: Why it was not sent (``webapp.services.messages``' reason codes).
FAILURE_REASONS = {
    "unbuildable": _l("the message could not be written from the stored data"),
    "bad_address": _l("the email address cannot be used"),
    "refused": _l("the mail server refused it"),
    "unreachable": _l("the mail server could not be reached"),
}
COMMAND_LINE = _l("command line")
SYSTEM = _l("CoPMatch")


def record(action: str, *, actor: Member | None = None, subject: Member | int | None = None, **params) -> AuditEntry:
    """Add an entry: ``action`` (a key of ``ACTIONS``) done by ``actor`` (None: the command line)
    to ``subject``, with ``params`` (ids and counts only)."""
    if action not in ACTIONS:
        raise ValueError(f"expected an action in {sorted(ACTIONS)}, got {action!r}")
    entry = AuditEntry(action=action, actor_id=_id(actor), subject_id=_id(subject), params=params)
    db.session.add(entry)
    return entry


def _id(member) -> int | None:
    """A member's id, from a member, an id or ``current_user`` (a visitor has none)."""
    if member is None or isinstance(member, int):
        return member
    return getattr(member, "id", None)


def record_failed_login(member: Member | None, now: datetime | None = None) -> None:
    """Count one failed login for ``member`` (None: an email that belongs to nobody) in this hour.

    One row per account and hour, whatever the number of attempts: an INSERT that adds one to
    the row already there (``ON CONFLICT``, on SQLite and PostgreSQL alike, so two failures at
    the same moment both count).
    """
    now = now or utcnow()
    window = now.replace(minute=0, second=0, microsecond=0)
    values = {"window_start": window, "account": str(member.id) if member else "",
              "member_id": member.id if member else None, "count": 1, "last_at": now}
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(LoginFailure).values(**values)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["window_start", "account"],
        set_={"count": LoginFailure.count + 1, "last_at": statement.excluded.last_at},
    ))


def record_failed_messages(failures) -> None:
    """Record each message that did not go out, in a transaction of its own.

    Called after the action that caused the messages has committed; if even this fails (the
    database is down), the log already says what failed, and the action stands.
    """
    if not failures:
        return
    try:
        for failure in failures:
            record("message_failed", subject=failure.member_id, message=failure.kind, reason=failure.reason)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        current_app.logger.error("Could not record %d failed message(s) in the audit trail (%s)",
                                 len(failures), type(error).__name__)


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which entries HR wants: about or by these members, of one action, between two days."""

    member_ids: tuple[int, ...] | None = None
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Line:
    """One entry as HR reads it."""

    at: datetime
    actor: str
    action: str
    text: str
    code: str
    subject_id: int | None


def _trail(filters: Filters) -> sa.Select:
    """Entries and failed-login counts as one list, newest first (a UNION ALL, filtered in SQL)."""
    entries = sa.select(
        AuditEntry.at.label("at"), AuditEntry.actor_id.label("actor_id"), AuditEntry.subject_id.label("subject_id"),
        AuditEntry.action.label("action"), AuditEntry.params.label("params"),
        sa.cast(sa.null(), sa.Integer).label("count"),
        sa.cast(sa.null(), sa.DateTime(timezone=True)).label("window"), AuditEntry.id.label("id"),
    )
    failures = sa.select(
        LoginFailure.last_at, sa.cast(sa.null(), sa.Integer), LoginFailure.member_id, sa.literal("login_failed"),
        sa.cast(sa.null(), sa.JSON), LoginFailure.count, LoginFailure.window_start, -LoginFailure.id,
    )
    for statement_filter in _conditions(filters, AuditEntry.at, AuditEntry.action, AuditEntry.actor_id,
                                        AuditEntry.subject_id):
        entries = entries.where(statement_filter)
    if filters.action not in ("", "login_failed"):
        failures = failures.where(sa.false())
    failures_filters = _conditions(Filters(filters.member_ids, "", filters.since, filters.until),
                                   LoginFailure.last_at, None, None, LoginFailure.member_id)
    for statement_filter in failures_filters:
        failures = failures.where(statement_filter)
    union = sa.union_all(entries, failures).subquery()
    return sa.select(union).order_by(union.c.at.desc(), union.c.id.desc())


def _conditions(filters: Filters, at, action, actor, subject) -> list:
    conditions = []
    if filters.member_ids is not None:
        ids = list(filters.member_ids) or [-1]
        conditions.append(sa.or_(subject.in_(ids), actor.in_(ids)) if actor is not None else subject.in_(ids))
    if filters.action and action is not None:
        conditions.append(action == filters.action)
    if filters.since:
        conditions.append(at >= _start_of(filters.since))
    if filters.until:
        conditions.append(at < _start_of(filters.until + timedelta(days=1)))
    return conditions


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def trail_page(filters: Filters, page: int, per_page: int) -> ListPage:
    """Page ``page`` of the entries that match ``filters`` (past the last page: the last page)."""
    statement = _trail(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return ListPage(_lines(rows), page, per_page, total)


def all_lines(filters: Filters) -> list[Line]:
    """Every entry that matches ``filters``, newest first."""
    return _lines(db.session.execute(_trail(filters)).all())


def _lines(rows) -> list[Line]:
    names = member_names([row.actor_id for row in rows] + [row.subject_id for row in rows])
    round_ids = {row.params.get("round_id") for row in rows if row.params}
    rounds = dict(db.session.execute(sa.select(Round.id, Round.name).where(Round.id.in_(round_ids))).all()) \
        if round_ids - {None} else {}
    return [Line(at=_utc(row.at), actor=_actor(row, names), action=str(ACTIONS.get(row.action, row.action)),
                 text=describe(row.action, row.params or {}, row.subject_id, names, rounds, row.count, _utc(row.window)),
                 code=row.action, subject_id=row.subject_id)
            for row in rows]


def _actor(row, names: dict[int, str]) -> str:
    if row.actor_id is not None:
        return names.get(row.actor_id, str(_l("a former member")))
    return str(SYSTEM if row.action in ("login_failed", "message_failed") else COMMAND_LINE)


def describe(action: str, params: dict, subject_id: int | None, names: dict[int, str], rounds: dict[int, str],
             count: int | None = None, window: datetime | None = None) -> str:
    """One entry in the reader's language, with today's names."""
    subject = names.get(subject_id, _("a former member")) if subject_id is not None else None
    round_name = rounds.get(params.get("round_id"), _("round %(id)s", id=params.get("round_id")))
    number = {key: format_number(value) for key, value in params.items() if isinstance(value, int)}
    if action == "login_failed":
        start = window or datetime.now(timezone.utc)
        first, last = start.strftime("%H:00"), (start + timedelta(hours=1)).strftime("%H:00")
        hour = _("%(day)s, %(start)s–%(end)s UTC", day=format_day(start), start=first, end=last)
        if subject is None:
            return ngettext("%(num)d failed login with an email that belongs to no account (%(hour)s).",
                            "%(num)d failed logins with emails that belong to no account (%(hour)s).",
                            count or 0, hour=hour)
        return ngettext("%(num)d failed login for %(name)s (%(hour)s).",
                        "%(num)d failed logins for %(name)s (%(hour)s).", count or 0, name=subject, hour=hour)
    if action == "import":
        return _("Imported members: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
                 created=number.get("created", 0), updated=number.get("updated", 0),
                 unchanged=number.get("unchanged", 0))
    if action == "round_export":
        return _("Exported “%(round)s” as CSV.", round=round_name)
    if action == "publish":
        return _("Published “%(round)s”: %(count)s invitation message(s).", round=round_name,
                 count=number.get("invitations", 0))
    if action == "repair":
        return _("Repaired “%(round)s”: %(count)s member(s) offered a new match or group.", round=round_name,
                 count=number.get("rematched", 0))
    if action == "close":
        return _("Closed “%(round)s”; feedback opened.", round=round_name)
    if action == "role_change" and params.get("role") == "member":
        return _("Removed the HR role from %(name)s.", name=subject)
    if action == "role_change":
        return _("Made %(name)s an HR account.", name=subject)
    if action == "deactivate":
        return _("Deactivated %(name)s.", name=subject)
    if action == "reactivate":
        return _("Reactivated %(name)s.", name=subject)
    if action == "data_export":
        return _("%(name)s downloaded the personal data CoPMatch holds about them.", name=subject)
    if action == "erase":
        return _("Erased the personal data of member no. %(id)s (now shown as “former member”).", id=subject_id)
    if action == "message_failed":
        return _("A %(message)s to %(name)s could not be sent: %(reason)s.",
                 message=MESSAGE_KINDS.get(params.get("message"), MESSAGE_KINDS["message"]), name=subject,
                 reason=FAILURE_REASONS.get(params.get("reason"), params.get("reason")))
    if action == "cancel_solve":
        return _("Cancelled a solve of “%(round)s”.", round=round_name)
    if action == "message_retry":
        return ngettext("Asked for %(num)d failed message to be sent again.",
                        "Asked for %(num)d failed messages to be sent again.", params.get("messages") or 0)
    if action == "audit_export":
        return _("Exported %(count)s audit entries as CSV.", count=number.get("entries", 0))
    if action == "purge":
        return _("Removed text older than %(days)s days: %(reasons)s decline reason(s) and %(notes)s feedback "
                 "note(s).", days=number.get("days", 0), reasons=number.get("reasons", 0),
                 notes=number.get("notes", 0))
    if action == "coordinator" and params.get("named"):
        return _("Named %(name)s coordinator of community no. %(community)s.", name=subject,
                 community=params.get("community_id"))
    if action == "coordinator":
        return _("%(name)s is no longer coordinator of community no. %(community)s.", name=subject,
                 community=params.get("community_id"))
    if action == "hide_content":
        return _("Hid %(what)s (no. %(id)s) in community no. %(community)s.",
                 what=CONTENT_KIND_WORDS.get(params.get("kind"), params.get("kind")), id=params.get("content_id"),
                 community=params.get("community_id"))
    if action == "community_archive":
        return _("Archived the community “%(name)s”: members no longer see it.", name=params.get("name", "?"))
    if action == "community_restore":
        return _("Restored the community “%(name)s”.", name=params.get("name", "?"))
    if action == "community_delete":
        return _("Deleted the unused community “%(name)s”.", name=params.get("name", "?"))
    return action


CSV_HEADER = (_l("time (UTC)"), _l("who"), _l("action"), _l("action code"), _l("member no."), _l("what happened"))


def export_csv(lines: list[Line]) -> str:
    """The entries as CSV for Excel: one row each, newest first, formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(title) for title in CSV_HEADER])
    for line in lines:
        writer.writerow(spreadsheet_cells(line.at.strftime("%Y-%m-%d %H:%M:%S"), line.actor, line.action,
                                          line.code, line.subject_id, line.text))
    return out.getvalue()


def _utc(moment: datetime | None) -> datetime | None:
    """A stored time in UTC (SQLite gives it back without its zone, PostgreSQL in the session's)."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
