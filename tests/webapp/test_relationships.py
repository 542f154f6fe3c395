"""Relationship and working-group pages, check-in links, help and early ends, renewal and history.

Members reach only their own (404 otherwise), HR reads all but acts in none,
every POST needs its CSRF token, and a check-in link works once, for its member.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import AttentionFlag, CheckIn, Community, CommunityMembership, Feedback, Match, Meeting, db
from models.base import utcnow
from tests.conftest import client_for
from tests.webapp.published import confirm, make_group, make_match, make_round
from webapp.services.after_match import attention, checkins, renewals
from webapp.services.after_match.schedule import run_scheduled
from webapp.services.rounds.history import round_history


@pytest.fixture
def pair(app, make_member):
    """A confirmed mentoring match in a running round: ids of the match, learner, mentor and a stranger."""
    learner = make_member(email="somchai@example.com", display_name="สมชาย ใจดี")
    mentor = make_member(email="malee@example.com", display_name="มาลี ศรีสุข", timezone="Asia/Tokyo")
    stranger = make_member(email="dao@example.com", display_name="Dao Chan")
    hr = make_member(email="hr@example.com", display_name="Pranee HR", role="hr")
    with app.app_context():
        round_ = make_round("mentoring")
        match = confirm(make_match(round_, learner.id, mentor.id))
        return {"match": match.id, "learner": learner, "mentor": mentor, "stranger": stranger, "hr": hr,
                "round": round_.id}



def test_only_the_two_members_and_hr_open_a_relationship(app, pair):
    path = f"/relationships/{pair['match']}"
    assert app.test_client().get(path).status_code == 302  # visitors log in first
    assert client_for(app, pair["learner"]).get(path).status_code == 200
    assert client_for(app, pair["mentor"]).get(path).status_code == 200
    assert client_for(app, pair["stranger"]).get(path).status_code == 404
    assert client_for(app, pair["stranger"]).get("/relationships/999999").status_code == 404
    hr = client_for(app, pair["hr"])
    assert hr.get(path).status_code == 200
    assert hr.post(f"{path}/help", data={"help-reason": "x"}).status_code == 403  # HR reads, members act


def test_an_unconfirmed_match_has_no_relationship_page(app, pair, make_member):
    other = make_member(email="ann@example.com", display_name="Ann Lee")
    with app.app_context():
        pending = make_match(db.session.get(Match, pair["match"]).round, other.id, pair["mentor"].id).id
    assert client_for(app, pair["mentor"]).get(f"/relationships/{pending}").status_code == 404


def test_a_stranger_can_neither_log_nor_download_nor_cancel_anothers_sessions(app, pair):
    with app.app_context():
        meeting = Meeting(match_id=pair["match"], state="proposed", day=utcnow().date() + timedelta(days=3),
                          starts_at=utcnow() + timedelta(days=3), uid="x@copmatch", minutes=30)
        db.session.add(meeting)
        db.session.commit()
        meeting_id = meeting.id
    stranger = client_for(app, pair["stranger"])
    base = f"/relationships/{pair['match']}/meetings"
    assert stranger.get(f"{base}/{meeting_id}.ics").status_code == 404
    assert stranger.post(f"{base}/{meeting_id}/cancel").status_code == 404
    assert stranger.post(f"{base}/log", data={"day": "2026-01-01", "minutes": "30"}).status_code == 404
    assert client_for(app, pair["learner"]).get(f"{base}/{meeting_id}.ics").status_code == 200


def test_private_notes_stay_with_the_members_and_shared_notes_reach_the_community(app, pair):
    learner = client_for(app, pair["learner"])
    with app.app_context():
        today = (utcnow() + timedelta(hours=7)).date().isoformat()
    assert learner.post(f"/relationships/{pair['match']}/meetings/log", data={
        "day": today, "minutes": "40", "private_note": "เรื่องส่วนตัวมาก", "shared_note": "ลองใช้ข้อมูลจริง"}
    ).status_code == 302
    assert "เรื่องส่วนตัวมาก" in client_for(app, pair["mentor"]).get(f"/relationships/{pair['match']}").get_data(as_text=True)
    hr_page = client_for(app, pair["hr"]).get(f"/relationships/{pair['match']}").get_data(as_text=True)
    assert "เรื่องส่วนตัวมาก" not in hr_page and "ลองใช้ข้อมูลจริง" in hr_page


def test_whoever_logged_a_session_with_a_shared_note_can_write_it_up_as_a_practice_note(app, pair):
    learner = client_for(app, pair["learner"])
    with app.app_context():
        today = (utcnow() + timedelta(hours=7)).date().isoformat()
        community = Community(name="ชุมชนข้อมูล")
        db.session.add(community)
        db.session.flush()
        db.session.add(CommunityMembership(member_id=pair["learner"].id, community_id=community.id))
        db.session.commit()
    learner.post(f"/relationships/{pair['match']}/meetings/log", data={
        "day": today, "minutes": "40", "shared_note": "ลองใช้ข้อมูลจริงในการประชุมทีม"})
    page = learner.get(f"/relationships/{pair['match']}").get_data(as_text=True)
    link = re.search(r'href="(/practice/new\?source=session&amp;source_id=\d+)"', page)
    assert link is not None
    draft = learner.get(link.group(1).replace("&amp;", "&"))
    assert draft.status_code == 200 and "ลองใช้ข้อมูลจริงในการประชุมทีม" in draft.get_data(as_text=True)
    mentor_page = client_for(app, pair["mentor"]).get(f"/relationships/{pair['match']}").get_data(as_text=True)
    assert "/practice/new?source=session" not in mentor_page  # the note is the learner's to write up


def test_a_session_cannot_be_logged_in_the_future_or_proposed_in_the_past(app, pair):
    learner = client_for(app, pair["learner"])
    future = (utcnow() + timedelta(days=5)).date().isoformat()
    response = learner.post(f"/relationships/{pair['match']}/meetings/log", data={"day": future, "minutes": "30"})
    assert response.status_code == 422 and "once it has taken place" in response.get_data(as_text=True)
    past = (utcnow() - timedelta(days=5)).date().isoformat()
    response = learner.post(f"/relationships/{pair['match']}/meetings/propose",
                            data={"day": past, "at": "10:00", "minutes": "30"})
    assert response.status_code == 422 and "in the future" in response.get_data(as_text=True)


def test_every_post_of_the_new_pages_needs_its_csrf_token(make_app, make_member):
    app = make_app(WTF_CSRF_ENABLED=True)
    learner = make_member(email="a@example.com")
    mentor = make_member(email="b@example.com")
    with app.app_context():
        match_id = confirm(make_match(make_round("mentoring"), learner.id, mentor.id)).id
    client = app.test_client()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/auth/login", data={"email": learner.email, "password": "correct horse battery", "csrf_token": token})
    for action in ("agreement", "agreement/confirm", "help", "end", "growth", "growth/confirm", "renew",
                   "meetings/propose", "meetings/log"):
        assert client.post(f"/relationships/{match_id}/{action}").status_code == 400, action
    assert client.post("/check-ins/any-token/going_well").status_code in (400, 404)
    with app.app_context():
        assert db.session.get(Match, match_id).ended_at is None


def test_a_check_in_link_answers_once_for_its_member_and_expires(app, pair, sent):
    with app.app_context():
        messages = checkins.send_due_checkins(utcnow() + timedelta(days=15))
        db.session.commit()
    [message] = [m for m in messages if m.to == pair["learner"].email]
    need_help = next(w for w in message.body.split() if w.endswith("/need_help")).split("/", 3)[3]
    visitor = app.test_client()
    assert visitor.get("/" + need_help).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(CheckIn.answered_at).where(CheckIn.member_id == pair["learner"].id)) is None
    done = visitor.post("/" + need_help, follow_redirects=True)
    assert done.status_code == 200 and "HR has been told" in done.get_data(as_text=True)
    assert [m.to for m in sent] == [pair["hr"].email]  # HR hears at once
    going_well = need_help.replace("/need_help", "/going_well")
    visitor.post("/" + going_well)  # a second click changes nothing
    with app.app_context():
        row = db.session.scalar(sa.select(CheckIn).where(CheckIn.member_id == pair["learner"].id))
        assert row.answer == "need_help"
        assert db.session.scalar(sa.select(AttentionFlag.kind)) == "need_help"
        row.answered_at, row.answer, row.expires_at = None, None, utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert visitor.get("/" + going_well).status_code == 410
    assert visitor.get("/check-ins/not-a-token/going_well").status_code == 404
    assert visitor.get(f"/{need_help.rsplit('/', 1)[0]}/made_up").status_code == 404


def test_check_ins_go_out_two_weeks_after_confirmation_then_monthly_and_catch_up_with_one(app, pair, sent):
    with app.app_context():
        confirmed = db.session.get(Match, pair["match"]).confirmed_at
        run_scheduled(confirmed + timedelta(days=10))
        assert sent == []
        run_scheduled(confirmed + timedelta(days=100))  # after downtime: one check-in each, the latest due
        numbers = db.session.scalars(sa.select(CheckIn.number)).all()
        assert sorted(numbers) == [3, 3] and len(sent) >= 2


def test_ending_early_tells_the_partner_without_the_reason_and_hr_with_it(app, pair, sent):
    response = client_for(app, pair["learner"]).post(f"/relationships/{pair['match']}/end",
                                                      data={"end-reason": "ตารางงานไม่ตรงกัน"})
    assert response.status_code == 302
    to_partner = [m for m in sent if m.to == pair["mentor"].email]
    to_hr = [m for m in sent if m.to == pair["hr"].email]
    assert to_partner and "ตารางงานไม่ตรงกัน" not in to_partner[0].body
    assert to_hr and "ตารางงานไม่ตรงกัน" in to_hr[0].body
    with app.app_context():
        assert not db.session.get(Match, pair["match"]).live
        assert attention.ended_early()[0].end_reason == "ตารางงานไม่ตรงกัน"
    page = client_for(app, pair["hr"]).get("/hr/programme/attention").get_data(as_text=True)
    assert "ตารางงานไม่ตรงกัน" in page


def test_asking_hr_for_help_lists_the_match_with_the_reason(app, pair, sent):
    client_for(app, pair["mentor"]).post(f"/relationships/{pair['match']}/help", data={"help-reason": "ติดต่อไม่ได้"})
    assert [m.to for m in sent] == [pair["hr"].email]
    page = client_for(app, pair["hr"]).get("/hr/programme/attention").get_data(as_text=True)
    assert "asked HR for help" in page and "ติดต่อไม่ได้" in page
    assert client_for(app, pair["learner"]).get("/hr/programme/attention").status_code == 403
    assert client_for(app, pair["learner"]).get("/hr/programme/mentors").status_code == 403


def test_a_working_group_page_is_for_its_accepted_members_and_hr_who_may_give_it_a_purpose(app, pair, make_member):
    third = make_member(email="krit@example.com", display_name="กฤต ดีมาก")
    with app.app_context():
        group, _tokens = make_group(make_round("groups", name="กลุ่ม"), [pair["learner"].id, third.id])
        group.members[0].status = "accepted"
        db.session.commit()
        group_id = group.id
    assert client_for(app, pair["learner"]).get(f"/groups/{group_id}").status_code == 200
    assert client_for(app, third).get(f"/groups/{group_id}").status_code == 404  # not accepted yet
    assert client_for(app, pair["stranger"]).get(f"/groups/{group_id}").status_code == 404
    hr = client_for(app, pair["hr"])
    assert hr.post(f"/groups/{group_id}/purpose", data={"purpose": "ลดเวลาปิดงบ"}).status_code == 302
    assert "ลดเวลาปิดงบ" in client_for(app, pair["learner"]).get(f"/groups/{group_id}").get_data(as_text=True)
    assert client_for(app, pair["learner"]).post(f"/groups/{group_id}/purpose", data={"purpose": "x"}).status_code == 403


def test_a_pair_that_never_met_is_not_a_repeat_but_one_that_met_is(app, pair):
    with app.app_context():
        round_ = db.session.get(Match, pair["match"]).round
        round_.status = "closed"
        db.session.commit()
        later = make_round("mentoring", status="draft", name="next")
        key = tuple(sorted((pair["learner"].id, pair["mentor"].id)))
        assert key not in round_history(later).rounds_ago
        db.session.add(Meeting(match_id=pair["match"], day=utcnow().date(), uid="met@copmatch", minutes=30))
        db.session.commit()
        assert round_history(later).rounds_ago[key] == 1


def test_a_pair_that_met_and_rated_well_is_renewed_in_the_next_solve_when_both_ask(app, pair):
    with app.app_context():
        match = db.session.get(Match, pair["match"])
        match.round.status = "closed"
        db.session.add(Meeting(match_id=match.id, day=utcnow().date(), uid="met@copmatch", minutes=30))
        learner, mentor = match.first, match.second
        with pytest.raises(renewals.RenewalError):
            renewals.request_renewal(match, learner)  # no rating yet
        db.session.add_all([Feedback(round_id=match.round_id, member_id=learner.id, match_id=match.id, met=True,
                                     rating=5),
                            Feedback(round_id=match.round_id, member_id=mentor.id, match_id=match.id, met=True,
                                     rating=4)])
        db.session.commit()
        assert renewals.request_renewal(match, learner) is False
        assert renewals.request_renewal(match, mentor) is True
        db.session.commit()
        next_round = make_round("mentoring", status="draft", name="next")
        found = renewals.renewals_for(next_round, {learner.id}, {mentor.id}, set(), frozenset())
        assert [(r.first_id, r.second_id, r.from_match_id) for r in found] == [(learner.id, mentor.id, match.id)]
        assert renewals.renewals_for(next_round, {learner.id}, {mentor.id}, {mentor.id}, frozenset()) == []
