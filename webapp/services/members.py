"""A member's own profile: what they know, want to learn and how they take part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from models import CommunityMembership, LearningGoal, Member, MemberSkill, Skill, db
from models.base import normalize_key
from webapp.services.sorting import by_thai_name
from webapp.services.text import like_pattern, sort_key

#: Profile fields a member edits in "About me" and "How I take part", with their labels.
EDITABLE_FIELDS = {
    "display_name": "Name",
    "department": "Department",
    "function": "Function",
    "job_title": "Job title",
    "seniority": "Seniority",
    "location": "Location",
    "timezone": "Time zone",
    "languages": "Languages",
    "years_experience": "Years of experience",
    "locale": "Message language",
    "mentor_capacity": "Mentor capacity",
    "wants_mentor": "Wants a mentor",
    "open_to_peer_swaps": "Peer skill swaps",
    "open_to_groups": "Working groups",
    "paused_until": "Not available until",
}


class ProfileError(ValueError):
    """A profile change that cannot be made as asked (the message says why)."""


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str]


def completeness(member: Member) -> Completeness:
    """How ready the profile is for good matches, and what is missing, in words."""
    checks = [
        (bool(member.department), "your department"),
        (bool(member.function), "your function"),
        (bool(member.seniority), "your seniority band"),
        (bool(member.location), "where you work"),
        (bool(member.languages), "the languages you work in"),
        (len(member.skills) >= 3, "at least three skills with levels"),
        (bool(member.goals), "something you want to learn"),
        (bool(member.memberships), "a community to join"),
        (
            member.mentor_capacity > 0 or member.wants_mentor or member.open_to_peer_swaps or member.open_to_groups,
            "how you want to take part (mentor, learner, peer swaps or working groups)",
        ),
    ]
    done = sum(ok for ok, _ in checks)
    return Completeness(round(100 * done / len(checks)), [text for ok, text in checks if not ok])


def update_profile(member: Member, values: dict) -> list[str]:
    """Apply edited fields; return what changed, as "Label: old → new" lines."""
    changes = []
    if "manager_email" in values:
        old_manager = member.manager.display_name if member.manager else "—"
        set_manager(member, values.pop("manager_email"))
        new_manager = member.manager.display_name if member.manager else "—"
        if old_manager != new_manager:
            changes.append(f"Manager: {old_manager} → {new_manager}")
    for field, label in EDITABLE_FIELDS.items():
        if field not in values:
            continue
        old, new = getattr(member, field), values[field]
        if old != new:
            setattr(member, field, new)
            changes.append(f"{label}: {_shown(old)} → {_shown(new)}")
    return changes


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def set_manager(member: Member, email: str | None) -> None:
    """Set the manager by email; refuses oneself, unknown emails and reporting cycles."""
    if not email:
        member.manager = None
        return
    manager = db.session.scalar(sa.select(Member).where(Member.email == email.strip().lower()))
    if manager is None:
        raise ProfileError(f"No member has the email {email}.")
    if manager.id == member.id:
        raise ProfileError("You cannot be your own manager.")
    seen, current = set(), manager
    while current is not None and current.id not in seen:
        if current.manager_id == member.id:
            raise ProfileError(f"{manager.display_name} reports to you, directly or indirectly.")
        seen.add(current.id)
        current = current.manager
    member.manager = manager


def find_or_propose_skill(name: str, member: Member) -> tuple[Skill, bool]:
    """The taxonomy skill with this name (any case), or a new proposal for HR; ``(skill, proposed)``."""
    name = " ".join(name.split())
    if not name:
        raise ProfileError("Name a skill.")
    if len(name) > 80:
        raise ProfileError("A skill name has at most 80 characters.")
    skill = db.session.scalar(sa.select(Skill).where(Skill.name_key == normalize_key(name)))
    if skill is not None:
        return skill, False
    skill = Skill(name=name, approved=False, proposed_by_id=member.id)
    db.session.add(skill)
    db.session.flush()
    return skill, True


def set_skill_level(member: Member, skill_name: str, level: int) -> tuple[MemberSkill, bool]:
    """Add or change the member's level in a skill; ``(row, proposed a new skill)``."""
    if not 1 <= level <= 5:
        raise ProfileError("A level is between 1 (aware) and 5 (expert).")
    skill, proposed = find_or_propose_skill(skill_name, member)
    row = db.session.get(MemberSkill, (member.id, skill.id))
    if row is None:
        row = MemberSkill(member_id=member.id, skill_id=skill.id, level=level)
        db.session.add(row)
    else:
        row.level = level
    return row, proposed


