"""The messages of a relationship, each in its member's language, and ``send``, the one way they go out.

Every message is composed with ``messages.compose`` inside
``in_language(member.locale)``, subject to signature; dates and times are
the reader's (their own time zone). ``send`` is the single place this
feature hands messages over, after the caller's commit: today straight to
``deliver_after_commit``; the background-work outbox takes it over.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import AttentionFlag, CheckIn, Match, Meeting, Member, Round, WorkingGroup
from models.relationship import CHECK_IN_ANSWERS
from webapp.i18n import format_day, format_moment, in_language
from webapp.services.labels import role_noun
from webapp.services.messages import Delivery, Message, compose, deliver_after_commit, link

#: The one-click answers of a check-in, as the email and the page word them.
CHECK_IN_WORDS = {
    "going_well": _l("We met: it is going well"),
    "slow": _l("We met, but it is slow going"),
    "not_meeting": _l("We are not meeting"),
    "need_help": _l("We need help"),
}


def send(messages: list[Message]) -> Delivery:
    """Hand ``messages`` over after the commit; what went out and what did not (logged, audited)."""
    return deliver_after_commit(messages)


def partner_of(match: Match, member: Member) -> Member:
    return match.second if match.first_id == member.id else match.first


def partner_role(match: Match, member: Member) -> str:
    """What the partner is to ``member``: "mentor", "mentee" or "peer partner"."""
    return role_noun(match.second_role if match.side_of(member.id) == "first" else match.first_role)


def _relationship_link(match: Match) -> str:
    return link("relationships.show", match_id=match.id)


# --- check-ins and nudges ---------------------------------------------------------------------


def check_in(check_in: CheckIn, match: Match, member: Member, raw_token: str) -> Message:
    """"Did you meet? How is it going?" with one link per answer, working without a login."""
    partner = partner_of(match, member)
    with in_language(member.locale):
        answers = "\n".join(f"- {CHECK_IN_WORDS[answer]}: {link('relationships.check_in', token=raw_token, answer=answer)}"
                            for answer in CHECK_IN_ANSWERS)
        subject = _("CoPMatch: how is it going with %(partner)s?", partner=partner.display_name)
        body = _("Hello %(name)s,\n\nDid you and your %(role)s %(partner)s meet? How is it going? One click "
                 "answers (no login needed; the links are yours alone and work until %(expires)s):\n\n%(answers)s\n\n"
                 "Your answer stays between you and HR. Log your sessions and see your agreement here:\n%(link)s",
                 name=member.display_name, role=partner_role(match, member), partner=partner.display_name,
                 expires=format_day(check_in.expires_at), answers=answers, link=_relationship_link(match))
        return compose(member, subject, body)


def nudge(match: Match, flag: AttentionFlag) -> list[Message]:
    """A gentle nudge to both members of a match that has gone quiet (nothing said about who answered what)."""
    messages = []
    for member in (match.first, match.second):
        partner = partner_of(match, member)
        with in_language(member.locale):
            subject = _("CoPMatch: time to meet %(partner)s again?", partner=partner.display_name)
            body = _("Hello %(name)s,\n\nWe have not seen a session with your %(role)s %(partner)s for a while. "
                     "A short call is enough to get going again: propose a time (you both get a calendar "
                     "invitation) or log a session you had, here:\n%(link)s\n\nIf something is in the way, you can "
                     "ask HR for help or end the match on the same page.",
                     name=member.display_name, role=partner_role(match, member), partner=partner.display_name,
                     link=_relationship_link(match))
            messages.append(compose(member, subject, body))
    return messages


def help_to_hr(flag: AttentionFlag, hr: list[Member], latest: str | None = None) -> list[Message]:
    """HR hears that a member needs help with a match; what they wrote comes with it."""
    match, asker = flag.match, flag.raised_by
    messages = []
    for person in hr:
        with in_language(person.locale):
            subject = _("CoPMatch: %(name)s asks for help with a match", name=asker.display_name if asker else "—")
            body = _("Hello %(name)s,\n\n%(asker)s asks for help with their match with %(partner)s "
                     "(“%(round)s”).\n\nWhat they wrote: %(note)s\n\nThe match: %(link)s\nEverything that needs "
                     "attention: %(list)s",
                     name=person.display_name, asker=asker.display_name if asker else "—",
                     partner=partner_of(match, asker).display_name if asker else "—", round=match.round.name,
                     note=(latest if latest is not None else flag.note) or "—", link=_relationship_link(match),
                     list=link("programme.attention_list"))
            messages.append(compose(person, subject, body))
    return messages


def match_ended(match: Match, partner: Member, by: Member) -> Message:
    """The partner learns the match has ended (never the reason, which is for HR)."""
    with in_language(partner.locale):
        subject = _("CoPMatch: your match with %(name)s has ended", name=by.display_name)
        body = _("Hello %(name)s,\n\n%(by)s has ended your match in “%(round)s”. Thank you for the time you gave it. "
                 "HR may offer you a new match; your other matches go on as before.\n\n%(link)s",
                 name=partner.display_name, by=by.display_name, round=match.round.name, link=link("matches.index"))
        return compose(partner, subject, body)


def ended_to_hr(match: Match, by: Member, hr: list[Member]) -> list[Message]:
    """HR hears a match ended early, and why; the mentor's place is free for a repair."""
    partner = partner_of(match, by)
    messages = []
    for person in hr:
        with in_language(person.locale):
            subject = _("CoPMatch: a match ended early (%(round)s)", round=match.round.name)
            body = _("Hello %(name)s,\n\n%(by)s ended their match with %(partner)s in “%(round)s”.\n\nReason (for HR "
                     "only): %(reason)s\n\nA repair of the round can offer both a new match. Everything that needs "
                     "attention: %(list)s",
                     name=person.display_name, by=by.display_name, partner=partner.display_name,
                     round=match.round.name, reason=match.end_reason or "—", list=link("programme.attention_list"))
            messages.append(compose(person, subject, body))
    return messages


