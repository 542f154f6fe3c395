"""Matches that need attention, the nudge they get, help from HR, and ending a match early.

A live match needs attention when nothing has shown it is alive for
``INACTIVE_DAYS`` (since confirmation, the last logged session or the last
"we met" check-in), or when a check-in says "not meeting" or "need help",
or a member asks HR for help. Each flag is kept once per match, kind and
starting day, so the same silence is flagged, and the pair nudged, once:
``nudged`` is a conditional UPDATE of ``notified_at``. A logged session or
a "we met" check-in resolves inactivity flags; HR resolves help requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from models import AttentionFlag, Match, Meeting, Member, Round, db
from models.base import utcnow
from webapp.i18n import format_day
from webapp.services.after_match import notices
from webapp.services.after_match.evidence import last_alive
from webapp.services.messages import Message
from webapp.services.responses import REASON_LENGTH
from webapp.services.rounds.dates import organisation_today
from webapp.services.rounds.participation import aware

#: Flags that activity (a session, a "we met" check-in) resolves by itself; HR resolves the others.
SELF_RESOLVING = ("inactive", "not_meeting")
#: Flags that nudge the pair; the others tell HR.
NUDGING = SELF_RESOLVING


class AttentionError(ValueError):
    """The request cannot be recorded; the message says why, for the member."""


def live_matches() -> sa.Select:
    """Confirmed matches, not ended early, of rounds that are running (published, not closed)."""
    return (sa.select(Match).join(Round, Match.round_id == Round.id)
            .where(Round.status_allows("answer"), Match.first_status == "accepted",
                   Match.second_status == "accepted", Match.confirmed_at.is_not(None), Match.ended_at.is_(None)))


def flag_needs_attention(now: datetime) -> list[Message]:
    """Flag every live match that has been silent for ``INACTIVE_DAYS``; resolve flags that activity answered.

    Idempotent: a silence that started on a given day is flagged once, even
    if HR has resolved it since. Sends nothing itself (``nudge_flagged`` does).
    """
    today = organisation_today(now)
    inactive_days = current_app.config.get("INACTIVE_DAYS", 21)
    matches = db.session.scalars(live_matches().options(so.joinedload(Match.round))).all()
    alive = last_alive(matches)
    flags: dict[int, list[AttentionFlag]] = {}
    if matches:
        for flag in db.session.scalars(sa.select(AttentionFlag).where(
                AttentionFlag.match_id.in_([m.id for m in matches]), AttentionFlag.kind == "inactive")):
            flags.setdefault(flag.match_id, []).append(flag)
    for match in matches:
        since = alive[match.id]
        mine = flags.get(match.id, [])
        for flag in mine:
            if flag.resolved_at is None and flag.since < since:
                flag.resolved_at = aware(now)
        if (today - since).days < inactive_days or any(flag.since == since for flag in mine):
            continue
        if match.round.ends_on is not None and today >= match.round.ends_on:
            continue
        _add_flag(AttentionFlag(match_id=match.id, kind="inactive", since=since, created_at=aware(now)))
    db.session.flush()
    return []


def nudge_flagged(now: datetime) -> list[Message]:
    """Nudge the pair of every open "inactive" or "not meeting" flag, once per flag."""
    flags = db.session.scalars(
        sa.select(AttentionFlag).join(Match, AttentionFlag.match_id == Match.id).join(Round, Match.round_id == Round.id)
        .where(AttentionFlag.kind.in_(NUDGING), AttentionFlag.notified_at.is_(None),
               AttentionFlag.resolved_at.is_(None), Match.ended_at.is_(None), Round.status_allows("answer"))
        .order_by(AttentionFlag.id)
    ).all()
    messages: list[Message] = []
    for flag in flags:
        if _mark_notified(flag, now):
            messages.extend(notices.nudge(flag.match, flag))
    return messages


def raise_flag(match: Match, kind: str, member: Member | None = None, note: str = "",
               now: datetime | None = None) -> AttentionFlag:
    """The open flag of ``kind`` on ``match`` (a new one if none is open); ``note`` is added to it."""
    now = aware(now or utcnow())
    flag = db.session.scalar(sa.select(AttentionFlag).where(
        AttentionFlag.match_id == match.id, AttentionFlag.kind == kind, AttentionFlag.resolved_at.is_(None)))
    if flag is None:
        flag = _add_flag(AttentionFlag(match_id=match.id, kind=kind, since=organisation_today(now),
                                       raised_by_id=member.id if member else None, created_at=now))
    if note:
        flag.note = f"{flag.note}\n\n{note}".strip() if flag.note else note
    db.session.flush()
    return flag


def _add_flag(flag: AttentionFlag) -> AttentionFlag:
    """Insert ``flag``; when another transaction inserted the same one first, that one is returned."""
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:
        return db.session.scalar(sa.select(AttentionFlag).where(
            AttentionFlag.match_id == flag.match_id, AttentionFlag.kind == flag.kind,
            AttentionFlag.since == flag.since))
    return flag


def resolve_on_activity(match: Match, now: datetime | None = None) -> None:
    """A session or a "we met" check-in: the match is alive, so its inactivity flags are resolved."""
    db.session.execute(
        sa.update(AttentionFlag)
        .where(AttentionFlag.match_id == match.id, AttentionFlag.kind.in_(SELF_RESOLVING),
               AttentionFlag.resolved_at.is_(None))
        .values(resolved_at=aware(now or utcnow())).execution_options(synchronize_session="fetch"))


def tell_hr(flag: AttentionFlag, now: datetime | None = None) -> list[Message]:
    """HR's notice of a help request, once per flag."""
    if not _mark_notified(flag, now):
        return []
    return notices.help_to_hr(flag, hr_members())


