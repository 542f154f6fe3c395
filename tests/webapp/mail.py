"""A local SMTP server for the tests (aiosmtpd on 127.0.0.1), and reading what it received."""

from __future__ import annotations

import email
import email.policy
import re
import socket


class Inbox:
    """An aiosmtpd handler that keeps every message it receives, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message, path: str) -> str:
    """The path (``/auth/...``) of the one link in ``message`` under ``path``."""
    [found] = re.findall(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]+)", body_of(message))
    return found
