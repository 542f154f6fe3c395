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
