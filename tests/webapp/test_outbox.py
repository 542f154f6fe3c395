"""The outbox: no message is lost when the mail server is down, none is sent twice, HR sees failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from models import Match, OutboxMessage, OutboxStatus, db
from models.base import utcnow
from tests.webapp.mail import Inbox, free_port
from tests.webapp.published import make_group, make_match, make_round
from webapp import jobs
from webapp.services import outbox
from webapp.services.messages import UNBUILDABLE, Message, deliver_after_commit
from webapp.services.rounds.lifecycle import publish_round
from webapp.services.scheduled import tick


@pytest.fixture
def down_then_up(make_app):
    """An app whose mail server is down until the test calls ``up()``; yields (app, inbox, up)."""
    port = free_port()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2, BASE_URL="https://copmatch.example.org")
    handler, started = Inbox(), []

    def up():
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)

    yield app, handler, up
    for controller in started:
        controller.stop()


def _publish_groups(app, make_member, count=6):
    ids = [make_member(email=f"p{n}@example.com", display_name=f"สมาชิก {n}").id for n in range(count)]
    with app.app_context():
        round_ = make_round("groups", status="solved")
        make_group(round_, ids[:3], number=1)
        make_group(round_, ids[3:], number=2)
        publication = publish_round(round_.id)
        db.session.commit()
        return deliver_after_commit(publication.messages), ids


def _statuses(app):
    with app.app_context():
        return sorted(db.session.scalars(sa.select(OutboxMessage.status)).all())


def test_mail_server_down_during_publish_then_up_every_message_arrives_once(down_then_up, make_member):
    app, inbox, up = down_then_up
    delivery, ids = _publish_groups(app, make_member)
    assert delivery.sent == 0 and len(delivery.failed) == 6  # HR is told, as before
    assert _statuses(app) == ["pending"] * 6  # and nothing is lost
    up()
    with app.app_context():
        soon = utcnow() + timedelta(seconds=59)  # the first retry is due within a minute
        assert outbox.deliver_due(soon).sent == 6
        assert outbox.deliver_due(soon + timedelta(hours=3)).sent == 0
        tick(soon + timedelta(hours=4))
    assert sorted(m["To"] for m in inbox.messages) == sorted(f"สมาชิก {n} <p{n}@example.com>" for n in range(6))
    assert len({m["Message-ID"] for m in inbox.messages}) == 6
    assert _statuses(app) == ["sent"] * 6
    with app.app_context():  # a sent message keeps no text (its private link) at rest
        assert {(m.subject, m.body) for m in db.session.scalars(sa.select(OutboxMessage))} == {("", "")}


def test_a_claimed_message_is_never_sent_by_a_second_delivery(mail_app, inbox, make_member):
    received, _port = inbox
    member = make_member(email="ann@example.com", display_name="Ann Lee")
    with mail_app.app_context():
        [message] = outbox.stage([Message("ann@example.com", "Ann Lee", "Hi", "Body", (), "message", member.id)])
        db.session.commit()
        assert outbox._claim([message.key], utcnow()) != []  # another worker has it
        assert outbox.deliver([message.key]).sent == 0
        assert outbox.deliver_due().sent == 0
        later = utcnow() + timedelta(minutes=outbox.STUCK_MINUTES + 1)
        assert outbox.sweep_stuck(later) == 1  # its worker died: HR decides, it is not re-sent by itself
        assert outbox.deliver_due(later).sent == 0
        assert db.session.scalar(sa.select(OutboxMessage.reason)) == outbox.STUCK
    assert received.messages == []


def test_a_message_that_fails_for_good_is_shown_to_hr_who_can_retry_it(make_app, make_member, inbox):
    received, port = inbox
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2, OUTBOX_MAX_ATTEMPTS=1)
    member = make_member(email="ann@example.com", display_name="Ann Lee")
    hr = make_member(email="hr@example.com", display_name="Pranee HR", role="hr")
    with app.app_context():
        deliver_after_commit([Message("ann@example.com", "Ann Lee", "Hi", "Body", (), "match_invitation", member.id),
                              Message("", "", "", "", (), "group_invitation", member.id, UNBUILDABLE)])
    assert _statuses(app) == ["failed", "failed"]
    client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(client).login(hr.email)
    page = client.get("/hr/outbox").get_data(as_text=True)
    assert "the mail server could not be reached" in page
    assert "the message could not be written from the stored data" in page
    assert page.count('name="message"') == 2
    app.config["MAIL_PORT"] = port  # the server is back
    with app.app_context():
        retried = db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.kind == "match_invitation"))
    response = client.post("/hr/outbox/retry", data={"message": str(retried)}, follow_redirects=True)
    assert "1 message is back in the queue." in response.get_data(as_text=True)
    assert [m["To"] for m in received.messages] == ["Ann Lee <ann@example.com>"]
    assert _statuses(app) == ["failed", "sent"]
    assert client.get("/hr/outbox", follow_redirects=True).status_code == 200


def test_outbox_pages_are_for_hr_only(client, member, auth):
    auth.login(member.email)
    assert client.get("/hr/outbox").status_code == 403
    assert client.post("/hr/outbox/retry").status_code == 403


def test_with_a_queue_publishing_puts_the_invitations_in_the_outbox_and_sends_none_in_the_request(
        make_app, make_member, inbox, monkeypatch):
    received, port = inbox
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, JOBS_SYNC=False)
    dispatched = []
    monkeypatch.setattr(jobs, "dispatch", lambda task, *args, **kwargs: dispatched.append(task))
    delivery, _ids = _publish_groups(app, make_member)
    assert (delivery.queued, delivery.sent, dispatched) == (6, 0, ["deliver"])
    assert received.messages == [] and _statuses(app) == ["pending"] * 6
    with app.app_context():
        assert outbox.deliver_due().sent == 6
    assert len(received.messages) == 6


def test_invitations_are_in_the_outbox_in_the_publish_transaction(app, make_member):
    ids = [make_member(email=f"p{n}@example.com", display_name=f"สมาชิก {n}").id for n in range(2)]
    with app.app_context():
        round_ = make_round("mentoring", status="solved")
        make_match(round_, ids[0], ids[1])
        publish_round(round_.id)
        db.session.rollback()  # the publish fails after all: its messages go with it
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
        publish_round(round_.id)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2


def test_tick_reminds_unanswered_invitations_once_and_running_it_twice_sends_nothing_twice(
        mail_app, inbox, make_member):
    received, _port = inbox
    ids = [make_member(email=f"p{n}@example.com", display_name=f"สมาชิก {n}").id for n in range(4)]
    with mail_app.app_context():
        round_ = make_round("mentoring", status="solved")
        make_match(round_, ids[0], ids[1])
        make_match(round_, ids[2], ids[3], first_status="accepted")
        publication = publish_round(round_.id)
        db.session.commit()
        deliver_after_commit(publication.messages)
        assert len(received.messages) == 4
        early = tick(utcnow() + timedelta(days=mail_app.config["REMINDER_DAYS"] - 1))
        assert early["reminders"] == 0
        later = utcnow() + timedelta(days=mail_app.config["REMINDER_DAYS"], hours=1)
        first = tick(later)
        again = tick(later + timedelta(minutes=5))
        assert (first["reminders"], again["reminders"], again["sent"]) == (3, 0, 0)
        match = db.session.scalar(sa.select(Match).where(Match.first_id == ids[2]))
        assert match.first_reminded_at is None and match.second_reminded_at is not None
    reminders = [m for m in received.messages if "waiting for your answer" in m["Subject"]]
    assert sorted(m["To"] for m in reminders) == sorted(f"สมาชิก {n} <p{n}@example.com>" for n in (0, 1, 3))
    assert _statuses(mail_app) == ["sent"] * 7
