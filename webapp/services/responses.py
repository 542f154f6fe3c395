"""Members answer their matches and group invitations.

A member only ever reaches their own matches and places: every lookup here
filters by the member (or by the hash of their invitation token) and by a
round HR has published, so another member's id finds nothing and the view
answers 404. Answers are recorded with one conditional UPDATE
(``... WHERE status = 'pending'``): of two identical requests only one can
change the row, so a double click records one answer and sends one
confirmation. An answer, once given, stands; HR can repair a round.

The functions change the session and never commit; the caller commits and
only then delivers the returned messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from models import GroupMember, Match, Member, Round, WorkingGroup, db
from models.base import utcnow
from webapp.services.messages import Message, match_confirmations
from webapp.services.text import sort_key
from webapp.services.tokens import hash_token, is_expired

#: What a member may answer.
ANSWERS = ("accepted", "declined")
#: Longest decline reason kept (it is for HR's eyes only).
REASON_LENGTH = 1000


class ResponseError(ValueError):
    """The answer cannot be recorded; the message says why, for the member."""


class RoundClosedError(ResponseError):
    """The round is closed, so answers are no longer taken."""


@dataclass
class Response:
    """What an answer did: whether it changed anything, and the messages to deliver after commit."""

    changed: bool
    messages: list[Message] = field(default_factory=list)


# --- what a member may reach ------------------------------------------------------------------


def own_match(match_id: int, member_id: int) -> Match | None:
    """The match ``match_id`` if ``member_id`` is one of its two sides in a visible round."""
    return db.session.scalar(
        sa.select(Match).join(Round, Match.round_id == Round.id)
        .where(Match.id == match_id, sa.or_(Match.first_id == member_id, Match.second_id == member_id),
               Round.status_allows("show_to_members"))
    )


def own_place(group_id: int, member_id: int) -> GroupMember | None:
    """The member's place in working group ``group_id`` of a visible round."""
    return db.session.scalar(
        sa.select(GroupMember).join(WorkingGroup).join(Round)
        .where(GroupMember.group_id == group_id, GroupMember.member_id == member_id, Round.status_allows("show_to_members"))
    )


def place_for_token(raw_token: str) -> GroupMember | None:
    """The group place whose invitation link carries ``raw_token``; looked up by its hash only."""
    if not raw_token or len(raw_token) > 200:
        return None
    return place_for_token_hash(hash_token(raw_token))


def place_for_token_hash(token_hash: str) -> GroupMember | None:
    """The group place whose stored invitation hash is ``token_hash`` (an opened link's cookie)."""
    if len(token_hash) != 64:
        return None
    return db.session.scalar(
        sa.select(GroupMember).join(WorkingGroup).join(Round)
        .where(GroupMember.token_hash == token_hash, Round.status_allows("show_to_members"))
    )


def link_expired(place: GroupMember, now: datetime | None = None) -> bool:
    """True once the place's invitation link has passed its expiry date."""
    return place.expires_at is not None and is_expired(place.expires_at, now)


@dataclass(frozen=True)
class RoundItems:
    """One round as a member sees it: their matches and their working-group places."""

    round: Round
    matches: list[Match]
    places: list[GroupMember]


def member_rounds(member_id: int) -> list[RoundItems]:
    """The member's matches and group places in published and closed rounds, newest round first.

    Matches the member or their partner declined are kept, so the page can say
    so; group places the member declined are left out (the group went on
    without them).
    """
    mine = sa.or_(Match.first_id == member_id, Match.second_id == member_id)
    matches = db.session.scalars(
        sa.select(Match).join(Round, Match.round_id == Round.id)
        .where(mine, Round.status_allows("show_to_members"))
        .options(so.joinedload(Match.first), so.joinedload(Match.second), so.joinedload(Match.round))
        .order_by(Match.id)
    ).all()
    places = db.session.scalars(
        sa.select(GroupMember).join(WorkingGroup).join(Round)
        .where(GroupMember.member_id == member_id, GroupMember.status != "declined", Round.status_allows("show_to_members"))
        .options(so.joinedload(GroupMember.group).joinedload(WorkingGroup.round),
                 so.joinedload(GroupMember.group).selectinload(WorkingGroup.members)
                 .joinedload(GroupMember.member))
        .order_by(GroupMember.group_id)
    ).all()
    rounds: dict[int, RoundItems] = {}
    for match in matches:
        rounds.setdefault(match.round_id, RoundItems(match.round, [], [])).matches.append(match)
    for place in places:
        round_ = place.group.round
        rounds.setdefault(round_.id, RoundItems(round_, [], [])).places.append(place)
    return sorted(rounds.values(), key=lambda items: (items.round.published_at is not None,
                                                      items.round.published_at, items.round.id), reverse=True)


@dataclass(frozen=True)
class Groupmate:
    """One person in a working group as another member of it may see them."""

    member: Member
    role: str
    status: str
    email: str | None  # only between two members who have both accepted
    is_viewer: bool


def groupmates(place: GroupMember) -> list[Groupmate]:
    """The group of ``place`` as its holder may see it: anchors first, then by name.

    Emails are shown only once the viewer has accepted, and then only of
    members who accepted too. Members who declined are not listed.
    """
    viewer_accepted = place.status == "accepted"
    mates = [p for p in place.group.members if p.status != "declined"]
    mates.sort(key=lambda p: (p.role != "anchor", sort_key(p.member.display_name), p.member_id))
    return [
        Groupmate(member=p.member, role=p.role, status=p.status,
                  email=p.member.email if viewer_accepted and p.status == "accepted" else None,
                  is_viewer=p.member_id == place.member_id)
        for p in mates
    ]


# --- answering --------------------------------------------------------------------------------


