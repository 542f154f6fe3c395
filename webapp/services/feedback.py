"""Feedback after HR closes a round, and the body of practice it builds.

A member gives feedback on each of their own matches and working groups of
a closed round: did they meet, how useful it was (1–5), and optionally a
practice note, "what we tried and what worked". A rating of 1 or 2 keeps
the pair apart in later rounds (``webapp.services.rounds.low_rated_pairs``
reads it); a note the member marks shareable joins the community's body of
practice (``practice_notes``).

The functions change the session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import (
    Community,
    CommunityMembership,
    Feedback,
    GroupMember,
    Match,
    Meeting,
    Round,
    Skill,
    WorkingGroup,
    community_skills,
    db,
    meeting_skills,
)
from webapp.services.rounds.participation import aware
from webapp.services.text import sort_key

#: Longest practice note kept.
NOTE_LENGTH = 2000
RATINGS = {1: _l("1 – Not useful"), 2: _l("2 – A little useful"), 3: _l("3 – Useful"), 4: _l("4 – Very useful"),
           5: _l("5 – Excellent")}


class FeedbackError(ValueError):
    """The feedback cannot be saved; the message says why."""


class FeedbackNotOpen(FeedbackError):
    """The round is not closed yet, so feedback has not opened."""


@dataclass(frozen=True)
class FeedbackItem:
    """One match or working group a member can give feedback on."""

    key: str  # "match-12" or "group-3": names the item in forms and pages
    match: Match | None
    group: WorkingGroup | None
    skills: tuple[Skill, ...]  # what a practice note may relate to
    feedback: Feedback | None  # what the member said before, if anything


@dataclass(frozen=True)
class Answers:
    """A member's feedback on one item, as submitted."""

    met: bool
    rating: int | None = None
    practice_note: str = ""
    shareable: bool = False
    skill_id: int | None = None


@dataclass(frozen=True)
class PracticeNote:
    """A shareable note as the community page shows it."""

    text: str
    skill: str | None
    author: str
    round: str
    written: datetime
    # Where it was written (``"feedback"`` or ``"session"``) and that row's id, so its author can
    # write it up as a stored practice note (``webapp.services.practice``) that others try.
    source: str | None = None
    source_id: int | None = None


