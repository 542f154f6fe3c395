"""Members: who they are, where they stand and how they take part."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from functools import lru_cache
from typing import Optional
from zoneinfo import available_timezones

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_property
from werkzeug.security import check_password_hash, generate_password_hash

from matcher.profiles import SENIORITY_BANDS
from models.base import db, one_of, utcnow
from models.community import CommunityMembership
from models.skill import LearningGoal, MemberSkill

ROLES = ("member", "hr")
LOCALES = ("en", "th")
#: What a one-time account link is for: choosing a first password (after an import, or to claim
#: an account whose address was never confirmed), or choosing a new one after "Forgot password".
TOKEN_PURPOSES = ("set_password", "reset_password")

#: Seniority bands, in order, are the matcher's (``SENIORITY_BANDS``, which counts them by
#: position): they are the stored values and the CHECK constraint's; people read ``SENIORITY_LABELS``.
#: Each band's label, in the language of the page that shows it.
SENIORITY_LABELS = {
    "Junior": _l("Junior"),
    "Mid-level": _l("Mid-level"),
    "Senior": _l("Senior"),
    "Lead": _l("Lead"),
    "Executive": _l("Executive"),
}

MAX_MENTOR_CAPACITY = 5

#: How an erased member is named wherever their past matches and groups are shown.
FORMER_MEMBER = _l("former member")


@lru_cache(maxsize=1)
def iana_time_zones() -> frozenset[str]:
    """Every IANA time-zone name this system knows."""
    return frozenset(available_timezones())


class Member(UserMixin, db.Model):
    """A person in the organisation who takes part in Communities of Practice."""

    __tablename__ = "members"
    __table_args__ = (
        one_of("role", ROLES, "role_known"),
        one_of("seniority", SENIORITY_BANDS, "seniority_known", nullable=True),
        sa.CheckConstraint(
            f"mentor_capacity BETWEEN 0 AND {MAX_MENTOR_CAPACITY}", name="mentor_capacity_range"
        ),
        sa.CheckConstraint(
            "years_experience IS NULL OR years_experience BETWEEN 0 AND 70", name="years_range"
        ),
        sa.CheckConstraint("manager_id IS NULL OR manager_id <> id", name="not_own_manager"),
        one_of("locale", LOCALES, "locale_known"),
        # One CoPMatch account per identity at the single sign-on provider.
        sa.UniqueConstraint("sso_issuer", "sso_subject"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Stored lower-case, so the unique constraint is case-insensitive.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    # Read and written as ``display_name`` (below), which names an erased member "former member".
    _display_name: so.Mapped[str] = so.mapped_column("display_name", sa.String(120))
    # Empty until the member sets a password (imported members get a link).
    password_hash: so.Mapped[Optional[str]] = so.mapped_column(sa.String(256))
    role: so.Mapped[str] = so.mapped_column(sa.String(10), default="member")
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # When the person holding the account proved they read mail at ``email`` (a link from us, or the
    # single sign-on provider's word). Password log-in needs it: nobody uses an address they do not own.
    email_verified_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # Part of the login cookie (Flask-Login's alternative id): a new value ends every session.
    session_token: so.Mapped[str] = so.mapped_column(sa.String(32), default=lambda: secrets.token_hex(16))
    # The single sign-on identity linked to this account (the provider's issuer and subject).
    sso_issuer: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    sso_subject: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))

    department: so.Mapped[Optional[str]] = so.mapped_column(sa.String(80), index=True)
    function: so.Mapped[Optional[str]] = so.mapped_column(sa.String(80))
    job_title: so.Mapped[Optional[str]] = so.mapped_column(sa.String(120))
    seniority: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    location: so.Mapped[Optional[str]] = so.mapped_column(sa.String(80))
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="Asia/Bangkok")
    languages: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    years_experience: so.Mapped[Optional[int]]
    manager_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )

    mentor_capacity: so.Mapped[int] = so.mapped_column(default=0)
    wants_mentor: so.Mapped[bool] = so.mapped_column(default=False)
    open_to_peer_swaps: so.Mapped[bool] = so.mapped_column(default=False)
    open_to_groups: so.Mapped[bool] = so.mapped_column(default=False)
    paused_until: so.Mapped[Optional[date]]
    # Language for messages: "en" or "th".
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), default="en")
    # When the member last said "keep matching me" (asked after two unanswered invitations).
    participation_confirmed_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    # Set when HR erased the member (PDPA): name, email and free text are gone, the row keeps
    # the figures it counts in, and the account can never log in again.
    erased_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))

    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    manager: so.Mapped[Optional[Member]] = so.relationship(
        remote_side=[id], back_populates="reports"
    )
    reports: so.Mapped[list[Member]] = so.relationship(back_populates="manager")
    skills: so.Mapped[list[MemberSkill]] = so.relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )
    goals: so.Mapped[list[LearningGoal]] = so.relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )
    memberships: so.Mapped[list[CommunityMembership]] = so.relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )

    @hybrid_property
    def display_name(self) -> str:
        """The member's name; "former member" (in the reader's language) once erased."""
        return str(FORMER_MEMBER) if self.erased_at is not None else self._display_name

    @display_name.inplace.setter
    def _set_display_name(self, name: str) -> None:
        self._display_name = name

    @display_name.inplace.bulk_dml
    @classmethod
    def _bulk_display_name(cls, mapping: dict, name: str) -> None:
        mapping["_display_name"] = name

    @display_name.inplace.expression
    @classmethod
    def _display_name_column(cls):
        return cls._display_name

    # -- validation at the model boundary -------------------------------------------------

    @so.validates("email")
    def _normalize_email(self, _key, email: str) -> str:
        email = email.strip().lower()
        if "@" not in email:
            raise ValueError(f"expected an email address, got {email!r}")
        return email

    @so.validates("timezone")
    def _check_timezone(self, _key, zone: str) -> str:
        if zone not in iana_time_zones():
            raise ValueError(f"expected an IANA time zone such as 'Asia/Bangkok', got {zone!r}")
        return zone

    @so.validates("role")
    def _check_role(self, _key, role: str) -> str:
        if role not in ROLES:
            raise ValueError(f"expected a role in {ROLES}, got {role!r}")
        return role

    @so.validates("languages")
    def _clean_languages(self, _key, languages: list[str]) -> list[str]:
        cleaned: list[str] = []
        for language in languages or []:
            language = language.strip()
            if language and language.casefold() not in {seen.casefold() for seen in cleaned}:
                cleaned.append(language)
        return cleaned

    # -- accounts -------------------------------------------------------------------------

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash (werkzeug's default), never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the login cookies carry: the id and the current session token (see ``end_sessions``)."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Log the member out everywhere: every session and "keep me logged in" cookie stops working."""
        self.session_token = secrets.token_hex(16)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active and self.erased_at is None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def unclaimed_password(self) -> bool:
        """A password was set without anyone proving they own the address (a sign-up never confirmed).

        Such a password may be an outsider's: when HR imports or promotes the address, it is cleared.
        """
        return self.password_hash is not None and self.email_verified_at is None

    @property
    def is_hr(self) -> bool:
        return self.role == "hr"

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.email}>"


class AccountToken(db.Model):
    """A one-time link for a member, e.g. to set a password after an import.

    Only a SHA-256 hash of the random token is stored, so a database leak
    does not leak working links.
    """

    __tablename__ = "account_tokens"
    __table_args__ = (one_of("purpose", TOKEN_PURPOSES, "purpose_known"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    member_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    purpose: so.Mapped[str] = so.mapped_column(sa.String(20), default="set_password")
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    used_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    member: so.Mapped[Member] = so.relationship()


class Signup(db.Model):
    """Someone asked to join: the account is created only once they follow the link sent to ``email``.

    Until then nothing exists that could log in or hold data, so asking for
    someone else's address gets the asker nothing. Only a hash of the link's
    token is stored; the link works once, until ``expires_at``.
    """

    __tablename__ = "signups"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), default="en")
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    used_at: so.Mapped[Optional[datetime]] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @so.validates("email")
    def _normalize_email(self, _key, email: str) -> str:
        return email.strip().lower()
