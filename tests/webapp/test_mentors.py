"""Find a mentor: suggestions ranked by the round's scorer, requests, acceptance and its capacity race."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from matcher import MentoringWeights, score_mentoring
from models import (
    Community,
    CommunityMembership,
    LearningGoal,
    Match,
    Member,
    MemberSkill,
    MentorRequest,
    Skill,
    db,
)
from tests.conftest import client_for
from webapp.services import mentors
from webapp.services.profiles import load_profiles
from webapp.services.rounds.parameters import default_parameters



@pytest.fixture
def people(app, make_member):
    """A community with a learner (SQL 1 → 4) and mentors of several strengths; one outsider community."""
    learner = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", department="Finance",
                          languages=["Thai"], wants_mentor=True)
    strong = make_member(email="malee@example.com", display_name="มาลี ศรีสุข", department="Engineering",
                         languages=["Thai", "English"], mentor_capacity=1)
    fair = make_member(email="ann@example.com", display_name="Ann Lee", department="Sales",
                       languages=["Thai"], mentor_capacity=2)
    paused = make_member(email="paused@example.com", display_name="Paused", languages=["Thai"], mentor_capacity=3,
                         paused_until=date.today() + timedelta(days=30))
    outsider = make_member(email="out@example.com", display_name="Outsider", languages=["Thai"], mentor_capacity=3)
    other = make_member(email="dao@example.com", display_name="Dao Chan", languages=["Thai"], wants_mentor=True)
    hr = make_member(email="hr@example.com", display_name="Pranee HR", role="hr")
    with app.app_context():
        sql, python = Skill(name="SQL"), Skill(name="Python")
        data, elsewhere = Community(name="Data"), Community(name="Elsewhere")
        db.session.add_all([sql, python, data, elsewhere])
        db.session.flush()
        for m in (learner, strong, fair, paused, other):
            db.session.add(CommunityMembership(member_id=m.id, community_id=data.id))
        db.session.add(CommunityMembership(member_id=outsider.id, community_id=elsewhere.id))
        db.session.add_all([
            MemberSkill(member_id=learner.id, skill_id=sql.id, level=1),
            MemberSkill(member_id=other.id, skill_id=sql.id, level=1),
            MemberSkill(member_id=strong.id, skill_id=sql.id, level=5),
            MemberSkill(member_id=fair.id, skill_id=sql.id, level=3),
            MemberSkill(member_id=fair.id, skill_id=python.id, level=4),
            MemberSkill(member_id=paused.id, skill_id=sql.id, level=5),
            MemberSkill(member_id=outsider.id, skill_id=sql.id, level=5),
            LearningGoal(member_id=learner.id, skill_id=sql.id, target_level=4, priority=1),
            LearningGoal(member_id=other.id, skill_id=sql.id, target_level=4, priority=1),
        ])
        db.session.commit()
        return {"learner": learner, "strong": strong, "fair": fair, "paused": paused, "outsider": outsider,
                "other": other, "hr": hr, "community": data.id, "elsewhere": elsewhere.id, "python": python.id}


def test_suggestions_are_ordered_as_the_round_scorer_orders_them(app, people):
    with app.app_context():
        learner = db.session.get(Member, people["learner"].id)
        found = mentors.suggestions(learner)
        names = [s.mentor.id for s in found]
        assert set(names) == {people["strong"].id, people["fair"].id}  # not paused, not another community
        profiles = load_profiles([learner.id, people["strong"].id, people["fair"].id])
        table = score_mentoring(profiles[:1], profiles[1:],
                                MentoringWeights(**default_parameters("mentoring")["weights"]))
        by_scorer = sorted(range(2), key=lambda j: -table.scores[0, j])
        assert names == [profiles[1 + j].id for j in by_scorer]
        assert [s.score for s in found] == sorted((float(x) for x in table.scores[0]), reverse=True)
        assert found[0].reasons  # with the round's reasons


def test_filters_narrow_the_suggestions(app, people):
    with app.app_context():
        learner = db.session.get(Member, people["learner"].id)
        assert [s.mentor.id for s in mentors.suggestions(learner, skill_id=people["python"])] == [people["fair"].id]
        assert [s.mentor.id for s in mentors.suggestions(learner, department="Engineering")] == [people["strong"].id]
        assert [s.mentor.id for s in mentors.suggestions(learner, language="english")] == [people["strong"].id]
        assert mentors.suggestions(learner, community_id=people["elsewhere"]) == []


def test_the_page_shows_suggestions_with_reasons(app, people):
    page = client_for(app, people["learner"]).get("/mentors?language=Thai").get_data(as_text=True)
    assert "มาลี ศรีสุข" in page and "Ann Lee" in page and "Paused" not in page and "Outsider" not in page
    assert page.index("มาลี ศรีสุข") < page.index("Ann Lee")


def test_request_accept_makes_a_confirmed_match_with_a_relationship_page(app, people, sent):
    learner, mentor = people["learner"], people["strong"]
    asked = client_for(app, learner).post(f"/mentors/{mentor.id}/request",
                                          data={"community_id": people["community"], "message": "ช่วยสอน SQL หน่อย"})
    assert asked.status_code == 302
    assert [m.member_id for m in sent] == [mentor.id] and "ช่วยสอน SQL หน่อย" in sent[0].body
    with app.app_context():
        request_id = db.session.scalar(sa.select(MentorRequest.id))
        assert db.session.scalar(sa.select(sa.func.count(Match.id))) == 0  # a request holds no place
    mentor_client = client_for(app, mentor)
    assert "สมชาย ใจดี" in mentor_client.get("/mentors").get_data(as_text=True)
    done = mentor_client.post(f"/mentors/requests/{request_id}/accept")
    with app.app_context():
        match = db.session.scalar(sa.select(Match))
        assert match.confirmed and match.confirmed_at and match.first_id == learner.id
        assert match.round.self_service and match.round.can("show_to_members") and match.reasons
        assert db.session.get(MentorRequest, request_id).match_id == match.id
    assert done.headers["Location"].endswith(f"/relationships/{match.id}")
    assert client_for(app, learner).get(f"/relationships/{match.id}").status_code == 200
    assert "มาลี ศรีสุข" in client_for(app, learner).get("/matches").get_data(as_text=True)
    # the mentor's only place is taken: she is no longer suggested to others
    with app.app_context():
        other = db.session.get(Member, people["other"].id)
        assert mentor.id not in [s.mentor.id for s in mentors.suggestions(other)]


def test_a_decline_reason_is_for_hr_only(app, people, sent):
    learner, mentor = people["learner"], people["fair"]
    client_for(app, learner).post(f"/mentors/{mentor.id}/request", data={"community_id": people["community"]})
    with app.app_context():
        request_id = db.session.scalar(sa.select(MentorRequest.id))
    client_for(app, mentor).post(f"/mentors/requests/{request_id}/decline", data={"reason": "งานยุ่งมากช่วงนี้"})
    assert "งานยุ่งมากช่วงนี้" not in sent[-1].body and sent[-1].member_id == learner.id
    assert "งานยุ่งมากช่วงนี้" not in client_for(app, learner).get("/mentors").get_data(as_text=True)
    assert "งานยุ่งมากช่วงนี้" in client_for(app, people["hr"]).get("/hr/mentor-requests").get_data(as_text=True)


def test_members_act_only_on_their_own_requests(app, people):
    learner, mentor = people["learner"], people["fair"]
    client_for(app, learner).post(f"/mentors/{mentor.id}/request", data={"community_id": people["community"]})
    with app.app_context():
        request_id = db.session.scalar(sa.select(MentorRequest.id))
    stranger = client_for(app, people["other"])
    for action in ("accept", "decline", "withdraw"):
        assert stranger.post(f"/mentors/requests/{request_id}/{action}").status_code == 404
    assert client_for(app, learner).post(f"/mentors/requests/{request_id}/accept").status_code == 404
    # a mentor outside my communities cannot be asked
    assert client_for(app, learner).post(f"/mentors/{people['outsider'].id}/request",
                                        data={"community_id": people["elsewhere"]}).status_code == 404


def test_hr_switches_requests_off_per_community(app, people):
    hr = client_for(app, people["hr"])
    hr.post(f"/hr/communities/{people['community']}/self-service", data={"on": "0"})
    with app.app_context():
        assert db.session.get(Community, people["community"]).self_service is False
        assert mentors.suggestions(db.session.get(Member, people["learner"].id)) == []
    answer = client_for(app, people["learner"]).post(f"/mentors/{people['strong'].id}/request",
                                                     data={"community_id": people["community"]})
    assert answer.status_code == 404


def test_an_acceptance_after_the_last_place_went_is_told_so(app, people):
    mentor = people["strong"]  # one place
    with app.app_context():
        first = mentors.make_request(db.session.get(Member, people["learner"].id), mentor.id, people["community"], "")
        second = mentors.make_request(db.session.get(Member, people["other"].id), mentor.id, people["community"], "")
        db.session.commit()
        mentors.accept(first)
        db.session.commit()
        with pytest.raises(mentors.RequestError, match="last mentoring place has gone"):
            mentors.accept(second)
        db.session.rollback()
        assert db.session.get(MentorRequest, second.id).status == "pending"


def test_two_acceptances_racing_for_the_last_place_one_wins(app, people, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite ignores SELECT … FOR UPDATE and serialises writers; the race needs PostgreSQL")
    mentor = people["strong"]  # one place
    with app.app_context():
        ids = [mentors.make_request(db.session.get(Member, people[who].id), mentor.id, people["community"], "").id
               for who in ("learner", "other")]
        db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def accept(request_id):
        with app.app_context():
            found = db.session.get(MentorRequest, request_id)
            barrier.wait()
            try:
                mentors.accept(found)
                db.session.commit()
                outcomes.append("won")
            except mentors.RequestError as error:
                db.session.rollback()
                outcomes.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept, args=(request_id,)) for request_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert min(outcomes, key=len) == "won" and outcomes.count("won") == 1
    assert any("last mentoring place has gone" in outcome for outcome in outcomes)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Match.id))) == 1
