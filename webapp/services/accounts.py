"""Creating and finding member accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Member, db


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


def find_member_by_email(email: str) -> Member | None:
    """The member with this email, in any letter case."""
    return db.session.scalar(sa.select(Member).where(Member.email == email.strip().lower()))


def register_member(email: str, display_name: str, password: str, locale: str = "en") -> Member:
    """Create a member account speaking ``locale``; raises ``AccountError`` if the email is taken."""
    if find_member_by_email(email) is not None:
        raise AccountError(_("An account with this email already exists."))
    member = Member(email=email, display_name=display_name.strip(), role="member", locale=locale)
    member.set_password(password)
    db.session.add(member)
    return member


def make_hr(email: str, password: str | None, display_name: str | None = None) -> tuple[Member, bool]:
    """Create an HR account or promote an existing member; returns ``(member, created)``."""
    member = find_member_by_email(email)
    created = member is None
    if created:
        if not password:
            raise AccountError(_("A new HR account needs a password."))
        member = Member(email=email, display_name=display_name or email.split("@")[0])
        db.session.add(member)
    member.role = "hr"
    member.active = True
    if password:
        member.set_password(password)
    return member, created
