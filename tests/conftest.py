"""Fixtures in the Flask tutorial's style: app, client, runner and auth.

Database tests run once per backend: SQLite always, and PostgreSQL too when
``TEST_DATABASE_URL`` is set. Each run makes its own uniquely named
PostgreSQL database and drops it afterwards, so runs never collide.
"""

from __future__ import annotations

import html
import os
import re
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from flask.testing import FlaskClient

from models import Member, db
from webapp import create_app

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

PASSWORD = "correct horse battery"
_PASSWORD_HASH = generate_password_hash(PASSWORD)  # hash once: scrypt is slow on purpose


def visible_text(page: str) -> str:
    """A page's text as a reader sees it: tags dropped (inline ones without a gap), entities decoded,
    white space folded."""
    inline = re.sub(r"</?(?:strong|em|b|i|span|a|small|code|abbr)\b[^>]*>", "", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


@contextmanager
def new_postgres_database():
    """Create an empty, uniquely named database next to TEST_DATABASE_URL; drop it after."""
    from webapp.config import database_url

    base = sa.make_url(database_url(os.environ["TEST_DATABASE_URL"], instance=None))
    name = f"copmatch_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    with new_postgres_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'copmatch.db'}"  # a file, so several apps share it


class ClosingClient(FlaskClient):
    """A test client that reads each response whole and closes it, as a WSGI server does once it has
    sent it, so work a view leaves for after the response (sending email) has run when a test looks."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture
def make_app(database_url):
    """A factory for apps on this test's database; tables are emptied afterwards."""
    apps = []

    def _make_app(**overrides):
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            # Rate limits are off, so a test can log in as often as it needs;
            # tests/webapp/test_rate_limits.py switches them on.
            "RATELIMIT_ENABLED": False,
        }
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = ClosingClient
        with app.app_context():
            db.create_all()
        apps.append(app)
        return app

    yield _make_app
    for app in apps:
        with app.app_context():
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                with db.engine.begin() as connection:
                    connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def ctx(app):
    """An application context for calling services and models directly; yields the app."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_member(app):
    """A factory for members, committed, whose password is ``PASSWORD`` and whose address is confirmed
    (pass ``email_verified_at=None`` for one whose address nobody has confirmed, ``password_hash=None``
    for one imported by HR who has not chosen a password yet).

    They have agreed to the current privacy notice, unless ``consented=False``.
    """
    from models import ConsentRecord
    from webapp.services.privacy import NOTICE_VERSION

    counter = iter(range(1, 1_000_000))

    def _make_member(consented: bool = True, **fields) -> Member:
        number = next(counter)
        fields.setdefault("email", f"member{number}@example.com")
        fields.setdefault("display_name", f"Member {number}")
        fields.setdefault("email_verified_at", datetime.now(timezone.utc))
        fields.setdefault("password_hash", _PASSWORD_HASH)
        with app.app_context():
            member = Member(**fields)
            db.session.add(member)
            db.session.flush()
            if consented:
                db.session.add(ConsentRecord(member_id=member.id, notice_version=NOTICE_VERSION,
                                             locale=member.locale or "en"))
            db.session.commit()
            db.session.refresh(member)
            db.session.expunge(member)
        return member

    return _make_member


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD, next_url: str | None = None):
        url = "/auth/login" + (f"?next={next_url}" if next_url else "")
        return self._client.post(url, data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/auth/logout")


def client_for(app, member):
    """A fresh test client of ``app``, logged in as ``member``."""
    client = app.test_client()
    AuthActions(client).login(member.email)
    return client


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def member(make_member):
    return make_member(email="somchai@example.com", display_name="สมชาย ใจดี")


@pytest.fixture
def hr(make_member):
    return make_member(email="hr@example.com", display_name="Pranee HR", role="hr")
