"""Sessions that end: a replayed cookie is logged out after log-out, a password or role change and
deactivation; cookies are HttpOnly, SameSite=Lax and Secure in production; the CSRF token is new
after log-in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import Member, db
from tests.conftest import PASSWORD
from tests.webapp.accounts import logged_in
from webapp.config import ConfigurationError

NEW_PASSWORD = "a brand new password"


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


def replay(app, cookies: dict[str, str], user_agent: str | None = None):
    """A fresh browser (or an attacker's) sending copies of ``cookies``; returns it."""
    other = app.test_client()
    if user_agent:
        other.environ_base["HTTP_USER_AGENT"] = user_agent
    for name, value in cookies.items():
        if value:
            other.set_cookie(name, value)
    return other


def log_in(client, email: str, password: str = PASSWORD, remember: bool = False):
    data = {"email": email, "password": password} | ({"remember_me": "y"} if remember else {})
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def stolen(app, member):
    """A member logged in with "keep me logged in", and copies of their two cookies."""
    client = app.test_client()
    log_in(client, member.email, remember=True)
    copies = {"session": cookie(client, "session"), "remember_token": cookie(client, "remember_token")}
    assert copies["session"] and copies["remember_token"]
    assert logged_in(replay(app, copies))  # the copies work while the session lasts
    return client, copies


def test_after_log_out_a_replayed_session_or_remember_cookie_is_logged_out(app, stolen):
    client, copies = stolen
    assert client.post("/auth/logout").status_code == 302
    assert not logged_in(client)
    assert not logged_in(replay(app, {"session": copies["session"]}))
    assert not logged_in(replay(app, {"remember_token": copies["remember_token"]}))
    assert not logged_in(replay(app, copies, user_agent="Mozilla/5.0 (another browser)"))


def test_a_session_cookie_from_another_browser_is_refused(app, member):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (the member's browser)"
    log_in(client, member.email)
    assert logged_in(client)
    assert not logged_in(replay(app, {"session": cookie(client, "session")}, user_agent="curl/8.0"))


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, stolen):
    client, copies = stolen
    response = client.post("/auth/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                   "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    assert logged_in(client)
    assert not logged_in(replay(app, {"session": copies["session"]}))
    assert not logged_in(replay(app, {"remember_token": copies["remember_token"]}))


def test_a_password_set_from_a_reset_link_ends_every_session(app, stolen, member):
    from webapp.services.accounts import issue_link

    _client, copies = stolen
    with app.test_request_context():
        raw = issue_link(db.session.get(Member, member.id), "reset_password")
        db.session.commit()
    browser = app.test_client()
    assert browser.post(f"/auth/reset-password/{raw}",
                        data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    assert not logged_in(replay(app, copies))


def test_a_role_change_ends_the_members_sessions(app, make_member, hr, member):
    promoted = app.test_client()
    log_in(promoted, member.email)
    copies = {"session": cookie(promoted, "session")}
    admin = app.test_client()
    log_in(admin, hr.email)
    assert admin.post(f"/hr/members/{member.id}/role", data={"role": "hr"}).status_code == 302
    assert not logged_in(promoted) and not logged_in(replay(app, copies))
    log_in(promoted, member.email)
    assert promoted.get("/hr/members").status_code == 200  # the new role, after logging in again
    assert admin.post(f"/hr/members/{member.id}/role", data={"role": "member"}).status_code == 302
    assert promoted.get("/hr/members").status_code == 302  # logged out again
    log_in(promoted, member.email)
    assert promoted.get("/hr/members").status_code == 403


def test_deactivation_ends_sessions_at_once(app, stolen, hr, member):
    client, copies = stolen
    admin = app.test_client()
    log_in(admin, hr.email)
    admin.post(f"/hr/members/{member.id}/deactivate")
    assert not logged_in(client)
    assert not logged_in(replay(app, copies))
    assert client.post("/auth/login", data={"email": member.email, "password": PASSWORD}).status_code == 200


def test_a_session_cookie_not_renewed_for_session_hours_is_refused(app, member, monkeypatch):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)  # SESSION_HOURS' default
    client = app.test_client()
    log_in(client, member.email)
    copy = cookie(client, "session")
    assert logged_in(replay(app, {"session": copy}))
    later = datetime.now(timezone.utc) + app.config["PERMANENT_SESSION_LIFETIME"] + timedelta(minutes=1)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later.timestamp())
    assert not logged_in(replay(app, {"session": copy}))


def test_remember_me_lasts_remember_days_and_never_more_than_30(make_app, member):
    app = make_app(REMEMBER_DAYS=30)
    client = app.test_client()
    response = log_in(client, member.email, remember=True)
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("remember_token="))
    expires = datetime.strptime(re.search(r"Expires=([^;]+)", header).group(1), "%a, %d %b %Y %H:%M:%S GMT")
    lifetime = expires.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    assert timedelta(days=29) < lifetime <= timedelta(days=30)
    assert make_app().config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    with pytest.raises(ConfigurationError, match="REMEMBER_DAYS must be from 1 to 30"):
        make_app(REMEMBER_DAYS=365)


