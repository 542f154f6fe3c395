"""Glue between the member import service and the web/CLI: uploads and set-password links."""

from __future__ import annotations

import hashlib
import secrets
import time
from pathlib import Path

from flask import current_app, url_for

from webapp.services.importer import ImportResult

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


def invitation_links(result: ImportResult) -> list[tuple[str, str, str]]:
    """``(email, name, link)`` for each new member; each link is also written to the log."""
    links = []
    for email, name, token in result.invitations:
        link = url_for("auth.set_password", token=token, _external=True)
        current_app.logger.info("Set-password link for %s: %s", email, link)
        links.append((email, name, link))
    return links
