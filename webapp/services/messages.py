"""Messages to members: by email when ``MAIL_SERVER`` is set, to the log otherwise.

The log fallback keeps the demo working offline: every message, link
included, appears in the application log. Texts exist in English and Thai;
a member gets their own language (``Member.locale``) and English otherwise.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app, has_request_context, url_for

from models import GroupMember, Match, Member
from webapp.services.matches import first_step, reasons_for

#: (subject, body) per message kind and language; ``str.format`` fills the fields.
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "match_invitation": {
        "en": (
            "CoPMatch: you have a new {role_noun} — {partner}",
            "Hello {name},\n\nIn the round \"{round}\" you were matched with {partner} ({partner_department})"
            " as your {role_noun}.\n\nWhy this match:\n{reasons}\n\n"
            "Please accept or decline here:\n{link}\n\nCoPMatch",
        ),
        "th": (
            "CoPMatch: คุณได้รับการจับคู่ใหม่ — {partner}",
            "สวัสดี {name}\n\nในรอบ \"{round}\" คุณได้รับการจับคู่กับ {partner} ({partner_department})"
            " ในฐานะ{role_noun_th}ของคุณ\n\nเหตุผลของการจับคู่:\n{reasons}\n\n"
            "กรุณาตอบรับหรือปฏิเสธที่:\n{link}\n\nCoPMatch",
        ),
    },
    "group_invitation": {
        "en": (
            "CoPMatch: you are invited to a working group",
            "Hello {name},\n\nYou are invited to working group {number} of \"{round}\" ({scope}).\n\n"
            "{explanation}\n\nSee who is in it, and accept or decline, here (no login needed;"
            " the link is yours alone and works until {expires}):\n{link}\n\nCoPMatch",
        ),
        "th": (
            "CoPMatch: คำเชิญเข้าร่วมกลุ่มทำงาน",
            "สวัสดี {name}\n\nคุณได้รับเชิญเข้าร่วมกลุ่มทำงานที่ {number} ของ \"{round}\" ({scope})\n\n"
            "{explanation}\n\nดูสมาชิกในกลุ่มและตอบรับหรือปฏิเสธได้ที่ลิงก์นี้ (ไม่ต้องเข้าสู่ระบบ"
            " ลิงก์นี้เป็นของคุณคนเดียวและใช้ได้ถึง {expires}):\n{link}\n\nCoPMatch",
        ),
    },
    "match_confirmed": {
        "en": (
            "CoPMatch: your match with {partner} is confirmed",
            "Hello {name},\n\nYou and {partner} have both accepted. You can reach {partner} at {email}.\n\n"
            "A first step: {first_step}\n\nYour matches: {link}\n\nCoPMatch",
        ),
        "th": (
            "CoPMatch: การจับคู่กับ {partner} ได้รับการยืนยันแล้ว",
            "สวัสดี {name}\n\nคุณและ {partner} ตอบรับทั้งสองฝ่ายแล้ว ติดต่อ {partner} ได้ที่ {email}\n\n"
            "ก้าวแรก: {first_step}\n\nการจับคู่ของคุณ: {link}\n\nCoPMatch",
        ),
    },
}

ROLE_NOUNS = {"mentor": ("mentor", "พี่เลี้ยง"), "learner": ("mentee", "ผู้เรียน"), "peer": ("peer partner", "คู่แลกเปลี่ยน")}


@dataclass(frozen=True)
class Message:
    """One message to one member, already in their language."""

    to: str
    name: str
    subject: str
    body: str


def compose(kind: str, member: Member, **fields) -> Message:
    """The message ``kind`` for ``member``, in their language where the text exists."""
    texts = TEXTS[kind]
    subject, body = texts.get(member.locale, texts["en"])
    fields.setdefault("name", member.display_name)
    return Message(member.email, member.display_name, subject.format(**fields), body.format(**fields))


def deliver(messages: list[Message]) -> int:
    """Send ``messages`` by SMTP when ``MAIL_SERVER`` is set, else write them to the log.

    Returns how many were handed over. One connection carries all of them.
    """
    if not messages:
        return 0
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        for message in messages:
            current_app.logger.info("Message to %s: %s\n%s", message.to, message.subject, message.body)
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
        reasons = "\n".join(f"- {text}" for text in reasons_for(match, member.id))
        messages.append(compose(
            "match_invitation", member, partner=partner.display_name,
            partner_department=partner.department or "—", round=match.round.name,
            role_noun=ROLE_NOUNS[role][0], role_noun_th=ROLE_NOUNS[role][1],
            reasons=reasons or "-", link=link("matches.index"),
        ))
    return messages


def group_invitation(place: GroupMember, raw_token: str) -> Message:
    """The invitation to a working group, carrying the member's own link."""
    group = place.group
    return compose(
        "group_invitation", place.member, number=group.number, round=group.round.name,
        scope=group.round.scope_name, explanation=group.explanation,
        expires=place.expires_at.date().isoformat(), link=link("matches.invitation", token=raw_token),
    )


def match_confirmations(match: Match) -> list[Message]:
    """Both sides accepted: each learns the other's email and a first step."""
    return [
        compose("match_confirmed", member, partner=partner.display_name, email=partner.email,
                first_step=first_step(match), link=link("matches.index"))
        for member, partner in ((match.first, match.second), (match.second, match.first))
    ]
