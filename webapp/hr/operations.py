"""HR operations on communities and members: plain functions, the caller commits."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Community, Member, Skill, db
from models.base import normalize_key

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


class MemberError(ValueError):
    """A member cannot be changed as asked."""


def set_active(member: Member, active: bool, by: Member) -> Member:
    """Deactivate or reactivate ``member``; HR cannot lock themselves out."""
    if member.id == by.id and not active:
        raise MemberError(_("You cannot deactivate your own account."))
    member.active = active
    log.info("Member %s %s by %s", member.email, "reactivated" if active else "deactivated", by.email)
    return member
