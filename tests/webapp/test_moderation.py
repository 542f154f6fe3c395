"""Moderation: HR names coordinators; coordinators and HR hide content with a reason (audited); members report."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import (
    AuditEntry,
    Community,
    CommunityMembership,
    ContentReport,
    Member,
    PracticeNote,
    db,
)
from tests.conftest import client_for
from webapp.services import practice, questions



@pytest.fixture
def board(app, make_member):
    author = make_member(email="somchai@example.com", display_name="สมชาย ใจดี")
    coordinator = make_member(email="coord@example.com", display_name="Coordinator")
    reader = make_member(email="reader@example.com", display_name="Reader")
    hr = make_member(email="hr@example.com", display_name="Pranee HR", role="hr")
    with app.app_context():
        data, other = Community(name="Data"), Community(name="Other")
        db.session.add_all([data, other])
        db.session.flush()
        for m in (author, coordinator, reader):
            db.session.add(CommunityMembership(member_id=m.id, community_id=data.id))
        db.session.flush()
        note = practice.write(db.session.get(Member, author.id), data, "บันทึกที่ไม่เหมาะสม", "", [])
        question, _ = questions.ask(db.session.get(Member, author.id), data, "A question", "", [])
        answer = questions.answer(db.session.get(Member, reader.id), question, "An answer to hide")
        db.session.commit()
        return {"author": author, "coordinator": coordinator, "reader": reader, "hr": hr, "data": data.id,
                "other": other.id, "note": note.id, "question": question.id, "answer": answer.id}


def test_a_hidden_note_is_gone_for_members_and_kept_for_hr(app, board):
    hr = client_for(app, board["hr"])
    assert hr.post(f"/hr/communities/{board['data']}/coordinators",
                   data={"member_id": board["coordinator"].id}).status_code == 302
    reader = client_for(app, board["reader"])
    assert reader.post(f"/moderation/note/{board['note']}/report", data={"reason": "spam"}).status_code == 302
    # only coordinators (and HR) hide: the reader gets a 404
    assert reader.post(f"/moderation/note/{board['note']}/hide", data={"reason": "x"}).status_code == 404
    coordinator = client_for(app, board["coordinator"])
    assert "บันทึกที่ไม่เหมาะสม" in coordinator.get(f"/communities/{board['data']}/reports").get_data(as_text=True)
    assert coordinator.post(f"/moderation/note/{board['note']}/hide", data={"reason": "ไม่เกี่ยวกับงาน"}).status_code == 302
    assert reader.get(f"/practice/{board['note']}").status_code == 404
    assert "บันทึกที่ไม่เหมาะสม" not in reader.get(f"/communities/{board['data']}").get_data(as_text=True)
    assert "บันทึกที่ไม่เหมาะสม" not in reader.get(f"/communities/{board['data']}/practice").get_data(as_text=True)
    kept = hr.get(f"/practice/{board['note']}").get_data(as_text=True)
    assert "บันทึกที่ไม่เหมาะสม" in kept and "ไม่เกี่ยวกับงาน" in kept
    with app.app_context():
        assert db.session.get(PracticeNote, board["note"]).hidden_by_id == board["coordinator"].id
        assert db.session.scalar(sa.select(ContentReport.handled_at)) is not None
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "hide_content"))
        assert entry.actor_id == board["coordinator"].id and entry.params["content_id"] == board["note"]
        assert "ไม่เกี่ยวกับงาน" not in str(entry.params)  # the trail holds ids, not the reason
    assert "Hid a practice note" in hr.get("/hr/audit").get_data(as_text=True)


def test_hidden_questions_and_answers_are_gone_for_members(app, board):
    hr = client_for(app, board["hr"])
    hr.post(f"/moderation/answer/{board['answer']}/hide", data={"reason": "rude"})
    reader = client_for(app, board["reader"])
    assert "An answer to hide" not in reader.get(f"/questions/{board['question']}").get_data(as_text=True)
    assert "An answer to hide" in hr.get(f"/questions/{board['question']}").get_data(as_text=True)
    hr.post(f"/moderation/question/{board['question']}/hide", data={"reason": "duplicate"})
    assert reader.get(f"/questions/{board['question']}").status_code == 404
    assert "A question" not in reader.get(f"/communities/{board['data']}/questions").get_data(as_text=True)
    assert hr.get(f"/questions/{board['question']}").status_code == 200


def test_a_coordinator_moderates_only_their_own_community(app, board, make_member):
    stranger = make_member(email="s@example.com", display_name="Stranger")
    with app.app_context():
        db.session.add(CommunityMembership(member_id=stranger.id, community_id=board["other"]))
        db.session.commit()
    hr = client_for(app, board["hr"])
    hr.post(f"/hr/communities/{board['other']}/coordinators", data={"member_id": stranger.id})
    client = client_for(app, stranger)
    assert client.post(f"/moderation/note/{board['note']}/hide", data={"reason": "x"}).status_code == 404
    assert client.post(f"/moderation/note/{board['note']}/report", data={"reason": "x"}).status_code == 404
    assert client.get(f"/communities/{board['data']}/reports").status_code == 404
    # HR cannot name someone outside the community
    hr.post(f"/hr/communities/{board['data']}/coordinators", data={"member_id": stranger.id})
    assert client_for(app, stranger).post(f"/moderation/note/{board['note']}/hide", data={"reason": "x"}).status_code == 404
