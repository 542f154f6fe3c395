"""Meetings of a pair or a working group: propose one (with a calendar invitation), log one, cancel one.

A proposed meeting has a day and a time in the proposer's time zone; every
member who meets gets the invitation as an ``.ics`` attachment, in their own
language and with the time in their own zone. Logging a meeting (a proposed
one, or one that simply happened) records the minutes, the skills worked on,
a private note for the members only, and optionally a note shared with the
community's body of practice. A logged session shows the match is alive.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Match, Meeting, Member, Skill, WorkingGroup, db
from models.base import utcnow
from webapp.services.after_match import notices
from webapp.services.after_match.access import group_people
from webapp.services.after_match.agreements import agreement_of
from webapp.services.feedback import NOTE_LENGTH
from webapp.services.messages import Message
from webapp.services.rounds.participation import aware
from webapp.services.text import sort_key

PLACE_LENGTH = 200
MIN_MINUTES, MAX_MINUTES = 5, 600

Owner = Match | WorkingGroup


class MeetingError(ValueError):
    """The meeting cannot be saved as asked; the message says why, for the member."""


def attendees(owner: Owner) -> list[Member]:
    """Who meets: the two members of a match, or the accepted members of a group."""
    if isinstance(owner, Match):
        return [owner.first, owner.second]
    return [place.member for place in group_people(owner)]


def meetings_of(owner: Owner) -> list[Meeting]:
    """The owner's meetings, the coming ones first, then the past ones newest first."""
    column = Meeting.match_id if isinstance(owner, Match) else Meeting.group_id
    rows = list(db.session.scalars(sa.select(Meeting).where(column == owner.id)
                                   .order_by(Meeting.day.desc(), Meeting.id.desc())))
    return [m for m in rows if m.state == "proposed"][::-1] + [m for m in rows if m.state != "proposed"]


def skill_choices(owner: Owner) -> list[Skill]:
    """What a meeting may have worked on: the agreement's goals or the match's focus, and the community's core skills."""
    names: list[str] = []
    skills: dict[int, Skill] = {}
    if isinstance(owner, Match):
        agreement = agreement_of(owner)
        if agreement is not None:
            skills.update((g.skill_id, g.skill) for g in agreement.goals)
        names = [item["skill"] for item in owner.focus]
    else:
        names = [anchor["skill"] for anchor in (owner.facts or {}).get("anchors", [])]
    if names:
        skills.update((s.id, s) for s in db.session.scalars(sa.select(Skill).where(Skill.name.in_(names))))
    if owner.round.community is not None:
        skills.update((s.id, s) for s in owner.round.community.core_skills)
    return sorted(skills.values(), key=lambda s: sort_key(s.name))


def propose_meeting(owner: Owner, member: Member, day: date, at: time, minutes: int, place: str = "",
                    now: datetime | None = None) -> tuple[Meeting, list[Message]]:
    """``member`` proposes a meeting on ``day`` at ``at`` in their own time zone; everyone gets the invitation."""
    _check_live(owner)
    _check_minutes(minutes)
    place = _clean(place, PLACE_LENGTH, _("A place has at most %(count)d characters.", count=PLACE_LENGTH))
    zone = ZoneInfo(member.timezone)
    starts_at = datetime.combine(day, at, tzinfo=zone)
    if starts_at <= aware(now or utcnow()):
        raise MeetingError(_("Propose a time in the future."))
    meeting = Meeting(state="proposed", day=day, starts_at=starts_at.astimezone(ZoneInfo("UTC")),
                      timezone=member.timezone, minutes=minutes, place=place, uid=_new_uid(),
                      proposed_by_id=member.id, **_owner_key(owner))
    db.session.add(meeting)
    db.session.flush()
    return meeting, notices.meeting_invitations(meeting, owner, attendees(owner), member)


def log_meeting(owner: Owner, member: Member, day: date, minutes: int, skill_ids: list[int],
                private_note: str = "", shared_note: str = "", meeting: Meeting | None = None,
                now: datetime | None = None) -> Meeting:
    """Record a meeting that took place (a proposed one, or a new entry); it shows the match is alive."""
    _check_minutes(minutes)
    today = aware(now or utcnow()).astimezone(ZoneInfo(member.timezone)).date()
    if day > today:
        raise MeetingError(_("A session is logged once it has taken place; to plan one, propose it."))
    private_note = _clean(private_note, NOTE_LENGTH, _too_long())
    shared_note = _clean(shared_note, NOTE_LENGTH, _too_long())
    allowed = {s.id: s for s in skill_choices(owner)}
    if any(skill_id not in allowed for skill_id in skill_ids):
        raise MeetingError(_("Pick the skills from the list."))
    if meeting is None:
        meeting = Meeting(uid=_new_uid(), timezone=member.timezone, **_owner_key(owner))
        db.session.add(meeting)
    elif meeting.state == "cancelled":
        raise MeetingError(_("This meeting was cancelled."))
    meeting.state, meeting.day, meeting.minutes = "held", day, minutes
    meeting.private_note, meeting.shared_note = private_note, shared_note
    meeting.skills = [allowed[skill_id] for skill_id in dict.fromkeys(skill_ids)]
    meeting.logged_by_id = member.id
    db.session.flush()
    if isinstance(owner, Match):
        from webapp.services.after_match.attention import resolve_on_activity

        resolve_on_activity(owner, now)
    return meeting


def cancel_meeting(owner: Owner, meeting: Meeting, member: Member) -> list[Message]:
    """Cancel a proposed meeting; everyone's calendar gets the cancellation."""
    if meeting.state != "proposed":
        raise MeetingError(_("Only a proposed meeting can be cancelled."))
    meeting.state = "cancelled"
    meeting.sequence += 1
    db.session.flush()
    return notices.meeting_invitations(meeting, owner, attendees(owner), member, cancel=True)


def meeting_of(owner: Owner, meeting_id: int) -> Meeting | None:
    """Meeting ``meeting_id`` if it belongs to ``owner`` (another's is None: the view answers 404)."""
    column = Meeting.match_id if isinstance(owner, Match) else Meeting.group_id
    return db.session.scalar(sa.select(Meeting).where(Meeting.id == meeting_id, column == owner.id))


def _check_live(owner: Owner) -> None:
    if isinstance(owner, Match) and not owner.live:
        raise MeetingError(_("This match has ended."))
    if owner.round.can("give_feedback"):
        raise MeetingError(_("This round has ended; log what happened, or give feedback."))


def _check_minutes(minutes: int) -> None:
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise MeetingError(_("A meeting lasts from %(low)d to %(high)d minutes.", low=MIN_MINUTES, high=MAX_MINUTES))


def _too_long() -> str:
    return _("A note has at most %(count)d characters.", count=NOTE_LENGTH)


def _clean(text: str | None, limit: int, message: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise MeetingError(message)
    return text


def _owner_key(owner: Owner) -> dict:
    return {"match_id": owner.id} if isinstance(owner, Match) else {"group_id": owner.id}


def _new_uid() -> str:
    return f"{secrets.token_hex(16)}@copmatch"
