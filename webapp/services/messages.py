"""Messages to members: by email when ``MAIL_SERVER`` is set, to the log otherwise.

The log fallback keeps the demo working offline: every message, link
included, appears in the application log (and only then: with a mail server,
no link is ever logged). Each message is written in its member's own language
(``Member.locale``), from subject to signature, whatever language the request
that caused it speaks. Every link comes from ``BASE_URL``, never from the
request's Host header.

A message never breaks the action that caused it: a builder that fails gives
a message marked unbuildable instead of an exception, one message the mail
server refuses does not stop the others, and ``deliver_after_commit`` reports
what failed (and records it in the audit trail) instead of raising.
"""

from __future__ import annotations

import email.errors
import smtplib
import ssl
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from models import GroupMember, Match, Member, db
from webapp.i18n import format_day, in_language
from webapp.services import audit
from webapp.services.labels import role_noun, scope_label
from webapp.services.reasons import first_step, group_purpose, group_summary, reason_lines
from webapp.services.text import text_problem, without_controls

#: Why a message did not go out (stored in the audit trail; the words are ``audit``'s).
UNBUILDABLE, BAD_ADDRESS, REFUSED, UNREACHABLE = "unbuildable", "bad_address", "refused", "unreachable"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, e.g. a calendar invitation (``text/calendar; method=REQUEST``)."""

    filename: str
    content_type: str  # "maintype/subtype", optionally followed by "; name=value" parameters
    data: bytes


@dataclass(frozen=True)
class Message:
    """One message to one member, already in their language.

    ``kind`` and ``member_id`` say what it is and for whom without personal data (for the
    log and the audit trail); ``problem`` is set on a message that could not be built.
    """

    to: str
    name: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    kind: str = "message"
    member_id: int | None = None
    problem: str | None = None
    key: str | None = None  # the outbox's idempotency key, once it is in the outbox (its Message-ID)


@dataclass(frozen=True)
class Failure:
    """A message that did not go out: to whom (an id), what it was and why (a code above)."""

    member_id: int | None
    kind: str
    reason: str
    key: str | None = None


@dataclass
class Delivery:
    """What delivering a batch did: how many went out, and each one that did not."""

    sent: int = 0
    failed: list[Failure] = field(default_factory=list)
    queued: int = 0  # in the outbox, for a background job to send
    sent_keys: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sent + len(self.failed) + self.queued

    @property
    def handed_over(self) -> int:
        """Sent, or in the outbox for a worker to send."""
        return self.sent + self.queued


class NotAllSent(RuntimeError):
    """Some messages of a batch did not go out; ``delivery`` says which and why (the others did)."""

    def __init__(self, delivery: Delivery):
        self.delivery = delivery
        reasons = Counter(failure.reason for failure in delivery.failed)
        super().__init__(f"{len(delivery.failed)} of {delivery.total} message(s) not sent: "
                         + ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items())))


def compose(member: Member, subject: str, body: str, kind: str = "message",
            attachments: tuple[Attachment, ...] = ()) -> Message:
    """A message to ``member``: ``subject`` and ``body`` already in their language, then the signature."""
    return Message(member.email, member.display_name, subject, body + "\n\n" + _("— CoPMatch"), attachments,
                   kind, member.id)


def built(kind: str, member: Member, build) -> Message:
    """``build()``'s message to ``member``, or one marked unbuildable: never an exception.

    The log names the kind of message, the member's id and the error's type, no personal data.
    """
    try:
        return build()
    except Exception as error:  # a message must not undo or crash the action that caused it
        current_app.logger.error("Could not build a %s message for member %s (%s)", kind, member.id,
                                 type(error).__name__)
        return Message("", "", "", "", (), kind, member.id, UNBUILDABLE)


def deliver(messages: list[Message]) -> int:
    """Send ``messages`` by SMTP when ``MAIL_SERVER`` is set, else write them to the log.

    One connection carries all of them; a message the server refuses, or whose address cannot
    be written in a header, does not stop the others. Returns how many were handed over;
    raises ``NotAllSent`` (after sending the rest) when some were not.
    """
    delivery = Delivery()
    ready = []
    for message in messages:
        if message.problem:
            delivery.failed.append(Failure(message.member_id, message.kind, message.problem, message.key))
        else:
            ready.append(message)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        for message in ready:  # the offline demo: the message, link included, in the log
            current_app.logger.info("Message to %s: %s\n%s%s", message.to, message.subject, message.body,
                                    "".join(f"\n[attached: {a.filename}]" for a in message.attachments))
        delivery.sent += len(ready)
        delivery.sent_keys += [message.key for message in ready if message.key]
    elif ready:
        _send_by_smtp(ready, config, delivery)
    if delivery.failed:
        raise NotAllSent(delivery)
    return delivery.sent


def _send_by_smtp(messages: list[Message], config, delivery: Delivery) -> None:
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException):
        delivery.failed += [Failure(m.member_id, m.kind, UNREACHABLE, m.key) for m in messages]
        return
    try:
        for index, message in enumerate(messages):
            try:
                mail = _email(message, config)
            except (ValueError, TypeError, email.errors.MessageError):
                delivery.failed.append(Failure(message.member_id, message.kind, BAD_ADDRESS, message.key))
                continue
            try:
                smtp.send_message(mail)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
                    smtplib.SMTPNotSupportedError, UnicodeError):
                delivery.failed.append(Failure(message.member_id, message.kind, REFUSED, message.key))
            except (OSError, smtplib.SMTPException):  # the connection is gone: none of the rest can go
                delivery.failed += [Failure(m.member_id, m.kind, UNREACHABLE, m.key) for m in messages[index:]]
                return
            else:
                delivery.sent += 1
                if message.key:
                    delivery.sent_keys.append(message.key)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def deliver_after_commit(messages: list[Message]) -> Delivery:
    """Put the messages of an action that is already committed in the outbox, and send them; never raises.

    The outbox (``webapp.services.outbox``) keeps every message until it is sent: a mail
    server that is down is tried again with back-off, and a message that fails for good is
    shown to HR with its reason. With ``JOBS_SYNC`` (the tests, and a deployment without
    workers that wants it) they are sent now and the delivery says how it went; otherwise
    a background job sends them and the delivery counts them as ``queued``.

    A failure never turns a saved action into an error page: what failed is logged (ids and
    reasons, no personal data), recorded in the audit trail in a transaction of its own, and
    returned, so the caller tells the user.
    """
    from webapp.services import outbox

    if not messages:
        return Delivery()
    try:
        return outbox.send(messages)
    except Exception as error:  # the outbox itself failed (the database is down): none can be known sent
        db.session.rollback()
        delivery = Delivery(failed=[Failure(m.member_id, m.kind, UNREACHABLE) for m in messages])
        current_app.logger.error("Putting messages in the outbox failed (%s)", type(error).__name__)
        report_failures(delivery)
        return delivery


def report_failures(delivery: Delivery) -> None:
    """Log and audit what did not go out (ids and reasons only)."""
    if not delivery.failed:
        return
    current_app.logger.error("Could not send %d message(s) of %d: %s", len(delivery.failed), delivery.total,
                             ", ".join(f"{f.kind} to member {f.member_id}: {f.reason}" for f in delivery.failed[:20]))
    audit.record_failed_messages(delivery.failed)


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


def header_text(text: str) -> str:
    """``text`` fit for an email header: control and bidi characters become spaces.

    Names are refused with them at the boundary; this keeps a name stored before that (or
    any other odd value) from breaking, or adding to, a message's headers.

    >>> header_text("Chaiwat\\r\\nBcc: attacker@evil.example")
    'Chaiwat Bcc: attacker@evil.example'
    """
    spaced = "".join(char if without_controls(char) else " " for char in text)
    return " ".join(spaced.split())


def _email(message: Message, config) -> EmailMessage:
    """The email for ``message``; raises ``ValueError`` for an address no header can carry."""
    if text_problem(message.to) or message.to.count("@") != 1 or " " in message.to:
        raise ValueError("not an email address")
    mail = EmailMessage()
    mail["From"] = config.get("MAIL_SENDER", "CoPMatch <copmatch@localhost>")
    mail["To"] = formataddr((header_text(message.name), message.to))
    mail["Subject"] = header_text(message.subject)
    if message.key:  # the same message, however often a worker tries, has the same Message-ID
        mail["Message-ID"] = f"<{message.key}@copmatch>"
    mail.set_content(message.body)  # UTF-8, so Thai names and texts arrive intact
    for attachment in message.attachments:
        kind, _sep, parameters = attachment.content_type.partition(";")
        maintype, subtype = kind.strip().split("/", 1)
        params = dict(part.strip().split("=", 1) for part in parameters.split(";") if "=" in part)
        mail.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename,
                            params=params)
    return mail


def link(endpoint: str, base_url: str | None = None, **values) -> str:
    """An absolute link for a message, built on ``BASE_URL`` (or ``base_url``), never on the
    request's Host header (which whoever sends the request chooses)."""
    parts = urlsplit(base_url or current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


# --- the round's messages -------------------------------------------------------------------


def match_invitations(match: Match) -> list[Message]:
    """One message to each side of a new match, with the reasons from their side."""
    def build(member: Member, partner: Member, role: str) -> Message:
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
            return compose(member, subject, body, "match_invitation")

    return [built("match_invitation", member, lambda: build(member, partner, role))
            for member, partner, role in ((match.first, match.second, match.second_role),
                                          (match.second, match.first, match.first_role))]


def group_invitation(place: GroupMember, raw_token: str) -> Message:
    """The invitation to a working group, carrying the member's own link."""
    def build() -> Message:
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
                     expires=format_day(place.expires_at), link=link("matches.open_invitation", token=raw_token))
            return compose(member, subject, body, "group_invitation")

    return built("group_invitation", place.member, build)


def match_confirmations(match: Match) -> list[Message]:
    """Both sides accepted: each learns the other's email and a first step."""
    def build(member: Member, partner: Member) -> Message:
        with in_language(member.locale):
            subject = _("CoPMatch: your match with %(partner)s is confirmed", partner=partner.display_name)
            body = _("Hello %(name)s,\n\nYou and %(partner)s have both accepted. You can reach %(partner)s at "
                     "%(email)s.\n\nA first step: %(first_step)s\n\nYour matches: %(link)s",
                     name=member.display_name, partner=partner.display_name, email=partner.email,
                     first_step=first_step(match, html=False), link=link("matches.index"))
            return compose(member, subject, body, "match_confirmation")

    return [built("match_confirmation", member, lambda: build(member, partner))
            for member, partner in ((match.first, match.second), (match.second, match.first))]