# --- agreements and meetings ------------------------------------------------------------------


def agreement_to_confirm(match: Match, partner: Member, by: Member) -> Message:
    """The partner is asked to confirm the agreement ``by`` has just written or changed."""
    with in_language(partner.locale):
        subject = _("CoPMatch: %(name)s proposed your agreement", name=by.display_name)
        body = _("Hello %(name)s,\n\n%(by)s wrote down your agreement: the goals you work on, how often and how "
                 "you meet. Read it and confirm it, or change it, here:\n%(link)s",
                 name=partner.display_name, by=by.display_name, link=_relationship_link(match))
        return compose(partner, subject, body)


def meeting_invitations(meeting: Meeting, owner: Match | WorkingGroup, attendees: list[Member], by: Member,
                        *, cancel: bool = False) -> list[Message]:
    """Each attendee's invitation (or cancellation), the ``.ics`` attached, the time in their own zone."""
    from webapp.services.after_match.calendar import ics_attachment, invitation

    messages = []
    for member in attendees:
        with in_language(member.locale):
            summary = meeting_title(owner, member)
            when = format_moment(meeting.starts_at, member.timezone)
            page = _owner_link(owner)
            description = _("Proposed by %(name)s in CoPMatch: %(link)s", name=by.display_name, link=page)
            ics = ics_attachment(invitation(meeting, attendees, by, summary, description, cancel=cancel), cancel=cancel)
            if cancel:
                subject = _("CoPMatch: cancelled: %(title)s, %(when)s", title=summary, when=when)
                body = _("Hello %(name)s,\n\n%(by)s cancelled “%(title)s” on %(when)s. The attached file takes it "
                         "out of your calendar.\n\n%(link)s",
                         name=member.display_name, by=by.display_name, title=summary, when=when, link=page)
            else:
                subject = _("CoPMatch: invitation: %(title)s, %(when)s", title=summary, when=when)
                body = _("Hello %(name)s,\n\n%(by)s proposes “%(title)s” on %(when)s, for %(minutes)d minutes.%(place)s"
                         "\n\nOpen the attached invitation to add it to your calendar. Afterwards, log what you "
                         "worked on here:\n%(link)s",
                         name=member.display_name, by=by.display_name, title=summary, when=when,
                         minutes=meeting.minutes, place=_("\nWhere: %(place)s", place=meeting.place)
                         if meeting.place else "", link=page)
            messages.append(compose(member, subject, body, attachments=(ics,)))
    return messages


def meeting_title(owner: Match | WorkingGroup, reader: Member) -> str:
    """What a meeting is called in ``reader``'s calendar, in their language."""
    if isinstance(owner, WorkingGroup):
        return _("Working group %(number)d: meeting (%(round)s)", number=owner.number, round=owner.round.name)
    partner = partner_of(owner, reader)
    return _("CoPMatch session with %(partner)s (your %(role)s)", partner=partner.display_name,
             role=partner_role(owner, reader))


def _owner_link(owner: Match | WorkingGroup) -> str:
    if isinstance(owner, WorkingGroup):
        return link("relationships.group", group_id=owner.id)
    return _relationship_link(owner)


# --- the end of a round -----------------------------------------------------------------------


def feedback_open(round_: Round, member: Member) -> Message:
    """The round has ended: feedback is open."""
    with in_language(member.locale):
        subject = _("CoPMatch: “%(round)s” has ended: how did it go?", round=round_.name)
        body = _("Hello %(name)s,\n\n“%(round)s” ended on %(day)s. Feedback is open: did you meet, how useful was "
                 "it, and what did you try that worked? A practice note you share joins your community's body of "
                 "practice.\n\n%(link)s",
                 name=member.display_name, round=round_.name, day=format_day(round_.ends_on or round_.closed_at),
                 link=link("matches.feedback", round_id=round_.id))
        return compose(member, subject, body)


def reassessment(match: Match) -> list[Message]:
    """Both members are asked to measure the growth: the learner re-assesses, the other side gives a view."""
    messages = []
    for member in (match.first, match.second):
        partner = partner_of(match, member)
        learning = match.side_of(member.id) in match.learning_sides
        with in_language(member.locale):
            subject = _("CoPMatch: how much did you grow with %(partner)s?", partner=partner.display_name) if learning \
                else _("CoPMatch: how much did %(partner)s grow?", partner=partner.display_name)
            if learning:
                body = _("Hello %(name)s,\n\nYour match with %(partner)s has come to its end date. Where do you "
                         "stand now in the skills of your agreement (1–5)? Once you confirm, your profile takes the "
                         "new levels, so your next round starts from there.\n\n%(link)s",
                         name=member.display_name, partner=partner.display_name, link=_relationship_link(match))
            else:
                body = _("Hello %(name)s,\n\nYour match with %(partner)s has come to its end date. As their "
                         "%(role)s, where do you see them now in the skills of your agreement (1–5)?\n\n%(link)s",
                         name=member.display_name, partner=partner.display_name,
                         role=role_noun(match.second_role), link=_relationship_link(match))
            messages.append(compose(member, subject, body))
    return messages
