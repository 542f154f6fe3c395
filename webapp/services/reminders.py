"""Reminders: one nudge to each member whose invitation is still unanswered after ``REMINDER_DAYS``.

Idempotent: the reminder's time is stored on the invitation (``Match.first_reminded_at``,
``second_reminded_at``, ``GroupMember.reminded_at``) in the same transaction that puts the
message in the outbox, so a second run finds nobody left to remind.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from models import GroupMember, Match, Member, Round, WorkingGroup, db
from webapp.i18n import in_language
from webapp.services.messages import Message, built, compose, link


def remind_unanswered(now: datetime, days: int | None = None) -> list[Message]:
    """Reminders for invitations of published rounds sent ``days`` ago or more and still unanswered."""
    days = current_app.config.get("REMINDER_DAYS", 5) if days is None else days
    cutoff = now - timedelta(days=days)
    messages = []
    matches = db.session.scalars(
        sa.select(Match).join(Round, Match.round_id == Round.id)
        .where(Round.status_allows("answer"), Round.published_at <= cutoff, Match.ended_at.is_(None),
               sa.or_(sa.and_(Match.first_status == "pending", Match.first_reminded_at.is_(None)),
                      sa.and_(Match.second_status == "pending", Match.second_reminded_at.is_(None))))
        .order_by(Match.id)).all()
    for match in matches:
        for side in ("first", "second"):
            if getattr(match, f"{side}_status") == "pending" and getattr(match, f"{side}_reminded_at") is None:
                setattr(match, f"{side}_reminded_at", now)
                member = getattr(match, side)
                messages.append(built("invitation_reminder", member, lambda member=member: _reminder(member)))
    places = db.session.scalars(
        sa.select(GroupMember).join(WorkingGroup, GroupMember.group_id == WorkingGroup.id)
        .join(Round, WorkingGroup.round_id == Round.id)
        .where(Round.status_allows("answer"), GroupMember.status == "pending", GroupMember.reminded_at.is_(None),
               GroupMember.invited_at <= cutoff,
               sa.or_(GroupMember.expires_at.is_(None), GroupMember.expires_at > now))
        .order_by(GroupMember.group_id, GroupMember.member_id)).all()
    for place in places:
        place.reminded_at = now
        messages.append(built("invitation_reminder", place.member, lambda member=place.member: _reminder(member)))
    return messages


def _reminder(member: Member) -> Message:
    with in_language(member.locale):
        subject = _("CoPMatch: an invitation is waiting for your answer")
        body = _("Hello %(name)s,\n\nAn invitation from CoPMatch is still waiting for your answer. "
                 "Please accept or decline it here, so the others know where they stand:\n%(link)s",
                 name=member.display_name, link=link("matches.index"))
        return compose(member, subject, body, "invitation_reminder")
