"""The member import: parsing, all-or-nothing validation, preview, apply, CLI and pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from models import AccountToken, Community, LearningGoal, Member, MemberSkill, Skill, db
from webapp.services.importer import (
    COLUMNS,
    EXAMPLE_CSV,
    ImportProblems,
    apply_import,
    import_members,
    plan_import,
)

HEADER = ",".join(COLUMNS)


def csv_bytes(*rows: dict, delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


THAI_ROW = {
    "email": "Somsri.K@Example.com", "name": "สมศรี คงดี", "department": "ฝ่ายข้อมูล",
    "function": "Analytics", "title": "หัวหน้าทีม", "seniority": "lead", "location": "กรุงเทพฯ",
    "timezone": "Asia/Bangkok", "languages": "ไทย; English", "manager_email": "",
    "skills": "Python:5; การวิเคราะห์ข้อมูล:4", "learning_goals": "การนำเสนอ:4:1; SQL:3",
    "communities": "ชุมชนข้อมูล; Data Guild", "mentor_capacity": "3",
}
REPORT_ROW = {"email": "anan@example.com", "name": "อนันต์ พูลสุข", "manager_email": "somsri.k@example.com",
              "skills": "sql:2", "timezone": "Asia/Bangkok"}


def member_by_email(email: str) -> Member:
    return db.session.scalar(sa.select(Member).where(Member.email == email))


# -- service level ------------------------------------------------------------------------


def test_import_creates_members_skills_goals_communities_and_managers(app):
    with app.app_context():
        plan, result = import_members(csv_bytes(THAI_ROW, REPORT_ROW))
        db.session.commit()
        assert plan.summary == {"new": 2, "updated": 0, "unchanged": 0}
        assert result.created == 2 and len(result.invitations) == 2
        somsri = member_by_email("somsri.k@example.com")
        assert somsri.display_name == "สมศรี คงดี" and somsri.seniority == "Lead"
        assert somsri.languages == ["ไทย", "English"] and somsri.mentor_capacity == 3
        assert somsri.password_hash is None  # never a default password
        assert {(s.skill.name, s.level) for s in somsri.skills} == {("Python", 5), ("การวิเคราะห์ข้อมูล", 4)}
        assert {(g.skill.name, g.target_level, g.priority) for g in somsri.goals} == {
            ("การนำเสนอ", 4, 1), ("SQL", 3, 2)
        }
        assert {m.community.name for m in somsri.memberships} == {"ชุมชนข้อมูล", "Data Guild"}
        anan = member_by_email("anan@example.com")
        assert anan.manager_id == somsri.id
        # "sql" in another row is the same skill as "SQL": one skill, HR-approved.
        sql = db.session.scalars(sa.select(Skill).where(Skill.name_key == "sql")).one()
        assert sql.approved and sql.name == "SQL"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountToken)) == 2


def test_reimporting_the_same_file_changes_nothing(app):
    data = csv_bytes(THAI_ROW, REPORT_ROW)
    with app.app_context():
        import_members(data)
        db.session.commit()
        plan = plan_import(data)
        assert plan.summary == {"new": 0, "updated": 0, "unchanged": 2}
        result = apply_import(plan)
        db.session.commit()
        assert result.invitations == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 2


def test_an_update_lists_each_change_and_keeps_what_the_file_leaves_empty(app, make_member):
    existing = make_member(email="somsri.k@example.com", display_name="Somsri", department="Data")
    with app.app_context():
        python = Skill(name="Python")
        db.session.add(python)
        db.session.flush()
        db.session.add(MemberSkill(member_id=existing.id, skill_id=python.id, level=2))
        db.session.add(LearningGoal(member_id=existing.id, skill_id=python.id, target_level=5, priority=3))
        db.session.commit()
        row = {"email": "SOMSRI.K@example.com", "name": "สมศรี คงดี", "skills": "Python:4"}
        plan = plan_import(csv_bytes(row))
        [change] = plan.changes
        assert change.status == "updated"
        assert "name: Somsri → สมศรี คงดี" in change.changes and "skill Python: 2 → 4" in change.changes
        apply_import(plan)
        db.session.commit()
        member = db.session.get(Member, existing.id)
        assert member.display_name == "สมศรี คงดี" and member.department == "Data"
        assert [s.level for s in member.skills] == [4]
        assert [(g.target_level, g.priority) for g in member.goals] == [(5, 3)]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountToken)) == 0


@pytest.mark.parametrize("delimiter, bom", [(",", False), (",", True), (";", False), (";", True)])
def test_comma_or_semicolon_with_or_without_bom(app, delimiter, bom):
    with app.app_context():
        plan = plan_import(csv_bytes(THAI_ROW, delimiter=delimiter, bom=bom))
        assert plan.changes[0].email == "somsri.k@example.com"
        assert plan.rows[0].skills["python"] == ("Python", 5)


BAD_FILE = "\n".join([
    "email,name,timezone,seniority,skills,learning_goals,manager_email,mentor_capacity,department",
    "a@example.com,A,Asia/Bangkok,Senior,Python:4,,,2,Data",                 # 2 fine
    "b@example.com,B,Mars/Olympus,Senior,,,,,",                               # 3 unknown time zone
    "c@example.com,C,Asia/Bangkok,Guru,,,,,",                                 # 4 bad seniority
    "d@example.com,D,Asia/Bangkok,,Python:7,,,,",                             # 5 bad level
    "A@example.com,A again,,,,,,,",                                           # 6 duplicate email
    "e@example.com,E,,,,,nobody@example.com,,",                               # 7 manager nowhere
    "f@example.com,F,,,,,g@example.com,,",                                    # 8 cycle f -> g
    "g@example.com,G,,,,,f@example.com,,",                                    # 9 cycle g -> f
    "h@example.com,H,,,,,,9,",                                                # 10 capacity
    "i@example.com,I,,,,SQL:4:7,,," + ",",                                    # 11 priority + extra cell
    "j@example.com,J,,,,,,," + "x" * 81,                                      # 12 over-long department
    "k@example.com,,,,,,,,",                                                  # 13 new member without name
]) + "\n"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(app):
    with app.app_context():
        with pytest.raises(ImportProblems) as caught:
            plan_import(BAD_FILE.encode())
        problems = {(p.line, p.message) for p in caught.value.problems}
        lines = sorted({line for line, _ in problems})
        assert lines == [3, 4, 5, 6, 7, 8, 10, 11, 12, 13]
        text = "\n".join(str(p) for p in caught.value.problems)
        for expected in [
            "line 3: time zone 'Mars/Olympus' is not an IANA time zone",
            "line 4: seniority 'Guru' is not one of",
            "line 5: the level of 'Python' must be from 1 to 5, got 7",
            "line 6: email a@example.com is also on line 2",
            "line 7: manager_email 'nobody@example.com' is neither in the file nor a member",
            "line 8: managers form a cycle",
            "line 10: mentor_capacity must be from 0 to 5, got 9",
            "line 11: 1 more cell(s) than there are columns",
            "line 12: department is longer than 80 characters",
            "line 13: name is empty",
        ]:
            assert expected in text
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Skill)) == 0


def test_unknown_and_missing_columns_are_reported_on_the_header_line():
    with pytest.raises(ImportProblems) as caught:
        plan_import("email,nickname,shoe_size\nx@example.com,X,44\n".encode())
    messages = [str(p) for p in caught.value.problems]
    assert "line 1: unknown column 'nickname'" in messages[0]
    assert any("unknown column 'shoe_size'" in m for m in messages)
    assert any("missing column 'name'" in m for m in messages)


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(ImportProblems, match="problem"):
        plan_import("email,name\nx@example.com,สมชาย\n".encode("cp874"))


def test_a_manager_cycle_through_an_existing_member_is_refused(app, make_member):
    boss = make_member(email="boss@example.com")
    with app.app_context():
        plan, _ = import_members(csv_bytes({"email": "x@example.com", "name": "X", "manager_email": boss.email}))
        db.session.commit()
        with pytest.raises(ImportProblems, match="problem") as caught:
            plan_import(csv_bytes({"email": "boss@example.com", "name": "Boss", "manager_email": "x@example.com"}))
        assert "managers form a cycle" in caught.value.problems[0].message


def test_thai_text_round_trips_through_the_example_csv(app):
    with app.app_context():
        _, result = import_members(EXAMPLE_CSV.encode("utf-8-sig"))
        db.session.commit()
        assert result.created == 3
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 0  # no junk communities
        members = db.session.scalars(sa.select(Member).order_by(Member.email)).all()
        exported = io.StringIO()
        writer = csv.writer(exported)
        writer.writerow(["email", "name", "department", "skills"])
        for m in members:
            writer.writerow([m.email, m.display_name, m.department,
                             "; ".join(f"{s.skill.name}:{s.level}" for s in m.skills)])
        plan = plan_import(exported.getvalue().encode("utf-8"))
        assert plan.summary == {"new": 0, "updated": 0, "unchanged": 3}
        assert "อนันต์ พูลสุข" in exported.getvalue()


# -- command line -------------------------------------------------------------------------


def test_cli_dry_run_previews_and_writes_nothing(runner, app, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(THAI_ROW, REPORT_ROW))
    result = runner.invoke(args=["import-members", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 new, 0 updated, 0 unchanged" in result.output and "สมศรี คงดี" in result.output
    assert "Dry run: nothing written." in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_cli_imports_and_prints_working_set_password_links(runner, app, tmp_path, client):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(THAI_ROW))
    result = runner.invoke(args=["import-members", str(path), "--base-url", "https://cop.example"])
    assert result.exit_code == 0, result.output
    [link] = re.findall(r"https://cop\.example(/auth/set-password/\S+)", result.output)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new password", "password2": "a brand new password"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    with app.app_context():
        assert member_by_email("somsri.k@example.com").check_password("a brand new password")
    assert client.get(link).status_code == 410  # used once


def test_cli_reports_every_problem_and_fails(runner, app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_FILE, encoding="utf-8")
    result = runner.invoke(args=["import-members", str(path)])
    assert result.exit_code == 1
    assert "Nothing imported: " in result.output and "line 3: time zone" in result.output


def test_an_unknown_set_password_token_is_404(client):
    assert client.get("/auth/set-password/not-a-token").status_code == 404


# -- pages --------------------------------------------------------------------------------


def upload(client, data: bytes, name: str = "people.csv"):
    return client.post(
        "/hr/members/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_upload_previews_then_confirm_imports_and_shows_links_without_a_mail_server(as_hr, app, caplog):
    response = upload(as_hr, csv_bytes(THAI_ROW, REPORT_ROW))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Import preview" in page
    assert "2 new" in page and "สมศรี คงดี" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1  # just HR
    upload_name = re.search(r'name="upload" type="hidden" value="([0-9a-f]+)"', page).group(1)
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page).group(1)
    with caplog.at_level("INFO"):
        response = as_hr.post("/hr/members/import/confirm", data={"upload": upload_name, "digest": digest})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 created" in page
    # No mail server (the offline demo): HR sees the links, and the messages are in the log.
    assert page.count("/auth/set-password/") == 2
    assert "Message to somsri.k@example.com: CoPMatch: choose your password" in caplog.text
    with app.app_context():
        assert member_by_email("anan@example.com").manager.email == "somsri.k@example.com"
    # The upload is gone: confirming twice does not import twice.
    response = as_hr.post("/hr/members/import/confirm", data={"upload": upload_name, "digest": digest})
    assert response.status_code == 302


def test_confirm_refuses_a_tampered_digest(as_hr, app):
    page = upload(as_hr, csv_bytes(THAI_ROW)).get_data(as_text=True)
    upload_name = re.search(r'name="upload" type="hidden" value="([0-9a-f]+)"', page).group(1)
    response = as_hr.post("/hr/members/import/confirm", data={"upload": upload_name, "digest": "0" * 64})
    assert response.status_code == 302
    with app.app_context():
        assert member_by_email("somsri.k@example.com") is None


def test_upload_of_a_bad_file_lists_every_problem(as_hr, app):
    response = upload(as_hr, BAD_FILE.encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was imported" in page
    for line in (3, 4, 5, 6, 7, 8, 10, 11, 12, 13):
        assert f"<strong>Line {line}</strong>" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1


def test_example_csv_downloads_with_thai_and_english_rows(as_hr):
    with as_hr.get("/hr/members/import/example.csv") as response:
        assert response.status_code == 200 and response.mimetype == "text/csv"
        text = response.get_data().decode("utf-8-sig")
    assert "สมศรี คงดี" in text and "Jane Doe" in text
    assert text.splitlines()[0] == HEADER


@pytest.mark.parametrize("path", ["/hr/members/import", "/hr/members/import/example.csv"])
def test_import_pages_are_hr_only(client, auth, member, path):
    assert client.get(path).headers["Location"].startswith("/auth/login")
    auth.login(member.email)
    with client.get(path) as response:
        assert response.status_code == 403


def test_import_post_without_csrf_token_is_400(make_app, hr):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(hr.id)
        session["_fresh"] = True
    response = client.post("/hr/members/import/confirm", data={"upload": "0" * 32, "digest": "0" * 64})
    assert response.status_code == 400


def test_a_manager_on_a_bad_row_is_not_also_reported_missing(app):
    data = csv_bytes({"email": "boss@example.com", "name": "Boss", "timezone": "Nowhere/Town"},
                     {"email": "x@example.com", "name": "X", "manager_email": "boss@example.com"})
    with app.app_context(), pytest.raises(ImportProblems) as caught:
        plan_import(data)
    assert [(p.line, p.message.split(" ")[0]) for p in caught.value.problems] == [(2, "time")]


def test_every_problem_of_a_line_is_reported_also_the_missing_manager_of_a_line_with_another_error(app):
    data = csv_bytes({"email": "x@example.com", "name": "", "seniority": "Guru", "timezone": "Mars/Olympus",
                      "manager_email": "nobody@example.com"})
    with app.app_context(), pytest.raises(ImportProblems) as caught:
        plan_import(data)
    messages = sorted(p.message.split(" ")[0] for p in caught.value.problems if p.line == 2)
    assert messages == ["manager_email", "name", "seniority", "time"]


def test_an_upload_name_that_is_not_ours_is_refused(as_hr):
    response = as_hr.post("/hr/members/import/confirm", data={"upload": "../../etc/passwd", "digest": "0" * 64})
    assert response.status_code == 302 and response.headers["Location"].endswith("/hr/members/import")


def test_an_expired_set_password_link_is_gone(app, client):
    from datetime import timedelta

    with app.app_context():
        _, result = import_members(csv_bytes(THAI_ROW))
        token = db.session.scalar(sa.select(AccountToken))
        token.expires_at = token.created_at - timedelta(seconds=1)
        db.session.commit()
        raw = result.invitations[0][2]
    assert client.get(f"/auth/set-password/{raw}").status_code == 410


def test_set_password_re_renders_when_the_passwords_differ(app, client):
    with app.app_context():
        _, result = import_members(csv_bytes(THAI_ROW))
        db.session.commit()
    link = f"/auth/set-password/{result.invitations[0][2]}"
    response = client.post(link, data={"password": "a brand new password", "password2": "something else"})
    assert response.status_code == 200 and "The passwords differ." in response.get_data(as_text=True)
    with app.app_context():
        assert member_by_email("somsri.k@example.com").password_hash is None


def test_cli_with_a_mail_server_emails_the_links_and_prints_none(mail_app, inbox, tmp_path):
    received, _ = inbox
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(THAI_ROW))
    result = mail_app.test_cli_runner().invoke(args=["import-members", str(path), "--base-url", "https://cop.example"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 set-password email." in result.output and "/auth/set-password/" not in result.output
    [message] = received.to("somsri.k@example.com")
    assert "https://cop.example/auth/set-password/" in message.get_body().get_content()


def test_imported_members_get_the_default_language_until_they_choose(make_app):
    app = make_app(DEFAULT_LOCALE="th")
    with app.app_context():
        import_members(csv_bytes(THAI_ROW), 14)
        db.session.commit()
        assert member_by_email("somsri.k@example.com").locale == "th"


def test_the_cli_reclaims_an_unconfirmed_account(runner, app, tmp_path, make_member):
    make_member(email="somsri.k@example.com", email_verified_at=None)
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(THAI_ROW))
    result = runner.invoke(args=["import-members", str(path)])
    assert "1 account whose address was never confirmed was reclaimed" in result.output
    assert re.search(r"somsri\.k@example\.com  http://\S+/auth/set-password/", result.output)
    with app.app_context():
        assert member_by_email("somsri.k@example.com").password_hash is None
