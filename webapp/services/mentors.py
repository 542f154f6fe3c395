"""Find a mentor between rounds: suggestions scored as a mentoring round scores them, and requests.

Suggestions come from the matcher's own scorer (``score_mentoring`` with a mentoring round's
default weights and hard rules), so a mentor ranks here as a round would rank them for the
member's learning goals. A request holds no place; the mentor's acceptance takes one, with the
mentor's row locked (PostgreSQL) so two acceptances racing for a last place cannot both win.
An accepted request is a confirmed ``Match`` of the community's self-service round: it gets the
relationship page, counts in history and on the dashboard like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _

from matcher import MentoringWeights, score_mentoring
from models import (
    Community,
    CommunityMembership,
    Match,
    MemberSkill,
    MentorRequest,
    Round,
    db,
)
from models.base import utcnow
from models.member import Member
from models.round import RoundStatus
from webapp.i18n import in_language
from webapp.services.messages import Message, built, compose, link, match_confirmations
from webapp.services.profiles import load_profiles
from webapp.services.reasons import reason_lines
from webapp.services.rounds.dates import organisation_today
from webapp.services.rounds.history import hard_rules
from webapp.services.rounds.pairs import scored_mentoring_match
from webapp.services.rounds.parameters import default_parameters

#: Longest request message and decline reason kept.
MESSAGE_LENGTH = 500
#: How many suggestions a page shows.
SUGGESTIONS = 20


class RequestError(ValueError):
    """The request cannot be made or answered (the message says why, for the member)."""


@dataclass(frozen=True)
class Suggestion:
    """A mentor suggested for a member: the scorer's score, its reasons, and the places left."""

    mentor: Member
    score: float
    reasons: list
    places_left: int
    communities: list[Community]
    requested: bool


# --- who may be asked -------------------------------------------------------------------------


def self_service_communities(member: Member) -> list[Community]:
    """The member's communities whose mentors may be asked directly."""
    return list(db.session.scalars(
        sa.select(Community).join(CommunityMembership)
        .where(CommunityMembership.member_id == member.id, Community.self_service.is_(True),
               Community.archived_at.is_(None))
        .order_by(Community.name)
    ))


def held_places(mentor_ids) -> dict[int, int]:
    """How many mentees each mentor has now: matches of published rounds not declined or ended."""
    mentor_ids = list(mentor_ids)
    if not mentor_ids:
        return {}
    rows = db.session.execute(
        sa.select(Match.second_id, sa.func.count(Match.id)).join(Round, Round.id == Match.round_id)
        .where(Match.second_id.in_(mentor_ids), Match.second_role == "mentor", Match.ended_at.is_(None),
               Match.first_status != "declined", Match.second_status != "declined",
               Round.status_allows("answer"))
        .group_by(Match.second_id)
    )
    return dict(rows.all())


def _candidates(member: Member, communities: list[Community], *, skill_id=None, department=None,
                language=None, today: date | None = None) -> list[Member]:
    today = today or organisation_today()
    in_communities = sa.select(CommunityMembership.member_id).where(
        CommunityMembership.community_id.in_([c.id for c in communities]))
    query = (
        sa.select(Member)
        .where(Member.id.in_(in_communities), Member.id != member.id,
               Member.active.is_(True), Member.erased_at.is_(None), Member.mentor_capacity > 0,
               sa.or_(Member.paused_until.is_(None), Member.paused_until <= today))
        .order_by(Member.id)
    )
    if skill_id:
        query = query.where(Member.id.in_(sa.select(MemberSkill.member_id).where(MemberSkill.skill_id == skill_id)))
    if department:
        query = query.where(Member.department == department)
    found = list(db.session.scalars(query))
    if language:
        wanted = language.casefold()
        found = [m for m in found if wanted in {lang.casefold() for lang in m.languages or ()}]
    return found


def _scoring_round() -> Round:
    """A mentoring round with the default parameters, not stored: its weights and hard rules score."""
    return Round(kind="mentoring", parameters=default_parameters("mentoring"), forbids=[])


