"""Members' rights over their data under Thailand's Personal Data Protection Act (PDPA).

- Consent: a member agrees to the privacy notice at first login, and again whenever its
  version changes (``NOTICE_VERSION``); each agreement is a ``ConsentRecord``.
- Access: ``personal_data`` is everything CoPMatch holds about a member, for their download;
  other people's private remarks about them (a partner's decline reason, ratings and notes
  others gave) are not theirs and are left out.
- Erasure: ``erase_member`` removes a member's identity (name, email, free text, profile) and
  keeps the figures they count in; their past matches and groups show "former member".
- Retention: ``purge_expired`` empties decline reasons and free-text feedback older than
  ``RETENTION_DAYS``.

The functions change the session and never commit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from models import (
    AccountToken,
    AuditEntry,
    CommunityMembership,
    ConsentRecord,
    Feedback,
    GroupMember,
    LearningGoal,
    LoginFailure,
    Match,
    Member,
    MemberSkill,
    Skill,
    WorkingGroup,
    db,
)
from models.base import utcnow
from webapp.services import audit
from webapp.services.reasons import reason_lines

#: The privacy notice's version: change it whenever the notice's text changes, and every member
#: is asked to agree again at their next visit.
NOTICE_VERSION = "2026-12-01"
#: What a member consents to (``ConsentRecord.purpose``).
PRIVACY_NOTICE = "privacy_notice"


class ErasureError(ValueError):
    """A member cannot be erased as asked (the message says why)."""


# --- consent ------------------------------------------------------------------------------------


def has_consented(member: Member, version: str | None = None) -> bool:
    """Whether ``member`` agreed to ``version`` of the privacy notice (by default the current one)."""
    version = version or NOTICE_VERSION
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ConsentRecord)
        .where(ConsentRecord.member_id == member.id, ConsentRecord.purpose == PRIVACY_NOTICE,
               ConsentRecord.notice_version == version)
    ) > 0


def record_consent(member: Member, locale: str, version: str | None = None) -> ConsentRecord | None:
    """Record that ``member`` agreed to the notice, shown in ``locale``; None if they already had."""
    version = version or NOTICE_VERSION
    if has_consented(member, version):
        return None
    record = ConsentRecord(member_id=member.id, purpose=PRIVACY_NOTICE, notice_version=version, locale=locale)
    db.session.add(record)
    return record


# --- access -------------------------------------------------------------------------------------


def _when(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def personal_data(member: Member) -> dict:
    """Everything CoPMatch holds about ``member``, as JSON-ready data (reasons in the current language)."""
    matches = db.session.scalars(
        sa.select(Match).where(sa.or_(Match.first_id == member.id, Match.second_id == member.id)).order_by(Match.id)
    ).all()
    places = db.session.scalars(
        sa.select(GroupMember).where(GroupMember.member_id == member.id).order_by(GroupMember.group_id)
    ).all()
    given = db.session.scalars(sa.select(Feedback).where(Feedback.member_id == member.id).order_by(Feedback.id)).all()
    proposed = db.session.scalars(sa.select(Skill.name).where(Skill.proposed_by_id == member.id)).all()
    consents = db.session.scalars(
        sa.select(ConsentRecord).where(ConsentRecord.member_id == member.id).order_by(ConsentRecord.given_at)
    ).all()
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.subject_id == member.id).order_by(AuditEntry.at)
    ).all()
    failures = db.session.scalars(
        sa.select(LoginFailure).where(LoginFailure.member_id == member.id).order_by(LoginFailure.window_start)
    ).all()
    return {
        "generated_at": utcnow().isoformat(),
        "about": _("Everything CoPMatch holds about you. Other people's private remarks about you (a partner's "
                   "reason for declining, ratings and notes others gave) are theirs and are not included."),
        "account": {
            "id": member.id, "email": member.email, "name": member.display_name, "role": member.role,
            "active": member.active, "message_language": member.locale, "created_at": _when(member.created_at),
            "password": _("set (only a one-way hash is stored; it is not included)") if member.password_hash
            else _("not set"),
        },
        "profile": {
            "department": member.department, "function": member.function, "job_title": member.job_title,
            "seniority": member.seniority, "location": member.location, "time_zone": member.timezone,
            "languages": list(member.languages or []), "years_experience": member.years_experience,
            "manager": member.manager.display_name if member.manager else None,
            "mentor_capacity": member.mentor_capacity, "wants_mentor": member.wants_mentor,
            "open_to_peer_swaps": member.open_to_peer_swaps, "open_to_groups": member.open_to_groups,
            "paused_until": _when(member.paused_until),
            "confirmed_participation_at": _when(member.participation_confirmed_at),
        },
        "skills": [{"skill": row.skill.name, "level": row.level} for row in member.skills],
        "learning_goals": [{"skill": goal.skill.name, "target_level": goal.target_level, "priority": goal.priority}
                           for goal in member.goals],
        "communities": [{"community": row.community.name, "joined_on": _when(row.joined_on)}
                        for row in member.memberships],
        "proposed_skills": list(proposed),
        "matches": [_match(match, member.id) for match in matches],
        "working_groups": [_place(place) for place in places],
        "feedback_given": [_feedback(item) for item in given],
        "consents": [{"notice_version": c.notice_version, "given_at": _when(c.given_at), "language": c.locale}
                     for c in consents],
        "audit_trail": [{"at": _when(e.at), "action": e.action, "by_you": e.actor_id == member.id} for e in entries],
        "failed_logins": [{"hour_starting": _when(f.window_start), "count": f.count} for f in failures],
    }


def _match(match: Match, member_id: int) -> dict:
    side = match.side_of(member_id)
    other = "second" if side == "first" else "first"
    partner = match.second if side == "first" else match.first
    return {
        "round": match.round.name, "round_kind": match.round.kind, "round_status": str(match.round.status),
        "my_role": getattr(match, f"{side}_role"), "partner": partner.display_name,
        "partner_role": getattr(match, f"{other}_role"),
        "my_answer": getattr(match, f"{side}_status"), "my_decline_reason": getattr(match, f"{side}_decline_reason"),
        "answered_at": _when(getattr(match, f"{side}_responded_at")),
        "partner_answer": getattr(match, f"{other}_status"),  # their reason, if any, is theirs
        "confirmed_at": _when(match.confirmed_at),
        "why": [str(line) for line in reason_lines(match, member_id, html=False)],
    }


def _place(place: GroupMember) -> dict:
    group = place.group
    return {
        "round": group.round.name, "round_status": str(group.round.status), "group": group.number,
        "my_role": place.role, "my_answer": place.status, "my_decline_reason": place.decline_reason,
        "answered_at": _when(place.responded_at), "invited_at": _when(place.invited_at),
        "link_expires_at": _when(place.expires_at),
        "members": sorted(p.member.display_name for p in group.members if p.member_id != place.member_id),
    }


def _feedback(item: Feedback) -> dict:
    about = {"match_with": item.match.second.display_name if item.match.first_id == item.member_id
             else item.match.first.display_name} if item.match else {"working_group": item.group.number}
    return {"round": item.round.name, **about, "met": item.met, "rating": item.rating,
            "practice_note": item.practice_note, "shared_with_the_community": item.shareable,
            "skill": item.skill.name if item.skill else None, "updated_at": _when(item.updated_at)}


# --- erasure ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """What erasing a member removed, in counts."""

    skills: int
    goals: int
    communities: int
    free_texts: int


def erase_member(member: Member, by: Member | None) -> Erasure:
    """Remove ``member``'s identity and keep the figures they count in.

    Gone: name, email, password, profile, skills, goals, communities, every decline reason
    and practice note they wrote, their pending set-password links, and their name in stored
    group facts. Kept: the member row (so past matches, groups, ratings and round figures still
    add up; they read "former member"), consent records and the audit trail (ids only). The
    account can never log in again.
    """
    if member.erased:
        raise ErasureError(_("This member's personal data was already erased."))
    if by is not None and member.id == by.id:
        raise ErasureError(_("You cannot erase your own account."))
    member_id, old_name = member.id, member.display_name
    counts = Erasure(
        skills=_delete(MemberSkill, MemberSkill.member_id == member_id),
        goals=_delete(LearningGoal, LearningGoal.member_id == member_id),
        communities=_delete(CommunityMembership, CommunityMembership.member_id == member_id),
        free_texts=_erase_free_text(member_id),
    )
    _delete(AccountToken, AccountToken.member_id == member_id)
    db.session.execute(sa.update(Member).where(Member.manager_id == member_id).values(manager_id=None)
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.update(Skill).where(Skill.proposed_by_id == member_id).values(proposed_by_id=None)
                       .execution_options(synchronize_session=False))
    _forget_name_in_groups(member_id, old_name)
    member.email = f"erased-{member_id}@erased.invalid"
    member.display_name = ""
    member.password_hash = None
    member.role = "member"
    member.active = False
    member.erased_at = utcnow()
    for attribute in ("department", "function", "job_title", "seniority", "location", "years_experience",
                      "manager_id", "paused_until", "participation_confirmed_at"):
        setattr(member, attribute, None)
    member.languages = []
    member.mentor_capacity = 0
    member.wants_mentor = member.open_to_peer_swaps = member.open_to_groups = False
    audit.record("erase", actor=by, subject=member_id, skills=counts.skills, goals=counts.goals,
                 communities=counts.communities, free_texts=counts.free_texts)
    db.session.flush()
    db.session.expire_all()  # bulk statements bypassed the loaded rows
    return counts


def _delete(model, condition) -> int:
    return db.session.execute(sa.delete(model).where(condition).execution_options(synchronize_session=False)).rowcount


def _erase_free_text(member_id: int) -> int:
    """Empty every decline reason and practice note ``member_id`` wrote; returns how many."""
    erased = 0
    for side in ("first", "second"):
        reason = getattr(Match, f"{side}_decline_reason")
        erased += db.session.execute(
            sa.update(Match).where(getattr(Match, f"{side}_id") == member_id, reason.is_not(None))
            .values({reason: None}).execution_options(synchronize_session=False)
        ).rowcount
    erased += db.session.execute(
        sa.update(GroupMember).where(GroupMember.member_id == member_id, GroupMember.decline_reason.is_not(None))
        .values(decline_reason=None).execution_options(synchronize_session=False)
    ).rowcount
    erased += db.session.execute(
        sa.update(Feedback).where(Feedback.member_id == member_id, Feedback.practice_note != "")
        .values(practice_note="", shareable=False).execution_options(synchronize_session=False)
    ).rowcount
    return erased


def _forget_name_in_groups(member_id: int, name: str) -> None:
    """Groups keep their facts as data, the anchors' names included: drop the erased member's."""
    groups = db.session.scalars(
        sa.select(WorkingGroup).join(GroupMember).where(GroupMember.member_id == member_id)
    ).all()
    for group in groups:
        if group.facts and any(a.get("member_id") == member_id for a in group.facts.get("anchors", [])):
            facts = copy.deepcopy(group.facts)
            for anchor in facts["anchors"]:
                if anchor.get("member_id") == member_id:
                    anchor["name"] = None
            group.facts = facts
        if name and name in (group.explanation or ""):
            group.explanation = group.explanation.replace(name, "—")


# --- retention ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purge:
    """What ``purge_expired`` emptied."""

    reasons: int
    notes: int

    @property
    def total(self) -> int:
        return self.reasons + self.notes


def purge_expired(days: int, now: datetime | None = None) -> Purge:
    """Empty decline reasons given, and practice notes last written, more than ``days`` ago.

    Idempotent and safe to run at any time (from cron too): each statement only touches text
    that is still there, so a second run finds nothing, and two runs at once empty each text
    once. The answers, ratings and "did you meet" stay.
    """
    if days < 1:
        raise ValueError(f"expected RETENTION_DAYS of at least 1, got {days}")
    cutoff = (now or utcnow()) - timedelta(days=days)
    reasons = 0
    for side in ("first", "second"):
        reason, answered = getattr(Match, f"{side}_decline_reason"), getattr(Match, f"{side}_responded_at")
        reasons += _empty(sa.update(Match).where(reason.is_not(None), answered < cutoff).values({reason: None}))
    reasons += _empty(sa.update(GroupMember).where(GroupMember.decline_reason.is_not(None),
                                                   GroupMember.responded_at < cutoff).values(decline_reason=None))
    notes = _empty(sa.update(Feedback).where(Feedback.practice_note != "", Feedback.updated_at < cutoff)
                   .values(practice_note="", shareable=False))
    result = Purge(reasons, notes)
    if result.total:
        audit.record("purge", days=days, reasons=reasons, notes=notes)
    return result


def _empty(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
