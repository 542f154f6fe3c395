"""Member accounts: finding, logging in, one-time links, claiming and HR accounts.

Rules that hold everywhere here:

* Password log-in needs a verified address (``Member.email_verified_at``):
  a link we sent to it was followed, or the single sign-on provider vouched
  for it. An account whose password was set by someone who never proved the
  address (``Member.unclaimed_password``, left by sign-ups made before
  addresses were confirmed) is *reclaimed* when HR imports or promotes the
  address: its sessions end, its password is cleared, and a set-password
  link goes to the address itself.
* An answer never tells whether an address has an account: unknown emails
  cost the same password hash as known ones, and forms that send links say
  the same thing either way.
* One-time links are 256 random bits stored as a hash (``webapp.services.tokens``);
  using one is a conditional UPDATE, so of two simultaneous uses one wins.

Functions flush and never commit; the caller commits and then delivers the
returned messages (``webapp.services.messages.deliver_after_commit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from models import AccountToken, Member, db
from models.base import utcnow
from webapp.services import account_messages
from webapp.services.messages import Message
from webapp.services.passwords import password_problem
from webapp.services.tokens import hash_token, new_token

#: A hash of a password nobody has, checked when the email is unknown (or has no password), so that
#: a wrong guess costs the same time whether or not the account exists.
_NOBODY = generate_password_hash("no account has this password: " + new_token()[0])


class AccountError(ValueError):
    """An account cannot be created or changed as asked (the message says why)."""


class WeakPassword(AccountError):
    """The password is refused by the password rules (``webapp.services.passwords``)."""


def find_member_by_email(email: str) -> Member | None:
    """The member with this email, in any letter case."""
    return db.session.scalar(sa.select(Member).where(Member.email == email.strip().lower()))


def check_new_password(password: str, email: str, display_name: str | None) -> None:
    """Raise ``WeakPassword`` saying why, if the rules refuse ``password`` for this person."""
    if problem := password_problem(password, email, display_name):
        raise WeakPassword(problem)


# --- logging in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginAttempt:
    """What a password log-in found: ``member`` when the password was right for an active account,
    whether that account may log in (its address is confirmed), and ``known``: the account the
    email belongs to, whatever the password (failed log-ins are counted per account)."""

    member: Member | None = None
    may_log_in: bool = False
    known: Member | None = None


def authenticate(email: str, password: str) -> LoginAttempt:
    """Check ``password`` for ``email``, taking the same time whatever the account (or none) is."""
    member = find_member_by_email(email)
    stored = member.password_hash if member is not None and member.password_hash else _NOBODY
    correct = check_password_hash(stored, password) and stored is not _NOBODY
    if not correct or not member.is_active:
        return LoginAttempt(known=member)
    return LoginAttempt(member, may_log_in=member.email_verified, known=member)


def change_password(member: Member, current: str, new: str) -> None:
    """A logged-in member changes their password; every other session of theirs ends."""
    if not member.check_password(current):
        raise AccountError(_("That is not your current password."))
    check_new_password(new, member.email, member.display_name)
    member.set_password(new)
    member.end_sessions()


# --- one-time links --------------------------------------------------------------------------


def issue_link(member: Member, purpose: str) -> str:
    """A new one-time link token for ``member`` (``"set_password"`` or ``"reset_password"``); returns it raw.

    A set-password link works ``INVITATION_DAYS`` days; a reset link ``RESET_HOURS`` hours.
    """
    config = current_app.config
    lifetime = (timedelta(hours=config["RESET_HOURS"]) if purpose == "reset_password"
                else timedelta(days=config["INVITATION_DAYS"]))
    raw, hashed = new_token()
    db.session.add(AccountToken(member=member, purpose=purpose, token_hash=hashed, expires_at=utcnow() + lifetime))
    return raw


def find_link(raw: str, purposes: tuple[str, ...]) -> AccountToken | None:
    """The link record for ``raw`` if it is one of ``purposes`` (used or not, expired or not)."""
    if not raw or len(raw) > 200:
        return None
    return db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == hash_token(raw), AccountToken.purpose.in_(purposes))
    )


def link_usable(record: AccountToken) -> bool:
    """Not used, not expired, and its member still active."""
    from webapp.services.tokens import is_expired

    return record.used_at is None and not is_expired(record.expires_at) and record.member.active


def set_password_from_link(record: AccountToken, password: str) -> bool:
    """Use the link to set the member's password; ``False`` if the link was used (or expired) meanwhile.

    The link is spent by one conditional UPDATE (``WHERE used_at IS NULL AND
    expires_at > now``): of two simultaneous uses exactly one changes the row,
    and only that one sets a password. Following a link we sent proves the
    address; the member's other links stop working and every session ends.
    """
    member = record.member
    check_new_password(password, member.email, member.display_name)
    now = utcnow()
    spent = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == record.id, AccountToken.used_at.is_(None), AccountToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return False
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.member_id == member.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    member.set_password(password)
    member.email_verified_at = member.email_verified_at or now
    member.end_sessions()
    return True


def request_password_reset(email: str) -> list[Message]:
    """The message "Forgot password" sends: a reset link if the address has an active account, else none.

    The page says the same either way, so it tells nobody which addresses have accounts.
    """
    member = find_member_by_email(email)
    if member is None or not member.active:
        return []
    return [account_messages.reset_link(member, issue_link(member, "reset_password"))]


def confirmation_needed(member: Member) -> list[Message]:
    """The right password for an address never confirmed: send a link to the address to claim it.

    The link lets whoever reads that mailbox choose the password; the one
    typed now, set by someone who never proved the address, stops counting.
    """
    return [account_messages.claim_link(member, issue_link(member, "set_password"))]


# --- claiming and HR accounts ----------------------------------------------------------------


def reclaim(member: Member) -> None:
    """End an unconfirmed password's hold on the address: sessions end, the password is cleared.

    Called when HR imports or promotes the address; the caller sends the
    address a set-password link (``issue_link``).
    """
    member.password_hash = None
    member.end_sessions()


@dataclass
class HrAccount:
    """What ``make_hr`` did, for the command to report."""

    member: Member
    created: bool = False
    reclaimed: bool = False
    password_set: bool = False
    messages: list[Message] = field(default_factory=list)


def make_hr(email: str, password: str | None, display_name: str | None = None) -> HrAccount:
    """Create an HR account for ``email``, or give its existing account the HR role.

    An existing account is never handed to whoever runs the command: its own
    password stays as it is (``password`` is used only when the account has
    none), and an unconfirmed one is reclaimed first. An account left without
    a password gets a set-password link by email. Every session of a promoted
    account ends, so its holder logs in again under the new role.
    """
    member = find_member_by_email(email)
    if member is None:
        if not password and current_app.config["PASSWORD_LOGIN"]:
            raise AccountError(_("A new HR account needs a password."))
        member = Member(email=email, display_name=(display_name or email.split("@")[0]).strip(), role="hr",
                        email_verified_at=utcnow())
        if password:
            check_new_password(password, member.email, member.display_name)
            member.set_password(password)
        db.session.add(member)
        return HrAccount(member, created=True, password_set=bool(password))
    outcome = HrAccount(member)
    if member.unclaimed_password:
        reclaim(member)
        outcome.reclaimed = True
    member.role = "hr"
    member.active = True
    member.end_sessions()
    if member.password_hash is None and current_app.config["PASSWORD_LOGIN"]:
        if password:
            check_new_password(password, member.email, member.display_name)
            member.set_password(password)
            member.email_verified_at = member.email_verified_at or utcnow()
            outcome.password_set = True
        else:
            outcome.messages.append(account_messages.welcome_link(member, issue_link(member, "set_password")))
    return outcome
