"""Single sign-on with OpenID Connect, end to end against a real provider on 127.0.0.1.

The provider (``tests/oidc_provider.py``) serves discovery, JWKS, the
authorization and token endpoints over HTTP with a real RSA key; CoPMatch
talks to it with Authlib. Every way a sign-in can be wrong is refused with
a page that says why, and leaves nobody logged in.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from models import Member, db
from tests.conftest import PASSWORD, visible_text
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider
from tests.webapp.accounts import log_in_as, logged_in, member_by_email


@pytest.fixture(scope="module")
def running_provider():
    with RunningProvider() as provider:
        yield provider


@pytest.fixture
def provider(running_provider):
    running_provider.reset()
    return running_provider


@pytest.fixture
def sso_app(make_app, provider):
    def _sso_app(**overrides):
        settings = {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                    "OIDC_NAME": "Keycloak"}
        settings.update(overrides)
        return make_app(**settings)

    return _sso_app


def sign_in(client):
    """Click "Sign in with …", let the provider sign the user in, and come back; the callback's response."""
    start = client.get("/auth/sso")
    assert start.status_code == 302, start.get_data(as_text=True)
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)  # real HTTP
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/auth/sso/callback"
    return client.get(f"{back.path}?{back.query}")


def test_the_login_page_offers_sign_in_with_the_provider(sso_app):
    page = visible_text(sso_app().test_client().get("/auth/login").get_data(as_text=True))
    assert "Sign in with Keycloak" in page and "Forgot your password?" in page


def test_a_good_sign_in_creates_a_confirmed_account_and_logs_in(sso_app, provider):
    app = sso_app()
    client = app.test_client()
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert logged_in(client)
    member = member_by_email(app, "somsri@corp.example")
    assert member.display_name == "สมศรี คงดี" and member.email_verified and member.password_hash is None
    assert (member.sso_issuer, member.sso_subject) == (provider.issuer, "user-0001")
    # A second sign-in finds the same account by its identity.
    client.post("/auth/logout")
    assert sign_in(client).status_code == 302 and logged_in(client)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(sso_app, provider):
    sign_in(sso_app().test_client())
    [request] = provider.authorizations
    assert request["code_challenge_method"] == "S256" and len(request["code_challenge"]) >= 43
    assert request["state"] and request["nonce"] and "openid" in request["scope"].split()
    [token_request] = provider.token_requests
    assert token_request["code_verifier"]  # the provider checked it hashes to the challenge


def callback_after(client, start_path: str):
    """Start single sign-on at ``start_path`` and return the callback's response."""
    start = client.get(start_path)
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_sign_in_follows_next_within_the_site_only(sso_app):
    app = sso_app()
    assert callback_after(app.test_client(), "/auth/sso?next=/communities").headers["Location"] == "/communities"
    assert callback_after(app.test_client(), "/auth/sso?next=https://evil.example/").headers["Location"] == "/"


def test_the_first_sign_in_links_the_member_hr_imported(sso_app, make_member):
    app = sso_app()
    imported = make_member(email="somsri@corp.example", display_name="สมศรี (imported)", department="ฝ่ายข้อมูล",
                           password_hash=None, email_verified_at=None)
    client = app.test_client()
    assert sign_in(client).status_code == 302 and logged_in(client)
    member = member_by_email(app, "somsri@corp.example")
    assert member.id == imported.id and member.department == "ฝ่ายข้อมูล" and member.sso_subject == "user-0001"
    assert member.email_verified


def test_an_unconfirmed_sign_up_with_that_email_is_reclaimed_not_taken_over(sso_app, make_member):
    app = sso_app()
    squatter = make_member(email="somsri@corp.example", display_name="Outsider", email_verified_at=None)
    with app.app_context():
        old_login_id = db.session.get(Member, squatter.id).get_id()
    outsider = app.test_client()
    log_in_as(app, outsider, squatter.id)  # a session the outsider had from before addresses were confirmed
    assert logged_in(outsider)
    client = app.test_client()
    assert sign_in(client).status_code == 302 and logged_in(client)
    member = member_by_email(app, "somsri@corp.example")
    assert member.id == squatter.id and member.password_hash is None and member.sso_subject == "user-0001"
    assert member.get_id() != old_login_id
    assert not logged_in(outsider)


@pytest.mark.parametrize("flaw, words", [
    ("audience", "was issued for another application"),
    ("expired", "had already expired"),
    ("signature", "is not signed by its key"),
    ("nonce", "does not belong to this attempt"),
])
def test_a_forged_or_stale_id_token_is_refused(sso_app, provider, flaw, words):
    app = sso_app()
    provider.flaws.add(flaw)
    client = app.test_client()
    response = sign_in(client)
    page = visible_text(response.get_data(as_text=True))
    assert response.status_code == 403 and "Sign-in refused" in page and words in page
    assert not logged_in(client)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_an_unverified_email_is_refused(sso_app, provider):
    provider.user.email_verified = False
    client = sso_app().test_client()
    response = sign_in(client)
    assert response.status_code == 403
    assert "has not verified that somsri@corp.example is your address" in visible_text(response.get_data(as_text=True))
    assert not logged_in(client)


