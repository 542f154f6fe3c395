"""Register, log in, log out: the happy paths and every kind of bad input."""

import pytest
import sqlalchemy as sa

from models import Member, db


def count_members(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Member))


def register(client, **fields):
    data = {
        "email": "malee@example.com",
        "display_name": "มาลี ศรีสุข",
        "password": "a good long password",
        "password2": "a good long password",
    }
    data.update(fields)
    return client.post("/auth/register", data=data)


def test_register_page_shows_the_form(client):
    response = client.get("/auth/register")
    assert response.status_code == 200
    assert b"Create account" in response.data


def test_thai_display_name_round_trips_from_register_to_page(client, app):
    response = register(client)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "มาลี ศรีสุข" in page
    with app.app_context():
        member = db.session.scalar(sa.select(Member))
        assert member.display_name == "มาลี ศรีสุข"
        assert member.check_password("a good long password")


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"email": "MALEE@example.com"}, "already exists"),
        ({"email": "not-an-email"}, "Invalid email"),
        ({"password": "short", "password2": "short"}, "at least 10 characters"),
        ({"password2": "something else entirely"}, "The passwords differ"),
        ({"display_name": "x" * 121}, "120 characters"),
        ({"email": "a" * 250 + "@example.com"}, "254 characters"),
        ({"display_name": ""}, "This field is required"),
    ],
)
def test_bad_registration_rerenders_with_a_message_and_creates_nothing(client, app, fields, message):
    register(client, email="Malee@Example.com")
    client.post("/auth/logout")
    before = count_members(app)
    response = register(client, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_members(app) == before


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
    assert auth.login(sleeper.email).status_code == 200


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


def test_form_with_csrf_token_is_accepted(make_app, member):
    import re

    from tests.conftest import PASSWORD

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