def feedback_round(round_id: int, member_id: int) -> Round | None:
    """The round, if HR published it and the member had a match or a group place in it."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or not round_.can("show_to_members"):
        return None
    in_match = sa.select(Match.id).where(
        Match.round_id == round_id, sa.or_(Match.first_id == member_id, Match.second_id == member_id))
    in_group = sa.select(GroupMember.group_id).join(WorkingGroup).where(
        WorkingGroup.round_id == round_id, GroupMember.member_id == member_id)
    if db.session.scalar(sa.select(sa.or_(sa.exists(in_match), sa.exists(in_group)))):
        return round_
    return None


def feedback_items(round_: Round, member_id: int) -> list[FeedbackItem]:
    """The member's matches and groups in ``round_`` worth feedback, with what they said before.

    Declined matches and group places the member declined are left out: the
    people never worked together, and the decline already keeps them apart.
    """
    matches = db.session.scalars(
        sa.select(Match).where(Match.round_id == round_.id,
                               sa.or_(Match.first_id == member_id, Match.second_id == member_id))
        .order_by(Match.id)
    ).all()
    groups = db.session.scalars(
        sa.select(WorkingGroup).join(GroupMember)
        .where(WorkingGroup.round_id == round_.id, GroupMember.member_id == member_id,
               GroupMember.status != "declined")
        .order_by(WorkingGroup.number)
    ).all()
    given = {(f.match_id, f.group_id): f for f in db.session.scalars(
        sa.select(Feedback).where(Feedback.round_id == round_.id, Feedback.member_id == member_id))}
    core = _core_skills(round_, member_id)
    items = [FeedbackItem(f"match-{m.id}", m, None, _merge(_focus_skills(m), core), given.get((m.id, None)))
             for m in matches if not m.declined]
    items += [FeedbackItem(f"group-{g.id}", None, g, core, given.get((None, g.id))) for g in groups]
    return items


def save_feedback(round_: Round, member_id: int, item: FeedbackItem, answers: Answers) -> Feedback:
    """Save (or update) the member's feedback on ``item`` of the closed ``round_``.

    Raises ``FeedbackNotOpen`` before HR closes the round, and
    ``FeedbackError`` for a rating outside 1–5 or a skill the item does not offer.
    """
    if not round_.can("give_feedback"):
        raise FeedbackNotOpen(_("Feedback opens when HR closes the round."))
    if answers.rating is not None and answers.rating not in RATINGS:
        raise FeedbackError(_("A rating is from 1 to 5; got %(rating)s.", rating=answers.rating))
    if answers.skill_id is not None and answers.skill_id not in {s.id for s in item.skills}:
        raise FeedbackError(_("Pick the related skill from the list."))
    note = (answers.practice_note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise FeedbackError(_("A practice note has at most %(count)d characters.", count=NOTE_LENGTH))
    values = dict(met=answers.met, rating=answers.rating, practice_note=note,
                  shareable=answers.shareable and bool(note), skill_id=answers.skill_id)
    feedback = item.feedback or _existing(round_, member_id, item)
    if feedback is None:
        # Two tabs saving a first answer at once: the unique constraints let one
        # insert win, and the other's flush raises IntegrityError for the caller.
        feedback = Feedback(round_id=round_.id, member_id=member_id,
                            match_id=item.match.id if item.match else None,
                            group_id=item.group.id if item.group else None)
        db.session.add(feedback)
    for name, value in values.items():
        setattr(feedback, name, value)
    db.session.flush()
    return feedback


def practice_notes(community: Community, limit: int = 10) -> list[PracticeNote]:
    """Shareable practice notes of the community, newest first: from feedback on its closed rounds and
    from the sessions and meetings its members logged with a note to share.

    Notes from whole-organisation rounds count when their skill (or, for a
    session, one of its skills) is one of the community's core skills; a
    note with no skill lands on every community its author belongs to, so a
    shared note is always seen somewhere.
    """
    scope = sa.or_(Round.community_id == community.id,
                   sa.and_(Round.community_id.is_(None), Feedback.skill_id.is_(None),
                           Feedback.member_id.in_(_members_of(community))))
    core_ids = [skill.id for skill in community.core_skills]
    if core_ids:
        scope = sa.or_(scope, sa.and_(Round.community_id.is_(None), Feedback.skill_id.in_(core_ids)))
    rows = db.session.scalars(
        sa.select(Feedback).join(Round, Feedback.round_id == Round.id)
        .where(scope, Round.status_allows("give_feedback"), Feedback.shareable.is_(True), Feedback.practice_note != "")
        .options(so.joinedload(Feedback.member), so.joinedload(Feedback.skill), so.joinedload(Feedback.round))
        .order_by(Feedback.updated_at.desc(), Feedback.id.desc())
        .limit(limit)
    ).all()
    notes = [PracticeNote(f.practice_note, f.skill.name if f.skill else None, f.member.display_name,
                          f.round.name, f.updated_at, "feedback", f.id) for f in rows]
    notes += _session_notes(community, core_ids, limit)
    return sorted(notes, key=lambda note: aware(note.written), reverse=True)[:limit]


def _session_notes(community: Community, core_ids: list[int], limit: int) -> list[PracticeNote]:
    """Notes members shared when logging a session or a group meeting of a round of this community."""
    round_id = sa.func.coalesce(Match.round_id, WorkingGroup.round_id)
    no_skill = ~sa.exists(sa.select(meeting_skills.c.meeting_id).where(meeting_skills.c.meeting_id == Meeting.id))
    scope = sa.or_(Round.community_id == community.id,
                   sa.and_(Round.community_id.is_(None), no_skill, Meeting.logged_by_id.in_(_members_of(community))))
    if core_ids:
        scope = sa.or_(scope, sa.and_(Round.community_id.is_(None), sa.exists(
            sa.select(meeting_skills.c.meeting_id).where(meeting_skills.c.meeting_id == Meeting.id,
                                                         meeting_skills.c.skill_id.in_(core_ids)))))
    rows = db.session.execute(
        sa.select(Meeting, Round.name)
        .outerjoin(Match, Meeting.match_id == Match.id).outerjoin(WorkingGroup, Meeting.group_id == WorkingGroup.id)
        .join(Round, Round.id == round_id)
        .where(scope, Meeting.state == "held", Meeting.shared_note != "", Meeting.logged_by_id.is_not(None))
        .options(so.joinedload(Meeting.logged_by), so.selectinload(Meeting.skills))
        .order_by(Meeting.updated_at.desc(), Meeting.id.desc()).limit(limit)
    ).all()
    return [PracticeNote(m.shared_note, ", ".join(s.name for s in m.skills) or None, m.logged_by.display_name,
                         round_name, m.updated_at, "session", m.id) for m, round_name in rows]


def _members_of(community: Community) -> sa.Select:
    """The ids of the community's members, as a subquery."""
    return sa.select(CommunityMembership.member_id).where(CommunityMembership.community_id == community.id)


def _existing(round_: Round, member_id: int, item: FeedbackItem) -> Feedback | None:
    target = Feedback.match_id == item.match.id if item.match else Feedback.group_id == item.group.id
    return db.session.scalar(sa.select(Feedback).where(Feedback.member_id == member_id, target))


def _focus_skills(match: Match) -> list[Skill]:
    """The skills the pair came together for, in the order the matcher ranked them."""
    names = list(dict.fromkeys(item["skill"] for item in match.focus))
    if not names:
        return []
    found = {s.name: s for s in db.session.scalars(sa.select(Skill).where(Skill.name.in_(names)))}
    return [found[name] for name in names if name in found]


def _core_skills(round_: Round, member_id: int) -> list[Skill]:
    """The round's community's core skills; for a whole-organisation round, those of the member's communities."""
    if round_.community is not None:
        skills = list(round_.community.core_skills)
    else:
        skills = list(db.session.scalars(
            sa.select(Skill).join(community_skills, community_skills.c.skill_id == Skill.id)
            .join(CommunityMembership, CommunityMembership.community_id == community_skills.c.community_id)
            .where(CommunityMembership.member_id == member_id).distinct()
        ))
    return sorted(skills, key=lambda skill: sort_key(skill.name))


def _merge(first: list[Skill], then: list[Skill]) -> tuple[Skill, ...]:
    seen: dict[int, Skill] = {}
    for skill in [*first, *then]:
        seen.setdefault(skill.id, skill)
    return tuple(seen.values())
