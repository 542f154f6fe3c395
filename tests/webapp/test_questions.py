"""Ask the community: routing to the right experts, answers, the helpful mark, time to first answer, search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from models import (
    Answer,
    Community,
    CommunityMembership,
    Member,
    MemberSkill,
    Question,
    QuestionRoute,
    Skill,
    db,
)
from models.base import utcnow
from tests.conftest import client_for
from webapp.services import questions



@pytest.fixture
def crowd(app, make_member):
    """A community with an asker, experts at several levels (one paused, one over-asked), a novice, an outsider."""
    asker = make_member(email="somchai@example.com", display_name="สมชาย ใจดี")
    experts = [make_member(email=f"expert{i}@example.com", display_name=f"Expert {i}") for i in range(7)]
    paused = make_member(email="paused@example.com", display_name="Paused Expert",
                         paused_until=date.today() + timedelta(days=10))
    busy = make_member(email="busy@example.com", display_name="Busy Expert")
    novice = make_member(email="novice@example.com", display_name="Novice")
    outsider = make_member(email="out@example.com", display_name="Outsider")
    hr = make_member(email="hr@example.com", display_name="Pranee HR", role="hr")
    with app.app_context():
        sql = Skill(name="SQL")
        data, other = Community(name="Data"), Community(name="Other")
        db.session.add_all([sql, data, other])
        db.session.flush()
        levels = [5, 5, 4, 4, 3, 3, 3]
        for member, level in [*zip(experts, levels), (paused, 5), (busy, 5), (novice, 2)]:
            db.session.add(MemberSkill(member_id=member.id, skill_id=sql.id, level=level))
        db.session.add(MemberSkill(member_id=outsider.id, skill_id=sql.id, level=5))
        for member in [asker, *experts, paused, busy, novice]:
            db.session.add(CommunityMembership(member_id=member.id, community_id=data.id))
        db.session.add(CommunityMembership(member_id=outsider.id, community_id=other.id))
        old = Question(community_id=data.id, author_id=asker.id, title="old")
        db.session.add(old)
        db.session.flush()
        for ago in range(questions.RECENT_LIMIT):  # asked three times in the last fortnight
            extra = Question(community_id=data.id, author_id=asker.id, title=f"q{ago}")
            db.session.add(extra)
            db.session.flush()
            db.session.add(QuestionRoute(question_id=extra.id, member_id=busy.id,
                                         routed_at=utcnow() - timedelta(days=ago + 1)))
        db.session.commit()
        return {"asker": asker, "experts": experts, "paused": paused, "busy": busy, "novice": novice,
                "outsider": outsider, "hr": hr, "community": data.id, "other": other.id, "sql": sql.id}


def test_a_question_goes_to_the_five_best_placed_not_paused_or_over_asked(app, crowd, sent):
    client = client_for(app, crowd["asker"])
    posted = client.post(f"/communities/{crowd['community']}/questions",
                         data={"title": "จะเขียน SQL ให้เร็วขึ้นได้อย่างไร", "body": "ตารางใหญ่มาก", "skills": [crowd["sql"]]})
    assert posted.status_code == 302
    expected = [e.id for e in crowd["experts"][:5]]  # levels 5, 5, 4, 4, then the first level-3 by id
    assert [m.member_id for m in sent] == expected
    assert "จะเขียน SQL ให้เร็วขึ้นได้อย่างไร" in sent[0].body
    with app.app_context():
        question = db.session.scalar(sa.select(Question).order_by(Question.id.desc()))
        assert sorted(r.member_id for r in question.routes) == sorted(expected)
        for left_out in ("paused", "busy", "novice", "outsider"):
            assert crowd[left_out].id not in {r.member_id for r in question.routes}


def test_the_load_spreads_to_those_asked_less_lately(app, crowd):
    with app.app_context():
        asker = db.session.get(Member, crowd["asker"].id)
        community = db.session.get(Community, crowd["community"])
        for _ in range(questions.RECENT_LIMIT):
            questions.ask(asker, community, "again", "", [crowd["sql"]])
        db.session.commit()
        routed = {m.id for m in questions.routed_to(community.id, [crowd["sql"]], asker.id)}
        # the top two experts have now been asked three times and rest; the level-3 experts take their turn
        assert crowd["experts"][0].id not in routed and crowd["experts"][6].id in routed


def test_members_answer_the_asker_marks_the_helpful_one_and_first_answer_time_is_kept(app, crowd):
    asker, expert = crowd["asker"], crowd["experts"][0]
    client_for(app, asker).post(f"/communities/{crowd['community']}/questions",
                               data={"title": "How do I index?", "skills": [crowd["sql"]]})
    with app.app_context():
        question_id = db.session.scalar(sa.select(Question.id).where(Question.title == "How do I index?"))
    assert client_for(app, crowd["novice"]).post(f"/questions/{question_id}/answers",
                                                 data={"body": "ลองใช้ EXPLAIN"}).status_code == 302
    client_for(app, expert).post(f"/questions/{question_id}/answers", data={"body": "Add a covering index"})
    with app.app_context():
        question = db.session.get(Question, question_id)
        first, second = question.answers
        assert question.first_answer_at == first.created_at
        answer_id = second.id
    # only the asker marks the answer that helped
    assert client_for(app, expert).post(f"/questions/{question_id}/answers/{answer_id}/helpful").status_code == 404
    client_for(app, asker).post(f"/questions/{question_id}/answers/{answer_id}/helpful")
    with app.app_context():
        assert db.session.get(Answer, answer_id).helpful
        assert questions.first_answer_hours(db.session.get(Community, crowd["community"])) is not None
    page = client_for(app, asker).get(f"/questions/{question_id}").get_data(as_text=True)
    assert "ลองใช้ EXPLAIN" in page and "Add a covering index" in page


def test_outsiders_cannot_read_ask_or_answer(app, crowd):
    outsider = client_for(app, crowd["outsider"])
    with app.app_context():
        question_id = db.session.scalar(sa.select(Question.id).where(Question.title == "old"))
    assert outsider.get(f"/communities/{crowd['community']}/questions").status_code == 404
    assert outsider.post(f"/communities/{crowd['community']}/questions", data={"title": "x"}).status_code == 404
    assert outsider.get(f"/questions/{question_id}").status_code == 404
    assert outsider.post(f"/questions/{question_id}/answers", data={"body": "x"}).status_code == 404
    assert client_for(app, crowd["hr"]).get(f"/questions/{question_id}").status_code == 200


def test_a_thai_query_finds_a_word_inside_unspaced_thai_text(app, crowd):
    with app.app_context():
        asker = db.session.get(Member, crowd["asker"].id)
        community = db.session.get(Community, crowd["community"])
        questions.ask(asker, community, "การวิเคราะห์ข้อมูลลูกค้าด้วยเอสคิวแอล", "ทำอย่างไรให้เร็ว", [])
        questions.ask(asker, community, "การนำเสนองานต่อผู้บริหาร", "", [])
        questions.ask(asker, community, "ข้อมูลการขาย", "วิเคราะห์ยอดขายรายเดือน", [])
        db.session.commit()
        assert "ข้อมูล" not in ["การวิเคราะห์ข้อมูลลูกค้าด้วยเอสคิวแอล"]  # no spaces to split on
        found = questions.community_questions(community, asker, "ข้อมูลลูกค้า")
        assert [f.question.title for f in found] == ["การวิเคราะห์ข้อมูลลูกค้าด้วยเอสคิวแอล", "ข้อมูลการขาย"]
        assert [f.matched for f in found] == [2, 1]
        assert questions.community_questions(community, asker, "ลูกค้า")[0].question.title.startswith("การวิเคราะห์")
    page = client_for(app, crowd["asker"]).get(f"/communities/{crowd['community']}/questions?q=ลูกค้า")
    assert "การวิเคราะห์ข้อมูลลูกค้าด้วยเอสคิวแอล" in page.get_data(as_text=True)
    assert "การนำเสนองานต่อผู้บริหาร" not in page.get_data(as_text=True)
