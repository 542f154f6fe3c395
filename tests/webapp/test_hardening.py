"""Issue 14's findings, each re-run as it was reported, and refused cleanly.

Every test runs on SQLite and, with ``TEST_DATABASE_URL``, on PostgreSQL, where a NUL byte
or a huge id used to reach the database and come back as a 500.
"""

from __future__ import annotations

import io
import logging
import re
import stat

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from models import AuditEntry, GroupMember, Match, Member, Round, Signup, db
from tests.conftest import PASSWORD, AuthActions, visible_text
from tests.webapp.published import make_group, make_match, make_round
from tests.webapp.test_import import THAI_ROW, csv_bytes
from webapp import create_app
from webapp.services.messages import header_text

INJECTED = "Chaiwat\r\nBcc: attacker@evil.example"
BIDI = "Chai\u202ewat"
ZERO_WIDTH = "\u200b"


def profile_values(**fields) -> dict:
    from tests.webapp.test_profile import profile_values as saved_profile

    return {**saved_profile(), **fields}


def stored_name(app, member_id: int) -> str:
    with app.app_context():
        return db.session.get(Member, member_id).display_name


def force_name(app, member_id: int, name: str | None = INJECTED, email: str | None = None) -> None:
    """Store a value as an older version (or another tool) could have: straight into the table."""
    values = {key: value for key, value in (("display_name", name), ("email", email)) if value is not None}
    with app.app_context():
        db.session.execute(sa.update(Member.__table__).where(Member.__table__.c.id == member_id).values(**values))
        db.session.commit()


# --- 1. a newline in a name, and messages that never break an action -----------------------------


@pytest.mark.parametrize("name, words", [
    (INJECTED, "contains a control character"), (BIDI, "contains a hidden character that changes the direction"),
    (ZERO_WIDTH, "holds only invisible characters"), ("\u200b\u200d\ufeff", "holds only invisible characters"),
    ("Som\x00chai", "contains a control character"),
])
def test_the_profile_refuses_names_that_break_or_hide(as_member, app, member, name, words):
    response = as_member.post("/profile", data=profile_values(display_name=name))
    page = visible_text(response.get_data(as_text=True))
    assert response.status_code == 200 and f"“Name” {words}" in page
    assert stored_name(app, member.id) == "สมชาย ใจดี"


def test_a_thai_name_with_zero_width_spaces_between_words_is_kept(as_member, app, member):
    as_member.post("/profile", data=profile_values(display_name="สมชาย\u200bใจดี"))
    assert stored_name(app, member.id) == "สมชาย\u200bใจดี"


@pytest.mark.parametrize("field, value", [("display_name", INJECTED), ("display_name", BIDI),
                                          ("display_name", ZERO_WIDTH), ("email", "a\x00@example.com")])
def test_asking_to_join_refuses_control_bidi_and_invisible_values(client, app, field, value):
    data = {"email": "new@example.com", "display_name": "New Member"}
    data[field] = value
    response = client.post("/auth/register", data=data)
    assert response.status_code == 200 and "Join CoPMatch" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 0


def test_choosing_a_password_refuses_a_nul_byte_and_creates_nothing(client, app):
    from webapp.services.signups import request_signup

    with app.test_request_context():
        [message] = request_signup("new@example.com", "New Member", "en")
        db.session.commit()
    link = re.search(r"https?://[^/\s]+(/auth/confirm/\S+)", message.body).group(1)
    password = "long enough\x00password"
    response = client.post(link, data={"password": password, "password2": password})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_a_multiline_field_keeps_line_breaks_but_refuses_other_controls(as_hr):
    data = {"name": "ชุมชนข้อมูล", "description": "บรรทัดแรก\r\nบรรทัดที่สอง\tต่อ"}
    assert as_hr.post("/hr/communities", data=data).status_code == 302
    response = as_hr.post("/hr/communities", data={"name": "Other", "description": "bell\x07"})
    assert "“Topic and purpose” contains a control character" in visible_text(response.get_data(as_text=True))


