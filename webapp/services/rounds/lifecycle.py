"""A round's life after set-up: create, publish (invitations), repair declined places, close."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import GroupMember, Member, Round, db
from models.base import utcnow
from models.round import RoundStatus
from webapp.services import outbox
from webapp.services.messages import Message, group_invitation, match_invitations
from webapp.services.rounds.declines import declined_notices
from webapp.services.rounds.dates import check_dates, check_publishable, clean_purpose, default_dates
from webapp.services.rounds.groups import repair_groups
from webapp.services.rounds.guards import RoundError, get_round, require
from webapp.services.rounds.notes import note
from webapp.services.rounds.pairs import repair_pairs
from webapp.services.rounds.parameters import check_kind, merged_parameters
from webapp.services.tokens import new_token

#: The name a round gets when HR gives none, by kind; ``%(day)s`` is the ISO date.
_DEFAULT_NAMES = {
    "mentoring": _l("Mentoring round %(day)s"),
    "peer": _l("Peer round %(day)s"),
    "groups": _l("Groups round %(day)s"),
}


def default_round_name(kind: str, day: date | None = None) -> str:
    """The name a new round of ``kind`` gets when HR gives none, in the current language.

    It is stored as written, so it stays in the language of the HR member who created it.
    A second round of the same kind on the same day gets "(2)", then "(3)"..., so no two share it.
    """
    check_kind(kind)
    name = base = _DEFAULT_NAMES[kind] % {"day": (day or date.today()).isoformat()}
    taken = set(db.session.scalars(sa.select(Round.name).where(Round.name.startswith(base, autoescape=True))))
    number = 1
    while name in taken:
        number += 1
        name = f"{base} ({number})"
    return name


def create_round(kind: str, community_id: int | None, created_by: Member | None,
                 parameters: dict | None = None, name: str | None = None, *,
                 starts_on: date | None = None, ends_on: date | None = None, purpose: str | None = None) -> Round:
    """A new draft round; parameters and dates are checked now so a solve cannot trip on them later.

    Without dates the round starts today and runs its kind's default length.
    """
    check_kind(kind)
    default_start, default_end = default_dates(kind, starts_on)
    starts_on, ends_on = starts_on or default_start, ends_on or default_end
    check_dates(starts_on, ends_on)
    round_ = Round(
        kind=kind, community_id=community_id, created_by=created_by,
        parameters=merged_parameters(kind, parameters),
        name=name or default_round_name(kind), starts_on=starts_on, ends_on=ends_on,
        purpose=clean_purpose(purpose) if kind == "groups" else None,
    )
    db.session.add(round_)
    db.session.flush()
    return round_


@dataclass
class Publication:
    """What ``publish_round`` did: whether this call published, and the messages to send.

    The messages carry the raw invitation links, which exist nowhere else:
    deliver them after the transaction commits.
    """

    published: bool
    messages: list[Message] = field(default_factory=list)


def publish_round(round_id: int, invitation_days: int | None = None) -> Publication:
    """Publish a solved round: each match and group place becomes an invitation.

    Idempotent, also under concurrency: the status moves from solved to
    published in one conditional UPDATE, which only one transaction can win
    (PostgreSQL makes the loser wait for the winner's commit and then finds
    nothing to update; SQLite serialises writers). The loser creates nothing.
    """
    round_ = get_round(round_id)
    if round_.was_published:
        return Publication(False)
    check_can_publish(round_)
    won = db.session.execute(
        sa.update(Round).where(Round.id == round_id, Round.status_allows("publish"))
        .values(status=RoundStatus.PUBLISHED, published_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(round_)
    if not won:
        return Publication(False)
    messages = _invite(round_, round_.matches, [p for g in round_.groups for p in g.members],
                       _days(invitation_days))
    return Publication(True, messages)


def check_can_publish(round_: Round) -> None:
    """``RoundError`` saying why ``round_`` cannot be published now: its status, its dates, or a
    result that invites nobody (an empty result cannot be published)."""
    require(round_, "publish")
    check_publishable(round_)
    if not round_.matches and not round_.groups:
        raise RoundError(_("Nothing to publish: this result has no matches or groups, so nobody would be invited. "
                           "Widen the scope or change the parameters, and solve again."))


def _days(invitation_days: int | None) -> int:
    return invitation_days if invitation_days is not None else current_app.config["INVITATION_DAYS"]


def _invite(round_: Round, matches, places, days: int) -> list[Message]:
    """Invitation messages for new matches, and a fresh link for each new group place."""
    db.session.flush()  # new rows get their ids and can load the members they point to
    member_ids = {m for match in matches for m in (match.first_id, match.second_id)} | {p.member_id for p in places}
    db.session.scalars(sa.select(Member).where(Member.id.in_(member_ids))).all()  # one query, not one per message
    expires = utcnow() + timedelta(days=days)
    links = []
    for place in places:
        raw, place.token_hash = new_token()
        place.invited_at, place.expires_at = utcnow(), expires
        links.append((place, raw))
    db.session.flush()
    messages = []
    with db.session.no_autoflush:  # building reads only: no flush before every lazy load
        for match in matches:
            messages.extend(match_invitations(match))
        for place, raw in links:
            messages.append(group_invitation(place, raw))
    return outbox.stage(messages)  # in the outbox in this same transaction: no invitation is lost


@dataclass
class Repair:
    """What ``repair_round`` did: who was offered a new match or group, who was left over and why, who was told."""

    rematched: int
    left_over: int
    messages: list[Message] = field(default_factory=list)
    rematched_ids: list[int] = field(default_factory=list)
    left: list[dict] = field(default_factory=list)  # ``Round.unmatched`` entries: who, and the diagnosis
    notices: list[Message] = field(default_factory=list)  # to members whose partner declined

    @property
    def told(self) -> int:
        """How many members are told that their partner declined."""
        return len(self.notices)


def repair_round(round_id: int, invitation_days: int | None = None) -> Repair:
    """Re-match only the members whose match or group place was declined.

    Accepted and pending matches stay as they are; declined ones stay on
    record (so the pair is never proposed again). Both sides of a declined
    match are offered someone new if they are still eligible; a member who
    declined a group is offered the group with room that they diversify most.
    Who is left over joins the round's unmatched list with the matcher's
    diagnosis, and the other side of each declined match is told, once.
    """
    round_ = get_round(round_id, for_update=True)
    require(round_, "repair")
    days = _days(invitation_days)
    told: list[int] = []
    if round_.kind == "groups":
        places, left = repair_groups(round_)
        messages = _invite(round_, [], places, days)
        rematched_ids = [p.member_id for p in places]
        notices = []
    else:
        matches, left = repair_pairs(round_)
        messages = _invite(round_, matches, [], days)
        rematched_ids = sorted({m for match in matches for m in (match.first_id, match.second_id)})
        notices, told = declined_notices(round_, set(rematched_ids))
    again = set(rematched_ids) | {entry["member_id"] for entry in left}
    round_.unmatched = [entry for entry in round_.unmatched if entry.get("member_id") not in again] + left
    round_.notes = [*round_.notes, note("repaired", at=utcnow().isoformat(), rematched=len(rematched_ids),
                                        left_over=len(left), told=told)]
    db.session.flush()
    return Repair(len(rematched_ids), len(left), messages, rematched_ids, left, notices)


def send_new_link(round_id: int, group_id: int, member_id: int, invitation_days: int | None = None) -> Message:
    """A fresh invitation link for a member who has not answered: the old one stops working.

    For a link that never arrived (a message that could not be sent is in the audit trail)
    or was lost: only the hash of a link is stored, so a new link is the way to a new message.
    """
    round_ = get_round(round_id)
    require(round_, "new_link")
    place = db.session.get(GroupMember, (group_id, member_id))
    if place is None or place.group.round_id != round_id:
        raise RoundError(_("That member has no place in this round's groups."))
    if place.status != "pending":
        raise RoundError(_("“%(name)s” has already answered, so needs no new link.", name=place.member.display_name))
    [message] = _invite(round_, [], [place], _days(invitation_days))
    return message


def close_round(round_id: int) -> Round:
    """End a published round; feedback opens."""
    round_ = get_round(round_id, for_update=True)
    require(round_, "close")
    round_.status = RoundStatus.CLOSED
    round_.closed_at = utcnow()
    db.session.flush()
    return round_