def set_goal(member: Member, skill_name: str, target: int, priority: int) -> tuple[LearningGoal, bool]:
    """Add or change a learning goal; ``(goal, proposed a new skill)``."""
    if not 1 <= target <= 5 or not 1 <= priority <= 3:
        raise ProfileError("A target level is 1-5 and a priority 1-3.")
    skill, proposed = find_or_propose_skill(skill_name, member)
    current = db.session.get(MemberSkill, (member.id, skill.id))
    if current is not None and current.level >= target:
        raise ProfileError(f"You are already at level {current.level} in {skill.name}; aim higher.")
    goal = db.session.get(LearningGoal, (member.id, skill.id))
    if goal is None:
        goal = LearningGoal(member_id=member.id, skill_id=skill.id, target_level=target, priority=priority)
        db.session.add(goal)
    else:
        goal.target_level, goal.priority = target, priority
    return goal, proposed


def remove_skill(member: Member, skill_id: int) -> MemberSkill | None:
    """Remove one of the member's own skills; ``None`` if they do not have it."""
    row = db.session.get(MemberSkill, (member.id, skill_id))
    if row is not None:
        db.session.delete(row)
    return row


def remove_goal(member: Member, skill_id: int) -> LearningGoal | None:
    """Remove one of the member's own goals; ``None`` if they do not have it."""
    goal = db.session.get(LearningGoal, (member.id, skill_id))
    if goal is not None:
        db.session.delete(goal)
    return goal


def suggest_skills(query: str, limit: int = 10) -> list[str]:
    """Approved skill names containing ``query``, for type-ahead."""
    statement = sa.select(Skill.name).where(Skill.approved.is_(True))
    if query.strip():
        statement = statement.where(Skill.name.ilike(like_pattern(query), escape="\\"))
    return sorted(db.session.scalars(statement.limit(200)), key=sort_key)[:limit]


def suggest_members(query: str, limit: int = 10) -> list[dict]:
    """Active members whose name or email contains ``query``, for picking a manager."""
    if len(query.strip()) < 2:
        return []
    pattern = like_pattern(query)
    statement = (
        sa.select(Member)
        .where(Member.active.is_(True))
        .where(sa.or_(Member.display_name.ilike(pattern, escape="\\"), Member.email.ilike(pattern, escape="\\")))
        .limit(50)
    )
    members = sorted(db.session.scalars(statement), key=lambda m: sort_key(m.display_name))[:limit]
    return [{"email": m.email, "name": m.display_name, "department": m.department or ""} for m in members]


def get_member(member_id: int) -> Member | None:
    """The member with this id, or None."""
    return db.session.get(Member, member_id)


#: Orders of a member list: ORDER BY terms, each ending on the id so pages are stable.
MEMBER_SORTS = {
    "name": lambda: [*by_thai_name(Member.display_name), Member.id],
    "department": lambda: [*by_thai_name(sa.func.coalesce(Member.department, "\uffff")),
                           *by_thai_name(Member.display_name), Member.id],
    "newest": lambda: [Member.created_at.desc(), Member.id.desc()],
}


def search_members(q: str = "", *, community_id: int | None = None, status: str = "active",
                   sort: str = "name", contact: bool = False) -> sa.Select:
    """Members whose name or a skill name contains ``q`` (Thai text works), ready to paginate.

    ``contact`` also searches email and department (HR's search; members
    never search by email). ``community_id`` keeps that community's members;
    ``status`` is ``"active"``, ``"inactive"`` or anything else for both.
    The order (``MEMBER_SORTS``) is Thai dictionary order by default, in SQL.
    """
    query = sa.select(Member)
    if community_id is not None:
        query = query.join(CommunityMembership, CommunityMembership.member_id == Member.id).where(
            CommunityMembership.community_id == community_id)
    if status == "active":
        query = query.where(Member.active.is_(True))
    elif status == "inactive":
        query = query.where(Member.active.is_(False))
    if q := " ".join((q or "").split()):
        pattern = like_pattern(q)
        text = member_text_like(Member, pattern) if contact else Member.display_name.ilike(pattern, escape="\\")
        query = query.where(sa.or_(text, has_skill_like(pattern)))
    return query.order_by(*MEMBER_SORTS.get(sort, MEMBER_SORTS["name"])())


def member_text_like(member, pattern: str):
    """``member`` (the Member entity or an alias) has ``pattern`` in their name, email or department."""
    return sa.or_(*(column.ilike(pattern, escape="\\")
                    for column in (member.display_name, member.email, member.department)))


def has_skill_like(pattern: str) -> sa.Exists:
    """An EXISTS clause: the member has a skill whose name matches the LIKE ``pattern``."""
    return (
        sa.select(MemberSkill.member_id)
        .join(Skill, Skill.id == MemberSkill.skill_id)
        .where(MemberSkill.member_id == Member.id, Skill.name.ilike(pattern, escape="\\"))
        .exists()
    )


def can_see_email(viewer: Member, member: Member) -> bool:
    """Emails stay private: a member sees only their own until matching rounds confirm a pair."""
    return viewer.id == member.id