def test_an_import_cell_with_a_newline_or_nul_is_refused_with_its_line(as_hr, app):
    data = csv_bytes(THAI_ROW, {"email": "anan@example.com\nBcc: x@evil.example", "name": "อนันต์"},
                     {"email": "dao@example.com", "name": "Dao\x00Chan"}, {"email": "bee@example.com", "name": BIDI},
                     {"email": "zed@example.com", "name": ZERO_WIDTH})
    response = as_hr.post("/hr/members/import", data={"file": (io.BytesIO(data), "people.csv")},
                          content_type="multipart/form-data")
    page = visible_text(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Line 3: email contains a control character" in page
    assert "name contains a control character" in page and "name contains a hidden character" in page
    assert "name holds only invisible characters" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1  # the HR account only


def test_header_text_cannot_add_a_header():
    assert header_text(INJECTED) == "Chaiwat Bcc: attacker@evil.example"
    assert "\n" not in header_text("a\u2028b\x00c")


@pytest.fixture
def smtp_app(make_app, inbox):
    _, port = inbox
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="https://copmatch.example.org")


def solved_group_round(app, people, hr):
    """A solved working-group round of ``people``, not yet invited, and a client logged in as ``hr``."""
    with app.app_context():
        round_ = make_round("groups", status="solved")
        make_group(round_, [p.id for p in people])
        for place in db.session.scalars(sa.select(GroupMember)):
            place.token_hash = place.expires_at = None
        db.session.commit()
        round_id = round_.id
    client = app.test_client()
    AuthActions(client).login(hr.email)
    return round_id, client


def test_publishing_with_a_newline_in_a_stored_name_sends_every_invitation(smtp_app, inbox, make_member):
    received, _ = inbox
    people = [make_member(email=f"p{n}@example.com", display_name=f"Person {n}") for n in range(5)]
    hr = make_member(email="hr@example.com", role="hr")
    force_name(smtp_app, people[2].id)
    round_id, client = solved_group_round(smtp_app, people, hr)
    response = client.post(f"/hr/rounds/{round_id}/publish", follow_redirects=True)
    assert response.status_code == 200 and "Published: 5 invitations sent" in response.get_data(as_text=True)
    assert len(received.messages) == 5  # no message stopped the others, and every link went out
    [odd] = received.to("p2@example.com")
    assert odd["Bcc"] is None and odd["To"].addresses[0].display_name == "Chaiwat Bcc: attacker@evil.example"
    assert odd["To"].addresses[0].addr_spec == "p2@example.com"
    with smtp_app.app_context():
        assert db.session.get(Round, round_id).was_published


def test_a_message_that_cannot_be_sent_is_recorded_and_the_others_go(smtp_app, inbox, make_member):
    received, _ = inbox
    people = [make_member(email=f"p{n}@example.com") for n in range(4)]
    hr = make_member(email="hr@example.com", role="hr")
    force_name(smtp_app, people[1].id, name=None, email="broken@example.com\r\nBcc: x@evil.example")
    round_id, client = solved_group_round(smtp_app, people, hr)
    page = client.post(f"/hr/rounds/{round_id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "Published: 3 invitations sent" in page and "1 of 4 messages could not be sent" in page
    assert len(received.messages) == 3
    with smtp_app.app_context():
        [failure] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "message_failed")).all()
        assert failure.subject_id == people[1].id
        assert failure.params == {"message": "group_invitation", "reason": "bad_address"}
    audit = visible_text(client.get("/hr/audit?action=message_failed").get_data(as_text=True))
    assert "A working-group invitation to Member 2 could not be sent: the email address cannot be used." in audit


