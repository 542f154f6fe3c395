"""Feedback after a round closes, the body of practice, and the loop back into matching."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Community, CommunityMembership, Feedback, LearningGoal, Match, MemberSkill, Round, Skill, db
from tests.webapp.published import feedback_rows, make_community, make_group, make_match, make_round
from webapp.services.feedback import practice_notes
from webapp.services.rounds import eligibility, history, lifecycle, solving
from webapp.services.rounds.eligibility import exclusion_label
from webapp.services.rounds.notes import note_lines

NOTE = "ลองใช้ window function กับรายงานยอดขาย: ทำ pair-programming 30 นาที ได้ผลดีมาก"


@pytest.fixture
def people(make_member):
    return {
        "mentor": make_member(email="malee@example.com", display_name="มาลี ศรีสุข"),
        "peer": make_member(email="krit@example.com", display_name="กฤต ดีมาก"),
        "stranger": make_member(email="dao@example.com", display_name="Dao Chan"),
    }


@pytest.fixture
def closed(app, member, people):
    """A closed community mentoring round: the member and their mentor, who focus on SQL."""
    with app.app_context():
        community = make_community(skills=("SQL", "Lean"))
        round_ = make_round("mentoring", status="closed", community_id=community.id, name="พี่เลี้ยง Q1")
        match = make_match(round_, member.id, people["mentor"].id, first_status="accepted",
                           second_status="accepted")
        skills = {s.name: s.id for s in db.session.scalars(sa.select(Skill))}
        return {"round": round_.id, "match": match.id, "community": community.id, "skills": skills}


def answers(key, **values):
    """Form data for the item ``key`` ("match-3"), with the page's field prefix."""
    return {f"{key}-{name}": value for name, value in values.items()}


def test_feedback_saves_and_a_thai_note_round_trips(client, auth, app, member, closed):
    auth.login(member.email)
    key = f"match-{closed['match']}"
    page = client.get(f"/rounds/{closed['round']}/feedback").get_data(as_text=True)
    assert "Your mentor: มาลี ศรีสุข" in page and "Did you meet?" in page
    assert ">SQL</option>" in page and ">Lean</option>" in page  # the focus skill and the core skills
    response = client.post(f"/rounds/{closed['round']}/feedback", data=answers(
        key, met="yes", rating="4", practice_note=NOTE, shareable="y", skill=str(closed["skills"]["SQL"])))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you: feedback saved for 1 of 1." in page and NOTE in page
    with app.app_context():
        [saved] = feedback_rows(member.id)
        assert (saved.met, saved.rating, saved.shareable, saved.skill_id) == (True, 4, True, closed["skills"]["SQL"])
        assert saved.practice_note == NOTE and saved.match_id == closed["match"] and saved.group_id is None


def test_saving_again_updates_the_same_feedback(client, auth, app, member, closed):
    auth.login(member.email)
    url, key = f"/rounds/{closed['round']}/feedback", f"match-{closed['match']}"
    client.post(url, data=answers(key, met="yes", rating="3", practice_note="ครั้งแรก"))
    client.post(url, data=answers(key, met="yes", rating="5", practice_note="แก้ไขแล้ว"))
    with app.app_context():
        [saved] = feedback_rows(member.id)
        assert (saved.rating, saved.practice_note, saved.shareable) == (5, "แก้ไขแล้ว", False)


@pytest.mark.parametrize("values, message", [
    ({"met": "yes", "rating": "7"}, "Not a valid choice"),
    ({"met": "maybe"}, "Not a valid choice"),
    ({"practice_note": "ลืมตอบว่าเจอกันไหม"}, "Say whether you met."),
    ({"met": "yes", "shareable": "y"}, "Write a practice note to share"),
    ({"met": "yes", "skill": "99999"}, "Not a valid choice"),
    ({"met": "yes", "practice_note": "ก" * 2001}, "Field cannot be longer than 2000 characters"),
])
def test_bad_feedback_rerenders_with_a_message_and_saves_nothing(client, auth, app, member, closed, values, message):
    auth.login(member.email)
    response = client.post(f"/rounds/{closed['round']}/feedback", data=answers(f"match-{closed['match']}", **values))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert feedback_rows() == []


