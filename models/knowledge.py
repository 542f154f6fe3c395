"""What a community knows and shares between rounds: questions and answers, practice notes and
what trying them showed. Text is searchable in Thai through tokens stored at write time."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import db, one_of, utcnow

if TYPE_CHECKING:
    from models.community import Community
    from models.member import Member
    from models.skill import Skill

#: Where a practice note was written from.
NOTE_SOURCES = ("own", "session", "feedback", "question")
#: What trying a practice showed.
OUTCOMES = ("worked", "partly", "didnt")

question_skills = sa.Table(
    "question_skills",
    db.metadata,
    sa.Column("question_id", sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("skill_id", sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)
note_skills = sa.Table(
    "practice_note_skills",
    db.metadata,
    sa.Column("note_id", sa.ForeignKey("practice_notes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("skill_id", sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)


class Hideable:
    """Content a coordinator or HR can hide, with a reason: gone for members, kept for HR."""

    hidden_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    hidden_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)

    @so.declared_attr
    def hidden_by_id(cls) -> so.Mapped[int | None]:
        return so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class Question(Hideable, db.Model):
    """A member's question to a community, routed to a few of its best-placed members."""

    __tablename__ = "questions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"),
                                                           index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Set once, by the first answer: time to first answer is ``first_answer_at - created_at``.
    first_answer_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # Words of the title and text (PyThaiNLP segmentation), space-separated with a space at each end.
    search_tokens: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    community: so.Mapped[Community] = so.relationship()
    author: so.Mapped[Member | None] = so.relationship(foreign_keys="Question.author_id")
    skills: so.Mapped[list[Skill]] = so.relationship(secondary=question_skills, order_by="Skill.name")
    answers: so.Mapped[list[Answer]] = so.relationship(
        back_populates="question", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Answer.created_at, Answer.id")
    routes: so.Mapped[list[QuestionRoute]] = so.relationship(cascade="all, delete-orphan", passive_deletes=True)


class QuestionRoute(db.Model):
    """A member a question was routed to (they got a message): spreads the load of asking."""

    __tablename__ = "question_routes"

    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"),
                                                   primary_key=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True,
                                                 index=True)
    routed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)

    member: so.Mapped[Member] = so.relationship()


class Answer(Hideable, db.Model):
    """An answer to a question, by anyone in its community; the asker may mark it helpful."""

    __tablename__ = "answers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    helpful: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    question: so.Mapped[Question] = so.relationship(back_populates="answers")
    author: so.Mapped[Member | None] = so.relationship(foreign_keys="Answer.author_id")


class PracticeNote(Hideable, db.Model):
    """A note in a community's body of practice: what was tried and what worked.

    Written on its own or from a logged session, a feedback form or an answered question (the
    source's id is kept); members who try it report how it went (``NoteTrial``).
    """

    __tablename__ = "practice_notes"
    __table_args__ = (one_of("source", NOTE_SOURCES, "source_known"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    source: so.Mapped[str] = so.mapped_column(sa.String(10), default="own")
    question_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("questions.id", ondelete="SET NULL"))
    feedback_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("feedback.id", ondelete="SET NULL"))
    meeting_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("meetings.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    search_tokens: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    community: so.Mapped[Community] = so.relationship()
    author: so.Mapped[Member | None] = so.relationship(foreign_keys="PracticeNote.author_id")
    skills: so.Mapped[list[Skill]] = so.relationship(secondary=note_skills, order_by="Skill.name")
    trials: so.Mapped[list[NoteTrial]] = so.relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                         order_by="NoteTrial.created_at.desc()")


class NoteTrial(db.Model):
    """A member tried a practice note: how it went and what they changed (one report per member)."""

    __tablename__ = "note_trials"
    __table_args__ = (one_of("outcome", OUTCOMES, "outcome_known"),)

    note_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("practice_notes.id", ondelete="CASCADE"),
                                               primary_key=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    outcome: so.Mapped[str] = so.mapped_column(sa.String(10))
    changed: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    member: so.Mapped[Member] = so.relationship()


#: What can be hidden or reported.
CONTENT_KINDS = ("question", "answer", "note")


class CommunityCoordinator(db.Model):
    """A member HR named to coordinate a community: they may hide its questions, answers and notes."""

    __tablename__ = "community_coordinators"

    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"),
                                                    primary_key=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True,
                                                 index=True)
    named_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    member: so.Mapped[Member] = so.relationship()


class ContentReport(db.Model):
    """A member reported a question, answer or note to the community's coordinators."""

    __tablename__ = "content_reports"
    __table_args__ = (one_of("kind", CONTENT_KINDS, "kind_known"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    content_id: so.Mapped[int]
    reporter_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    handled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    reporter: so.Mapped[Member | None] = so.relationship()