def test_a_message_that_cannot_be_built_does_not_undo_publishing(make_app, make_member, monkeypatch, caplog):
    app = make_app()
    people = [make_member() for _ in range(2)]
    hr = make_member(email="hr@example.com", role="hr")
    with app.app_context():
        round_ = make_round("mentoring", status="solved")
        make_match(round_, people[0].id, people[1].id)
        round_id = round_.id

    def broken(*_args, **_kwargs):
        raise KeyError("a stored reason of an unknown shape")

    monkeypatch.setattr("webapp.services.messages.reason_lines", broken)
    client = app.test_client()
    AuthActions(client).login(hr.email)
    with caplog.at_level(logging.INFO):
        page = client.post(f"/hr/rounds/{round_id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "2 of 2 messages could not be sent" in page
    assert "Could not build a match_invitation message for member" in caplog.text
    assert "@example.com" not in caplog.text.split("Could not build")[1]  # no personal data in the failure lines
    with app.app_context():
        assert db.session.get(Round, round_id).was_published


def test_accepting_a_match_with_a_broken_name_answers_without_500(smtp_app, inbox, make_member):
    received, _ = inbox
    learner = make_member(email="learner@example.com")
    mentor = make_member(email="mentor@example.com")
    force_name(smtp_app, mentor.id)
    with smtp_app.app_context():
        match_id = make_match(make_round(), learner.id, mentor.id, second_status="accepted").id
    client = smtp_app.test_client()
    AuthActions(client).login(learner.email)
    assert client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"}).status_code == 302
    assert len(received.messages) == 2
    [confirmation] = received.to("learner@example.com")
    assert confirmation["Subject"].strip() == "CoPMatch: your match with Chaiwat Bcc: attacker@evil.example is confirmed"


# --- 2. bad input that used to be a 500 -----------------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [f"/members/{HUGE}", f"/members/{2**31}", f"/communities/{HUGE}",
                                  f"/hr/rounds/{HUGE}", f"/hr/skills/{HUGE}", f"/hr/communities/{HUGE}",
                                  f"/rounds/{HUGE}/feedback", f"/hr/members/{HUGE}/erase"])
def test_a_huge_id_is_a_404(as_hr, path):
    assert as_hr.get(path).status_code == 404


def test_a_huge_id_in_a_post_is_a_404(as_hr):
    assert as_hr.post(f"/hr/members/{HUGE}/deactivate").status_code == 404
    assert as_hr.post(f"/matches/{HUGE}/respond", data={"answer": "accepted"}).status_code == 404


@pytest.mark.parametrize("path", ["/hr/members?page={}", "/hr/rounds?page={}", "/hr/audit?page={}",
                                  "/hr/members?page={}&q=x"])
def test_a_huge_page_number_shows_the_last_page(as_hr, path):
    assert as_hr.get(path.format(10**23)).status_code == 200
    assert as_hr.get(path.format("-5")).status_code == 200


def test_a_huge_page_number_on_a_community_and_a_review(as_hr, app, make_member):
    from tests.webapp.published import make_community

    with app.app_context():
        community_id = make_community().id
        round_ = make_round()
        make_match(round_, make_member().id, make_member().id)
        round_id = round_.id
    page = as_hr.get(f"/communities/{community_id}?page={10**23}")
    assert page.status_code == 200
    for tab in ("results", "unmatched"):
        response = as_hr.get(f"/hr/rounds/{round_id}?tab={tab}&page={10**23}")
        assert response.status_code == 200


@pytest.mark.parametrize("data", [
    {"email": "somchai@example.com\x00", "password": PASSWORD},
    {"email": "somchai@example.com", "password": PASSWORD + "\x00"},
])
def test_a_nul_byte_in_the_login_form_is_refused_cleanly(client, member, data):
    response = client.post("/auth/login", data=data)
    assert response.status_code == 200
    assert "contains a control character" in visible_text(response.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/suggest/members?q=so%00m", "/suggest/skills?q=%00", "/hr/members?q=a%00b",
                                  "/communities?q=%00"])
