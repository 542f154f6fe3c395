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