def suggestions(member: Member, *, community_id: int | None = None, skill_id: int | None = None,
                department: str | None = None, language: str | None = None,
                limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Mentors for ``member``'s learning goals, best first, as a mentoring round scores them.

    Only mentors of the member's self-service communities with a free place; pairs a round's hard
    rules forbid (same reporting line, no shared language, a low rating, a recent match) are left out.
    """
    communities = self_service_communities(member)
    if community_id is not None:
        communities = [c for c in communities if c.id == community_id]
    if not member.goals or not communities:
        return []
    mentors = _candidates(member, communities, skill_id=skill_id, department=department, language=language)
    held = held_places(m.id for m in mentors)
    mentors = [m for m in mentors if m.mentor_capacity > held.get(m.id, 0) and m.skills]
    if not mentors:
        return []
    profiles = load_profiles([member.id, *(m.id for m in mentors)])
    round_ = _scoring_round()
    table = score_mentoring(profiles[:1], profiles[1:], MentoringWeights(**round_.parameters["weights"]),
                            hard_rules(round_))
    scores = table.scores[0]
    order = [j for j in np.argsort(-scores, kind="stable").tolist() if np.isfinite(scores[j]) and scores[j] > 0]
    asked = _pending_mentor_ids(member.id)
    mine = {c.id for c in communities}
    result = []
    for j in order[:limit]:
        mentor = mentors[j]
        match = scored_mentoring_match(profiles[0], profiles[j + 1], table, 0, j)
        match.first, match.second = member, mentor
        result.append(Suggestion(
            mentor=mentor, score=float(scores[j]), reasons=reason_lines(match, member.id),
            places_left=mentor.mentor_capacity - held.get(mentor.id, 0),
            communities=[row.community for row in mentor.memberships if row.community_id in mine],
            requested=mentor.id in asked,
        ))
    return result


def _pending_mentor_ids(learner_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(MentorRequest.mentor_id).where(
        MentorRequest.learner_id == learner_id, MentorRequest.status == "pending")))


# --- requests ---------------------------------------------------------------------------------


def make_request(learner: Member, mentor_id: int, community_id: int, message: str) -> MentorRequest:
    """A pending request from ``learner`` to a mentor of one of their self-service communities.

    Raises ``LookupError`` for a mentor or community the learner may not ask in (the view's 404),
    ``RequestError`` for a request that cannot be made now.
    """
    community = next((c for c in self_service_communities(learner) if c.id == community_id), None)
    mentor = db.session.get(Member, mentor_id)
    if community is None or mentor is None or mentor.id == learner.id or not mentor.is_active or not any(
            row.community_id == community.id for row in mentor.memberships):
        raise LookupError("no such mentor in the learner's communities")
    if mentor.mentor_capacity <= 0:
        raise RequestError(_("%(name)s does not mentor at the moment.", name=mentor.display_name))
    if mentor.id in _pending_mentor_ids(learner.id):
        raise RequestError(_("You have already asked %(name)s; wait for their answer.", name=mentor.display_name))
    if _live_match_between(learner.id, mentor.id):
        raise RequestError(_("%(name)s is already your mentor.", name=mentor.display_name))
    request = MentorRequest(learner=learner, mentor=mentor, community=community,
                            message=_clean(message) or "")
    db.session.add(request)
    db.session.flush()
    return request


def own_request(request_id: int, member_id: int, *, as_mentor: bool) -> MentorRequest | None:
    """The request, if ``member_id`` is its mentor (``as_mentor``) or its learner; else None."""
    side = MentorRequest.mentor_id if as_mentor else MentorRequest.learner_id
    return db.session.scalar(sa.select(MentorRequest).where(MentorRequest.id == request_id, side == member_id))


def accept(request: MentorRequest) -> list[Message]:
    """The mentor accepts: one of their places is taken and the confirmed match stored.

    The community's row and then the mentor's are locked (PostgreSQL) before the places are
    counted, so of two acceptances racing for the last place one wins; the other raises
    ``RequestError`` ("the place has gone") and changes nothing. Returns the confirmation messages.
    """
    db.session.execute(sa.select(Community.id).where(Community.id == request.community_id).with_for_update())
    mentor = db.session.scalar(sa.select(Member).where(Member.id == request.mentor_id).with_for_update()
                               .execution_options(populate_existing=True))
    db.session.refresh(request)
    if request.status != "pending":
        raise RequestError(_("This request has already been answered."))
    if held_places([mentor.id]).get(mentor.id, 0) >= mentor.mentor_capacity:
        raise RequestError(_("Your last mentoring place has gone: you have as many mentees as you offered. "
                             "Raise your capacity on your profile, or decline."))
    if not request.community.self_service:
        raise RequestError(_("HR has switched requests off in this community."))
    round_ = self_service_round(request.community)
    learner_profile, mentor_profile = load_profiles([request.learner_id, mentor.id])
    weights = MentoringWeights(**round_.parameters["weights"])
    table = score_mentoring([learner_profile], [mentor_profile], weights, hard_rules(round_))
    now = utcnow()
    match = scored_mentoring_match(learner_profile, mentor_profile, table, 0, 0)
    match.first_status = match.second_status = "accepted"
    match.first_responded_at = match.second_responded_at = match.confirmed_at = now
    round_.matches.append(match)
    db.session.flush()
    request.status, request.responded_at, request.match_id = "accepted", now, match.id
    db.session.flush()
    db.session.refresh(match)
    return match_confirmations(match)


def decline(request: MentorRequest, reason: str | None) -> list[Message]:
    """The mentor declines; the reason is kept for HR only. Returns the message to the learner."""
    answered = db.session.execute(
        sa.update(MentorRequest).where(MentorRequest.id == request.id, MentorRequest.status == "pending")
        .values(status="declined", decline_reason=_clean(reason), responded_at=utcnow())
    ).rowcount
    db.session.refresh(request)
    if not answered:
        raise RequestError(_("This request has already been answered."))
    return [_answer_message(request)]


def withdraw(request: MentorRequest) -> None:
    """The learner takes back a pending request."""
    done = db.session.execute(
        sa.update(MentorRequest).where(MentorRequest.id == request.id, MentorRequest.status == "pending")
        .values(status="withdrawn", responded_at=utcnow())
    ).rowcount
    db.session.refresh(request)
    if not done:
        raise RequestError(_("This request has already been answered."))


def self_service_round(community: Community) -> Round:
    """The community's self-service round (published, never solved), created the first time."""
    round_ = db.session.scalar(sa.select(Round).where(
        Round.community_id == community.id, Round.self_service.is_(True), Round.status_allows("answer")))
    if round_ is None:
        now = utcnow()
        round_ = Round(
            kind="mentoring", community_id=community.id, self_service=True, status=RoundStatus.PUBLISHED,
            name=_("Self-service mentoring: %(community)s", community=community.name),
            parameters=default_parameters("mentoring"), solved_at=now, published_at=now,
            starts_on=organisation_today(),
        )
        db.session.add(round_)
        db.session.flush()
    return round_


def requests_for(member_id: int) -> tuple[list[MentorRequest], list[MentorRequest]]:
    """The member's requests: those they sent and those sent to them, newest first."""
    def query(column):
        return list(db.session.scalars(sa.select(MentorRequest).where(column == member_id)
                                       .order_by(MentorRequest.created_at.desc(), MentorRequest.id.desc())
                                       .limit(50)))
    return query(MentorRequest.learner_id), query(MentorRequest.mentor_id)


def all_requests(limit: int = 200) -> list[MentorRequest]:
    """Every request, newest first, for HR (decline reasons included)."""
    return list(db.session.scalars(sa.select(MentorRequest)
                                   .order_by(MentorRequest.created_at.desc(), MentorRequest.id.desc()).limit(limit)))


def set_self_service(community: Community, on: bool) -> None:
    community.self_service = on


def request_message(request: MentorRequest) -> Message:
    """The mentor hears of a new request, with the learner's message."""
    def build() -> Message:
        mentor = request.mentor
        with in_language(mentor.locale):
            subject = _("CoPMatch: %(name)s asks you to be their mentor", name=request.learner.display_name)
            body = _("Hello %(name)s,\n\n%(learner)s (%(department)s) asks you to be their mentor in "
                     "“%(community)s”.\n\n%(message)s\n\nAccept or decline here:\n%(link)s",
                     name=mentor.display_name, learner=request.learner.display_name,
                     department=request.learner.department or "—", community=request.community.name,
                     message=request.message or "—", link=link("mentors.index"))
            return compose(mentor, subject, body, "mentor_request")

    return built("mentor_request", request.mentor, build)


def _answer_message(request: MentorRequest) -> Message:
    def build() -> Message:
        learner = request.learner
        with in_language(learner.locale):
            subject = _("CoPMatch: %(name)s cannot mentor you now", name=request.mentor.display_name)
            body = _("Hello %(name)s,\n\n%(mentor)s cannot take your request now. Other mentors may suit "
                     "your goals:\n%(link)s", name=learner.display_name, mentor=request.mentor.display_name,
                     link=link("mentors.index"))
            return compose(learner, subject, body, "mentor_request")

    return built("mentor_request", request.learner, build)


def _live_match_between(learner_id: int, mentor_id: int) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count(Match.id)).join(Round, Round.id == Match.round_id)
        .where(Match.first_id == learner_id, Match.second_id == mentor_id, Match.ended_at.is_(None),
               Match.first_status != "declined", Match.second_status != "declined", Round.status_allows("answer"))
    ) > 0


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text[:MESSAGE_LENGTH] or None