def test_a_verified_email_from_entra_id_counts(sso_app, provider, monkeypatch):
    """Entra ID sends no ``email_verified``; its optional ``xms_edov`` claim says the domain owner verified it."""
    from webapp.services.sso import Identity

    identity = Identity.from_claims(provider.issuer, {"sub": "x", "email": "A@Corp.Example", "xms_edov": True})
    assert identity.email_verified and identity.email == "a@corp.example"
    assert not Identity.from_claims(provider.issuer, {"sub": "x", "email": "a@corp.example"}).email_verified
    assert Identity.from_claims(provider.issuer, {"sub": "x", "email": "a@corp.example",
                                                  "email_verified": "true"}).email_verified


def test_an_address_outside_the_allowed_domains_is_refused(sso_app, provider):
    provider.user.email = "somsri@gmail.example"
    client = sso_app(ALLOWED_EMAIL_DOMAINS=("corp.example",)).test_client()
    response = sign_in(client)
    page = visible_text(response.get_data(as_text=True))
    assert response.status_code == 403
    assert "for addresses at @corp.example; somsri@gmail.example is not one of them" in page
    assert not logged_in(client)


def test_no_email_at_all_is_refused(sso_app, provider):
    provider.user.email = None
    response = sign_in(sso_app().test_client())
    assert response.status_code == 403 and "did not give CoPMatch your email" in response.get_data(as_text=True)


def test_a_deactivated_member_cannot_sign_in(sso_app, make_member):
    make_member(email="somsri@corp.example", active=False)
    client = sso_app().test_client()
    response = sign_in(client)
    assert response.status_code == 403 and "deactivated" in response.get_data(as_text=True)
    assert not logged_in(client)


def test_an_account_linked_to_another_identity_is_not_taken(sso_app, provider, make_member):
    make_member(email="somsri@corp.example", sso_issuer=provider.issuer, sso_subject="someone-else")
    response = sign_in(sso_app().test_client())
    assert response.status_code == 403 and "linked to another sign-in identity" in response.get_data(as_text=True)


def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(sso_app):
    app = sso_app()
    attacker = app.test_client()
    start = attacker.get("/auth/sso")
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    victim = app.test_client()  # login CSRF: the attacker's code and state, in the victim's browser
    response = victim.get(f"{back.path}?{back.query}")
    assert response.status_code == 400 and "was not started here" in response.get_data(as_text=True)
    assert not logged_in(victim)


def test_a_tampered_state_is_refused(sso_app):
    client = sso_app().test_client()
    start = client.get("/auth/sso")
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    response = client.get("/auth/sso/callback", query_string={"code": query["code"][0], "state": "forged"})
    assert response.status_code == 400 and not logged_in(client)


def test_a_cancelled_sign_in_says_so(sso_app):
    client = sso_app().test_client()
    start = client.get("/auth/sso")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    response = client.get("/auth/sso/callback", query_string={"error": "access_denied", "state": state})
    assert response.status_code == 403 and "cancelled at Keycloak" in response.get_data(as_text=True)


def test_an_unreachable_provider_gets_a_clear_page(make_app):
    app = make_app(OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID=CLIENT_ID, OIDC_TIMEOUT=2)
    response = app.test_client().get("/auth/sso")
    assert response.status_code == 502 and "could not reach single sign-on" in response.get_data(as_text=True)


def test_without_oidc_settings_there_is_no_sign_in_button_and_no_sso_route(client):
    assert "Sign in with" not in client.get("/auth/login").get_data(as_text=True)
    assert client.get("/auth/sso").status_code == 404
    assert client.get("/auth/sso/callback").status_code == 404


def test_password_login_can_be_switched_off(sso_app, make_member):
    member = make_member(email="somchai@corp.example")
    app = sso_app(PASSWORD_LOGIN=False)
    client = app.test_client()
    page = visible_text(client.get("/auth/login").get_data(as_text=True))
    assert "Sign in with Keycloak" in page and "Password" not in page and "Forgot" not in page
    assert client.post("/auth/login", data={"email": member.email, "password": PASSWORD}).status_code == 404
    assert client.get("/auth/forgot-password").status_code == 404
    assert client.get("/auth/register").status_code == 200
    assert "Accounts come from HR" in client.get("/auth/register").get_data(as_text=True)
    assert not logged_in(client)


def test_the_redirect_uri_can_be_set_for_a_site_behind_a_proxy(sso_app, provider):
    client = sso_app(OIDC_REDIRECT_URI="https://copmatch.corp.example/auth/sso/callback").test_client()
    start = client.get("/auth/sso")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["redirect_uri"] == ["https://copmatch.corp.example/auth/sso/callback"]
