"""Nobody is handed an account that is not theirs: create-hr, the HR import and the HR role page.

Findings 1 and 2 of issue 13, re-run as written: an outsider registers an
address before its owner arrives, then HR promotes or imports the address.
"""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from models import Signup, db
from tests.conftest import PASSWORD, visible_text
from tests.webapp.accounts import member_by_email
from tests.webapp.mail import body_of, link_in

OUTSIDER_PASSWORD = "the outsider's password"


def logged_in_as_hr(client) -> bool:
    return client.get("/hr/members").status_code == 200


# --- finding 1: an outsider can become HR ---------------------------------------------------------


def test_registering_an_address_gives_the_outsider_nothing_create_hr_can_promote(app, runner):
    outsider = app.test_client()
    response = outsider.post("/auth/register", data={"email": "new.hr.lead@corp.example", "display_name": "X"})
    assert response.status_code == 302  # "check your inbox"
    assert member_by_email(app, "new.hr.lead@corp.example") is None
    result = runner.invoke(args=["create-hr", "new.hr.lead@corp.example", "--password", "the real hr password"])
    assert "Created HR account new.hr.lead@corp.example" in result.output
    assert not logged_in_as_hr(outsider)
    assert outsider.get("/hr/rounds/1/export.csv").status_code == 302
    assert outsider.post("/auth/login", data={"email": "new.hr.lead@corp.example",
                                              "password": OUTSIDER_PASSWORD}).status_code == 200
    with app.app_context():  # the outsider's sign-up cannot become an account any more
        signup = db.session.scalar(sa.select(Signup))
        from webapp.services.signups import signup_usable

        assert not signup_usable(signup)


def test_create_hr_reclaims_an_unconfirmed_account_and_ends_its_sessions(mail_app, inbox, make_member, log_in_as):
    received, _ = inbox
    squatter = make_member(email="new.hr.lead@corp.example", display_name="Outsider", email_verified_at=None)
    outsider = mail_app.test_client()
    log_in_as(outsider, squatter.id)  # a session from before addresses were confirmed
    assert outsider.get("/profile").status_code == 200
    result = mail_app.test_cli_runner().invoke(args=["create-hr", "new.hr.lead@corp.example"])
    assert result.exit_code == 0, result.output
    assert "was never confirmed: the account's password is cleared and its sessions ended" in result.output
    assert "A set-password link went to new.hr.lead@corp.example" in result.output
    assert not logged_in_as_hr(outsider) and outsider.get("/profile").status_code == 302
    member = member_by_email(mail_app, "new.hr.lead@corp.example")
    assert member.is_hr and member.password_hash is None
    # The link goes to the address: whoever reads that mailbox chooses the password, and is HR.
    [message] = received.to("new.hr.lead@corp.example")
    link = link_in(message, "/auth/set-password/")
    owner = mail_app.test_client()
    assert owner.post(link, data={"password": "the real hr password", "password2": "the real hr password"}
                      ).status_code == 302
    owner.post("/auth/login", data={"email": "new.hr.lead@corp.example", "password": "the real hr password"})
    assert logged_in_as_hr(owner)


def test_create_hr_never_changes_a_confirmed_members_password(runner, app, member):
    result = runner.invoke(args=["create-hr", member.email, "--password", "the admin's choice 1"])
    assert result.exit_code == 0, result.output
    assert "Promoted HR account" in result.output and "Its password is unchanged" in result.output
    stored = member_by_email(app, member.email)
    assert stored.is_hr and stored.check_password(PASSWORD) and not stored.check_password("the admin's choice 1")


def test_create_hr_ends_the_promoted_members_sessions(app, runner, member):
    client = app.test_client()
    client.post("/auth/login", data={"email": member.email, "password": PASSWORD})
    runner.invoke(args=["create-hr", member.email])
    assert client.get("/profile").status_code == 302  # logged in again, under the new role
    client.post("/auth/login", data={"email": member.email, "password": PASSWORD})
    assert logged_in_as_hr(client)


