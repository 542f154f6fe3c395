"""Messages to members: by email when ``MAIL_SERVER`` is set, to the log otherwise.

The log fallback keeps the demo working offline: every message, link
included, appears in the application log. Each message is written in its
member's own language (``Member.locale``), from subject to signature,
whatever language the request that caused it speaks.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _

from models import GroupMember, Match, Member
from webapp.i18n import format_day, in_language
from webapp.services.labels import role_noun, scope_label
from webapp.services.reasons import first_step, group_purpose, group_summary, reason_lines


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, e.g. a calendar invitation (``text/calendar; method=REQUEST``)."""

    filename: str
    content_type: str  # "maintype/subtype", optionally followed by "; name=value" parameters
    data: bytes


@dataclass(frozen=True)
class Message:
    """One message to one member, already in their language."""

    to: str
    name: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


def compose(member: Member, subject: str, body: str, attachments: tuple[Attachment, ...] = ()) -> Message:
    """A message to ``member``: ``subject`` and ``body`` already in their language, then the signature."""
    return Message(member.email, member.display_name, subject, body + "\n\n" + _("— CoPMatch"), attachments)


def deliver(messages: list[Message]) -> int:
    """Send ``messages`` by SMTP when ``MAIL_SERVER`` is set, else write them to the log.

    Returns how many were handed over. One connection carries all of them.
    """
    if not messages:
        return 0
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        for message in messages:
            current_app.logger.info("Message to %s: %s\n%s%s", message.to, message.subject, message.body,
                                    "".join(f"\n[attached: {a.filename}]" for a in message.attachments))
        return len(messages)
    with _connect(config) as smtp:
        for message in messages:
            smtp.send_message(_email(message, config))
    return len(messages)


def deliver_after_commit(messages: list[Message]) -> int | None:
    """Send the messages of an action that is already committed; ``None`` if sending failed.

    A mail server that is down must not turn a saved action into an error
    page: the failure is logged and the caller tells the user.
    """
    try:
        return deliver(messages)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send %d message(s)", len(messages))
        return None


def _connect(config) -> smtplib.SMTP:
    host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT", 10))
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
    return smtp


def _email(message: Message, config) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config.get("MAIL_SENDER", "CoPMatch <copmatch@localhost>")
    email["To"] = formataddr((message.name, message.to))
    email["Subject"] = message.subject
    email.set_content(message.body)  # UTF-8, so Thai names and texts arrive intact
    for attachment in message.attachments:
        kind, _sep, parameters = attachment.content_type.partition(";")
        maintype, subtype = kind.strip().split("/", 1)
        params = dict(part.strip().split("=", 1) for part in parameters.split(";") if "=" in part)
        email.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename,
                             params=params)
    return email


def link(endpoint: str, **values) -> str:
    """An absolute link for a message, inside a request or not (CLI, job queue).

    Outside a request the address comes from ``BASE_URL``.
    """
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


# --- the round's messages -------------------------------------------------------------------


def match_invitations(match: Match) -> list[Message]:
    """One message to each side of a new match, with the reasons from their side."""
    messages = []
    for member, partner, role in ((match.first, match.second, match.second_role),
                                  (match.second, match.first, match.first_role)):
        with in_language(member.locale):
            reasons = "\n".join(f"- {line}" for line in reason_lines(match, member.id, html=False)) or "-"
            subject = _("CoPMatch: you have a new %(role)s — %(partner)s", role=role_noun(role),
                        partner=partner.display_name)
            body = _("Hello %(name)s,\n\nIn the round “%(round)s” you were matched with %(partner)s "
                     "(%(department)s) as your %(role)s.\n\nWhy this match:\n%(reasons)s\n\n"
                     "Please accept or decline here:\n%(link)s",
                     name=member.display_name, round=match.round.name, partner=partner.display_name,
                     department=partner.department or "—", role=role_noun(role), reasons=reasons,
                     link=link("matches.index"))
            messages.append(compose(member, subject, body))
    return messages


def group_invitation(place: GroupMember, raw_token: str) -> Message:
    """The invitation to a working group, carrying the member's own link."""
    group, member = place.group, place.member
    with in_language(member.locale):
        why = "\n".join(f"- {line}" for line in group_summary(group, html=False))
        subject = _("CoPMatch: you are invited to a working group")
        body = _("Hello %(name)s,\n\nYou are invited to working group %(number)d of “%(round)s” (%(scope)s).\n\n"
                 "%(purpose)s\n\nWhy this group:\n%(why)s\n\n"
                 "See who is in it, and accept or decline, here (no login needed; the link is yours alone and "
                 "works until %(expires)s):\n%(link)s",
                 name=member.display_name, number=group.number, round=group.round.name,
                 scope=scope_label(group.round), purpose=group_purpose(group), why=why or "-",
                 expires=format_day(place.expires_at), link=link("matches.invitation", token=raw_token))
        return compose(member, subject, body)


def match_confirmations(match: Match) -> list[Message]:
    """Both sides accepted: each learns the other's email and a first step."""
    messages = []
    for member, partner in ((match.first, match.second), (match.second, match.first)):
        with in_language(member.locale):
            subject = _("CoPMatch: your match with %(partner)s is confirmed", partner=partner.display_name)
            body = _("Hello %(name)s,\n\nYou and %(partner)s have both accepted. You can reach %(partner)s at "
                     "%(email)s.\n\nA first step: %(first_step)s\n\nYour matches: %(link)s",
                     name=member.display_name, partner=partner.display_name, email=partner.email,
                     first_step=first_step(match, html=False), link=link("matches.index"))
            messages.append(compose(member, subject, body))
    return messages