def respond_to_match(match: Match, member_id: int, answer: str, reason: str | None = None) -> Response:
    """Record ``member_id``'s answer (``"accepted"`` or ``"declined"``) to ``match``.

    Accepting when the other side has already accepted confirms the match:
    ``confirmed_at`` is set once and the confirmation messages (each side
    learns the other's email and a first step) are returned. The optional
    decline ``reason`` is stored for HR only.

    Idempotent: repeating the same answer changes nothing and returns no
    messages. A different answer to one already given, an answer to a
    match the partner declined, or any answer after the round closed raise
    ``ResponseError`` with a message for the member.
    """
    _check_answer(answer)
    side = match.side_of(member_id)
    if side is None:
        raise LookupError(f"member {member_id} is not part of match {match.id}")
    other = "second" if side == "first" else "first"
    now = utcnow()
    values = {f"{side}_status": answer, f"{side}_responded_at": now}
    if answer == "declined":
        values[f"{side}_decline_reason"] = _clean_reason(reason)
    conditions = [Match.id == match.id, getattr(Match, f"{side}_status") == "pending",
                  Match.round_id.in_(_published_rounds())]
    if answer == "accepted":
        conditions.append(getattr(Match, f"{other}_status") != "declined")
    won = _update(sa.update(Match).where(*conditions).values(**values))
    if not won:
        db.session.refresh(match)
        db.session.refresh(match.round)
        _explain_refusal(match.round, getattr(match, f"{side}_status"), answer,
                         partner_declined=getattr(match, f"{other}_status") == "declined")
        return Response(False)
    # Confirming is a second conditional UPDATE: when both sides accept at once, the
    # later of the two sees the earlier's committed answer, and only one sets confirmed_at.
    confirmed = answer == "accepted" and _update(
        sa.update(Match)
        .where(Match.id == match.id, Match.first_status == "accepted", Match.second_status == "accepted",
               Match.confirmed_at.is_(None))
        .values(confirmed_at=now)
    )
    db.session.refresh(match)
    return Response(True, match_confirmations(match) if confirmed else [])


def respond_to_group(place: GroupMember, answer: str, reason: str | None = None) -> Response:
    """Record the answer of ``place``'s holder to their working-group invitation.

    The same rules as for matches: one conditional UPDATE, so repeating an
    answer changes nothing; a different answer, or any after the round
    closed, raises ``ResponseError``.
    """
    _check_answer(answer)
    values = {"status": answer, "responded_at": utcnow()}
    if answer == "declined":
        values["decline_reason"] = _clean_reason(reason)
    in_published = GroupMember.group_id.in_(
        sa.select(WorkingGroup.id).where(WorkingGroup.round_id.in_(_published_rounds()))
    )
    won = _update(
        sa.update(GroupMember)
        .where(GroupMember.group_id == place.group_id, GroupMember.member_id == place.member_id,
               GroupMember.status == "pending", in_published)
        .values(**values)
    )
    db.session.refresh(place)
    if not won:
        round_ = place.group.round
        db.session.refresh(round_)
        _explain_refusal(round_, place.status, answer, partner_declined=False)
    return Response(won)


def pending_count(member_id: int) -> int:
    """How many invitations ``member_id`` can still answer: matches and group places of published rounds.

    Two counting queries, for the header on every page.
    """
    answerable = sa.select(Round.id).where(Round.status_allows("answer"))
    matches = db.session.scalar(
        sa.select(sa.func.count()).select_from(Match).where(
            Match.round_id.in_(answerable),
            sa.or_(sa.and_(Match.first_id == member_id, Match.first_status == "pending",
                           Match.second_status != "declined"),
                   sa.and_(Match.second_id == member_id, Match.second_status == "pending",
                           Match.first_status != "declined")))
    )
    places = db.session.scalar(
        sa.select(sa.func.count()).select_from(GroupMember).join(WorkingGroup).where(
            GroupMember.member_id == member_id, GroupMember.status == "pending",
            WorkingGroup.round_id.in_(answerable))
    )
    return matches + places


def _published_rounds() -> sa.Select:
    """The published rounds' ids, share-locked (PostgreSQL): an answer and HR closing the round
    cannot interleave. Closing takes the row ``FOR UPDATE``, so an answer either lands before
    the close or waits for it and then finds the round closed."""
    return sa.select(Round.id).where(Round.status_allows("answer")).with_for_update(read=True)


def _update(statement) -> bool:
    """Run a conditional UPDATE; True when it changed the one row it aims at."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return result.rowcount == 1


def _check_answer(answer: str) -> None:
    if answer not in ANSWERS:
        raise ValueError(f"expected an answer in {ANSWERS}, got {answer!r}")


def _clean_reason(reason: str | None) -> str | None:
    return (reason or "").strip()[:REASON_LENGTH] or None


def _explain_refusal(round_: Round, status: str, answer: str, *, partner_declined: bool) -> None:
    """Why a conditional UPDATE changed nothing: raise, unless the answer was already given."""
    if round_.can("give_feedback"):
        raise RoundClosedError(_("“%(round)s” is closed, so answers are no longer recorded. "
                                 "If you still want to meet, contact HR.", round=round_.name))
    if not round_.can("answer"):
        raise ResponseError(_("This round is not open for answers."))
    if status == answer:
        return
    if status == "accepted":
        raise ResponseError(_("You already accepted this. If that was a mistake, contact HR."))
    if status != "pending":
        raise ResponseError(_("You already declined this. If that was a mistake, contact HR."))
    if partner_declined:
        raise ResponseError(_("Your partner declined this match, so it will not go ahead. "
                              "HR may offer you a new match."))
    raise ResponseError(_("Your answer could not be recorded; please try again."))
