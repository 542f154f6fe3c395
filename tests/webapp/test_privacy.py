"""Members' rights under the PDPA: the notice and consent, their download, erasure and retention."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import AuditEntry, ConsentRecord, Feedback, GroupMember, Match, Member, MemberSkill, Skill, db
from models.base import utcnow
from tests.conftest import PASSWORD, AuthActions, visible_text
from tests.webapp.published import make_community, make_group, make_match, make_round
from webapp.services import privacy


def consents(app, member_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [(c.notice_version, c.locale) for c in db.session.scalars(
            sa.select(ConsentRecord).where(ConsentRecord.member_id == member_id))]


# --- the notice and consent ---------------------------------------------------------------------


def test_the_privacy_notice_is_public_and_says_what_is_kept_and_for_how_long(make_app):
    app = make_app(RETENTION_DAYS=180, PRIVACY_CONTACT="dpo@example.co.th")
    page = visible_text(app.test_client().get("/privacy").get_data(as_text=True))
    assert f"Version {privacy.NOTICE_VERSION}" in page and "Personal Data Protection Act" in page
    assert "deleted 180 days after you give them" in page and "Write to dpo@example.co.th" in page
    assert "Download my data" not in page  # for visitors there is nothing of theirs to download


def test_first_login_asks_for_consent_then_returns_to_the_page(client, make_member, app):
    member = make_member(consented=False)
    AuthActions(client).login(member.email)
    response = client.get("/matches")
    assert response.status_code == 302 and response.headers["Location"] == "/privacy/consent?next=/matches"
    assert client.post("/profile", data={}).headers["Location"] == "/privacy/consent"  # a POST waits too
    page = client.get("/privacy/consent?next=/matches").get_data(as_text=True)
    assert "please read how CoPMatch uses your personal data" in page and "I have read the notice and agree" in page
    client.set_cookie("locale", "th")
    response = client.post("/privacy/consent?next=/matches")
    assert response.status_code == 302 and response.headers["Location"] == "/matches"
    assert consents(app, member.id) == [(privacy.NOTICE_VERSION, "en")]  # the member's own language
    assert client.get("/matches").status_code == 200


def test_a_new_notice_version_asks_again_and_keeps_the_history(client, make_member, app, monkeypatch):
    member = make_member()
    AuthActions(client).login(member.email)
    assert client.get("/profile").status_code == 200
    monkeypatch.setattr(privacy, "NOTICE_VERSION", "2027-06-01")
    response = client.get("/profile")
    assert response.status_code == 302 and "/privacy/consent" in response.headers["Location"]


def test_consent_is_stored_once_per_version(ctx, make_member):
    member = db.session.get(Member, make_member(consented=False).id)
    assert privacy.record_consent(member, "th") is not None
    db.session.commit()
    assert privacy.record_consent(member, "th") is None
    assert privacy.has_consented(member) and not privacy.has_consented(member, "1999-01-01")


def test_before_consenting_a_member_can_still_read_the_notice_log_out_and_download(client, make_member):
    member = make_member(consented=False)
    AuthActions(client).login(member.email)
    assert client.get("/privacy").status_code == 200
    assert client.get("/privacy/my-data.json").status_code == 200
    assert client.post("/auth/logout").status_code == 302


def test_consent_needs_a_csrf_token(make_app, make_member):
    app = make_app(WTF_CSRF_ENABLED=True)
    member = make_member(consented=False)
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/privacy/consent").status_code == 400
    assert consents(app, member.id) == []


# --- my data ------------------------------------------------------------------------------------


@pytest.fixture
def history(app, make_member):
    """A member with a profile, a declined match, a group, feedback given and feedback received."""
    me = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", department="การเงิน",
                     languages=["ไทย"])
    mentor = make_member(email="malee@example.com", display_name="มาลี ศรีสุข")
    other = make_member(email="krit@example.com", display_name="กฤต ดีมาก")
    with app.app_context():
        community = make_community()
        skill = db.session.scalar(sa.select(Skill))
        db.session.add(MemberSkill(member_id=me.id, skill_id=skill.id, level=3))
        db.session.add(Skill(name="Proposed by me", approved=False, proposed_by_id=me.id))
        db.session.commit()
        closed = make_round("mentoring", status="closed", name="รอบตุลาคม")
        match = make_match(closed, me.id, mentor.id, first_status="declined",
                           first_decline_reason="ไม่สะดวกช่วงนี้", second_status="declined",
                           second_decline_reason="PRIVATE: the mentor's own reason")
        match.first_responded_at = utcnow() - timedelta(days=400)
        group, _tokens = make_group(make_round("groups", name="กลุ่ม"), [me.id, mentor.id, other.id])
        db.session.add_all([
            Feedback(round_id=closed.id, member_id=me.id, match_id=match.id, met=True, rating=4,
                     practice_note="เราลองใช้ SQL กับงานจริง"),
            Feedback(round_id=closed.id, member_id=mentor.id, match_id=match.id, met=True, rating=1,
                     practice_note="PRIVATE: what the mentor thinks of me"),
        ])
        db.session.commit()
        return {"me": me, "mentor": mentor, "other": other, "match": match.id, "group": group.id,
                "community": community.id}


def test_a_member_downloads_everything_held_about_them_and_nothing_private_of_others(client, app, history):
    AuthActions(client).login(history["me"].email)
    response = client.get("/privacy/my-data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"] and response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "somchai@example.com" and data["account"]["name"] == "สมชาย ใจดี"
    assert data["profile"]["department"] == "การเงิน" and data["profile"]["languages"] == ["ไทย"]
    assert data["skills"] and data["proposed_skills"] == ["Proposed by me"]
    [match] = data["matches"]
    assert match["my_decline_reason"] == "ไม่สะดวกช่วงนี้" and match["partner"] == "มาลี ศรีสุข"
    assert match["partner_answer"] == "declined"
    [place] = data["working_groups"]
    assert place["members"] == sorted(["มาลี ศรีสุข", "กฤต ดีมาก"])
    [given] = data["feedback_given"]
    assert given["practice_note"] == "เราลองใช้ SQL กับงานจริง" and given["rating"] == 4
    assert data["consents"][0]["notice_version"] == privacy.NOTICE_VERSION
    text = json.dumps(data, ensure_ascii=False)
    assert "PRIVATE" not in text and "malee@example.com" not in text and "password_hash" not in text
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "data_export"))
        assert entry.actor_id == entry.subject_id == history["me"].id


def test_the_download_needs_a_login(client):
    response = client.get("/privacy/my-data.json")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- erasure ------------------------------------------------------------------------------------


def test_hr_erases_a_member_and_their_past_matches_show_former_member(as_hr, app, history, hr):
    me = history["me"]
    page = as_hr.get(f"/hr/members/{me.id}/erase").get_data(as_text=True)
    assert "Erase the personal data of “สมชาย ใจดี”" in page and "cannot be undone" in page
    refused = as_hr.post(f"/hr/members/{me.id}/erase", data={})
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    response = as_hr.post(f"/hr/members/{me.id}/erase", data={"confirm": "y"}, follow_redirects=True)
    assert "Erased the personal data of “สมชาย ใจดี”" in response.get_data(as_text=True)
    with app.app_context():
        erased = db.session.get(Member, me.id)
        assert erased.erased and not erased.active and erased.password_hash is None
        assert erased.display_name == "former member" and erased.email == f"erased-{me.id}@erased.invalid"
        assert erased.department is None and erased.languages == [] and not erased.skills
        assert not erased.memberships
        match = db.session.get(Match, history["match"])
        assert match.first_decline_reason is None  # their free text is gone
        assert match.second_decline_reason == "PRIVATE: the mentor's own reason"  # the mentor's stays
        mine = db.session.scalar(sa.select(Feedback).where(Feedback.member_id == me.id))
        assert mine.practice_note == "" and mine.rating == 4  # the figure stays, the text goes
        assert db.session.scalar(sa.select(Skill).where(Skill.name == "Proposed by me")).proposed_by_id is None
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "erase"))
        assert entry.subject_id == me.id and entry.actor_id == hr.id
        assert "สมชาย" not in json.dumps(entry.params, ensure_ascii=False)
    client = app.test_client()
    AuthActions(client).login(history["mentor"].email)
    matches = visible_text(client.get("/matches").get_data(as_text=True))
    assert "former member" in matches and "สมชาย" not in matches


def test_the_erased_person_cannot_log_in_or_keep_a_session(app, history, hr):
    me = history["me"]
    theirs = app.test_client()
    AuthActions(theirs).login(me.email)
    assert theirs.get("/profile").status_code == 200
    with app.app_context():
        privacy.erase_member(db.session.get(Member, me.id), db.session.get(Member, hr.id))
        db.session.commit()
    assert theirs.get("/profile").status_code == 302  # the open session ends
    again = app.test_client()
    for email in (me.email, f"erased-{me.id}@erased.invalid"):
        response = AuthActions(again).login(email)
        assert response.status_code == 200 and "Wrong email or password" in response.get_data(as_text=True)


def test_hr_cannot_erase_themselves_or_twice(as_hr, app, hr, history):
    response = as_hr.post(f"/hr/members/{hr.id}/erase", data={"confirm": "y"})
    assert response.status_code == 422 and "cannot erase your own account" in response.get_data(as_text=True)
    me = history["me"].id
    as_hr.post(f"/hr/members/{me}/erase", data={"confirm": "y"})
    response = as_hr.post(f"/hr/members/{me}/erase", data={"confirm": "y"}, follow_redirects=True)
    assert "already erased" in response.get_data(as_text=True)
    assert as_hr.post(f"/hr/members/{me}/reactivate", follow_redirects=True).status_code == 200
    with app.app_context():
        assert not db.session.get(Member, me).active


def test_erasure_is_for_hr_only_and_needs_csrf(make_app, make_member, history):
    app = make_app(WTF_CSRF_ENABLED=True)
    member = make_member()
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert client.get(f"/hr/members/{history['me'].id}/erase").status_code == 403
    hr = make_member(role="hr")
    hr_client = app.test_client()
    page = hr_client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    hr_client.post("/auth/login", data={"email": hr.email, "password": PASSWORD, "csrf_token": token})
    assert hr_client.post(f"/hr/members/{history['me'].id}/erase", data={"confirm": "y"}).status_code == 400
    with app.app_context():
        assert not db.session.get(Member, history["me"].id).erased


def test_an_erased_anchor_is_a_former_member_in_the_group_summary(app, make_member):
    from webapp.services.reasons import group_summary

    people = [make_member(display_name=f"Anchor {n}") for n in range(2)]
    hr = make_member(role="hr")
    with app.app_context():
        group, _ = make_group(make_round("groups"), [p.id for p in people], anchor_id=people[0].id)
        privacy.erase_member(db.session.get(Member, people[0].id), db.session.get(Member, hr.id))
        db.session.commit()
        lines = [str(line) for line in group_summary(db.session.get(type(group), group.id), html=False)]
        assert any("Anchored by “former member”" in line for line in lines)
        assert not any("Anchor 0" in line for line in lines)


# --- retention ----------------------------------------------------------------------------------


def test_purge_expired_empties_old_reasons_and_notes_only_and_is_idempotent(app, runner, history):
    with app.app_context():
        db.session.execute(sa.update(Match).values(second_responded_at=utcnow() - timedelta(days=10)))
        db.session.execute(sa.update(Feedback).where(Feedback.member_id == history["me"].id)
                           .values(updated_at=utcnow() - timedelta(days=500)))
        place = db.session.scalar(sa.select(GroupMember).where(GroupMember.member_id == history["other"].id))
        place.status, place.decline_reason = "declined", "ยุ่งมาก"
        place.responded_at = utcnow() - timedelta(days=366)
        db.session.commit()
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert "2 decline reason(s), 1 feedback note(s)" in result.output
    with app.app_context():
        match = db.session.get(Match, history["match"])
        assert match.first_decline_reason is None  # given 400 days ago
        assert match.second_decline_reason == "PRIVATE: the mentor's own reason"  # 10 days ago: kept
        notes = dict(db.session.execute(sa.select(Feedback.member_id, Feedback.practice_note)).all())
        assert notes[history["me"].id] == "" and notes[history["mentor"].id]
        assert db.session.scalar(sa.select(Feedback.rating).where(Feedback.member_id == history["me"].id)) == 4
        [entry] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "purge")).all()
        assert entry.params == {"days": 365, "reasons": 2, "notes": 1} and entry.actor_id is None
    again = runner.invoke(args=["purge-expired"])
    assert again.exit_code == 0 and "0 decline reason(s), 0 feedback note(s)" in again.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "purge")) == 1


def test_purge_expired_follows_retention_days_and_refuses_nonsense(make_app, history):
    app = make_app(RETENTION_DAYS=1000)
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert "0 decline reason(s)" in result.output
    result = app.test_cli_runner().invoke(args=["purge-expired", "--days", "0"])
    assert result.exit_code != 0
