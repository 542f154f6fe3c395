"""The emails about an account: confirm a sign-up, choose a password, reset it.

Each is written in its reader's language (``locale``), from subject to
signature, and goes out through ``webapp.services.messages`` like every
other message. The links work once; only their hashes are stored.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from models import Member, Signup
from webapp.i18n import in_language
from webapp.services.messages import Message, compose, link


def signup_link(signup: Signup, raw_token: str) -> Message:
    """To someone who asked to join: follow the link to confirm the address and choose a password."""
    with in_language(signup.locale):
        subject = _("CoPMatch: confirm your email address")
        body = _("Hello %(name)s,\n\nSomeone, probably you, asked to join CoPMatch with this address. To confirm "
                 "it and choose your password, open this link (it works once, for %(hours)d hours):\n%(link)s\n\n"
                 "If it was not you, ignore this message: no account is made without this link.",
                 name=signup.display_name, hours=current_app.config["VERIFY_HOURS"],
                 link=link("auth.confirm_signup", token=raw_token))
        return compose(signup, subject, body)


def already_member(member: Member, raw_reset_token: str | None) -> Message:
    """To an address that asked to join but already has an account: how to get in instead."""
    with in_language(member.locale):
        subject = _("CoPMatch: you already have an account")
        if raw_reset_token:
            how = _("If you have forgotten your password, choose a new one here (the link works once, for "
                    "%(hours)d hours):\n%(link)s", hours=current_app.config["RESET_HOURS"],
                    link=link("auth.reset_password", token=raw_reset_token))
        else:
            how = _("Log in here: %(link)s", link=link("auth.login"))
        body = _("Hello %(name)s,\n\nSomeone, probably you, asked to join CoPMatch with this address, but it "
                 "already has an account.\n\n%(how)s\n\nIf it was not you, ignore this message: nothing has "
                 "changed.", name=member.display_name, how=how)
        return compose(member, subject, body)


def welcome_link(member: Member, raw_token: str) -> Message:
    """To a member HR added (by import or as HR): choose a password to start."""
    with in_language(member.locale):
        subject = _("CoPMatch: choose your password")
        body = _("Hello %(name)s,\n\nHR has given you an account on CoPMatch, where colleagues find mentors, "
                 "peer partners and working groups. Choose your password here (the link works once, for "
                 "%(days)d days):\n%(link)s", name=member.display_name,
                 days=current_app.config["INVITATION_DAYS"], link=link("auth.set_password", token=raw_token))
        return compose(member, subject, body)


def claim_link(member: Member, raw_token: str) -> Message:
    """To the address of an account never confirmed: choose the password, so the account is theirs."""
    with in_language(member.locale):
        subject = _("CoPMatch: confirm your email address")
        body = _("Hello %(name)s,\n\nThe CoPMatch account for this address was never confirmed. To confirm "
                 "that it is yours, choose its password here (the link works once, for %(days)d days):\n%(link)s"
                 "\n\nUntil then nobody can log in to it with a password.", name=member.display_name,
                 days=current_app.config["INVITATION_DAYS"], link=link("auth.set_password", token=raw_token))
        return compose(member, subject, body)


def reset_link(member: Member, raw_token: str) -> Message:
    """After "Forgot password": a link to choose a new one."""
    with in_language(member.locale):
        subject = _("CoPMatch: choose a new password")
        body = _("Hello %(name)s,\n\nSomeone, probably you, asked to reset your CoPMatch password. Choose a new "
                 "one here (the link works once, for %(hours)d hours):\n%(link)s\n\nIf it was not you, ignore "
                 "this message: your password stays as it is.", name=member.display_name,
                 hours=current_app.config["RESET_HOURS"], link=link("auth.reset_password", token=raw_token))
        return compose(member, subject, body)
