"""Members' consent to the privacy notice (Thailand's Personal Data Protection Act, PDPA)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import db, utcnow

if TYPE_CHECKING:
    from models.member import Member

#: What a member can consent to; the privacy notice is the one there is.
CONSENT_PURPOSES = ("privacy_notice",)


class ConsentRecord(db.Model):
    """A member agreed to one version of the privacy notice, at a time, in a language.

    Kept as a history: a new version of the notice adds a row and never changes an old one.
    """

    __tablename__ = "consent_records"
    __table_args__ = (sa.UniqueConstraint("member_id", "purpose", "notice_version", name="once_per_version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    purpose: so.Mapped[str] = so.mapped_column(sa.String(30), default="privacy_notice")
    notice_version: so.Mapped[str] = so.mapped_column(sa.String(20))
    # The language the notice was shown in when the member agreed.
    locale: so.Mapped[str] = so.mapped_column(sa.String(5))
    given_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    member: so.Mapped[Member] = so.relationship()
