"""Passwords: the rules (common, personal), forgot-password links that work once, and changing one's own."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import AccountToken, Member, db
from tests.conftest import PASSWORD, visible_text
from tests.webapp.mail import body_of, link_in
from webapp.services import accounts
from webapp.services.passwords import COMMON_PASSWORDS, common_passwords, password_problem

NEW_PASSWORD = "a brand new password"


# --- the rules -----------------------------------------------------------------------------------


def test_the_shipped_list_has_the_10000_most_common_passwords_and_says_where_it_comes_from():
    assert len(common_passwords()) == 10_000
    header = COMMON_PASSWORDS.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "Django" in header and "BSD" in header
    assert {"123456", "password", "1234567890", "aaaaaaaaaa", "qwertyuiop", "#1bitch"} <= common_passwords()


@pytest.mark.parametrize("password, email, name, reason", [
    ("aaaaaaaaaa", "somchai@example.com", "สมชาย ใจดี", "most common passwords"),
    ("1234567890", "somchai@example.com", "สมชาย ใจดี", "most common passwords"),
    ("Qwertyuiop", "somchai@example.com", None, "most common passwords"),
    ("somchai@example.com", "somchai@example.com", None, "must not contain your email address"),
    ("SOMCHAI2026!!", "somchai@example.com", None, "its name part (somchai)"),
    ("new.hr.lead-2026", "new.hr.lead@corp.example", None, "its name part (new.hr.lead)"),
    ("pranee.k is my name", "pranee.k@corp.example", None, "its name part"),
    ("สมชาย ใจดี 2026", "s.j@example.com", "สมชาย ใจดี", "must not contain your name"),
    ("ilovejaidee!!", "s.j@example.com", "Somchai Jaidee", "must not contain your name"),
    ("short", "s.j@example.com", None, "at least 10 characters"),
])
def test_weak_passwords_are_refused_and_the_reason_is_given(ctx, password, email, name, reason):
    assert reason in password_problem(password, email, name)


@pytest.mark.parametrize("password", ["correct horse battery", "ฟ้าใสวันจันทร์ 2569", "mAngo-tr33-rain"])
def test_good_passwords_pass(ctx, password):
    assert password_problem(password, "somchai@example.com", "สมชาย ใจดี") is None


def test_short_name_parts_do_not_refuse_a_password_by_chance(ctx):
    assert password_problem("correct horse battery", "an.ko@example.com", "An Ko") is None


# --- forgot password ------------------------------------------------------------------------------


def forgot(client, email):
    return client.post("/auth/forgot-password", data={"email": email})


def test_forgot_password_answers_the_same_whether_or_not_the_address_has_an_account(mail_app, inbox, make_member):
    received, _ = inbox
    make_member(email="somchai@example.com")
    known, unknown = forgot(mail_app.test_client(), "SOMCHAI@example.com"), forgot(mail_app.test_client(),
                                                                                  "nobody@example.com")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    page = visible_text(mail_app.test_client().get(known.headers["Location"]).get_data(as_text=True))
    assert "If an account uses that address, we have sent it a link" in page
    assert [m["To"] for m in received.messages] == ["Member 1 <somchai@example.com>"]


def test_a_reset_link_sets_a_new_password_once(mail_app, inbox, make_member):
    received, _ = inbox
    member = make_member(email="somchai@example.com", locale="th")
    client = mail_app.test_client()
    forgot(client, member.email)
    [message] = received.messages
    assert message["Subject"] == "CoPMatch: ตั้งรหัสผ่านใหม่"  # in the member's language
    link = link_in(message, "/auth/reset-password/")
    assert link.startswith("/auth/reset-password/")
    response = client.post(link, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert client.get(link).status_code == 410
    assert client.post(link, data={"password": "another new password", "password2": "another new password"}
                       ).status_code == 410
    with mail_app.app_context():
        assert db.session.get(Member, member.id).check_password(NEW_PASSWORD)


def test_a_reset_link_refuses_a_weak_password_and_stays_usable(client, app, member):
    with app.test_request_context():
        raw = accounts.issue_link(db.session.get(Member, member.id), "reset_password")
        db.session.commit()
    response = client.post(f"/auth/reset-password/{raw}",
                           data={"password": "somchai@example.com", "password2": "somchai@example.com"})
    assert response.status_code == 200 and "must not contain your email address" in response.get_data(as_text=True)
    assert client.get(f"/auth/reset-password/{raw}").status_code == 200


def test_a_reset_link_expires_after_reset_hours(client, app, member):
    with app.test_request_context():
        raw = accounts.issue_link(db.session.get(Member, member.id), "reset_password")
        record = db.session.scalar(sa.select(AccountToken))
        assert timedelta(hours=1, minutes=59) < record.expires_at.replace(tzinfo=timezone.utc) - datetime.now(
            timezone.utc) <= timedelta(hours=2)
        record.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
    assert client.get(f"/auth/reset-password/{raw}").status_code == 410


def test_a_reset_link_is_not_a_set_password_link_and_unknown_links_are_404(client, app, member):
    with app.test_request_context():
        raw = accounts.issue_link(db.session.get(Member, member.id), "reset_password")
        db.session.commit()
    assert client.get(f"/auth/set-password/{raw}").status_code == 404
    assert client.get("/auth/reset-password/not-a-token").status_code == 404


def test_setting_a_password_spends_the_members_other_links(client, app, member):
    with app.test_request_context():
        stored = db.session.get(Member, member.id)
        first, second = accounts.issue_link(stored, "reset_password"), accounts.issue_link(stored, "set_password")
        db.session.commit()
    client.post(f"/auth/reset-password/{first}", data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert client.get(f"/auth/set-password/{second}").status_code == 410


def test_a_deactivated_members_link_is_gone(client, app, make_member):
    gone = make_member(active=False)
    with app.test_request_context():
        raw = accounts.issue_link(db.session.get(Member, gone.id), "reset_password")
        db.session.commit()
    assert client.get(f"/auth/reset-password/{raw}").status_code == 410


def test_forgot_password_for_a_deactivated_account_sends_nothing(mail_app, inbox, make_member):
    received, _ = inbox
    make_member(email="gone@example.com", active=False)
    forgot(mail_app.test_client(), "gone@example.com")
    assert received.messages == []


def test_two_uses_of_one_link_one_after_the_other_in_sessions_that_both_saw_it_unused(app, member):
    """The conditional UPDATE: the second use finds the link spent, even though it loaded it unused."""
    with app.test_request_context():
        raw = accounts.issue_link(db.session.get(Member, member.id), "reset_password")
        db.session.commit()
    with app.app_context():
        first = accounts.find_link(raw, ("reset_password",))
        with app.app_context():  # another request, with its own session
            second = accounts.find_link(raw, ("reset_password",))
            assert accounts.link_usable(second)
            assert accounts.set_password_from_link(second, "the first new password")
            db.session.commit()
        assert accounts.link_usable(first)  # what this session loaded said unused
        assert not accounts.set_password_from_link(first, "the second new password")
        db.session.rollback()
    with app.app_context():
        assert db.session.get(Member, member.id).check_password("the first new password")


@pytest.mark.parametrize("purpose, path", [("set_password", "/auth/set-password/"),
                                           ("reset_password", "/auth/reset-password/")])
def test_two_concurrent_posts_of_one_link_set_one_password(app, member, monkeypatch, purpose, path):
    """Finding 6: two requests past every check at the same moment; one UPDATE wins, the other gets 410."""
    if db_dialect(app) != "postgresql":
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
    with app.test_request_context():
        raw = accounts.issue_link(db.session.get(Member, member.id), purpose)
        db.session.commit()
    both_checked = threading.Barrier(2, timeout=10)
    real_check = accounts.check_new_password

    def check_then_wait(*args):
        real_check(*args)
        both_checked.wait()  # both requests have loaded the link, unused, and checked their password

    monkeypatch.setattr(accounts, "check_new_password", check_then_wait)
    statuses = {}

    def post(password):
        response = app.test_client().post(f"{path}{raw}", data={"password": password, "password2": password})
        statuses[password] = response.status_code

    threads = [threading.Thread(target=post, args=(p,)) for p in ("the first new password", "the second new password")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses.values()) == [302, 410], statuses
    winner = next(password for password, status in statuses.items() if status == 302)
    with app.app_context():
        stored = db.session.get(Member, member.id)
        assert stored.check_password(winner)
        assert db.session.scalar(sa.select(AccountToken.used_at)) is not None


def db_dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


# --- changing one's own password -----------------------------------------------------------------


def test_changing_my_password_needs_the_current_one_and_a_good_new_one(as_member, app, member):
    page = as_member.post("/auth/password", data={"current": "not it at all", "password": NEW_PASSWORD,
                                                  "password2": NEW_PASSWORD})
    assert page.status_code == 200 and "That is not your current password" in page.get_data(as_text=True)
    page = as_member.post("/auth/password", data={"current": PASSWORD, "password": "1234567890",
                                                  "password2": "1234567890"})
    assert "most common passwords" in page.get_data(as_text=True)
    page = as_member.post("/auth/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                  "password2": NEW_PASSWORD}, follow_redirects=True)
    assert "Your password is changed" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Member, member.id).check_password(NEW_PASSWORD)


def test_a_member_without_a_password_is_told_how_to_get_one(client, make_member, log_in_as):
    sso_only = make_member(password_hash=None)
    log_in_as(client, sso_only.id)
    page = client.get("/auth/password")
    assert page.status_code == 200 and "Your account has no password" in page.get_data(as_text=True)


def test_the_password_forms_refuse_a_post_without_csrf_token(make_app, member):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.test_request_context():
        raw = accounts.issue_link(db.session.get(Member, member.id), "reset_password")
        db.session.commit()
    client = app.test_client()
    assert client.post(f"/auth/reset-password/{raw}", data={"password": NEW_PASSWORD,
                                                            "password2": NEW_PASSWORD}).status_code == 400
    with app.app_context():
        assert db.session.get(Member, member.id).check_password(PASSWORD)


def test_the_email_says_the_link_works_once(mail_app, inbox, make_member):
    received, _ = inbox
    make_member(email="somchai@example.com")
    forgot(mail_app.test_client(), "somchai@example.com")
    assert "works once, for 2 hours" in body_of(received.messages[0])
