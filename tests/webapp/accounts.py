"""Helpers for the account tests: finding a member, being logged in, and one-time links."""

from __future__ import annotations

import sqlalchemy as sa

from models import Member, db


def member_by_email(app, email: str) -> Member | None:
    """The member with ``email``, detached, as the database holds it now."""
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        if member is not None:
            db.session.expunge(member)
        return member


def logged_in(client) -> bool:
    """Whether ``client`` is logged in (its profile opens, or first asks for consent to the privacy notice)."""
    response = client.get("/profile")
    return response.status_code == 200 or response.headers.get("Location", "").startswith("/privacy/consent")


def log_in_as(app, client, member_id: int) -> None:
    """Give ``client`` the session a log-in of ``member_id`` would (for accounts that cannot log in with
    a password: no password yet, single sign-on only, or an old session of an unconfirmed account)."""
    from flask_login.utils import _create_identifier

    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # the browser and address the session is bound to
    with app.app_context():
        login_id = db.session.get(Member, member_id).get_id()
    with client.session_transaction() as session:
        session.update({"_user_id": login_id, "_fresh": True, "_id": identifier})


def account_links(app, member_id: int, signup_email: str = "malee@example.com") -> dict[str, str]:
    """Fresh tokens: a set-password and a reset link for the member, and a sign-up for ``signup_email``."""
    from webapp.services.accounts import issue_link
    from webapp.services.signups import request_signup

    with app.test_request_context():
        member = db.session.get(Member, member_id)
        links = {"set_password": issue_link(member, "set_password"), "reset_password": issue_link(member, "reset_password")}
        [message] = request_signup(signup_email, "มาลี ศรีสุข", "th")
        db.session.commit()
    links["signup"] = message.body.split("/auth/confirm/")[1].split()[0]
    return links
