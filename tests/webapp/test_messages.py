"""Messages to members: by SMTP to a local aiosmtpd server, or to the log without MAIL_SERVER."""

from __future__ import annotations

import logging
import re

from models import Match, db
from tests.conftest import AuthActions
from tests.webapp.mail import body_of, free_port
from tests.webapp.published import make_group, make_match, make_round
from webapp.services.messages import deliver, match_invitations
from webapp.services.rounds.lifecycle import publish_round


def test_a_thai_members_group_invitation_arrives_in_thai_with_a_working_link(mail_app, inbox, make_member):
    received, _ = inbox
    thai = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", locale="th").id
    english = make_member(email="ann@example.com", display_name="Ann Lee", locale="en").id
    with mail_app.app_context():
        round_ = make_round("groups", status="solved", name="กลุ่มทำงาน Q3")
        make_group(round_, [thai, english])
        publication = publish_round(round_.id)
        db.session.commit()
        assert deliver(publication.messages) == 2
    [message] = received.to("somchai@example.com")
    assert message["Subject"] == "CoPMatch: คำเชิญเข้าร่วมกลุ่มทำงาน"
    assert "สมชาย ใจดี" in message["To"]
    body = body_of(message)
    assert body.startswith("สวัสดี สมชาย ใจดี") and "กลุ่มทำงานที่ 1 ของ \"กลุ่มทำงาน Q3\"" in body
    link = re.search(r"https://copmatch\.example\.org/invitations/(\S+)", body)
    assert link, body
    page = mail_app.test_client().get(f"/invitations/{link.group(1)}", follow_redirects=True)
    assert page.status_code == 200 and "Hello สมชาย ใจดี" in page.get_data(as_text=True)
    [english_message] = received.to("ann@example.com")
    assert english_message["Subject"] == "CoPMatch: you are invited to a working group"


def test_a_thai_members_match_invitation_arrives_in_thai(mail_app, inbox, make_member):
    received, _ = inbox
    learner = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", locale="th").id
    mentor = make_member(email="malee@example.com", display_name="มาลี ศรีสุข", department="วิศวกรรม").id
    with mail_app.app_context():
        match = make_match(make_round(), learner, mentor)
        deliver(match_invitations(match))
    [message] = received.to("somchai@example.com")
    assert message["Subject"] == "CoPMatch: คุณมีพี่เลี้ยงคนใหม่ — มาลี ศรีสุข"
    body = body_of(message)
    assert "ในฐานะพี่เลี้ยงของคุณ" in body and "(วิศวกรรม)" in body
    assert "https://copmatch.example.org/matches" in body


def test_without_mail_server_messages_go_to_the_log(app, caplog, make_member):
    learner = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", locale="th").id
    mentor = make_member(email="malee@example.com", display_name="มาลี ศรีสุข").id
    assert not app.config["MAIL_SERVER"]
    caplog.set_level(logging.INFO, logger=app.logger.name)
    with app.app_context():
        round_ = make_round("groups", status="solved")
        make_group(round_, [learner, mentor])
        publication = publish_round(round_.id)
        db.session.commit()
        assert deliver(publication.messages) == 2
    assert "Message to somchai@example.com: CoPMatch: คำเชิญเข้าร่วมกลุ่มทำงาน" in caplog.text
    assert re.search(r"http://127\.0\.0\.1:5000/invitations/\S+", caplog.text)


def test_both_sides_accepting_sends_each_the_partners_email_and_a_first_step(mail_app, inbox, make_member):
    received, _ = inbox
    learner = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", locale="th").id
    mentor = make_member(email="malee@example.com", display_name="มาลี ศรีสุข").id
    with mail_app.app_context():
        match_id = make_match(make_round(), learner, mentor).id
    client = mail_app.test_client()
    auth = AuthActions(client)
    for address in ("malee@example.com", "somchai@example.com"):
        auth.login(address)
        assert client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"}).status_code == 302
        auth.logout()
    assert len(received.messages) == 2
    [to_learner] = received.to("somchai@example.com")
    assert to_learner["Subject"] == "CoPMatch: การจับคู่กับ มาลี ศรีสุข ได้รับการยืนยันแล้ว"
    assert "malee@example.com" in body_of(to_learner)
    assert "ก้าวแรก: นัดพบกันครั้งแรก 30 นาทีภายในสัปดาห์นี้ เริ่มจากเป้าหมาย: “SQL” ระดับ 2 → 4" in body_of(to_learner)
    [to_mentor] = received.to("malee@example.com")
    assert to_mentor["Subject"] == "CoPMatch: your match with สมชาย ใจดี is confirmed"
    assert "somchai@example.com" in body_of(to_mentor) and "A first step:" in body_of(to_mentor)
    # A second click sends nothing more.
    auth.login("malee@example.com")
    client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"})
    assert len(received.messages) == 2


def test_a_mail_server_that_is_down_does_not_lose_the_answer(make_app, make_member, caplog):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nothing listens there
    learner = make_member(email="somchai@example.com", display_name="สมชาย ใจดี").id
    mentor = make_member(email="malee@example.com", display_name="มาลี ศรีสุข").id
    with app.app_context():
        match_id = make_match(make_round(), learner, mentor, second_status="accepted").id
    client = app.test_client()
    AuthActions(client).login("somchai@example.com")
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        page = client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"}, follow_redirects=True)
    assert page.status_code == 200
    assert "Your answer is saved, but the emails about it could not be sent" in page.get_data(as_text=True)
    assert "Could not send 2 message(s)" in caplog.text
    with app.app_context():
        assert db.session.get(Match, match_id).confirmed_at is not None
