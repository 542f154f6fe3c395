"""Glue between the member import service and the web/CLI: uploads and set-password emails."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from webapp.services import account_messages
from webapp.services.accounts import find_member_by_email
from webapp.services.importer import ImportResult
from webapp.services.messages import deliver_after_commit, link

UPLOAD_DIR = "imports"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
STALE_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / UPLOAD_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def keep_upload(data: bytes) -> str:
    """Store an uploaded file under a random name until HR confirms; returns the name."""
    folder = _folder()
    cutoff = time.time() - STALE_SECONDS
    for old in folder.glob("*.csv"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    name = secrets.token_hex(16)
    path = folder / f"{name}.csv"
    path.write_bytes(data)
    path.chmod(0o600)
    return name


def read_upload(name: str, expected_digest: str) -> bytes | None:
    """The stored upload, or None if it is gone or not the file that was previewed."""
    if len(name) != 32 or any(c not in "0123456789abcdef" for c in name):
        return None
    path = _folder() / f"{name}.csv"
    if not path.is_file():
        return None
    data = path.read_bytes()
    return data if secrets.compare_digest(digest(data), expected_digest) else None


def drop_upload(name: str) -> None:
    (_folder() / f"{name}.csv").unlink(missing_ok=True)


@dataclass(frozen=True)
class InvitationReport:
    """How the set-password links of an import went out."""

    #: Emails handed to the mail server (``None``: it could not be reached; 0 with no links).
    sent: int | None
    #: ``(email, name, link)`` to show HR, only when no mail server is set (the offline demo).
    links: list[tuple[str, str, str]]


def send_invitations(result: ImportResult) -> InvitationReport:
    """Email each new (or reclaimed) member their set-password link, in their language; after commit.

    The link goes to the member's address only: with a mail server set it is
    neither shown to HR nor written to the log. Without one (the offline demo)
    the messages are written to the log, as every message is, and HR also
    sees the links to pass on.
    """
    messages, links = [], []
    for email, name, token in result.invitations:
        member = find_member_by_email(email)
        messages.append(account_messages.welcome_link(member, token))
        links.append((email, name, link("auth.set_password", token=token)))  # on BASE_URL, never the Host
    delivery = deliver_after_commit(messages)
    sent = None if delivery.failed and not delivery.handed_over else delivery.handed_over
    return InvitationReport(sent, [] if current_app.config.get("MAIL_SERVER") else links)