def test_a_skill_outside_the_pairs_focus_and_the_core_skills_is_refused(client, auth, app, member, closed):
    with app.app_context():
        other = Skill(name="Negotiation")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    auth.login(member.email)
    response = client.post(f"/rounds/{closed['round']}/feedback",
                           data=answers(f"match-{closed['match']}", met="yes", skill=str(other_id)))
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_untouched_items_are_not_saved(client, auth, app, member, closed):
    auth.login(member.email)
    page = client.post(f"/rounds/{closed['round']}/feedback", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Nothing to save yet" in page
    with app.app_context():
        assert feedback_rows() == []


def test_feedback_before_the_round_closes_shows_a_message_and_saves_nothing(client, auth, app, member, people):
    with app.app_context():
        round_ = make_round("mentoring", status="published", name="พี่เลี้ยง Q2")
        match_id = make_match(round_, member.id, people["mentor"].id).id
        round_id = round_.id
    auth.login(member.email)
    response = client.get(f"/rounds/{round_id}/feedback")
    assert response.status_code == 200
    assert "Feedback on “พี่เลี้ยง Q2” opens when HR closes the round" in response.get_data(as_text=True)
    refused = client.post(f"/rounds/{round_id}/feedback", data=answers(f"match-{match_id}", met="yes", rating="2"))
    assert refused.status_code == 409
    with app.app_context():
        assert feedback_rows() == []


@pytest.mark.parametrize("status", ["draft", "solved"])
def test_feedback_on_an_unpublished_round_is_404(client, auth, app, member, people, status):
    with app.app_context():
        round_ = make_round("mentoring", status=status)
        make_match(round_, member.id, people["mentor"].id)
        round_id = round_.id
    auth.login(member.email)
    assert client.get(f"/rounds/{round_id}/feedback").status_code == 404


def test_feedback_on_a_round_the_member_was_not_in_is_404(client, auth, app, member, people, closed):
    auth.login(people["stranger"].email)
    assert client.get(f"/rounds/{closed['round']}/feedback").status_code == 404
    post = client.post(f"/rounds/{closed['round']}/feedback",
                       data=answers(f"match-{closed['match']}", met="yes", rating="1"))
    assert post.status_code == 404
    assert client.get("/rounds/99999/feedback").status_code == 404
    with app.app_context():
        assert feedback_rows() == []


def test_another_members_match_in_the_same_round_is_not_offered(client, auth, app, member, people, closed):
    with app.app_context():
        round_ = db.session.get(Round, closed["round"])
        other = make_match(round_, people["peer"].id, people["stranger"].id, first_status="accepted")
        other_id = other.id
    auth.login(member.email)
    page = client.get(f"/rounds/{closed['round']}/feedback").get_data(as_text=True)
    assert "Dao Chan" not in page and "กฤต" not in page
    client.post(f"/rounds/{closed['round']}/feedback", data=answers(f"match-{other_id}", met="yes", rating="1"))
    with app.app_context():
        assert feedback_rows() == []


def test_declined_matches_get_no_feedback_form(client, auth, app, member, people):
    with app.app_context():
        round_ = make_round("mentoring", status="closed")
        make_match(round_, member.id, people["mentor"].id, second_status="declined")
        round_id = round_.id
    auth.login(member.email)
    page = client.get(f"/rounds/{round_id}/feedback").get_data(as_text=True)
    assert "Nothing to give feedback on" in page


def test_feedback_on_a_working_group(client, auth, app, member, people):
    with app.app_context():
        community = make_community(name="Lean ชุมชน", skills=("Lean",))
        round_ = make_round("groups", status="closed", community_id=community.id)
        group, _ = make_group(round_, [member.id, people["mentor"].id, people["peer"].id])
        round_id, group_id = round_.id, group.id
        lean = db.session.scalar(sa.select(Skill.id).where(Skill.name == "Lean"))
    auth.login(member.email)
    page = client.get(f"/rounds/{round_id}/feedback").get_data(as_text=True)
    assert "Working group 1" in page
    client.post(f"/rounds/{round_id}/feedback", data=answers(
        f"group-{group_id}", met="no", rating="2", practice_note="นัดไม่ตรงกันเลย", skill=str(lean)))
    with app.app_context():
        [saved] = feedback_rows(member.id)
        assert (saved.group_id, saved.met, saved.rating, saved.skill_id) == (group_id, False, 2, lean)
        # A low group rating keeps the rater apart from each groupmate.
        low = history.low_rated_pairs()
        assert {tuple(sorted((member.id, people[p].id))) for p in ("mentor", "peer")} <= low


def test_my_matches_links_to_feedback_for_closed_rounds(client, auth, member, closed):
    auth.login(member.email)
    page = client.get("/matches").get_data(as_text=True)
    assert f"/rounds/{closed['round']}/feedback" in page


# --- the body of practice ------------------------------------------------------------------


def add_feedback(round_id, member_id, note, shareable=True, skill_id=None, **target):
    db.session.add(Feedback(round_id=round_id, member_id=member_id, met=True, rating=5, practice_note=note,
                            shareable=shareable, skill_id=skill_id, **target))
    db.session.commit()


def test_practice_notes_are_shareable_notes_of_the_communitys_rounds_newest_first(app, member, people, closed):
    with app.app_context():
        community = db.session.get(Community, closed["community"])
        sql, lean = closed["skills"]["SQL"], closed["skills"]["Lean"]
        add_feedback(closed["round"], member.id, "บันทึกแรก", skill_id=sql, match_id=closed["match"])
        add_feedback(closed["round"], people["mentor"].id, "private", shareable=False, match_id=closed["match"])
        elsewhere = make_community(name="Other", skills=("Negotiation",))
        other_round = make_round("mentoring", status="closed", community_id=elsewhere.id)
        other = make_match(other_round, people["peer"].id, people["stranger"].id)
        add_feedback(other_round.id, people["peer"].id, "not this community", match_id=other.id)
        whole = make_round("mentoring", status="closed", community_id=None)
        org = make_match(whole, people["peer"].id, people["stranger"].id)
        add_feedback(whole.id, people["peer"].id, "องค์กร: Lean ช่วยได้", skill_id=lean, match_id=org.id)
        add_feedback(whole.id, people["stranger"].id, "org note, no core skill", match_id=org.id)
        notes = practice_notes(community, limit=10)
        assert [n.text for n in notes] == ["องค์กร: Lean ช่วยได้", "บันทึกแรก"]
        assert (notes[1].author, notes[1].skill, notes[1].round) == ("สมชาย ใจดี", "SQL", "พี่เลี้ยง Q1")
        assert (notes[0].author, notes[0].skill) == ("กฤต ดีมาก", "Lean")
        assert [n.text for n in practice_notes(community, limit=1)] == ["องค์กร: Lean ช่วยได้"]


def test_a_shared_note_with_no_skill_from_a_whole_organisation_round_lands_on_its_authors_communities(
        app, member, people, closed):
    with app.app_context():
        community = db.session.get(Community, closed["community"])
        db.session.add(CommunityMembership(member_id=people["peer"].id, community_id=community.id))
        whole = make_round("mentoring", status="closed", community_id=None, name="Whole organisation")
        org = make_match(whole, people["peer"].id, people["stranger"].id)
        add_feedback(whole.id, people["peer"].id, "no skill chosen, still shared", match_id=org.id)
        add_feedback(whole.id, people["stranger"].id, "the stranger belongs nowhere", match_id=org.id)
        assert [n.text for n in practice_notes(community)] == ["no skill chosen, still shared"]
        elsewhere = make_community(name="Elsewhere", skills=("Negotiation",))
        assert practice_notes(elsewhere) == []


def test_the_community_page_shows_the_body_of_practice(client, auth, app, member, closed):
    auth.login(member.email)
    community_url = f"/communities/{closed['community']}"
    assert "No shared practice notes yet" in client.get(community_url).get_data(as_text=True)
    client.post(f"/rounds/{closed['round']}/feedback", data=answers(
        f"match-{closed['match']}", met="yes", rating="5", practice_note=NOTE, shareable="y",
        skill=str(closed["skills"]["SQL"])))
    page = client.get(community_url).get_data(as_text=True)
    assert "Body of practice" in page and NOTE in page and "สมชาย ใจดี" in page and "พี่เลี้ยง Q1" in page


# --- the loop back into matching -------------------------------------------------------------


@pytest.fixture
def two_by_two(app, make_member):
    """Two learners and two mentors; each learner's best mentor is a different one.

    Learner A wants SQL and mentor A is the SQL expert; learner B wants Lean and
    mentor B is the Lean expert. Each mentor knows the other skill well enough
    to teach it, so the crossed pairs are the second-best way to match everyone.
    """
    people = {
        "learner_a": make_member(display_name="ผู้เรียน ก", department="Finance", wants_mentor=True,
                                 languages=["Thai"]),
        "learner_b": make_member(display_name="ผู้เรียน ข", department="Sales", wants_mentor=True,
                                 languages=["Thai"]),
        "mentor_a": make_member(display_name="พี่เลี้ยง ก", department="Engineering", mentor_capacity=1,
                                languages=["Thai"]),
        "mentor_b": make_member(display_name="พี่เลี้ยง ข", department="Operations", mentor_capacity=1,
                                languages=["Thai"]),
    }
    ids = {name: person.id for name, person in people.items()}
    with app.app_context():
        sql, lean = Skill(name="SQL"), Skill(name="Lean")
        db.session.add_all([
            MemberSkill(member_id=ids["learner_a"], skill=sql, level=1),
            LearningGoal(member_id=ids["learner_a"], skill=sql, target_level=4, priority=1),
            MemberSkill(member_id=ids["learner_b"], skill=lean, level=1),
            LearningGoal(member_id=ids["learner_b"], skill=lean, target_level=4, priority=1),
            MemberSkill(member_id=ids["mentor_a"], skill=sql, level=5),
            MemberSkill(member_id=ids["mentor_a"], skill=lean, level=3),
            MemberSkill(member_id=ids["mentor_b"], skill=lean, level=5),
            MemberSkill(member_id=ids["mentor_b"], skill=sql, level=3),
        ])
        db.session.commit()
    return people


def run_round(name, publish=True) -> int:
    round_ = lifecycle.create_round("mentoring", None, None, parameters={"cooldown_rounds": 0}, name=name)
    solving.solve_round(round_.id)
    if publish:
        lifecycle.publish_round(round_.id)
    db.session.commit()
    return round_.id


def pairs(round_id) -> set[tuple[int, int]]:
    return set(db.session.execute(sa.select(Match.first_id, Match.second_id).where(Match.round_id == round_id)))


def test_a_pair_rated_2_is_never_proposed_again(client, auth, app, two_by_two):
    ids = {name: person.id for name, person in two_by_two.items()}
    best = {(ids["learner_a"], ids["mentor_a"]), (ids["learner_b"], ids["mentor_b"])}
    with app.app_context():
        first = run_round("Round 1")
        assert pairs(first) == best
        lifecycle.close_round(first)
        db.session.commit()
        second = run_round("Round 2", publish=False)
        assert pairs(second) == best  # without a cooldown, the same pairs are still the best
        match_id = db.session.scalar(sa.select(Match.id).where(Match.round_id == first,
                                                               Match.first_id == ids["learner_a"]))
    auth.login(two_by_two["learner_a"].email)
    client.post(f"/rounds/{first}/feedback", data=answers(f"match-{match_id}", met="yes", rating="2"))
    with app.app_context():
        solving.solve_round(second)
        db.session.commit()
        assert pairs(second) == {(ids["learner_a"], ids["mentor_b"]), (ids["learner_b"], ids["mentor_a"])}


def test_a_member_who_left_two_invitations_unanswered_is_left_out_until_they_confirm(client, auth, app, two_by_two):
    ids = {name: person.id for name, person in two_by_two.items()}
    silent = ids["learner_b"]
    with app.app_context():
        for name in ("Round 1", "Round 2"):
            round_id = run_round(name)
            for match in db.session.scalars(sa.select(Match).where(Match.round_id == round_id)):
                match.second_status = "accepted"
                if match.first_id != silent:
                    match.first_status = "accepted"
            lifecycle.close_round(round_id)
            db.session.commit()
        third = run_round("Round 3", publish=False)
        assert silent not in {member for pair in pairs(third) for member in pair}
        shown = note_lines(db.session.get(Round, third))
        assert f"Not eligible: {exclusion_label(eligibility.ASKED_TO_CONFIRM, 'mentoring')} (1)" in shown
    auth.login(two_by_two["learner_b"].email)
    assert "Do you still want to be matched?" in client.get("/matches").get_data(as_text=True)
    client.post("/matches/confirm-participation")
    with app.app_context():
        solving.solve_round(third)
        db.session.commit()
        assert silent in {member for pair in pairs(third) for member in pair}
        assert not any(eligibility.ASKED_TO_CONFIRM in note for note in db.session.get(Round, third).notes)


def test_saved_feedback_with_a_note_offers_to_write_it_up_as_a_practice_note(client, auth, app, member, closed):
    auth.login(member.email)
    page = client.get(f"/rounds/{closed['round']}/feedback").get_data(as_text=True)
    assert "Write it up as a practice note" not in page  # nothing to write up yet
    with app.app_context():
        db.session.add(CommunityMembership(member_id=member.id, community_id=closed["community"]))
        add_feedback(closed["round"], member.id, NOTE, match_id=closed["match"])
        feedback_id = db.session.scalar(sa.select(Feedback.id))
    page = client.get(f"/rounds/{closed['round']}/feedback").get_data(as_text=True)
    link = f"/practice/new?source=feedback&amp;source_id={feedback_id}"
    assert "Write it up as a practice note" in page and link in page
    draft = client.get(link.replace("&amp;", "&"))
    assert draft.status_code == 200 and NOTE in draft.get_data(as_text=True)
