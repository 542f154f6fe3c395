"""Single sign-on: which CoPMatch account an identity the provider vouched for may use.

The ID token has been verified before this is called (signature, issuer,
audience, expiry, nonce: ``webapp.auth.sso``). Here: the email must be
verified by the provider and, when ``ALLOWED_EMAIL_DOMAINS`` is set, within
it. The first log-in links the identity to the account with that email
(imported by HR, or created by ``create-hr``); an account whose password was
set by someone who never proved the address is reclaimed first (its
password cleared, its sessions ended), never taken over as it is. A new
address gets a new account: accounts come from the HR import, single
sign-on or ``create-hr``, whatever ``REGISTRATION`` says.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Member, db
from models.base import utcnow
from webapp.services.accounts import find_member_by_email, reclaim


class SsoRefused(ValueError):
    """The identity may not log in; the message says why, for the person trying, and ``status`` is the
    HTTP status of the page that says it."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Identity:
    """What a verified ID token says about the person."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None

    @classmethod
    def from_claims(cls, issuer: str, claims: dict) -> Identity:
        """Read the standard claims; Entra ID's ``xms_edov`` (email domain owner verified) counts as verified."""
        email = claims.get("email")
        return cls(issuer=issuer, subject=str(claims["sub"]), email=email.strip().lower() if email else None,
                   email_verified=_true(claims.get("email_verified")) or _true(claims.get("xms_edov")),
                   name=_name(claims))


def _true(value) -> bool:
    """Providers send a JSON boolean, some a string."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _name(claims: dict) -> str | None:
    name = claims.get("name") or " ".join(part for part in (claims.get("given_name"), claims.get("family_name"))
                                          if part)
    return " ".join(str(name).split())[:120] or None


def member_for(identity: Identity, allowed_domains: tuple[str, ...], locale: str) -> Member:
    """The account ``identity`` logs in to, linked (and created) on its first log-in."""
    if not identity.email:
        raise SsoRefused(_("The sign-in service did not give CoPMatch your email address, so it cannot tell "
                           "which account is yours. Ask your IT team to release the email claim."))
    if not identity.email_verified:
        raise SsoRefused(_("The sign-in service has not verified that %(email)s is your address, so CoPMatch "
                           "cannot use it. Verify the address there, or ask your IT team.", email=identity.email))
    domain = identity.email.rpartition("@")[2]
    if allowed_domains and domain not in allowed_domains:
        raise SsoRefused(_("CoPMatch here is for addresses at %(domains)s; %(email)s is not one of them.",
                           domains=", ".join("@" + d for d in allowed_domains), email=identity.email))
    member = db.session.scalar(sa.select(Member).where(Member.sso_issuer == identity.issuer,
                                                       Member.sso_subject == identity.subject))
    if member is None:
        member = _link(identity, locale)
    if not member.active:
        raise SsoRefused(_("Your CoPMatch account is deactivated. If you think that is a mistake, contact HR."))
    return member


def _link(identity: Identity, locale: str) -> Member:
    """First log-in: link the account with the identity's email, or create one."""
    member = find_member_by_email(identity.email)
    if member is None:
        member = Member(email=identity.email, display_name=identity.name or identity.email.partition("@")[0],
                        locale=locale, email_verified_at=utcnow())
        db.session.add(member)
    elif member.sso_subject is not None:
        raise SsoRefused(_("The CoPMatch account for %(email)s is linked to another sign-in identity. Contact HR.",
                           email=identity.email))
    elif member.unclaimed_password:
        reclaim(member)
    member.sso_issuer, member.sso_subject = identity.issuer, identity.subject
    member.email_verified_at = member.email_verified_at or utcnow()
    db.session.flush()
    return member
