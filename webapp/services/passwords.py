"""What makes a new password acceptable, and the one check every password form makes.

A password is refused when it is short, one of the 10,000 most common
passwords (``webapp/data/common-passwords.txt``), or contains the member's
email, the name part of it or their name: those are the first guesses of
anyone trying an account. Every refusal says why, in the reader's language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
#: Parts of an email's name or of a display name shorter than this are not checked on their own
#: ("an", "ko"): too many good passwords contain them by chance.
MIN_PART = 4


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case; lines starting with ``"# "`` are its header."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("# ") and line != "#")


def _folded(text: str) -> str:
    return "".join(text.split()).casefold()


def _personal_parts(email: str, display_name: str | None) -> tuple[list[str], list[str]]:
    """What a password must not contain: the email and its name part, and the name and its words."""
    local = email.strip().lower().partition("@")[0]
    email_parts = [email.strip().lower(), local] + [part for part in re.split(r"[._+-]+", local)
                                                    if len(part) >= MIN_PART]
    name_parts: list[str] = []
    if display_name and display_name.strip():
        name_parts = [_folded(display_name)] + [word.casefold() for word in display_name.split()
                                                if len(word) >= MIN_PART]
    return [p for p in email_parts if p], [p for p in name_parts if p]


def password_problem(password: str, email: str, display_name: str | None = None) -> str | None:
    """Why ``password`` cannot be used by the member with this email and name, or ``None``.

    >>> from flask import Flask
    >>> from flask_babel import Babel
    >>> app = Flask(__name__); _ = Babel(app)
    >>> with app.app_context():
    ...     password_problem("1234567890", "somchai@example.com")
    'This password is one of the 10,000 most common passwords, the first ones anyone would try. Choose another.'
    """
    if len(password) < MIN_LENGTH:
        return _("Use at least %(min)d characters.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Field cannot be longer than %(max)d characters.", max=MAX_LENGTH)
    folded = _folded(password)
    if password.strip().casefold() in common_passwords() or folded in common_passwords():
        return _("This password is one of the 10,000 most common passwords, the first ones anyone would try. "
                 "Choose another.")
    email_parts, name_parts = _personal_parts(email, display_name)
    if any(part in folded for part in email_parts):
        return _("The password must not contain your email address or its name part (%(part)s).",
                 part=email.strip().lower().partition("@")[0])
    if any(part in folded for part in name_parts):
        return _("The password must not contain your name.")
    return None
