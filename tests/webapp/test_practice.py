"""A body of practice that grows: notes from questions, "I tried it", ranking, related communities, search."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import (
    Community,
    CommunityMembership,
    Member,
    MemberSkill,
    PracticeNote,
    Skill,
    db,
)
from tests.conftest import client_for
from webapp.services import practice, questions



@pytest.fixture
def world(app, make_member):
    """Two communities sharing the core skill SQL, a third unrelated; members in the first."""
    author = make_member(email="somchai@example.com", display_name="สมชาย ใจดี")
    tryers = [make_member(email=f"t{i}@example.com", display_name=f"Tryer {i}") for i in range(4)]
    outsider = make_member(email="out@example.com", display_name="Outsider")
    hr = make_member(email="hr@example.com", display_name="Pranee HR", role="hr")
    with app.app_context():
        sql, design = Skill(name="SQL"), Skill(name="Design")
        data = Community(name="Data", core_skills=[sql])
        analytics = Community(name="Analytics", core_skills=[sql])
        art = Community(name="Art", core_skills=[design])
        db.session.add_all([data, analytics, art])
        db.session.flush()
        for m in (author, *tryers):
            db.session.add(CommunityMembership(member_id=m.id, community_id=data.id))
        db.session.add(CommunityMembership(member_id=author.id, community_id=analytics.id))
        db.session.add(CommunityMembership(member_id=outsider.id, community_id=art.id))
        db.session.add(MemberSkill(member_id=tryers[0].id, skill_id=sql.id, level=5))
        db.session.commit()
        return {"author": author, "tryers": tryers, "outsider": outsider, "hr": hr, "data": data.id,
                "analytics": analytics.id, "art": art.id, "sql": sql.id}


def test_an_answered_question_becomes_a_practice_note(app, world):
    author, expert = world["author"], world["tryers"][0]
    with app.app_context():
        question, _ = questions.ask(db.session.get(Member, author.id), db.session.get(Community, world["data"]),
                                    "ทำให้รายงานเร็วขึ้น", "", [world["sql"]])
        reply = questions.answer(db.session.get(Member, expert.id), question, "สร้างดัชนีก่อนรัน")
        db.session.commit()
        question_id, answer_id = question.id, reply.id
    client = client_for(app, author)
    assert client.get(f"/practice/new?source=question&source_id={question_id}").status_code == 404  # no helpful yet
    client.post(f"/questions/{question_id}/answers/{answer_id}/helpful")
    form = client.get(f"/practice/new?source=question&source_id={question_id}").get_data(as_text=True)
    assert "สร้างดัชนีก่อนรัน" in form and "ทำให้รายงานเร็วขึ้น" in form
    assert client_for(app, expert).get(f"/practice/new?source=question&source_id={question_id}").status_code == 404
    saved = client.post("/practice/new", data={"source": "question", "source_id": question_id,
                                               "title": "ทำให้รายงานเร็วขึ้น", "body": "สร้างดัชนีก่อนรัน",
                                               "community": world["data"], "skills": [world["sql"]]})
    assert saved.status_code == 302
    with app.app_context():
        note = db.session.scalar(sa.select(PracticeNote))
        assert (note.source, note.question_id, [s.name for s in note.skills]) == ("question", question_id, ["SQL"])


def _note(app, world, title, community="data"):
    with app.app_context():
        note = practice.write(db.session.get(Member, world["author"].id), db.session.get(Community, world[community]),
                              title, "", [world["sql"]])
        db.session.commit()
        return note.id


def test_notes_rank_by_what_trying_them_showed(app, world):
    _untried, mixed, proven = (_note(app, world, t) for t in ("untried", "mixed", "proven"))
    reports = {mixed: ["worked", "didnt", "didnt"], proven: ["worked", "worked", "partly"]}
    for note_id, outcomes in reports.items():
        for tryer, outcome in zip(world["tryers"], outcomes):
            assert client_for(app, tryer).post(f"/practice/{note_id}/tried",
                                              data={"outcome": outcome, "changed": "ใช้กับทีมเล็ก"}).status_code == 302
    with app.app_context():
        order = [r.note.title for r in practice.ranked([world["data"]])]
        assert order == ["proven", "untried", "mixed"]  # 3.5/5 > 1/2 > 2/5
        best = practice.ranked([world["data"]])[0]
        assert (best.worked, best.partly, best.didnt) == (2, 1, 0)
    # reporting again replaces the member's report
    client_for(app, world["tryers"][0]).post(f"/practice/{proven}/tried", data={"outcome": "didnt"})
    with app.app_context():
        again = next(r for r in practice.ranked([world["data"]]) if r.note.id == proven)
        assert (again.worked, again.didnt, again.tries) == (1, 1, 3)
    page = client_for(app, world["tryers"][1]).get(f"/practice/{proven}").get_data(as_text=True)
    assert "ใช้กับทีมเล็ก" in page


def test_the_community_page_shows_its_best_and_the_best_of_related_communities(app, world):
    _note(app, world, "Data practice")
    _note(app, world, "Analytics practice", community="analytics")
    page = client_for(app, world["tryers"][0]).get(f"/communities/{world['data']}").get_data(as_text=True)
    assert "Data practice" in page and "Analytics practice" in page
    assert page.index("Data practice") < page.index("Analytics practice")
    with app.app_context():
        related = practice.related_communities(db.session.get(Community, world["data"]))
        assert [c.name for c in related] == ["Analytics"]


def test_notes_are_for_their_community_only(app, world):
    note_id = _note(app, world, "Private to Data")
    outsider = client_for(app, world["outsider"])
    assert outsider.get(f"/practice/{note_id}").status_code == 404
    assert outsider.post(f"/practice/{note_id}/tried", data={"outcome": "worked"}).status_code == 404
    assert outsider.get(f"/communities/{world['data']}/practice").status_code == 404
    assert outsider.post("/practice/new", data={"title": "x", "community": world["data"]}).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PracticeNote.id))) == 1  # not written elsewhere
    assert client_for(app, world["hr"]).get(f"/practice/{note_id}").status_code == 200


def test_thai_search_finds_notes_by_a_word_inside_unspaced_text(app, world):
    _note(app, world, "การประชุมทีมแบบยืนสั้นๆทุกเช้า")
    _note(app, world, "ทบทวนงานหลังโครงการ")
    with app.app_context():
        found = practice.ranked([world["data"]], query="ประชุม")
        assert [r.note.title for r in found] == ["การประชุมทีมแบบยืนสั้นๆทุกเช้า"]
