"""Hand-made published rounds for the member-side tests: matches and groups without the solver.

Shared by test_matches, test_invitations, test_feedback and test_messages.
Every helper works inside an app context and commits, so a test can then
drive the pages with the client.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from matcher import SENIORITY_BANDS
from models import Community, Feedback, GroupMember, Match, Member, Round, Skill, WorkingGroup, db
from models.base import utcnow
from webapp.services.tokens import new_token

STATUS_TIMES = {"solved": "solved_at", "published": "published_at", "closed": "closed_at"}


def make_round(kind: str = "mentoring", status: str = "published", community_id: int | None = None,
               name: str = "รอบพี่เลี้ยง 2025") -> Round:
    """A round already moved to ``status``, with the timestamps that status implies."""
    round_ = Round(kind=kind, community_id=community_id, status=status, name=name, parameters={})
    now = utcnow()
    for reached, column in STATUS_TIMES.items():
        setattr(round_, column, now)
        if reached == status:
            break
    db.session.add(round_)
    db.session.commit()
    return round_


def make_match(round_: Round, first_id: int, second_id: int, roles=("learner", "mentor"),
               skill: str = "SQL", **fields) -> Match:
    """A match with the reasons and focus a mentoring solve would store for a learner who wants ``skill``.

    The reason kinds are the mentoring matcher's own: the learner's goal (their
    side only), a different department and a shared language (both sides).
    """
    first, second = db.session.get(Member, first_id), db.session.get(Member, second_id)
    reasons = [
        {"kind": "goal", "contribution": 5.0, "side": "first",
         "params": {"skill": skill, "priority": 1, "learner_level": 2, "target": 4, "mentor_level": 5,
                    "verdict": "teaches"},
         "text": f"Teaches {skill} (level 5; you are at 2, aiming for 4)"},
        {"kind": "cross_department", "contribution": 1.0, "side": "both",
         "params": {"learner_department": first.department or "Finance",
                    "mentor_department": second.department or "Engineering"},
         "text": "Different department: Finance ↔ Engineering"},
    ]
    if shared := sorted(set(first.languages) & set(second.languages)):
        reasons.append({"kind": "language", "contribution": 0.0, "side": "both", "params": {"languages": shared},
                        "text": f"Both speak {', '.join(shared)}"})
    focus = [{"learner": "first", "skill": skill, "level": 2, "target": 4, "teacher_level": 5}]
    match = Match(round_id=round_.id, first_id=first_id, second_id=second_id, first_role=roles[0],
                  second_role=roles[1], score=10.0, reasons=reasons, focus=focus, **fields)
    db.session.add(match)
    db.session.commit()
    return match


def make_group(round_: Round, member_ids, anchor_id: int | None = None, days: int = 14,
               number: int | None = None, anchor_skill: str = "Lean") -> tuple[WorkingGroup, dict[int, str]]:
    """A working group with an invitation link per place; returns it and each member's raw token.

    Its facts are counted from the members, as a solve would store them; the
    anchor is an expert (level 5) in ``anchor_skill``.
    """
    number = number or 1 + (db.session.scalar(
        sa.select(sa.func.max(WorkingGroup.number)).where(WorkingGroup.round_id == round_.id)) or 0)
    people = [db.session.get(Member, member_id) for member_id in member_ids]
    facts = {
        "size": len(people),
        "departments": _counted(p.department for p in people),
        "functions": _counted(p.function for p in people),
        "seniority": [{"band": SENIORITY_BANDS.index(band) + 1, "count": count}
                      for band, count in Counter(p.seniority for p in people if p.seniority).most_common()],
        "anchors": [{"member_id": p.id, "name": p.display_name, "skill": anchor_skill, "level": 5}
                    for p in people if p.id == anchor_id],
        "mean_pair_diversity": 0.58, "round_average": 0.55,
    }
    group = WorkingGroup(round_id=round_.id, number=number, diversity=3.5, facts=facts,
                         explanation="Four departments and three seniority bands; anchored by an expert in Lean.")
    tokens = {}
    for member_id in member_ids:
        raw, hashed = new_token()
        tokens[member_id] = raw
        group.members.append(GroupMember(
            member_id=member_id, role="anchor" if member_id == anchor_id else "member", token_hash=hashed,
            invited_at=utcnow(), expires_at=utcnow() + timedelta(days=days)))
    db.session.add(group)
    db.session.commit()
    return group, tokens


def _counted(values) -> list[dict]:
    return [{"name": name, "count": count} for name, count in Counter(v for v in values if v).most_common()]


def make_community(name: str = "ชุมชนข้อมูล Data", skills=("SQL",), description: str = "") -> Community:
    """A community whose core skills are ``skills`` (created when missing)."""
    core = []
    for skill_name in skills:
        skill = db.session.scalar(sa.select(Skill).where(Skill.name == skill_name)) or Skill(name=skill_name)
        core.append(skill)
    community = Community(name=name, description=description, core_skills=core)
    db.session.add(community)
    db.session.commit()
    return community


def feedback_rows(member_id: int | None = None) -> list[Feedback]:
    query = sa.select(Feedback).order_by(Feedback.id)
    if member_id is not None:
        query = query.where(Feedback.member_id == member_id)
    return list(db.session.scalars(query))


def confirm(match: Match, at=None) -> Match:
    """Both sides accepted ``match`` (at ``at``, now by default): it is confirmed, as the answers would leave it."""
    moment = at or utcnow()
    match.first_status = match.second_status = "accepted"
    match.first_responded_at = match.second_responded_at = match.confirmed_at = moment
    db.session.commit()
    return match
