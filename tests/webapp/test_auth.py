"""Joining, logging in and out: the sign-up policy, confirmed addresses, and answers that tell nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import Member, Signup, db
from tests.conftest import PASSWORD, visible_text
from tests.webapp.accounts import member_by_email
from tests.webapp.mail import body_of, link_in

NEW_PASSWORD = "a good long password"


def count_members(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Member))


def register(client, **fields):
    data = {"email": "malee@example.com", "display_name": "มาลี ศรีสุข"}
    data.update(fields)
    return client.post("/auth/register", data=data)


# --- the sign-up policy --------------------------------------------------------------------------


def test_registration_is_open_in_development_and_closed_in_production(make_app):
    assert make_app().config["REGISTRATION"] == "open"
    production = make_app(COPMATCH_ENV="production", BASE_URL="http://localhost")
    assert production.config["REGISTRATION"] == "closed"
    client = production.test_client()
    page = client.get("/auth/register")
    assert page.status_code == 200 and "Accounts come from HR" in page.get_data(as_text=True)
    assert "/auth/register" not in client.get("/").get_data(as_text=True)
    response = register(client, email="new.hr.lead@corp.example")
    assert response.status_code == 403
    with production.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 0
    assert count_members(production) == 0


def test_asking_to_join_creates_no_account_until_the_link_is_followed(mail_app, inbox):
    received, _ = inbox
    client = mail_app.test_client()
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/check-inbox")
    assert count_members(mail_app) == 0
    assert client.get("/profile").status_code == 302  # not logged in
    [message] = received.to("malee@example.com")
    assert message["Subject"] == "CoPMatch: confirm your email address"
    link = link_in(message, "/auth/confirm/")
    page = client.get(link)
    assert page.status_code == 200 and "Your address malee@example.com is confirmed" in page.get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    # Logged in: the first page asks for consent to the privacy notice.
    assert client.get("/").headers["Location"].startswith("/privacy/consent")
    member = member_by_email(mail_app, "malee@example.com")
    assert member.email_verified and member.check_password(NEW_PASSWORD) and member.role == "member"
    assert mail_app.test_client().get(link).status_code == 410  # the link works once


def test_the_registration_answer_is_the_same_for_a_new_and_an_existing_address(mail_app, inbox, make_member):
    received, _ = inbox
    make_member(email="somchai@example.com", display_name="สมชาย ใจดี")
    new = register(mail_app.test_client(), email="new.person@example.com")
    existing = register(mail_app.test_client(), email="SOMCHAI@example.com")
    assert (new.status_code, new.headers["Location"]) == (existing.status_code, existing.headers["Location"])
    page = mail_app.test_client().get(new.headers["Location"]).get_data(as_text=True)
    assert "Check your inbox" in page and "already exists" not in page
    # The owner of the existing address learns how to get in, and nothing changed for them.
    [message] = received.to("somchai@example.com")
    assert message["Subject"] == "CoPMatch: you already have an account"
    assert "/auth/reset-password/" in body_of(message)
    assert count_members(mail_app) == 1


def test_asking_to_join_with_the_address_of_an_imported_member_sends_their_set_password_link(
        mail_app, inbox, make_member):
    received, _ = inbox
    make_member(email="new.hire@corp.example", password_hash=None, email_verified_at=None)
    register(mail_app.test_client(), email="new.hire@corp.example")
    [message] = received.to("new.hire@corp.example")
    assert message["Subject"] == "CoPMatch: choose your password" and "/auth/set-password/" in body_of(message)


def test_domains_mode_takes_only_the_allowed_domains(make_app):
    app = make_app(REGISTRATION="domains", ALLOWED_EMAIL_DOMAINS="corp.example, @branch.corp.example")
    assert app.config["ALLOWED_EMAIL_DOMAINS"] == ("branch.corp.example", "corp.example")
    client = app.test_client()
    assert "@branch.corp.example, @corp.example" in client.get("/auth/register").get_data(as_text=True)
    refused = register(client, email="outsider@gmail.example")
    assert refused.status_code == 200 and "Use your work email address" in refused.get_data(as_text=True)
    assert register(client, email="somsri@corp.example").status_code == 302
    assert register(client, email="anan@branch.corp.example").status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(Signup.email))) == ["anan@branch.corp.example",
                                                                       "somsri@corp.example"]


@pytest.mark.parametrize("fields, message", [
    ({"email": "not-an-email"}, "Invalid email"),
    ({"display_name": "x" * 121}, "120 characters"),
    ({"email": "a" * 250 + "@example.com"}, "254 characters"),
    ({"display_name": ""}, "This field is required"),
])
def test_bad_registration_rerenders_with_a_message_and_records_nothing(client, app, fields, message):
    response = register(client, **fields)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 0


def signup_link(app, email="malee@example.com") -> str:
    """Ask to join without a mail server: the link is in the message written to the log."""
    from webapp.services.signups import request_signup

    with app.test_request_context():
        [message] = request_signup(email, "มาลี ศรีสุข", "th")
        db.session.commit()
    return re.search(r"https?://[^/\s]+(/auth/confirm/\S+)", message.body).group(1)


def test_a_confirm_link_refuses_a_weak_password_and_creates_nothing(client, app):
    link = signup_link(app)
    response = client.post(link, data={"password": "1234567890", "password2": "1234567890"})
    assert response.status_code == 200 and "most common passwords" in response.get_data(as_text=True)
    response = client.post(link, data={"password": "malee@example.com", "password2": "malee@example.com"})
    assert "must not contain your email address" in response.get_data(as_text=True)
    assert count_members(app) == 0
    assert client.get(link).status_code == 200  # still usable


def test_a_confirm_link_expires(client, app):
    link = signup_link(app)
    with app.app_context():
        db.session.scalar(sa.select(Signup)).expires_at = datetime.now(timezone.utc) - timedelta(minutes=1)
        db.session.commit()
    assert client.get(link).status_code == 410
    assert client.post(link, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 410
    assert count_members(app) == 0


def test_a_confirm_link_is_gone_once_the_address_has_an_account(client, app, make_member):
    link = signup_link(app)
    make_member(email="malee@example.com")  # HR imported the address meanwhile
    assert client.get(link).status_code == 410
    assert client.get("/auth/confirm/not-a-token").status_code == 404


# --- logging in ---------------------------------------------------------------------------------


def test_login_and_logout(client, auth, member):
    response = auth.login(member.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "สมชาย ใจดี" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_login_email_is_case_insensitive(auth, member):
    assert auth.login("SOMCHAI@example.com").status_code == 302


def test_wrong_password_is_refused(auth, member):
    response = auth.login(member.email, "not the password")
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_deactivated_member_cannot_log_in(auth, make_member):
    sleeper = make_member(active=False)
    response = auth.login(sleeper.email)
    assert response.status_code == 200 and "Wrong email or password" in response.get_data(as_text=True)


def test_unknown_email_and_wrong_password_get_the_same_answer(client, member):
    unknown = client.post("/auth/login", data={"email": "nobody@example.com", "password": "whatever123"})
    wrong = client.post("/auth/login", data={"email": member.email, "password": "whatever123"})
    assert unknown.status_code == wrong.status_code == 200
    strip = lambda page: visible_text(page).replace("nobody@example.com", "").replace(member.email, "")  # noqa: E731
    assert strip(unknown.get_data(as_text=True)) == strip(wrong.get_data(as_text=True))


def test_login_hashes_a_password_for_unknown_emails_too(client, member, make_member, monkeypatch):
    """The timing of a log-in does not tell whether the email has an account: every attempt runs
    exactly one scrypt check, whether the account exists, has no password yet, or is deactivated."""
    from webapp.services import accounts

    calls = []
    real = accounts.check_password_hash

    def counting(stored, password):
        calls.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    imported = make_member(password_hash=None, email_verified_at=None)
    gone = make_member(active=False)
    for email in ("nobody@example.com", member.email, imported.email, gone.email):
        calls.clear()
        client.post("/auth/login", data={"email": email, "password": "wrong password 1"})
        assert len(calls) == 1 and calls[0].startswith("scrypt"), email


def test_an_unconfirmed_address_cannot_log_in_and_gets_a_link_to_claim_it(mail_app, inbox, make_member):
    """A password set by whoever registered an address before addresses were confirmed does not log in:
    the address gets a link, and only the one who reads that mailbox chooses the password."""
    received, _ = inbox
    old = make_member(email="early@example.com", email_verified_at=None)
    client = mail_app.test_client()
    response = client.post("/auth/login", data={"email": old.email, "password": PASSWORD})
    assert response.status_code == 200 and "This address is not confirmed yet" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302
    [message] = received.to("early@example.com")
    link = link_in(message, "/auth/set-password/")
    assert client.post(link, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    assert client.post("/auth/login", data={"email": old.email, "password": PASSWORD}).status_code == 200
    assert client.post("/auth/login", data={"email": old.email, "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/healthz", "/healthz"),
        ("http://evil.example.com/", "/"),
        ("//evil.example.com/", "/"),
        ("/\\evil.example.com", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_follows_next_only_within_the_site(auth, member, next_url, expected):
    response = auth.login(member.email, next_url=next_url)
    assert response.headers["Location"] == expected


def test_logout_is_post_only(client, auth, member):
    auth.login(member.email)
    assert client.get("/auth/logout").status_code == 405


def test_post_without_csrf_token_is_refused_with_a_400_page(make_app, member):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/auth/login", data={"email": member.email, "password": "x" * 12})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


@pytest.mark.parametrize("path, data", [
    ("/auth/register", {"email": "malee@example.com", "display_name": "มาลี"}),
    ("/auth/forgot-password", {"email": "somchai@example.com"}),
])
def test_the_forms_that_send_email_refuse_a_post_without_csrf_token(make_app, member, path, data):
    app = make_app(WTF_CSRF_ENABLED=True)
    assert app.test_client().post(path, data=data).status_code == 400


def test_form_with_csrf_token_is_accepted(make_app, member):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
