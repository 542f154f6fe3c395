"""A body of practice that grows: stored practice notes, what trying them showed, and the best of them.

A note has a title, skills and a community. It is written on its own or from something the
author already wrote: a question they asked and had answered, their feedback after a round or a
session they logged with a note to share (the shared texts ``webapp.services.feedback`` lists).
Members report "I tried it" (worked, partly, didn't, and what they changed); notes rank by what
trying them showed: ``(worked + ½·partly + 1) / (tries + 2)``, so one "worked" does not outrank
ten, and an untried note starts at ½. A community's page shows its best notes and the best of
related communities (those sharing a core skill with it).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import (
    Community,
    CommunityMembership,
    Feedback,
    Meeting,
    Member,
    NoteTrial,
    PracticeNote,
    Question,
    Skill,
    community_skills,
    db,
)
from models.base import utcnow
from webapp.services import search

TITLE_LENGTH = 200
BODY_LENGTH = 4000
CHANGE_LENGTH = 1000
#: What trying a note showed, as members read it.
OUTCOME_WORDS = {"worked": _l("It worked"), "partly": _l("It partly worked"), "didnt": _l("It didn't work")}
#: Where a note was written from, as members read it.
SOURCE_WORDS = {"own": _l("written here"), "session": _l("from a session"), "feedback": _l("from feedback"),
                "question": _l("from an answered question")}


class PracticeError(ValueError):
    """The note or report cannot be saved (the message says why)."""


@dataclass(frozen=True)
class Ranked:
    """A note with what trying it showed."""

    note: PracticeNote
    worked: int
    partly: int
    didnt: int

    @property
    def tries(self) -> int:
        return self.worked + self.partly + self.didnt

    @property
    def strength(self) -> float:
        return (self.worked + 0.5 * self.partly + 1) / (self.tries + 2)


def member_communities(member: Member) -> list[Community]:
    return list(db.session.scalars(sa.select(Community).join(CommunityMembership)
                                   .where(CommunityMembership.member_id == member.id, Community.archived_at.is_(None))
                                   .order_by(Community.name)))


def may_read(member: Member, note: PracticeNote) -> bool:
    if member.is_hr:
        return True
    if note.hidden:
        return False
    return any(c.id == note.community_id for c in member_communities(member))


def write(author: Member, community: Community, title: str, body: str, skill_ids, *, source: str = "own",
          question: Question | None = None, feedback: Feedback | None = None,
          meeting: Meeting | None = None) -> PracticeNote:
    """Store a note in ``community`` (one of the author's); its search words are stored with it."""
    if community.id not in {c.id for c in member_communities(author)}:
        raise LookupError("not the author's community")
    title, body = " ".join((title or "").split())[:TITLE_LENGTH], (body or "").strip()[:BODY_LENGTH]
    if not title:
        raise PracticeError(_("A practice note needs a title."))
    skills = list(db.session.scalars(sa.select(Skill).where(Skill.id.in_(list(skill_ids or []))))) if skill_ids else []
    note = PracticeNote(community=community, author=author, title=title, body=body, skills=skills, source=source,
                        question_id=question.id if question else None, feedback_id=feedback.id if feedback else None,
                        meeting_id=meeting.id if meeting else None, search_tokens=search.tokens(title, body))
    db.session.add(note)
    db.session.flush()
    return note


def draft_from(member: Member, *, question_id: int | None = None, feedback_id: int | None = None,
               meeting_id: int | None = None) -> dict | None:
    """What a note written from the member's own question, feedback or session starts with; None if not theirs.

    A question must have an answer marked helpful.
    """
    if question_id:
        question = db.session.get(Question, question_id)
        if question is None or question.author_id != member.id:
            return None
        helpful = next((a for a in question.answers if a.helpful and not a.hidden), None)
        if helpful is None:
            return None
        return {"source": "question", "question": question, "title": question.title, "body": helpful.body,
                "community_id": question.community_id, "skill_ids": [s.id for s in question.skills]}
    if feedback_id:
        feedback = db.session.get(Feedback, feedback_id)
        if feedback is None or feedback.member_id != member.id or not feedback.practice_note:
            return None
        return {"source": "feedback", "feedback": feedback, "title": "", "body": feedback.practice_note,
                "community_id": feedback.round.community_id,
                "skill_ids": [feedback.skill_id] if feedback.skill_id else []}
    if meeting_id:
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None or meeting.logged_by_id != member.id or not meeting.shared_note:
            return None
        round_ = meeting.match.round if meeting.match else meeting.group.round
        return {"source": "session", "meeting": meeting, "title": "", "body": meeting.shared_note,
                "community_id": round_.community_id, "skill_ids": [s.id for s in meeting.skills]}
    return {"source": "own", "title": "", "body": "", "community_id": None, "skill_ids": []}


def tried(note: PracticeNote, member: Member, outcome: str, changed: str) -> NoteTrial:
    """Record (or update) ``member``'s report of trying ``note``."""
    if outcome not in OUTCOME_WORDS:
        raise PracticeError(_("Say whether it worked, partly worked or did not work."))
    trial = db.session.get(NoteTrial, (note.id, member.id))
    if trial is None:
        trial = NoteTrial(note_id=note.id, member_id=member.id)
        db.session.add(trial)
    trial.outcome, trial.changed, trial.created_at = outcome, (changed or "").strip()[:CHANGE_LENGTH], utcnow()
    db.session.flush()
    return trial


def ranked(community_ids, *, include_hidden: bool = False, query: str = "", limit: int = 50) -> list[Ranked]:
    """Notes of these communities, best first by what trying them showed (or by matched words for a query)."""
    counts = (sa.select(NoteTrial.note_id,
                        sa.func.sum(sa.case((NoteTrial.outcome == "worked", 1), else_=0)).label("worked"),
                        sa.func.sum(sa.case((NoteTrial.outcome == "partly", 1), else_=0)).label("partly"),
                        sa.func.sum(sa.case((NoteTrial.outcome == "didnt", 1), else_=0)).label("didnt"))
              .group_by(NoteTrial.note_id).subquery())
    statement = (sa.select(PracticeNote, sa.func.coalesce(counts.c.worked, 0), sa.func.coalesce(counts.c.partly, 0),
                           sa.func.coalesce(counts.c.didnt, 0))
                 .outerjoin(counts, counts.c.note_id == PracticeNote.id)
                 .where(PracticeNote.community_id.in_(list(community_ids)))
                 .options(so.selectinload(PracticeNote.skills), so.joinedload(PracticeNote.community)))
    if not include_hidden:
        statement = statement.where(PracticeNote.hidden_at.is_(None))
    matched, _count = search.matched_terms(PracticeNote.search_tokens, query)
    if matched is not None:
        statement = statement.add_columns(matched.label("matched")).where(matched > 0)
    rows = db.session.execute(statement).all()
    items = [(Ranked(row[0], int(row[1]), int(row[2]), int(row[3])), row[4] if matched is not None else 0)
             for row in rows]
    items.sort(key=lambda item: (-item[1], -item[0].strength, -item[0].tries, -item[0].note.id))
    return [item for item, _m in items[:limit]]


def related_communities(community: Community) -> list[Community]:
    """Other communities sharing at least one core skill with ``community``, most shared first."""
    core = [s.id for s in community.core_skills]
    if not core:
        return []
    shared = sa.func.count(community_skills.c.skill_id)
    rows = db.session.execute(
        sa.select(Community, shared).join(community_skills, community_skills.c.community_id == Community.id)
        .where(community_skills.c.skill_id.in_(core), Community.id != community.id)
        .group_by(Community.id).order_by(shared.desc(), Community.name)).all()
    return [c for c, _n in rows]


def community_section(community: Community, reader: Member, limit: int = 3) -> dict:
    """What the community page shows: its best notes, and the best of related communities."""
    related = related_communities(community)
    return {"best": ranked([community.id], include_hidden=reader.is_hr, limit=limit),
            "related": ranked([c.id for c in related], limit=limit) if related else [],
            "community": community}
