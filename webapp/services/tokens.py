"""Unguessable one-time tokens: 256 random bits, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone


def new_token() -> tuple[str, str]:
    """Return ``(raw, hash)``: give out the raw token, store only the hash."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def is_expired(expires_at: datetime, now: datetime | None = None) -> bool:
    """True once ``expires_at`` has passed (naive times are taken as UTC)."""
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=timezone.utc)
    return (now or datetime.now(timezone.utc)) >= expires_at
