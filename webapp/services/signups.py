"""Joining by oneself (``REGISTRATION``): ask with an address, confirm by the link sent to it.

``closed`` (the production default): accounts come only from HR's import,
single sign-on or ``flask create-hr``. ``domains``: addresses in
``ALLOWED_EMAIL_DOMAINS`` may ask. ``open``: any address may ask (the offline
demo). In every mode the account is created only when the link sent to the
address is followed, and the password is chosen there: an address typed by
someone else gets them nothing, and the answer to the form is the same
whether or not the address already has an account.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from models import Member, Signup, db
from models.base import utcnow
from webapp.services import account_messages
from webapp.services.accounts import check_new_password, find_member_by_email, issue_link
from webapp.services.messages import Message
from webapp.services.tokens import hash_token, is_expired, new_token


def registration_mode() -> str:
    """``"closed"``, ``"domains"`` or ``"open"``; closed whenever password log-in is switched off."""
    config = current_app.config
    return config["REGISTRATION"] if config["PASSWORD_LOGIN"] else "closed"


def domain_allowed(email: str) -> bool:
    """True when ``ALLOWED_EMAIL_DOMAINS`` is empty or names the address's domain (exactly)."""
    domains = current_app.config["ALLOWED_EMAIL_DOMAINS"]
    return not domains or email.strip().lower().rpartition("@")[2] in domains


def may_ask(email: str) -> bool:
    """Whether the sign-up policy lets this address ask to join."""
    mode = registration_mode()
    return mode == "open" or (mode == "domains" and domain_allowed(email))


def request_signup(email: str, display_name: str, locale: str) -> list[Message]:
    """Record the request and return the one message it sends to the address.

    New address: a link to confirm it and choose a password. An address
    with an account: how to get in (a reset link), or, if nobody has
    confirmed the address yet, a link to choose the account's password.
    """
    email = email.strip().lower()
    member = find_member_by_email(email)
    if member is not None:
        if not member.active:
            return []
        if member.email_verified:
            return [account_messages.already_member(member, issue_link(member, "reset_password"))]
        if member.password_hash is None:  # imported by HR, password not chosen yet
            return [account_messages.welcome_link(member, issue_link(member, "set_password"))]
        return [account_messages.claim_link(member, issue_link(member, "set_password"))]
    now = utcnow()
    db.session.execute(sa.delete(Signup).where(Signup.expires_at < now))  # old requests are worth nothing
    raw, hashed = new_token()
    signup = Signup(email=email, display_name=" ".join(display_name.split()), locale=locale, token_hash=hashed,
                    expires_at=now + timedelta(hours=current_app.config["VERIFY_HOURS"]))
    db.session.add(signup)
    return [account_messages.signup_link(signup, raw)]


def find_signup(raw: str) -> Signup | None:
    """The sign-up a link's token names (used or not, expired or not)."""
    if not raw or len(raw) > 200:
        return None
    return db.session.scalar(sa.select(Signup).where(Signup.token_hash == hash_token(raw)))


def signup_usable(signup: Signup) -> bool:
    """Not used, not expired, and the address has no account meanwhile."""
    return signup.used_at is None and not is_expired(signup.expires_at) and find_member_by_email(signup.email) is None


def complete_signup(signup: Signup, password: str) -> Member | None:
    """Create the account, its address confirmed and its password chosen; ``None`` if the link was
    used meanwhile (by a second tab, or the address got an account).

    The link is spent by a conditional UPDATE and the account is created
    under the unique email, so two simultaneous uses create one account.
    """
    check_new_password(password, signup.email, signup.display_name)
    now = utcnow()
    spent = db.session.execute(
        sa.update(Signup).where(Signup.id == signup.id, Signup.used_at.is_(None), Signup.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return None
    member = Member(email=signup.email, display_name=signup.display_name, locale=signup.locale,
                    email_verified_at=now)
    member.set_password(password)
    try:
        with db.session.begin_nested():
            db.session.add(member)
    except IntegrityError:  # the address got an account since the link was sent
        return None
    return member


def refusal(email: str) -> str | None:
    """Why this address may not ask to join, for the form; ``None`` if it may."""
    if may_ask(email):
        return None
    domains = ", ".join("@" + domain for domain in current_app.config["ALLOWED_EMAIL_DOMAINS"])
    return _("Use your work email address (%(domains)s).", domains=domains)