def login_cookies(app, member) -> dict[str, str]:
    response = log_in(app.test_client(), member.email, remember=True)
    return {value.split("=", 1)[0]: value for value in response.headers.getlist("Set-Cookie")}


def test_cookies_are_http_only_and_same_site_lax(app, member):
    cookies = login_cookies(app, member)
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name], cookies[name]
        assert "Secure" not in cookies[name]  # development over plain HTTP


def test_cookies_are_secure_in_production(make_app, member):
    app = make_app(COPMATCH_ENV="production", BASE_URL="http://localhost")
    assert app.config["SESSION_PROTECTION"] == "strong"
    cookies = login_cookies(app, member)
    for name in ("session", "remember_token"):
        assert "Secure" in cookies[name] and "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]


def test_the_language_cookie_is_secure_in_production_too(make_app):
    response = make_app(COPMATCH_ENV="production", BASE_URL="http://localhost").test_client().post("/language", data={"locale": "th"})
    assert "Secure" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]


def test_the_secure_cookie_default_can_be_overridden(monkeypatch, make_app):
    monkeypatch.setenv("SECURE_COOKIES", "false")
    assert make_app(COPMATCH_ENV="production", BASE_URL="http://localhost").config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("SECURE_COOKIES", "true")
    assert make_app().config["SESSION_COOKIE_SECURE"] is True


def csrf_token_on(client, path: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_the_csrf_token_is_renewed_at_log_in(make_app, member):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    before = csrf_token_on(client, "/auth/login")
    response = client.post("/auth/login", data={"email": member.email, "password": PASSWORD, "csrf_token": before})
    assert response.status_code == 302
    after = csrf_token_on(client, "/profile")
    assert after != before
    # A token seen (or planted) before the log-in is worth nothing after it.
    assert client.post("/language", data={"locale": "th", "csrf_token": before}).status_code == 400
    assert client.post("/language", data={"locale": "th", "csrf_token": after}).status_code == 302


def test_logging_out_is_a_post_with_a_csrf_token(make_app, member):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_on(client, "/auth/login")
    client.post("/auth/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/auth/logout").status_code == 400
    assert logged_in(client)


def test_the_login_cookie_carries_a_session_token_not_just_the_id(app, member):
    """Flask-Login's alternative id: the cookie names the member and their current session token."""
    with app.app_context():
        stored = db.session.get(Member, member.id)
        assert stored.get_id() == f"{member.id}:{stored.session_token}" and len(stored.session_token) == 32
        from webapp.extensions import load_member

        assert load_member(str(member.id)) is None  # an id alone, as old cookies carried, logs nobody in
        assert load_member(f"{member.id}:{'0' * 32}") is None
        assert load_member(stored.get_id()) is stored
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Member.session_token)))) == 1
