"""A member's own profile: what they know, want to learn and how they take part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import sqlalchemy as sa
from babel.core import get_global
from babel.dates import get_timezone_location
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import CommunityMembership, LearningGoal, Member, MemberSkill, Skill, db
from models.base import normalize_key
from models.member import SENIORITY_LABELS, iana_time_zones
from webapp.i18n import LANGUAGE_NAMES, format_day
from webapp.services.sorting import by_thai_name
from webapp.services.text import like_pattern, sort_key

#: Profile fields a member edits in "About me" and "How I take part", with their labels.
EDITABLE_FIELDS = {
    "display_name": _l("Name"),
    "department": _l("Department"),
    "function": _l("Function"),
    "job_title": _l("Job title"),
    "seniority": _l("Seniority"),
    "location": _l("Location"),
    "timezone": _l("Time zone"),
    "languages": _l("Languages"),
    "years_experience": _l("Years of experience"),
    "locale": _l("Message language"),
    "mentor_capacity": _l("Mentor capacity"),
    "wants_mentor": _l("Wants a mentor"),
    "open_to_peer_swaps": _l("Peer skill swaps"),
    "open_to_groups": _l("Working groups"),
    "paused_until": _l("Not available until"),
}
#: The manager is picked by email but shown by name.
MANAGER_LABEL = _l("Manager")


class ProfileError(ValueError):
    """A profile change that cannot be made as asked (the message says why)."""


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str]


def completeness(member: Member) -> Completeness:
    """How ready the profile is for good matches, and what is missing, in words (the page's language)."""
    checks = [
        (bool(member.department), _("your department")),
        (bool(member.function), _("your function")),
        (bool(member.seniority), _("your seniority band")),
        (bool(member.location), _("where you work")),
        (bool(member.languages), _("the languages you work in")),
        (len(member.skills) >= 3, _("at least three skills with levels")),
        (bool(member.goals), _("something you want to learn")),
        (bool(member.memberships), _("a community to join")),
        (
            member.mentor_capacity > 0 or member.wants_mentor or member.open_to_peer_swaps or member.open_to_groups,
            _("how you want to take part (mentor, learner, peer swaps or working groups)"),
        ),
    ]
    done = sum(ok for ok, _text in checks)
    return Completeness(round(100 * done / len(checks)), [text for ok, text in checks if not ok])


@dataclass(frozen=True)
class Change:
    """One edited profile field: its stored values before and after (``"manager"``: the names)."""

    field: str
    old: object
    new: object

    def describe(self) -> str:
        """"Message language: English → ไทย", in the current language."""
        label = MANAGER_LABEL if self.field == "manager" else EDITABLE_FIELDS[self.field]
        return _("%(field)s: %(old)s → %(new)s", field=label,
                 old=shown_value(self.field, self.old), new=shown_value(self.field, self.new))


def update_profile(member: Member, values: dict) -> list[Change]:
    """Apply edited fields; return what changed (``Change.describe()`` puts it in words)."""
    changes = []
    if "manager" in values:
        old_manager = member.manager.display_name if member.manager else None
        set_manager(member, pick_manager(values.pop("manager"), values.pop("manager_id", None)))
        new_manager = member.manager.display_name if member.manager else None
        if old_manager != new_manager:
            changes.append(Change("manager", old_manager, new_manager))
    for field in EDITABLE_FIELDS:
        if field not in values:
            continue
        old, new = getattr(member, field), values[field]
        if old != new:
            setattr(member, field, new)
            changes.append(Change(field, old, new))
    return changes


def shown_value(field: str, value) -> str:
    """A profile field's stored value as a reader sees it: labels, not codes, in the current language."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, date):
        return format_day(value)
    if field == "seniority":
        return str(SENIORITY_LABELS.get(value, value))
    if field == "locale":
        return LANGUAGE_NAMES.get(value, value)
    if field == "timezone":
        return time_zone_label(value)
    return str(value)


def time_zone_label(zone: str) -> str:
    """A time zone as people call it in the current language ("Thailand Time", "เวลาไทย").

    Zones CLDR gives no country to (``UTC``, ``Etc/GMT+7``, ``PST8PDT``, old
    aliases such as ``Asia/Calcutta``) keep their IANA name: CLDR would call
    them "Unknown Region" or "world".
    """
    if not _has_country(zone):
        return zone
    try:
        return get_timezone_location(zone, locale=get_locale() or "en")
    except LookupError:  # a zone newer than Babel's time-zone data
        return zone


def _has_country(zone: str) -> bool:
    return get_global("zone_territories").get(zone) not in (None, "001", "ZZ")


#: The zones most of our members live in, offered first (Thailand, then the region, then the main offices abroad).
COMMON_TIME_ZONES = ("Asia/Bangkok", "UTC", "Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Jakarta",
                     "Asia/Ho_Chi_Minh", "Asia/Manila", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Tokyo",
                     "Asia/Seoul", "Asia/Kolkata", "Australia/Sydney", "Europe/London", "Europe/Berlin",
                     "America/New_York", "America/Los_Angeles")


def time_zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    """``(zone, label)`` for a time-zone picker: the common zones first, then the others alphabetically.

    The list holds UTC and the canonical zones CLDR names (no alias such as
    ``Africa/Asmera``); ``current`` (a member's saved zone, which may be an
    alias) is kept in it when it is a zone at all, so saving the profile never fails on it.
    """
    choices = list(_time_zone_choices(str(get_locale() or "en")))
    if current and current in iana_time_zones() and current not in {zone for zone, _label in choices}:
        choices.insert(0, (current, time_zone_label(current)))
    return choices


def common_time_zones() -> frozenset[str]:
    """The zones ``time_zone_choices`` puts first (the picker groups them)."""
    return frozenset(COMMON_TIME_ZONES)


@lru_cache(maxsize=8)
def _time_zone_choices(locale: str) -> tuple[tuple[str, str], ...]:
    zones = [zone for zone in iana_time_zones() if _has_country(zone) or zone == "UTC"]
    common = [zone for zone in COMMON_TIME_ZONES if zone in zones]
    labelled = [(zone, time_zone_label(zone)) for zone in zones if zone not in COMMON_TIME_ZONES]
    return tuple([(zone, time_zone_label(zone)) for zone in common]
                 + sorted(labelled, key=lambda choice: sort_key(choice[1])))


def member_label(member: Member) -> str:
    """How the type-ahead names a member: "มาลี ศรีสุข · Finance" (name and department, never the email)."""
    return f"{member.display_name} · {member.department}" if member.department else member.display_name


def pick_manager(typed: str, manager_id: int | None) -> Member | None:
    """The manager the member picked: the suggestion they chose (``manager_id`` whose name or label is
    what is typed), else the one active member with exactly the typed name; ``None`` for an empty field.

    There is no lookup by email, so the field tells nobody which addresses have accounts.
    """
    typed = " ".join((typed or "").split())
    if not typed:
        return None
    if manager_id is not None:
        chosen = db.session.get(Member, manager_id)
        if chosen is not None and chosen.active and typed.casefold() in (
                chosen.display_name.casefold(), member_label(chosen).casefold()):
            return chosen
    named = db.session.scalars(
        sa.select(Member).where(Member.active.is_(True), sa.func.lower(Member.display_name) == typed.lower()).limit(2)
    ).all()
    if len(named) == 1:
        return named[0]
    raise ProfileError(_("Pick your manager from the suggestions that appear as you type their name."))


def set_manager(member: Member, manager: Member | None) -> None:
    """Set (or, with ``None``, clear) the manager; refuses oneself and reporting cycles."""
    if manager is None:
        member.manager = None
        return
    if manager.id == member.id:
        raise ProfileError(_("You cannot be your own manager."))
    seen, current = set(), manager
    while current is not None and current.id not in seen:
        if current.manager_id == member.id:
            raise ProfileError(_("%(name)s reports to you, directly or indirectly.", name=manager.display_name))
        seen.add(current.id)
        current = current.manager
    member.manager = manager


def find_or_propose_skill(name: str, member: Member) -> tuple[Skill, bool]:
    """The taxonomy skill with this name (any case), or a new proposal for HR; ``(skill, proposed)``."""
    name = " ".join(name.split())
    if not name:
        raise ProfileError(_("Name a skill."))
    if len(name) > 80:
        raise ProfileError(_("A skill name has at most 80 characters."))
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
        raise ProfileError(_("A level is between 1 (aware) and 5 (expert)."))
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
        raise ProfileError(_("A target level is 1–5 and a priority 1–3."))
    skill, proposed = find_or_propose_skill(skill_name, member)
    current = db.session.get(MemberSkill, (member.id, skill.id))
    if current is not None and current.level >= target:
        raise ProfileError(_("You are already at level %(level)d in “%(skill)s”; aim higher.",
                             level=current.level, skill=skill.name))
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


def suggest_members(query: str, limit: int = 10, *, with_email: bool = False) -> list[dict]:
    """Active members whose name contains ``query``, for picking a manager.

    Members get names and departments only; HR (``with_email``) also gets
    emails and may search by them. At most ``limit`` answers per query, and
    the route is rate limited, so the directory cannot be read out.
    """
    if len(query.strip()) < 2:
        return []
    pattern = like_pattern(query)
    text = Member.display_name.ilike(pattern, escape="\\")
    if with_email:
        text = sa.or_(text, Member.email.ilike(pattern, escape="\\"))
    statement = sa.select(Member).where(Member.active.is_(True), text).limit(50)
    members = sorted(db.session.scalars(statement), key=lambda m: sort_key(m.display_name))[:limit]
    return [{"id": m.id, "name": m.display_name, "department": m.department or "", "label": member_label(m)}
            | ({"email": m.email} if with_email else {}) for m in members]


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
