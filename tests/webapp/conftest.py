"""Fixtures the web-app tests share: logged-in clients, a local SMTP server, a Thai organisation."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from models import Community, Member, MemberSkill, Skill, db
from tests.webapp.mail import Inbox, free_port
from tests.webapp.published import confirm, make_group, make_match, make_round


@pytest.fixture
def as_hr(client, auth, hr):
    """The test client, logged in as the HR account."""
    auth.login(hr.email)
    return client


@pytest.fixture
def as_member(client, auth, member):
    """The test client, logged in as the member สมชาย ใจดี."""
    auth.login(member.email)
    return client


@pytest.fixture
def sent(monkeypatch):
    """Messages the views and scheduled tasks deliver, collected instead of sent."""
    messages = []

    def collect(batch):
        messages.extend(batch)
        return len(batch)

    monkeypatch.setattr("webapp.services.messages.deliver", collect)
    return messages


@pytest.fixture
def inbox():
    """A local SMTP server on loopback; yields its inbox and port."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mail_app(make_app, inbox):
    """An app that sends its email to the local SMTP server (``inbox``)."""
    _, port = inbox
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="https://copmatch.example.org")


@pytest.fixture
def log_in_as(app):
    """``log_in_as(client, member_id)``: the session a log-in would give (see ``tests.webapp.accounts``)."""
    from tests.webapp.accounts import log_in_as as give_session

    return lambda client, member_id: give_session(app, client, member_id)


@pytest.fixture
def thai_organisation(app, make_member):
    """A small organisation with rounds in every state, and the ids the pages need."""
    hr = make_member(email="hr@example.com", display_name="ปราณี ฝ่ายบุคคล", role="hr", locale="th")
    learner = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", locale="th",
                          department="การเงิน", function="บัญชี", seniority="Junior", wants_mentor=True)
    mentor = make_member(email="malee@example.com", display_name="มาลี ศรีสุข", locale="th",
                         department="วิศวกรรม", seniority="Senior", mentor_capacity=2)
    peer = make_member(email="krit@example.com", display_name="กฤต ดีมาก", locale="th", department="ขาย")
    with app.app_context():
        community = Community(name="ชุมชนข้อมูล", description="เรียนรู้การวิเคราะห์ข้อมูลด้วยกัน",
                              core_skills=[Skill(name="การวิเคราะห์ข้อมูล")])
        db.session.add(community)
        db.session.flush()
        db.session.add(MemberSkill(member_id=mentor.id, skill_id=community.core_skills[0].id, level=5))
        db.session.commit()
        published = make_round("mentoring", name="รอบพี่เลี้ยง ธันวาคม")
        match = make_match(published, learner.id, mentor.id, skill="การวิเคราะห์ข้อมูล")
        closed = make_round("mentoring", status="closed", name="รอบพี่เลี้ยง ตุลาคม")
        ended = make_match(closed, learner.id, mentor.id, skill="การวิเคราะห์ข้อมูล", first_status="accepted",
                           second_status="accepted")
        running = make_round("mentoring", name="รอบพี่เลี้ยง พฤศจิกายน")
        live = confirm(make_match(running, learner.id, mentor.id, skill="การวิเคราะห์ข้อมูล"))
        after = _after_match_data(live, ended, learner, mentor)
        groups = make_round("groups", name="กลุ่มทำงาน ธันวาคม")
        group, tokens = make_group(groups, [learner.id, mentor.id, peer.id], anchor_id=mentor.id,
                                   anchor_skill="การวิเคราะห์ข้อมูล")
        for place in group.members:
            place.status = "accepted"
        db.session.commit()
        _thai_audit_trail(hr.id, learner.id, groups.id)
        return {**after, "live": live.id, "ended": ended.id, "hr": hr, "learner": learner, "mentor": mentor, "community": community.id,
                "skill": community.core_skills[0].id, "published": published.id, "closed": closed.id,
                "groups": groups.id, "match": match.id, "token": tokens[learner.id], "group": group.id}


def _after_match_data(live, ended, learner, mentor) -> dict:
    """An agreement, a proposed and a held session, a check-in and a flag on ``live``; goals to re-assess on ``ended``."""
    from datetime import time, timedelta

    from models.base import utcnow
    from webapp.services.after_match import agreements, attention, checkins, growth, meetings
    from webapp.services.rounds.dates import organisation_today

    today = organisation_today()
    answers = [agreements.GoalAnswer(c.key, True, c.level_before, c.target_level)
               for c in agreements.goal_choices(live)]
    agreements.save_agreement(live, learner, answers, "weekly", ["call", "in_person"], None, today)
    meetings.propose_meeting(live, mentor, today + timedelta(days=2), time(14, 0), 45, "ห้องประชุม 3")
    meetings.log_meeting(live, learner, today, 30, [], "บันทึกส่วนตัว", "สิ่งที่ได้ผล")
    attention.raise_flag(live, "need_help", learner, "ขอคำแนะนำ")
    growth.goals_to_assess(ended)
    db.session.commit()
    messages = checkins.send_due_checkins(utcnow() + timedelta(days=20))
    db.session.commit()
    token = next(word for m in messages for word in m.body.split() if "/check-ins/" in word).split("/")[-2]
    return {"check_in": token}


def _thai_audit_trail(hr_id: int, member_id: int, round_id: int) -> None:
    """One entry of each kind the audit page puts in words, so a Thai reader sees each sentence."""
    from webapp.services import audit
    from webapp.services.messages import Failure

    for action, params in (("import", {"created": 2, "updated": 1, "unchanged": 0}), ("publish", {"round_id": round_id,
                           "invitations": 3}), ("round_export", {"round_id": round_id}), ("repair", {"round_id": round_id,
                           "rematched": 1}), ("close", {"round_id": round_id}), ("audit_export", {"entries": 4}),
                           ("purge", {"days": 365, "reasons": 1, "notes": 2})):
        audit.record(action, actor=hr_id, **params)
    for action in ("deactivate", "reactivate", "role_change", "data_export", "erase"):
        audit.record(action, actor=hr_id, subject=member_id)
    audit.record_failed_login(db.session.get(Member, member_id))
    audit.record_failed_login(None)
    db.session.commit()
    audit.record_failed_messages([Failure(member_id, "group_invitation", "refused")])
