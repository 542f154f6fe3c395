"""Fixtures the web-app tests share: logged-in clients."""

from __future__ import annotations

import pytest


@pytest.fixture
def as_hr(client, auth, hr):
    """The test client, logged in as the HR account."""
    auth.login(hr.email)
    return client


@pytest.fixture
def as_member(client, auth, member):
    """The test client, logged in as the member สมชาย ใจดี."""
    auth.login(member.email)
    return client


@pytest.fixture
def inbox():
    """A local SMTP server on loopback; yields its inbox and port."""
    from aiosmtpd.controller import Controller

    from tests.webapp.mail import Inbox, free_port

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mail_app(make_app, inbox):
    """An app that sends its email to the local SMTP server (``inbox``)."""
    _, port = inbox
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="https://copmatch.example.org")


@pytest.fixture
def log_in_as(app):
    """Give ``client`` the session a log-in of ``member_id`` would (for accounts that cannot log in with
    a password: no password yet, single sign-on only, or an old session of an unconfirmed account)."""
    from flask_login.utils import _create_identifier

    from models import Member, db

    def _log_in_as(client, member_id: int) -> None:
        with app.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()  # the browser and address the session is bound to
        with app.app_context():
            login_id = db.session.get(Member, member_id).get_id()
        with client.session_transaction() as session:
            session.update({"_user_id": login_id, "_fresh": True, "_id": identifier})

    return _log_in_as
