"""Which relationship or working group a viewer may open: their own, or any for HR.

A member reaches a confirmed match of a visible round they are a side of,
and a working group in which their place is accepted; anything else,
another member's included, is ``None`` and the view answers 404.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from models import GroupMember, Match, Member, Round, WorkingGroup, db


def own_relationship(match_id: int, viewer: Member) -> Match | None:
    """The confirmed match ``match_id`` if ``viewer`` is one of its two members (or HR)."""
    query = (sa.select(Match).join(Round, Match.round_id == Round.id)
             .where(Match.id == match_id, Match.first_status == "accepted", Match.second_status == "accepted",
                    Round.status_allows("show_to_members"))
             .options(so.joinedload(Match.first), so.joinedload(Match.second), so.joinedload(Match.round)))
    if not viewer.is_hr:
        query = query.where(sa.or_(Match.first_id == viewer.id, Match.second_id == viewer.id))
    return db.session.scalar(query)


def own_group(group_id: int, viewer: Member) -> WorkingGroup | None:
    """Working group ``group_id`` if ``viewer`` accepted their place in it (or is HR)."""
    query = (sa.select(WorkingGroup).join(Round, WorkingGroup.round_id == Round.id)
             .where(WorkingGroup.id == group_id, Round.status_allows("show_to_members")))
    if not viewer.is_hr:
        query = query.where(sa.exists(sa.select(GroupMember.group_id).where(
            GroupMember.group_id == WorkingGroup.id, GroupMember.member_id == viewer.id,
            GroupMember.status == "accepted")))
    return db.session.scalar(query)


def group_people(group: WorkingGroup) -> list[GroupMember]:
    """The accepted places of a group, anchors first, then by name."""
    from webapp.services.text import sort_key

    places = [p for p in group.members if p.status == "accepted"]
    return sorted(places, key=lambda p: (p.role != "anchor", sort_key(p.member.display_name), p.member_id))


def is_member_of(match: Match, member: Member) -> bool:
    """Whether ``member`` is one of the two (HR reads a relationship but does not act in it)."""
    return match.side_of(member.id) is not None
