"""The audit trail: what is recorded, that it cannot be changed, and HR's page and CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import AuditEntry, LoginFailure, Member, db
from tests.conftest import PASSWORD, AuthActions, visible_text
from tests.webapp.published import make_match, make_round
from tests.webapp.test_import import THAI_ROW, csv_bytes
from webapp.services import audit


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_the_trail_cannot_be_changed_or_deleted(ctx):
    entry = audit.record("close", round_id=1)
    db.session.commit()
    entry.params = {"round_id": 2}
    with pytest.raises(ValueError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(ValueError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    for statement in ("UPDATE audit_entries SET action = 'x'", "DELETE FROM audit_entries"):
        with pytest.raises(sa.exc.DBAPIError):  # the database refuses too, whoever asks
            db.session.execute(sa.text(statement))
        db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).params == {"round_id": 1}


def test_an_unknown_action_is_refused(ctx):
    with pytest.raises(ValueError, match="expected an action"):
        audit.record("made_up")


def test_hr_actions_are_recorded_with_who_and_whom(as_hr, app, hr, make_member):
    other = make_member(display_name="กฤต ดีมาก")
    as_hr.post(f"/hr/members/{other.id}/deactivate")
    as_hr.post(f"/hr/members/{other.id}/deactivate")  # already deactivated: nothing new happened
    as_hr.post(f"/hr/members/{other.id}/reactivate")
    upload = as_hr.post("/hr/members/import", data={"file": (io.BytesIO(csv_bytes(THAI_ROW)), "people.csv")},
                        content_type="multipart/form-data").get_data(as_text=True)
    fields = {name: upload.split(f'id="{name}" name="{name}" type="hidden" value="')[1].split('"')[0]
              for name in ("upload", "digest")}
    as_hr.post("/hr/members/import/confirm", data=fields)
    with app.app_context():
        round_ = make_round("mentoring", status="solved")
        make_match(round_, make_member().id, make_member().id)
        round_id = round_.id
    as_hr.post(f"/hr/rounds/{round_id}/publish")
    as_hr.get(f"/hr/rounds/{round_id}/export.csv")
    as_hr.post(f"/hr/rounds/{round_id}/repair")
    as_hr.post(f"/hr/rounds/{round_id}/close")
    assert actions(app) == ["deactivate", "reactivate", "import", "publish", "round_export", "repair", "close"]
    page = visible_text(as_hr.get("/hr/audit").get_data(as_text=True))
    for text in ("Deactivated กฤต ดีมาก.", "Reactivated กฤต ดีมาก.", "Imported members: 1 new, 0 updated, 0 unchanged.",
                 "Published “รอบพี่เลี้ยง 2025”: 2 invitation message(s).", "Exported “รอบพี่เลี้ยง 2025” as CSV.",
                 "Closed “รอบพี่เลี้ยง 2025”; feedback opened.", "Pranee HR"):
        assert text in page, text


def test_create_hr_records_the_role_change(app, runner, make_member):
    member = make_member(email="somsri@example.com")
    assert runner.invoke(args=["create-hr", "somsri@example.com", "--password", "long enough pw"]).exit_code == 0
    assert runner.invoke(args=["create-hr", "somsri@example.com", "--password", "long enough pw"]).exit_code == 0
    with app.app_context():
        [entry] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "role_change")).all()
        assert entry.subject_id == member.id and entry.actor_id is None and entry.params == {"role": "hr"}
        lines = audit.all_lines(audit.Filters())
        assert lines[0].actor == "command line" and lines[0].text == "Made Member 1 an HR account."


def test_failed_logins_are_counted_per_account_and_hour(app, client, member):
    auth = AuthActions(client)
    for _ in range(3):
        auth.login(member.email, "wrong password")
    auth.login("nobody@example.com", "wrong password")
    auth.login("ghost@example.com", "wrong password")
    with app.app_context():
        rows = {row.account: row.count for row in db.session.scalars(sa.select(LoginFailure))}
        assert rows == {str(member.id): 3, "": 2}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
        texts = [line.text for line in audit.all_lines(audit.Filters(action="login_failed"))]
        assert any(text.startswith("3 failed logins for สมชาย ใจดี (") for text in texts)
        assert any(text.startswith("2 failed logins with emails that belong to no account") for text in texts)
        assert "nobody@example.com" not in " ".join(texts)  # emails of nobody are not kept


def test_a_failed_login_in_a_new_hour_starts_a_new_count(ctx, member):
    somchai = db.session.get(Member, member.id)
    ten = datetime(2026, 12, 1, 10, 5, tzinfo=timezone.utc)
    for moment in (ten, ten + timedelta(minutes=50), ten + timedelta(minutes=70)):
        audit.record_failed_login(somchai, moment)
    db.session.commit()
    assert sorted(db.session.scalars(sa.select(LoginFailure.count))) == [1, 2]


@pytest.fixture
def trail(app, hr, make_member):
    """Entries on three days about two members, and failed logins."""
    a, b = make_member(display_name="Ann Lee", email="ann@example.com"), make_member(display_name="Bo Chan")
    with app.app_context():
        hr_row = db.session.get(Member, hr.id)
        for day, action, subject in ((1, "deactivate", a.id), (2, "reactivate", a.id), (3, "deactivate", b.id)):
            entry = audit.record(action, actor=hr_row, subject=subject)
            entry.at = datetime(2026, 11, day, 9, 0, tzinfo=timezone.utc)
        audit.record_failed_login(db.session.get(Member, a.id), datetime(2026, 11, 2, 8, 15, tzinfo=timezone.utc))
        db.session.commit()
    return {"a": a, "b": b}


def test_hr_filters_the_trail_by_person_action_and_date(as_hr, trail):
    def texts(query: str) -> str:
        return visible_text(as_hr.get(f"/hr/audit?{query}").get_data(as_text=True))

    everything = texts("")
    assert "Deactivated Ann Lee." in everything and "Deactivated Bo Chan." in everything
    assert "1 failed login for Ann Lee" in everything and "4 entries." in everything
    by_name = texts("q=ann")
    assert "Bo Chan" not in by_name and "Reactivated Ann Lee." in by_name and "1 failed login" in by_name
    assert "Entries about or by Ann Lee." in texts(f"member={trail['a'].id}")
    only = texts("action=deactivate")
    assert "Reactivated Ann" not in only and "failed login for" not in only and "2 entries." in only
    day_two = texts("since=2026-11-02&until=2026-11-02")
    assert "Reactivated Ann Lee." in day_two and "Deactivated " not in day_two and "2 entries." in day_two
    assert "1 entry." in texts("action=login_failed")
    assert as_hr.get("/hr/audit?since=not-a-date&member=abc&action=nope").status_code == 200


def test_the_trail_downloads_as_csv_with_the_same_filters(as_hr, app, trail):
    response = as_hr.get("/hr/audit/export.csv?action=deactivate")
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["time (UTC)", "who", "action"]
    assert [row[5] for row in rows[1:]] == ["Deactivated Bo Chan.", "Deactivated Ann Lee."]
    assert rows[1][0] == "2026-11-03 09:00:00" and rows[1][1] == "Pranee HR"
    assert actions(app)[-1] == "audit_export"  # the export itself is on the record


def test_the_audit_pages_are_for_hr_only(client, auth, member):
    assert client.get("/hr/audit").status_code == 302
    auth.login(member.email)
    assert client.get("/hr/audit").status_code == 403
    assert client.get("/hr/audit/export.csv").status_code == 403


def test_the_trail_reads_in_thai(app, trail, hr):
    client = app.test_client()
    client.set_cookie("locale", "th")
    AuthActions(client).login(hr.email, PASSWORD)
    with app.app_context():
        db.session.execute(sa.update(Member).where(Member.id == hr.id).values(locale="th"))
        db.session.commit()
    page = visible_text(client.get("/hr/audit").get_data(as_text=True))
    assert "ระงับการใช้งานของ Ann Lee แล้ว" in page