def test_create_hr_sets_the_given_password_on_an_account_that_has_none(runner, app, make_member):
    imported = make_member(email="hr.to.be@corp.example", password_hash=None, email_verified_at=None)
    result = runner.invoke(args=["create-hr", imported.email, "--password", "a long hr password"])
    assert "It had no password: the one given is set." in result.output
    assert member_by_email(app, imported.email).check_password("a long hr password")


def test_create_hr_refuses_a_common_password(runner):
    result = runner.invoke(args=["create-hr", "hr9@corp.example", "--password", "1234567890"])
    assert result.exit_code != 0 and "most common passwords" in result.output


# --- finding 2: accounts taken over before the employee arrives ----------------------------------


def upload_and_confirm(client, data: bytes):
    page = client.post("/hr/members/import", data={"file": (io.BytesIO(data), "people.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    upload = re.search(r'name="upload" type="hidden" value="([0-9a-f]+)"', page).group(1)
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page).group(1)
    return page, client.post("/hr/members/import/confirm", data={"upload": upload, "digest": digest})


def test_the_import_reclaims_an_unconfirmed_account_for_the_real_employee(mail_app, inbox, make_member, log_in_as):
    received, _ = inbox
    make_member(email="boss@corp.example", display_name="หัวหน้า")
    squatter = make_member(email="new.hire@corp.example", display_name="Outsider", email_verified_at=None)
    outsider = mail_app.test_client()
    log_in_as(outsider, squatter.id)
    hr = make_member(email="hr@corp.example", role="hr")
    admin = mail_app.test_client()
    admin.post("/auth/login", data={"email": hr.email, "password": PASSWORD})
    csv = "email,name,department,manager_email\nnew.hire@corp.example,พนักงาน ใหม่,ฝ่ายข้อมูล,boss@corp.example\n"
    preview, result = upload_and_confirm(admin, csv.encode())
    assert "address never confirmed: the password is cleared" in visible_text(preview)
    page = visible_text(result.get_data(as_text=True))
    assert "1 reclaimed" in page and "1 member got an email with their own link" in page
    # The outsider's session is over, and their password no longer opens the account.
    assert outsider.get("/profile").status_code == 302
    assert outsider.post("/auth/login", data={"email": "new.hire@corp.example", "password": PASSWORD}
                         ).status_code == 200
    member = member_by_email(mail_app, "new.hire@corp.example")
    assert member.password_hash is None and member.department == "ฝ่ายข้อมูล"
    # The set-password link went to the address, and it lets the real employee in.
    [message] = received.to("new.hire@corp.example")
    assert message["Subject"] == "CoPMatch: choose your password" and "พนักงาน ใหม่" in body_of(message)
    employee = mail_app.test_client()
    link = link_in(message, "/auth/set-password/")
    employee.post(link, data={"password": "the employee's own pw", "password2": "the employee's own pw"})
    employee.post("/auth/login", data={"email": "new.hire@corp.example", "password": "the employee's own pw"})
    assert employee.get("/profile").status_code == 200


def test_the_import_leaves_confirmed_accounts_theirs(as_hr, app, member):
    csv = f"email,name,department\n{member.email},สมชาย ใจดี,การเงิน\n"
    _preview, result = upload_and_confirm(as_hr, csv.encode())
    assert "reclaimed" not in result.get_data(as_text=True)
    stored = member_by_email(app, member.email)
    assert stored.check_password(PASSWORD) and stored.department == "การเงิน"


def test_the_import_with_a_mail_server_shows_and_logs_no_links(mail_app, inbox, make_member, caplog):
    received, _ = inbox
    hr = make_member(email="hr@corp.example", role="hr")
    admin = mail_app.test_client()
    admin.post("/auth/login", data={"email": hr.email, "password": PASSWORD})
    with caplog.at_level("DEBUG"):
        _preview, result = upload_and_confirm(admin, "email,name\nanan@corp.example,อนันต์\n".encode())
    assert "/auth/set-password/" not in result.get_data(as_text=True)
    logged = " ".join(record.getMessage() for record in caplog.records if not record.name.startswith("mail."))
    assert "/auth/set-password/" not in logged
    assert len(received.to("anan@corp.example")) == 1


# --- the HR role page ----------------------------------------------------------------------------


def test_hr_grants_the_hr_role_after_a_confirmation_page(as_hr, app, member):
    page = as_hr.get(f"/hr/members/{member.id}/role")
    text = visible_text(page.get_data(as_text=True))
    assert page.status_code == 200 and "Make “สมชาย ใจดี” HR?" in text and "Yes, make HR" in text
    assert not member_by_email(app, member.email).is_hr  # looking at the page changes nothing
    response = as_hr.post(f"/hr/members/{member.id}/role", data={"role": "hr"}, follow_redirects=True)
    assert "“สมชาย ใจดี” is now HR" in response.get_data(as_text=True)
    assert member_by_email(app, member.email).is_hr
    text = visible_text(as_hr.get(f"/hr/members/{member.id}/role").get_data(as_text=True))
    assert "Remove the HR role from “สมชาย ใจดี”?" in text
    as_hr.post(f"/hr/members/{member.id}/role", data={"role": "member"})
    assert not member_by_email(app, member.email).is_hr


def test_the_members_page_links_each_member_to_the_role_page(as_hr, member, hr):
    page = as_hr.get("/hr/members").get_data(as_text=True)
    assert f"/hr/members/{member.id}/role" in page and f"/hr/members/{hr.id}/role" not in page


def test_hr_cannot_change_their_own_role_nor_a_deactivated_members(as_hr, app, hr, make_member):
    page = visible_text(as_hr.get(f"/hr/members/{hr.id}/role").get_data(as_text=True))
    assert "You cannot change your own role" in page and "Yes, remove" not in page
    response = as_hr.post(f"/hr/members/{hr.id}/role", data={"role": "member"}, follow_redirects=True)
    assert "You cannot change your own role" in response.get_data(as_text=True)
    assert member_by_email(app, hr.email).is_hr
    gone = make_member(active=False)
    as_hr.post(f"/hr/members/{gone.id}/role", data={"role": "hr"})
    assert not member_by_email(app, gone.email).is_hr


def test_granting_hr_to_an_unconfirmed_account_reclaims_it(mail_app, inbox, make_member, log_in_as):
    received, _ = inbox
    squatter = make_member(email="lead@corp.example", email_verified_at=None)
    outsider = mail_app.test_client()
    log_in_as(outsider, squatter.id)
    hr = make_member(email="hr@corp.example", role="hr")
    admin = mail_app.test_client()
    admin.post("/auth/login", data={"email": hr.email, "password": PASSWORD})
    text = visible_text(admin.get(f"/hr/members/{squatter.id}/role").get_data(as_text=True))
    assert "its password will be cleared, and a link to choose a new one goes to lead@corp.example" in text
    admin.post(f"/hr/members/{squatter.id}/role", data={"role": "hr"})
    assert not logged_in_as_hr(outsider) and outsider.get("/profile").status_code == 302
    member = member_by_email(mail_app, "lead@corp.example")
    assert member.is_hr and member.password_hash is None
    assert "/auth/set-password/" in body_of(received.to("lead@corp.example")[0])


def test_members_cannot_reach_the_role_page(as_member, hr, app):
    assert as_member.get(f"/hr/members/{hr.id}/role").status_code == 403
    assert as_member.post(f"/hr/members/{hr.id}/role", data={"role": "member"}).status_code == 403
    assert member_by_email(app, hr.email).is_hr


def test_the_role_change_needs_a_csrf_token(make_app, make_member):
    app = make_app(WTF_CSRF_ENABLED=True)
    hr = make_member(email="hr@corp.example", role="hr")
    target = make_member(email="x@corp.example")
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/auth/login").get_data(as_text=True)).group(1)
    client.post("/auth/login", data={"email": hr.email, "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/hr/members/{target.id}/role", data={"role": "hr"}).status_code == 400
    assert not member_by_email(app, target.email).is_hr


def test_an_unknown_member_role_page_is_404(as_hr):
    assert as_hr.get("/hr/members/99999/role").status_code == 404
