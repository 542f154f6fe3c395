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
def sent(monkeypatch):
    """Messages the views and scheduled tasks deliver, collected instead of sent."""
    messages = []

    def collect(batch):
        messages.extend(batch)
        return len(batch)

    monkeypatch.setattr("webapp.services.messages.deliver", collect)
    return messages


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
    """``log_in_as(client, member_id)``: the session a log-in would give (see ``tests.webapp.accounts``)."""
    from tests.webapp.accounts import log_in_as as give_session

    return lambda client, member_id: give_session(app, client, member_id)
