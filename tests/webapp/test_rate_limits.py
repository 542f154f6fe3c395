"""Rate limits (Flask-Limiter): log-in per account and per address, the forms that send email, the
links with tokens, changing a password, and the suggestions; over the limit, a 429 page with Retry-After.

The other tests run with limits off (``RATELIMIT_ENABLED=False`` in ``make_app``); these switch them
on with small limits, in memory, and once in Redis when one answers on 127.0.0.1:6379.
"""

from __future__ import annotations

import random
import re
import socket
import uuid

import pytest

from tests.conftest import PASSWORD, visible_text
from webapp.security import email_key

WRONG = "not the password!"


@pytest.fixture
def limited(make_app):
    def _limited(**overrides):
        settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
        settings.update(overrides)
        return make_app(**settings)

    return _limited


def log_in(client, email, password=PASSWORD, address="10.0.0.1"):
    return client.post("/auth/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_250_wrong_passwords_then_the_right_one_does_not_log_in(limited, member):
    """Finding 4 as written, with the default limits (5 failures a minute, 20 an hour, per account)."""
    client = limited().test_client()
    statuses = [log_in(client, member.email, WRONG).status_code for _ in range(250)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    assert log_in(client, member.email).status_code == 429
    assert client.get("/profile").status_code == 302


def test_the_429_page_is_in_the_sites_style_and_says_when_to_retry(limited, member):
    client = limited(RATELIMIT_LOGIN_ACCOUNT="2 per minute").test_client()
    for _ in range(2):
        log_in(client, member.email, WRONG)
    response = log_in(client, member.email, WRONG)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    page = response.get_data(as_text=True)
    assert 'class="site-header"' in page and "Too many attempts" in page
    assert re.search(r"Please wait (\d+ seconds?|1 minute), then try again", visible_text(page))


def test_the_limit_per_account_holds_from_any_address(limited, member):
    client = limited(RATELIMIT_LOGIN_ACCOUNT="3 per minute").test_client()
    for number in range(3):
        assert log_in(client, member.email, WRONG, address=f"10.0.1.{number}").status_code == 200
    assert log_in(client, member.email, address="10.0.1.99").status_code == 429


def test_the_limit_per_address_holds_across_accounts(limited, make_member):
    members = [make_member() for _ in range(4)]
    client = limited(RATELIMIT_LOGIN_ADDRESS="3 per minute").test_client()
    for member in members[:3]:
        assert log_in(client, member.email, WRONG).status_code == 200
    assert log_in(client, members[3].email).status_code == 429
    assert log_in(client, members[3].email, address="10.0.0.2").status_code == 302  # another address


def test_unknown_emails_are_limited_like_known_ones(limited):
    client = limited(RATELIMIT_LOGIN_ACCOUNT="2 per minute").test_client()
    statuses = [log_in(client, "nobody@example.com", WRONG).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_logging_in_at_the_first_try_uses_up_no_limit(limited, member):
    client = limited(RATELIMIT_LOGIN_ACCOUNT="1 per minute", RATELIMIT_LOGIN_ADDRESS="1 per minute").test_client()
    for _ in range(3):
        assert log_in(client, member.email).status_code == 302
        client.post("/auth/logout")


def test_asking_to_join_is_limited_per_address_and_per_recipient(limited):
    app = limited(RATELIMIT_EMAIL_ADDRESS="3 per hour", RATELIMIT_EMAIL_RECIPIENT="2 per hour")
    client = app.test_client()

    def ask(email, address="10.0.0.1"):
        return client.post("/auth/register", data={"email": email, "display_name": "X"},
                           environ_base={"REMOTE_ADDR": address}).status_code

    assert [ask("victim@example.com", f"10.0.2.{n}") for n in range(3)] == [302, 302, 429]  # no mail bombing
    assert [ask(f"person{n}@example.com") for n in range(4)] == [302, 302, 302, 429]


def test_forgot_password_shares_the_limits_of_every_form_that_sends_email(limited, member):
    client = limited(RATELIMIT_EMAIL_RECIPIENT="2 per hour").test_client()
    client.post("/auth/register", data={"email": member.email, "display_name": "X"})
    client.post("/auth/forgot-password", data={"email": member.email})
    assert client.post("/auth/forgot-password", data={"email": member.email}).status_code == 429


@pytest.mark.parametrize("path", ["/auth/set-password/{}", "/auth/reset-password/{}", "/auth/confirm/{}"])
def test_guessing_links_is_limited(limited, path):
    client = limited(RATELIMIT_TOKEN="5 per minute").test_client()
    statuses = [client.get(path.format(uuid.uuid4().hex)).status_code for _ in range(6)]
    assert statuses == [404] * 5 + [429]
    assert client.post(path.format("x"), data={"password": "p", "password2": "p"}).status_code == 429


def test_changing_a_password_is_limited(limited, member):
    client = limited(RATELIMIT_PASSWORD_CHANGE="2 per minute").test_client()
    log_in(client, member.email, address="127.0.0.1")
    data = {"current": WRONG, "password": "a brand new password", "password2": "a brand new password"}
    assert [client.post("/auth/password", data=data).status_code for _ in range(3)] == [200, 200, 429]


def test_the_suggestions_are_limited_per_member(limited, member, make_member):
    app = limited(RATELIMIT_SUGGEST="5 per minute")
    client = app.test_client()
    log_in(client, member.email, address="127.0.0.1")  # the session is bound to the address it began at
    statuses = [client.get("/suggest/members", query_string={"q": f"m{n}"}).status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert client.get("/suggest/skills?q=sq").status_code == 200  # each suggestion endpoint counts apart
    other = app.test_client()
    log_in(other, make_member().email, address="127.0.0.1")
    assert other.get("/suggest/members?q=me").status_code == 200  # another member, the same address


def test_limits_can_be_switched_off(make_app, member):
    client = make_app(RATELIMIT_ENABLED=False).test_client()
    assert {log_in(client, member.email, WRONG).status_code for _ in range(30)} == {200}


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_limits_are_kept_in_redis_when_redis_url_is_set(make_app, make_member, monkeypatch):
    if not redis_answers():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    import redis

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/14")
    member = make_member(email=f"redis-{uuid.uuid4().hex}@example.com")  # keys of this test only
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN_ACCOUNT": "2 per minute"}
    first = make_app(**settings)
    assert first.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/14"
    connection = redis.Redis.from_url("redis://127.0.0.1:6379/14")
    try:
        client = first.test_client()
        assert [log_in(client, member.email, WRONG, address).status_code for _ in range(2)] == [200, 200]
        with first.app_context():
            key = email_key(member.email)
        assert connection.keys(f"*email:{key}*") and not connection.keys(f"*{member.email}*")  # no email in Redis
        # A second app (another worker) sees the same counts.
        second = make_app(**settings)
        assert log_in(second.test_client(), member.email, WRONG, address).status_code == 429
    finally:
        with first.app_context():
            key = email_key(member.email)
        for stored in list(connection.scan_iter(f"*{key}*")) + list(connection.scan_iter(f"*/{address}/*")):
            connection.delete(stored)
