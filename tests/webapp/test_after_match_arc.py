"""The whole arc after a match, on both databases, with a controlled clock.

confirm → agreement → session logged → ``.ics`` parsed back with icalendar
(times and attendees) → check-in answered from the emailed link without
logging in → a silent pair flagged after INACTIVE_DAYS and nudged once, not
twice → end date → re-assessment → profile updated → the next round's
scores use the new level.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa

from models import AttentionFlag, CheckIn, LearningGoal, Match, Member, MemberSkill, Round, Skill, db
from tests.conftest import AuthActions
from webapp.services.after_match.schedule import run_scheduled
from webapp.services.rounds import lifecycle, solving
from webapp.services.rounds.dates import organisation_today

BANGKOK, LONDON = ZoneInfo("Asia/Bangkok"), ZoneInfo("Europe/London")


def at_nine(day) -> datetime:
    """09:00 in Bangkok on ``day``, the moment a morning tick runs."""
    return datetime.combine(day, time(9, 0), tzinfo=BANGKOK)


def links(message, path: str) -> list[str]:
    return re.findall(rf"https?://\S+{path}\S+", message.body)


def test_confirm_agree_log_invite_check_in_nudge_end_reassess_and_rematch(app, make_member, sent):
    learner = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", wants_mentor=True,
                          timezone="Asia/Bangkok", department="การเงิน", languages=["Thai"])
    mentor = make_member(email="jane@example.com", display_name="Jane Smith", mentor_capacity=1,
                         timezone="Europe/London", department="Engineering", languages=["Thai", "English"])
    with app.app_context():
        sql = Skill(name="SQL")
        db.session.add_all([sql, MemberSkill(member_id=learner.id, skill=sql, level=2),
                            LearningGoal(member_id=learner.id, skill=sql, target_level=5, priority=1),
                            MemberSkill(member_id=mentor.id, skill=sql, level=5)])
        db.session.commit()
        today = organisation_today()
        round_ = lifecycle.create_round("mentoring", None, None, starts_on=today, ends_on=today + timedelta(days=90))
        solving.solve_round(round_.id)
        lifecycle.publish_round(round_.id)
        db.session.commit()
        round_id, ends_on = round_.id, round_.ends_on
        match_id = db.session.scalar(sa.select(Match.id).where(Match.round_id == round_id))
        skill_id = sql.id
    learner_client, mentor_client = app.test_client(), app.test_client()
    AuthActions(learner_client).login(learner.email)
    AuthActions(mentor_client).login(mentor.email)

    # Confirm: both accept.
    for client in (learner_client, mentor_client):
        assert client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"}).status_code == 302
    page = learner_client.get(f"/relationships/{match_id}").get_data(as_text=True)
    assert "SQL" in page and f'name="first-{skill_id}-included"' in page  # pre-filled from the match's focus

    # Agreement: the learner writes it (SQL 2 → 5, every two weeks, by call); the mentor confirms.
    sent.clear()
    response = learner_client.post(f"/relationships/{match_id}/agreement", data={
        f"first-{skill_id}-included": "y", f"first-{skill_id}-level_before": "2",
        f"first-{skill_id}-target_level": "5", "frequency": "fortnightly", "modes": ["call", "chat"],
        "until": ends_on.isoformat()})
    assert response.status_code == 302
    assert [m.to for m in sent] == [mentor.email]
    with app.app_context():
        match = db.session.get(Match, match_id)
        from webapp.services.after_match.agreements import agreement_of

        agreement = agreement_of(match)
        assert [(g.skill.name, g.level_before, g.target_level) for g in agreement.goals] == [("SQL", 2, 5)]
        assert agreement.first_confirmed_at and not agreement.second_confirmed_at
        version, confirmed_on = agreement.version, organisation_today(match.confirmed_at)
    assert mentor_client.post(f"/relationships/{match_id}/agreement/confirm",
                              data={"version": str(version)}).status_code == 302
    with app.app_context():
        assert agreement_of(db.session.get(Match, match_id)).confirmed

    # A session proposed by the mentor, in London time: each gets an .ics with the right time and both attendees.
    sent.clear()
    day = (datetime.now(LONDON) + timedelta(days=3)).date()
    assert mentor_client.post(f"/relationships/{match_id}/meetings/propose", data={
        "day": day.isoformat(), "at": "10:30", "minutes": "45", "place": "Teams"}).status_code == 302
    assert sorted(m.to for m in sent) == sorted([learner.email, mentor.email])
    for message in sent:
        [attachment] = message.attachments
        assert attachment.content_type.startswith("text/calendar; method=REQUEST")
        calendar = icalendar.Calendar.from_ical(attachment.data)
        [event] = calendar.walk("VEVENT")
        start = event.decoded("dtstart")
        assert start == datetime.combine(day, time(10, 30), tzinfo=LONDON)
        assert event["dtstart"].params["TZID"] == "Europe/London"  # the proposer's zone, not UTC
        assert event.decoded("dtend") - start == timedelta(minutes=45)
        assert sorted(str(a) for a in event.get("attendee")) == sorted(
            [f"mailto:{learner.email}", f"mailto:{mentor.email}"])
        assert str(event.get("organizer")) == f"mailto:{mentor.email}"
        assert calendar.walk("VTIMEZONE")  # the time zone travels with the invitation
    with app.app_context():
        meeting_id = db.session.scalar(sa.text("SELECT id FROM meetings"))
    download = learner_client.get(f"/relationships/{match_id}/meetings/{meeting_id}.ics")
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    [event] = icalendar.Calendar.from_ical(download.data).walk("VEVENT")
    assert event.decoded("dtstart").astimezone(BANGKOK) == datetime.combine(day, time(10, 30), tzinfo=LONDON)

    # The session took place: the learner logs it, with a private note and one for the community.
    assert learner_client.post(f"/relationships/{match_id}/meetings/{meeting_id}/log", data={
        "day": today.isoformat(), "minutes": "50", "skills": [str(skill_id)],
        "private_note": "ฝึกเขียน JOIN", "shared_note": "เริ่มจากข้อมูลจริงของทีม"}).status_code == 302

    # Two weeks after confirmation the check-in goes out; the learner answers from the link, logged out.
    sent.clear()
    first_check_in = at_nine(confirmed_on + timedelta(days=15))
    with app.app_context():
        run_scheduled(first_check_in)
    assert sorted(m.to for m in sent) == sorted([learner.email, mentor.email])
    [mine] = [m for m in sent if m.to == learner.email]
    [link] = [url for url in links(mine, "/check-ins/") if url.endswith("/going_well")]
    visitor = app.test_client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = visitor.get("/" + path)
    assert page.status_code == 200 and "Send my answer" in page.get_data(as_text=True)
    answered = visitor.post("/" + path, follow_redirects=True)
    assert answered.status_code == 200 and "Thank you" in answered.get_data(as_text=True)
    sent.clear()
    with app.app_context():
        run_scheduled(first_check_in)  # the same moment again sends nothing
    assert sent == []
    with app.app_context():
        answers = db.session.execute(sa.select(CheckIn.member_id, CheckIn.answer)).all()
        assert (learner.id, "going_well") in answers

    # Then silence: INACTIVE_DAYS after the last sign of life, the match is flagged and the pair nudged, once.
    inactive_days = app.config["INACTIVE_DAYS"]
    silent = at_nine(today + timedelta(days=inactive_days + 1))
    with app.app_context():
        run_scheduled(silent)
    nudges = [m for m in sent if "time to meet" in m.subject]
    assert sorted(m.to for m in nudges) == sorted([learner.email, mentor.email])
    sent.clear()
    with app.app_context():
        run_scheduled(silent)
        run_scheduled(silent + timedelta(days=2))
    assert not [m for m in sent if "time to meet" in m.subject]
    with app.app_context():
        flags = db.session.scalars(sa.select(AttentionFlag).where(AttentionFlag.match_id == match_id)).all()
        assert [(f.kind, f.notified_at is not None) for f in flags] == [("inactive", True)]

    # The end date: the round closes itself, feedback opens, both are asked to re-assess.
    sent.clear()
    with app.app_context():
        run_scheduled(at_nine(ends_on))
    with app.app_context():
        assert db.session.get(Round, round_id).can("give_feedback")
    subjects = sorted(m.subject for m in sent)
    assert sum("has ended: how did it go" in s for s in subjects) == 2
    assert sum("grow" in s for s in subjects) == 2
    with app.app_context():
        goal_id = db.session.scalar(sa.text("SELECT id FROM agreement_goals"))
    assert learner_client.post(f"/relationships/{match_id}/growth", data={f"goal-{goal_id}": "4"}).status_code == 302
    assert mentor_client.post(f"/relationships/{match_id}/growth", data={f"goal-{goal_id}": "3"}).status_code == 302
    assert learner_client.post(f"/relationships/{match_id}/growth/confirm").status_code == 302
    with app.app_context():
        row = db.session.get(MemberSkill, (learner.id, skill_id))
        assert row.level == 4  # the profile took the new level
        goal = db.session.execute(sa.text("SELECT level_before, level_after, teacher_view FROM agreement_goals")).one()
        assert tuple(goal) == (2, 4, 3)
        assert db.session.get(LearningGoal, (learner.id, skill_id)).target_level == 5  # not reached yet

        # The next round starts from level 4: its scoring sees 4, not 2.
        nxt = lifecycle.create_round("mentoring", None, None, parameters={"cooldown_rounds": 0})
        solving.solve_round(nxt.id)
        db.session.commit()
        [again] = nxt.matches
        assert again.focus[0]["level"] == 4
        [goal_reason] = [r for r in again.reasons if r["kind"] == "goal"]
        assert "you are at 4" in goal_reason["text"], goal_reason
        assert db.session.get(Member, learner.id).skills[0].level == 4
