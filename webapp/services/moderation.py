"""Moderation: HR names coordinators per community; coordinators and HR hide a question, answer or
note with a reason (audited), members report one. Hidden content is gone for members and kept,
marked, for HR. The reason is stored on the content; the audit entry holds only ids.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from models import (
    Answer,
    CommunityCoordinator,
    ContentReport,
    Member,
    PracticeNote,
    Question,
    db,
)
from models.base import utcnow
from webapp.services import audit
from webapp.services.questions import is_member

MODELS = {"question": Question, "answer": Answer, "note": PracticeNote}
REASON_LENGTH = 500


class ModerationError(ValueError):
    """The step cannot be taken (the message says why)."""


def community_of(kind: str, item) -> int:
    return item.question.community_id if kind == "answer" else item.community_id


def load(kind: str, content_id: int):
    return db.session.get(MODELS[kind], content_id)


def is_coordinator(member: Member, community_id: int) -> bool:
    return db.session.get(CommunityCoordinator, (community_id, member.id)) is not None


def may_moderate(member: Member, community_id: int) -> bool:
    return member.is_hr or is_coordinator(member, community_id)


def coordinators(community_id: int) -> list[CommunityCoordinator]:
    return list(db.session.scalars(sa.select(CommunityCoordinator).where(
        CommunityCoordinator.community_id == community_id).order_by(CommunityCoordinator.named_at)))


def name_coordinator(hr: Member, community_id: int, member: Member) -> None:
    """HR names a member of the community as its coordinator (once)."""
    if not is_member(member, community_id):
        raise ModerationError(_("A coordinator must be a member of the community."))
    if not is_coordinator(member, community_id):
        db.session.add(CommunityCoordinator(community_id=community_id, member_id=member.id))
        audit.record("coordinator", actor=hr, subject=member, community_id=community_id, named=1)


def remove_coordinator(hr: Member, community_id: int, member_id: int) -> None:
    found = db.session.get(CommunityCoordinator, (community_id, member_id))
    if found is not None:
        db.session.delete(found)
        audit.record("coordinator", actor=hr, subject=member_id, community_id=community_id, named=0)


def hide(moderator: Member, kind: str, item, reason: str) -> None:
    """Hide ``item`` with ``reason``; members no longer see it, HR does (marked)."""
    reason = (reason or "").strip()[:REASON_LENGTH]
    if not reason:
        raise ModerationError(_("Say why it is hidden."))
    item.hidden_at, item.hidden_reason, item.hidden_by_id = utcnow(), reason, moderator.id
    db.session.execute(sa.update(ContentReport).where(ContentReport.kind == kind, ContentReport.content_id == item.id,
                                                      ContentReport.handled_at.is_(None)).values(handled_at=utcnow()))
    audit.record("hide_content", actor=moderator, community_id=community_of(kind, item), content_id=item.id, kind=kind)


def report(reporter: Member, kind: str, item, reason: str) -> ContentReport:
    found = ContentReport(community_id=community_of(kind, item), kind=kind, content_id=item.id,
                          reporter_id=reporter.id, reason=(reason or "").strip()[:REASON_LENGTH])
    db.session.add(found)
    db.session.flush()
    return found


def open_reports(community_id: int) -> list[ContentReport]:
    return list(db.session.scalars(sa.select(ContentReport).where(
        ContentReport.community_id == community_id, ContentReport.handled_at.is_(None))
        .order_by(ContentReport.created_at.desc())))


def title_of(kind: str, item) -> str:
    return item.body[:80] if kind == "answer" else item.title
