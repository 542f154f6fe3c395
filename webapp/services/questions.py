"""Ask the community: a question goes to a few of its best-placed members; anyone in it answers.

Routing: members of the question's community at level 3 or above in one of its skills, not
paused, not the asker, and not asked ``RECENT_LIMIT`` times in the last ``RECENT_DAYS`` days
(the load is spread), best placed first (highest level in the question's skills, then the
fewest recent questions), at most ``ROUTED``. Each gets a message. The asker marks the answer
that helped; the first answer's time is kept, so time to first answer is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from models import (
    Answer,
    Community,
    CommunityMembership,
    Member,
    MemberSkill,
    Question,
    QuestionRoute,
    Skill,
    db,
)
from models.base import utcnow
from webapp.i18n import in_language
from webapp.services import search
from webapp.services.messages import Message, built, compose, link
from webapp.services.rounds.dates import organisation_today

#: At most this many members are asked.
ROUTED = 5
#: The lowest level in a question's skill that makes a member someone to ask.
EXPERT_LEVEL = 3
#: Asked this many times within ``RECENT_DAYS`` days, a member is not asked again for now.
RECENT_LIMIT = 3
RECENT_DAYS = 14
TITLE_LENGTH = 200
BODY_LENGTH = 4000


class QuestionError(ValueError):
    """The question or answer cannot be saved (the message says why, for the member)."""


def is_member(member: Member, community_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CommunityMembership).where(
        CommunityMembership.member_id == member.id, CommunityMembership.community_id == community_id)) > 0


def may_read(member: Member, community_id: int) -> bool:
    """Members of the community read its questions and notes; HR reads all."""
    return member.is_hr or is_member(member, community_id)


def routed_to(community_id: int, skill_ids: list[int], asker_id: int, *, now: datetime | None = None,
              today: date | None = None) -> list[Member]:
    """The members a new question goes to (see the module's docstring), best placed first."""
    if not skill_ids:
        return []
    now, today = now or utcnow(), today or organisation_today()
    recent = (sa.select(QuestionRoute.member_id, sa.func.count().label("asked"))
              .where(QuestionRoute.routed_at >= now - timedelta(days=RECENT_DAYS))
              .group_by(QuestionRoute.member_id).subquery())
    best = sa.func.max(MemberSkill.level)
    asked = sa.func.coalesce(sa.func.max(recent.c.asked), 0)
    rows = db.session.execute(
        sa.select(Member.id, best, asked)
        .join(MemberSkill, MemberSkill.member_id == Member.id)
        .join(CommunityMembership, CommunityMembership.member_id == Member.id)
        .outerjoin(recent, recent.c.member_id == Member.id)
        .where(CommunityMembership.community_id == community_id, MemberSkill.skill_id.in_(skill_ids),
               MemberSkill.level >= EXPERT_LEVEL, Member.id != asker_id, Member.active.is_(True),
               Member.erased_at.is_(None), sa.or_(Member.paused_until.is_(None), Member.paused_until <= today))
        .group_by(Member.id)
        .having(asked < RECENT_LIMIT)
        .order_by(best.desc(), asked, Member.id)
        .limit(ROUTED)
    ).all()
    found = {m.id: m for m in db.session.scalars(sa.select(Member).where(Member.id.in_([r[0] for r in rows])))}
    return [found[row[0]] for row in rows]


def ask(author: Member, community: Community, title: str, body: str, skill_ids: list[int],
        *, now: datetime | None = None) -> tuple[Question, list[Message]]:
    """Store the question, route it, and return it with the messages to the members asked."""
    title, body = " ".join((title or "").split()), (body or "").strip()
    if not title:
        raise QuestionError(_("A question needs a title."))
    skills = list(db.session.scalars(sa.select(Skill).where(Skill.id.in_(skill_ids or [])))) if skill_ids else []
    question = Question(community=community, author=author, title=title[:TITLE_LENGTH], body=body[:BODY_LENGTH],
                        skills=skills, search_tokens=search.tokens(title, body), created_at=now or utcnow())
    db.session.add(question)
    db.session.flush()
    experts = routed_to(community.id, [s.id for s in skills], author.id, now=now)
    for expert in experts:
        db.session.add(QuestionRoute(question_id=question.id, member_id=expert.id, routed_at=now or utcnow()))
    db.session.flush()
    return question, [_routed_message(question, expert) for expert in experts]


def answer(author: Member, question: Question, body: str, *, now: datetime | None = None) -> Answer:
    """Add an answer; the first one sets the question's time to first answer (once)."""
    body = (body or "").strip()
    if not body:
        raise QuestionError(_("An answer needs some text."))
    now = now or utcnow()
    reply = Answer(question=question, author=author, body=body[:BODY_LENGTH], created_at=now)
    db.session.add(reply)
    db.session.flush()
    db.session.execute(sa.update(Question).where(Question.id == question.id, Question.first_answer_at.is_(None))
                       .values(first_answer_at=now))
    db.session.refresh(question)
    return reply


def mark_helpful(question: Question, answer_id: int) -> Answer:
    """The asker marks the answer that helped (one per question)."""
    chosen = next((a for a in question.answers if a.id == answer_id and not a.hidden), None)
    if chosen is None:
        raise LookupError("no such answer")
    for reply in question.answers:
        reply.helpful = reply.id == chosen.id
    return chosen


def visible_question(question_id: int, reader: Member) -> Question | None:
    """The question, if ``reader`` may read it (its community's member, or HR); hidden ones for HR only."""
    question = db.session.get(Question, question_id)
    if question is None or not may_read(reader, question.community_id):
        return None
    if question.hidden and not reader.is_hr:
        return None
    return question


def visible_answers(question: Question, reader: Member) -> list[Answer]:
    return [a for a in question.answers if reader.is_hr or not a.hidden]


@dataclass(frozen=True)
class Found:
    question: Question
    matched: int


def community_questions(community: Community, reader: Member, query: str = "", limit: int = 50) -> list[Found]:
    """The community's questions, newest first, or those matching ``query`` (most matched words first)."""
    statement = sa.select(Question).where(Question.community_id == community.id).options(
        so.selectinload(Question.skills), so.selectinload(Question.answers))
    if not reader.is_hr:
        statement = statement.where(Question.hidden_at.is_(None))
    count, _words = search.matched_terms(Question.search_tokens, query)
    if count is None:
        rows = db.session.scalars(statement.order_by(Question.created_at.desc(), Question.id.desc()).limit(limit))
        return [Found(q, 0) for q in rows]
    rows = db.session.execute(
        statement.add_columns(count.label("matched")).where(count > 0)
        .order_by(sa.desc("matched"), Question.created_at.desc(), Question.id.desc()).limit(limit))
    return [Found(q, matched) for q, matched in rows]


def first_answer_hours(community: Community) -> float | None:
    """The median time to first answer in the community, in hours (None before any answer)."""
    rows = db.session.execute(sa.select(Question.created_at, Question.first_answer_at).where(
        Question.community_id == community.id, Question.first_answer_at.is_not(None))).all()
    if not rows:
        return None
    return median(_hours(asked, answered) for asked, answered in rows)


def _hours(start: datetime, end: datetime) -> float:
    """Hours from ``start`` to ``end`` (both UTC; SQLite hands them back without a zone)."""
    return max((end.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds(), 0) / 3600


def _routed_message(question: Question, expert: Member) -> Message:
    def build() -> Message:
        with in_language(expert.locale):
            subject = _("CoPMatch: a question for you in %(community)s", community=question.community.name)
            body = _("Hello %(name)s,\n\n%(asker)s asks in “%(community)s”:\n\n%(title)s\n\n%(text)s\n\n"
                     "You were asked because you know %(skills)s well. Answer here:\n%(link)s",
                     name=expert.display_name, asker=question.author.display_name,
                     community=question.community.name, title=question.title, text=question.body or "—",
                     skills=", ".join(s.name for s in question.skills),
                     link=link("questions.show", question_id=question.id))
            return compose(expert, subject, body, "question")

    return built("question", expert, build)
