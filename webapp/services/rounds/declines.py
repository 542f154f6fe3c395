"""Telling the other side of a declined match that it will not go ahead (sent by a repair, once per match)."""

from __future__ import annotations

from flask_babel import gettext as _

from models import Match, Round
from webapp.i18n import in_language
from webapp.services.messages import Message, built, compose, link


def told_matches(round_: Round) -> set[int]:
    """The declined matches whose other side an earlier repair of this round already told."""
    return {match_id for entry in round_.notes if isinstance(entry, dict) and entry.get("kind") == "repaired"
            for match_id in entry.get("params", {}).get("told", ())}


def declined_notices(round_: Round, rematched: set[int]) -> tuple[list[Message], list[int]]:
    """A message to each member whose partner declined, not told before; and the matches told.

    ``rematched`` holds the members this repair offered someone new: their
    message says a new invitation follows.
    """
    told = told_matches(round_)
    messages, matches = [], []
    for match in round_.matches:
        if match.id is None or match.id in told or not match.declined:
            continue
        for side, other in (("first", "second"), ("second", "first")):
            if getattr(match, f"{side}_status") != "declined" and getattr(match, f"{other}_status") == "declined":
                member, partner = getattr(match, side), getattr(match, other)
                messages.append(built("match_declined", member,
                                      lambda m=member, p=partner, x=match: _notice(x, m, p, m.id in rematched)))
        matches.append(match.id)
    return messages, matches


def _notice(match: Match, member, partner, rematched: bool) -> Message:
    with in_language(member.locale):
        subject = _("CoPMatch: your match with %(partner)s will not go ahead", partner=partner.display_name)
        follow = (_("You have been offered a new match: its invitation comes in a separate email.") if rematched
                  else _("We could not find you a new match in this round; HR can see why and may help."))
        body = _("Hello %(name)s,\n\n%(partner)s declined the match in the round “%(round)s”, so it will not go "
                 "ahead.\n\n%(follow)s\n\nYour matches: %(link)s",
                 name=member.display_name, partner=partner.display_name, round=match.round.name, follow=follow,
                 link=link("matches.index"))
        return compose(member, subject, body, "match_declined")
