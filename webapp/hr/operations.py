"""HR operations on communities and members: plain functions, the caller commits."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Community, Member, Round, Skill, db
from models.base import normalize_key, utcnow
from webapp.services import account_messages, audit
from webapp.services.accounts import issue_link, reclaim
from webapp.services.messages import Message

log = logging.getLogger(__name__)


class CommunityError(ValueError):
    """A community cannot be saved as asked."""


def _check_community_name(name: str, community: Community | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CommunityError(_("A community needs a name."))
    clash = db.session.scalar(sa.select(Community).where(Community.name_key == normalize_key(name)))
    if clash is not None and clash is not community:
        raise CommunityError(_("There is already a community called “%(name)s”.", name=clash.name))
    return name


def _skills(skill_ids: list[int]) -> list[Skill]:
    if not skill_ids:
        return []
    skills = db.session.scalars(sa.select(Skill).where(Skill.id.in_(skill_ids))).all()
    if len(skills) != len(set(skill_ids)):
        raise CommunityError(_("Some of the chosen core skills no longer exist."))
    return list(skills)


def save_community(community: Community | None, name: str, description: str, skill_ids: list[int]) -> Community:
    """Create (``community=None``) or edit a community and its core skills."""
    name = _check_community_name(name, community)
    skills = _skills(skill_ids)
    if community is None:
        community = Community(name=name)
        db.session.add(community)
        log.info("Community created: %s", name)
    else:
        community.name = name
        log.info("Community edited: %s", name)
    community.description = (description or "").strip()
    community.core_skills = skills
    return community


def set_archived(community: Community, archived: bool) -> None:
    """Archive a community (members no longer see it; its rounds and memberships stay) or bring it back."""
    community.archived_at = utcnow() if archived else None
    log.info("Community %s: %s", "archived" if archived else "restored", community.name)


def community_in_use(community: Community) -> bool:
    """Whether a community has members or rounds: then it can be archived, not deleted."""
    rounds = db.session.scalar(sa.select(sa.func.count()).select_from(Round).where(Round.community_id == community.id))
    return bool(community.memberships) or bool(rounds)


def delete_community(community: Community) -> None:
    """Delete a community nobody uses (no members, no rounds); one in use is archived instead."""
    if community_in_use(community):
        raise CommunityError(_("“%(name)s” has members or rounds, so it cannot be deleted: archive it instead.",
                               name=community.name))
    log.info("Community deleted: %s", community.name)
    db.session.delete(community)


class MemberError(ValueError):
    """A member cannot be changed as asked."""


def set_active(member: Member, active: bool, by: Member) -> Member:
    """Deactivate or reactivate ``member``; HR cannot lock themselves out. A deactivated member's
    sessions end at once."""
    if member.id == by.id and not active:
        raise MemberError(_("You cannot deactivate your own account."))
    if member.erased and active:
        raise MemberError(_("This member's personal data was erased: the account cannot be used again."))
    if member.active != active:
        member.active = active
        if not active:
            member.end_sessions()
        audit.record("reactivate" if active else "deactivate", actor=by, subject=member)
    log.info("Member %s %s by member %s", member.id, "reactivated" if active else "deactivated", by.id)
    return member


def set_role(member: Member, role: str, by: Member) -> list[Message]:
    """Grant (``"hr"``) or revoke (``"member"``) the HR role; returns the messages to send after commit.

    The member's sessions end, so the new role applies from their next log-in.
    HR cannot change their own role (so there is always an HR account left),
    and a deactivated account gets no role. An account whose password was
    never confirmed is reclaimed before it becomes HR: its password is
    cleared and the address gets a set-password link.
    """
    if member.id == by.id:
        raise MemberError(_("You cannot change your own role; ask another HR colleague."))
    if not member.active:
        raise MemberError(_("“%(name)s” is deactivated: reactivate the account first.", name=member.display_name))
    if member.role == role:
        return []
    messages: list[Message] = []
    if role == "hr" and member.unclaimed_password:
        reclaim(member)
        messages.append(account_messages.welcome_link(member, issue_link(member, "set_password")))
    member.role = role
    member.end_sessions()
    audit.record("role_change", actor=by, subject=member, role=role)
    log.info("Member %s %s HR by member %s", member.id, "made" if role == "hr" else "no longer", by.id)
    return messages