def request_help(match: Match, member: Member, note: str, now: datetime | None = None) -> list[Message]:
    """``member`` asks HR for help with ``match``; HR is told every time, with what they wrote."""
    note = (note or "").strip()
    if len(note) > REASON_LENGTH:
        raise AttentionError(_("Write at most %(count)d characters.", count=REASON_LENGTH))
    if not match.live:
        raise AttentionError(_("This match has ended; contact HR directly."))
    flag = raise_flag(match, "help_requested", member, note, now)
    flag.notified_at = aware(now or utcnow())
    db.session.flush()
    return notices.help_to_hr(flag, hr_members(), latest=note)


def end_early(match: Match, member: Member, reason: str, now: datetime | None = None) -> list[Message]:
    """``member`` ends the match early; the reason is for HR only, the partner is told it ended.

    The mentor's place is free again (a repair can fill it), open flags are
    resolved and proposed meetings are cancelled in everyone's calendar.
    """
    from webapp.services.after_match.meetings import cancel_meeting

    reason = (reason or "").strip()
    if len(reason) > REASON_LENGTH:
        raise AttentionError(_("Write at most %(count)d characters.", count=REASON_LENGTH))
    now = aware(now or utcnow())
    won = db.session.execute(
        sa.update(Match).where(Match.id == match.id, Match.ended_at.is_(None))
        .values(ended_at=now, ended_by_id=member.id, end_reason=reason or None)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(match)
    if not won:
        return []
    db.session.execute(
        sa.update(AttentionFlag).where(AttentionFlag.match_id == match.id, AttentionFlag.resolved_at.is_(None))
        .values(resolved_at=now).execution_options(synchronize_session="fetch"))
    messages = []
    for meeting in db.session.scalars(sa.select(Meeting).where(Meeting.match_id == match.id,
                                                               Meeting.state == "proposed")):
        messages.extend(cancel_meeting(match, meeting, member))
    partner = match.member("second" if match.side_of(member.id) == "first" else "first")
    return messages + [notices.match_ended(match, partner, member)] + notices.ended_to_hr(match, member, hr_members())


def hr_members() -> list[Member]:
    """Who hears about help requests and early ends: every active HR account."""
    return list(db.session.scalars(sa.select(Member).where(Member.role == "hr", Member.active.is_(True))
                                   .order_by(Member.id)))


def _mark_notified(flag: AttentionFlag, now: datetime | None) -> bool:
    won = db.session.execute(
        sa.update(AttentionFlag).where(AttentionFlag.id == flag.id, AttentionFlag.notified_at.is_(None))
        .values(notified_at=aware(now or utcnow())).execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(flag)
    return won


# --- what HR reads ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagRow:
    """One open flag as HR's list shows it."""

    flag: AttentionFlag
    match: Match
    reason: str


def open_flags() -> list[FlagRow]:
    """Open flags on matches of running rounds, oldest first, with the reason in the reader's words."""
    today = organisation_today()
    flags = db.session.scalars(
        sa.select(AttentionFlag).join(Match, AttentionFlag.match_id == Match.id).join(Round, Match.round_id == Round.id)
        .where(AttentionFlag.resolved_at.is_(None), Match.ended_at.is_(None), Round.status_allows("answer"))
        .options(so.joinedload(AttentionFlag.match).joinedload(Match.first),
                 so.joinedload(AttentionFlag.match).joinedload(Match.second),
                 so.joinedload(AttentionFlag.match).joinedload(Match.round),
                 so.joinedload(AttentionFlag.raised_by))
        .order_by(AttentionFlag.created_at, AttentionFlag.id)
    ).all()
    return [FlagRow(flag, flag.match, reason_text(flag, today)) for flag in flags]


def open_flags_of(match: Match) -> list[AttentionFlag]:
    """The open flags of one match, oldest first (HR reads them on the relationship page)."""
    return list(db.session.scalars(sa.select(AttentionFlag).where(
        AttentionFlag.match_id == match.id, AttentionFlag.resolved_at.is_(None)).order_by(AttentionFlag.id)))


def reason_text(flag: AttentionFlag, today: date | None = None) -> str:
    """Why a match needs attention, in the reader's language."""
    today = today or organisation_today()
    name = flag.raised_by.display_name if flag.raised_by else _("a former member")
    if flag.kind == "inactive":
        days = (today - flag.since).days
        return ngettext("No session or “we met” check-in for %(num)d day (since %(day)s).",
                        "No session or “we met” check-in for %(num)d days (since %(day)s).",
                        days, day=format_day(flag.since))
    if flag.kind == "not_meeting":
        return _("%(name)s answered a check-in: “we are not meeting” (%(day)s).", name=name,
                 day=format_day(flag.since))
    if flag.kind == "need_help":
        return _("%(name)s answered a check-in: “we need help” (%(day)s).", name=name, day=format_day(flag.since))
    return _("%(name)s asked HR for help (%(day)s).", name=name, day=format_day(flag.since))


def ended_early(limit: int = 50) -> list[Match]:
    """Matches ended early, newest first, with who ended them and why (HR only)."""
    return list(db.session.scalars(
        sa.select(Match).where(Match.ended_at.is_not(None))
        .options(so.joinedload(Match.first), so.joinedload(Match.second), so.joinedload(Match.round),
                 so.joinedload(Match.ended_by))
        .order_by(Match.ended_at.desc(), Match.id.desc()).limit(limit)))


def mark_handled(flag: AttentionFlag, hr: Member, now: datetime | None = None) -> None:
    """HR has dealt with a flag; it leaves the list."""
    if flag.resolved_at is None:
        flag.resolved_at, flag.resolved_by_id = aware(now or utcnow()), hr.id
        db.session.flush()