def test_a_nul_byte_in_a_search_is_harmless(as_hr, path):
    assert as_hr.get(path).status_code == 200


def test_a_nul_byte_in_a_review_search(as_hr, app, make_member):
    with app.app_context():
        round_ = make_round()
        make_match(round_, make_member().id, make_member().id)
        round_id = round_.id
    assert as_hr.get(f"/hr/rounds/{round_id}?q=x%00y").status_code == 200


def test_an_import_file_with_a_nul_byte_is_refused_at_the_preview_with_its_line(as_hr, app):
    data = csv_bytes(THAI_ROW, {"email": "a@example.com", "name": "A", "department": "Fin\x00ance"})
    response = as_hr.post("/hr/members/import", data={"file": (io.BytesIO(data), "people.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Line 3: department contains a control character" in visible_text(response.get_data(as_text=True))


def test_a_next_with_a_newline_is_refused(client, member):
    response = client.post("/auth/login?next=/profile%0d%0aSet-Cookie:x=1",
                           data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


def test_hrs_back_field_with_a_newline_is_refused(as_hr, make_member):
    other = make_member()
    response = as_hr.post(f"/hr/members/{other.id}/deactivate", data={"back": "/hr/members\r\nSet-Cookie: x=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/hr/members"


def test_the_500_page_promises_nothing_it_cannot_know(make_app, monkeypatch):
    app = make_app(TESTING=False)
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    monkeypatch.setattr(app.logger, "disabled", True)
    page = visible_text(app.test_client().get("/boom").get_data(as_text=True))
    assert "half-saved" not in page and "may not be complete" in page and "check whether it was done" in page


# --- 3. links from BASE_URL, never the Host header ------------------------------------------------


def test_import_links_come_from_base_url_not_the_host_header(make_app, make_member, caplog):
    app = make_app(BASE_URL="https://copmatch.example.co.th")
    hr = make_member(email="hr@example.com", role="hr")
    client = app.test_client()
    evil = {"base_url": "http://evil.example"}
    client.post("/auth/login", data={"email": hr.email, "password": PASSWORD}, **evil)
    upload = client.post("/hr/members/import", data={"file": (io.BytesIO(csv_bytes(THAI_ROW)), "people.csv")},
                         content_type="multipart/form-data", **evil)
    page = upload.get_data(as_text=True)
    assert upload.status_code == 200, visible_text(page)
    fields = {name: re.search(rf'name="{name}" type="hidden" value="([0-9a-f]+)"', page).group(1)
              for name in ("upload", "digest")}
    with caplog.at_level(logging.INFO):
        response = client.post("/hr/members/import/confirm", data=fields, **evil)
    page = response.get_data(as_text=True)
    assert "https://copmatch.example.co.th/auth/set-password/" in page
    assert "evil.example" not in page and "evil.example" not in caplog.text
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["Cache-Control"] == "no-store"


def test_production_accepts_only_its_own_host(monkeypatch, tmp_path):
    monkeypatch.setenv("COPMATCH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("COPMATCH_BASE_URL", "https://copmatch.example.co.th")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    assert app.config["TRUSTED_HOSTS"] == ["copmatch.example.co.th"]
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", base_url="https://copmatch.example.co.th").status_code == 200


def test_production_refuses_to_start_without_base_url(monkeypatch):
    from webapp.config import ConfigurationError

    monkeypatch.setenv("COPMATCH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.delenv("COPMATCH_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="COPMATCH_BASE_URL is not set"):
        create_app()


# --- 4. request size ------------------------------------------------------------------------------


class CountingStream(io.RawIOBase):
    """A request body of ``size`` bytes that counts how much of it is read."""

    def __init__(self, size: int):
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def readinto(self, buffer) -> int:
        count = max(0, min(len(buffer), self.size - self.position))
        buffer[:count] = b"a" * count
        self.position += count
        self.read_bytes += count
        return count


def test_a_60_mb_login_post_is_413_before_anything_is_read(client):
    body = CountingStream(60 * 1024 * 1024)
    response = client.post("/auth/login", input_stream=body, content_length=body.size,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert body.read_bytes == 0
    page = visible_text(response.get_data(as_text=True))
    assert "Too large" in page and "1 MB" in page and "CoPMatch" in page


def test_the_import_takes_a_file_larger_than_other_pages_but_not_over_its_limit(as_hr):
    rows = [{"email": f"m{n}@example.com", "name": f"Member {n}", "department": "x" * 60} for n in range(25_000)]
    data = csv_bytes(*rows)
    assert len(data) > 2 * 1024 * 1024
    # Encoded here, in memory: the test client would spool a body this size to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), "people.csv")})
    response = as_hr.post("/hr/members/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 200 and "25,000 new" in visible_text(response.get_data(as_text=True))
    body = CountingStream(21 * 1024 * 1024)
    response = as_hr.post("/hr/members/import", input_stream=body, content_length=body.size,
                          content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413 and body.read_bytes == 0


# --- 5. secrets out of logs -----------------------------------------------------------------------


def test_set_password_links_are_logged_only_without_a_mail_server(make_app, mail_app, caplog):
    from webapp.hr.imports import send_invitations
    from webapp.services.importer import import_members

    for app, logged in ((make_app(MAIL_SERVER=None), True), (mail_app, False)):
        with app.test_request_context(), caplog.at_level(logging.INFO):
            caplog.clear()
            _plan, result = import_members(csv_bytes({**THAI_ROW, "email": f"n{logged}@example.com"}))
            send_invitations(result)
            db.session.commit()
            [(_email, _name, token)] = result.invitations
            assert (token in caplog.text) is logged


def test_the_set_password_page_is_not_cached_and_sends_no_referrer(client):
    response = client.get("/auth/set-password/not-a-token")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_set_password_form_sends_no_referrer(app, client, make_member):
    from models import AccountToken
    from webapp.services.tokens import new_token

    member = make_member()
    raw, hashed = new_token()
    with app.app_context():
        from datetime import timedelta

        from models.base import utcnow

        db.session.add(AccountToken(member_id=member.id, token_hash=hashed, expires_at=utcnow() + timedelta(days=1)))
        db.session.commit()
    response = client.get(f"/auth/set-password/{raw}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["Cache-Control"] == "no-store"


# --- 7. file permissions --------------------------------------------------------------------------


def test_the_sqlite_database_and_instance_files_are_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    loose = tmp_path / "old.db"
    loose.write_bytes(b"")
    loose.chmod(0o644)
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{loose}"})
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    new = tmp_path / "new.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{new}"})
    with app.app_context():
        db.create_all()
    assert stat.S_IMODE(new.stat().st_mode) == 0o600


# --- 9. the database is down ----------------------------------------------------------------------


def _down_urls(tmp_path) -> list[str]:
    from tests.webapp.mail import free_port

    return [f"sqlite:///{tmp_path}/gone/dir/db.sqlite",
            f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/copmatch?connect_timeout=2"]


@pytest.mark.parametrize("which", [0, 1], ids=["sqlite", "postgresql"])
def test_when_the_database_is_down_everyone_gets_the_apps_own_503(make_app, member, tmp_path, which):
    working = make_app(TESTING=False)
    client = working.test_client()
    AuthActions(client).login(member.email)
    session_cookie = client.get_cookie("session").value
    down = create_app({"SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": _down_urls(tmp_path)[which],
                       "TESTING": False, "WTF_CSRF_ENABLED": False})
    logged_in = down.test_client()
    logged_in.set_cookie("session", session_cookie)
    visitor = down.test_client()
    for response in (logged_in.get("/profile"), logged_in.get("/"), logged_in.get("/matches"),
                     logged_in.get("/hr/members"), visitor.post("/auth/login", data={"email": member.email,
                                                                                    "password": PASSWORD})):
        page = visible_text(response.get_data(as_text=True))
        assert response.status_code == 503
        assert "Temporarily unavailable" in page and "cannot reach its database" in page
        assert response.headers["Retry-After"] == "30" and "Content-Security-Policy" in response.headers
    assert visitor.get("/").status_code == 200  # the home page needs no database
    assert visitor.get("/healthz").status_code == 503
    thai = down.test_client()
    thai.set_cookie("session", session_cookie)
    thai.set_cookie("locale", "th")
    assert "ไม่สามารถติดต่อฐานข้อมูล" in thai.get("/profile").get_data(as_text=True)


def test_error_pages_do_not_touch_the_database(app, as_member, monkeypatch):
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    response = as_member.get("/no/such/page")
    assert response.status_code == 404
    assert statements == []  # no user loader, no consent check, no query
    assert "Log out" not in response.get_data(as_text=True)  # the account menu needs the database


def test_a_value_the_database_refuses_is_a_400_not_a_500(make_app, monkeypatch):
    app = make_app(TESTING=False)

    def refused():
        raise sa.exc.DataError("INSERT ...", {}, ValueError("out of range"))

    app.add_url_rule("/refused", "refused", refused)
    response = app.test_client().get("/refused")
    assert response.status_code == 400 and "cannot be stored" in response.get_data(as_text=True)


def test_a_huge_member_id_in_a_pin_or_move_form_is_refused_by_name(as_hr, app, make_member):
    with app.app_context():
        round_ = make_round("mentoring", status="solved")
        make_match(round_, make_member().id, make_member().id)
        round_id = round_.id
    for path, data in ((f"/hr/rounds/{round_id}/pins", {"first_id": HUGE, "second_id": "1"}),
                       (f"/hr/rounds/{round_id}/move", {"member_id": HUGE, "to_number": "1"})):
        response = as_hr.post(path, data=data, follow_redirects=True)
        assert response.status_code == 200, path


def test_hr_sends_a_new_link_to_a_member_whose_invitation_did_not_arrive(smtp_app, inbox, make_member):
    received, _ = inbox
    people = [make_member(email=f"p{n}@example.com") for n in range(3)]
    hr = make_member(email="hr@example.com", role="hr")
    force_name(smtp_app, people[1].id, name=None, email="broken@example.com\r\nBcc: x@evil.example")
    round_id, client = solved_group_round(smtp_app, people, hr)
    client.post(f"/hr/rounds/{round_id}/publish")
    assert len(received.messages) == 2
    force_name(smtp_app, people[1].id, name=None, email="p1@example.com")  # HR corrects the address
    with smtp_app.app_context():
        place = db.session.scalar(sa.select(GroupMember).where(GroupMember.member_id == people[1].id))
        group_id, old_hash = place.group_id, place.token_hash
    review = client.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    assert review.count("Send a new link") == 3
    page = client.post(f"/hr/rounds/{round_id}/groups/{group_id}/members/{people[1].id}/new-link",
                       follow_redirects=True).get_data(as_text=True)
    assert "Sent “Member 2” a new invitation link" in page
    [message] = received.to("p1@example.com")
    token = re.search(r"/invitations/(\S+)", message.get_body().get_content()).group(1)
    assert smtp_app.test_client().get(f"/invitations/{token}", follow_redirects=True).status_code == 200
    with smtp_app.app_context():
        assert db.session.scalar(sa.select(GroupMember.token_hash).where(GroupMember.member_id == people[1].id)) \
            != old_hash
    client.post("/hr/rounds/{}/close".format(round_id))
    refused = client.post(f"/hr/rounds/{round_id}/groups/{group_id}/members/{people[1].id}/new-link",
                          follow_redirects=True).get_data(as_text=True)
    assert "New invitation links are sent only in a published working-group round." in refused
