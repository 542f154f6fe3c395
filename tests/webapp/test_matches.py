"""My matches: what a member sees after HR publishes a round, and answering a match or group."""

from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa

from models import GroupMember, Match, Member, db
from models.base import utcnow
from tests.conftest import visible_text
from tests.webapp.published import make_group, make_match, make_round
from webapp.services import responses
from webapp.services.rounds.participation import unanswered_twice


@pytest.fixture
def people(make_member):
    """A learner (the logged-in ``member``), a Thai-named mentor, a peer and a stranger."""
    return {
        "mentor": make_member(email="malee@example.com", display_name="มาลี ศรีสุข", department="Engineering",
                              function="Data platform"),
        "mentee": make_member(email="ann@example.com", display_name="Ann Lee", department="Sales"),
        "peer": make_member(email="krit@example.com", display_name="กฤต ดีมาก", department="Operations"),
        "stranger": make_member(email="dao@example.com", display_name="Dao Chan", department="Legal"),
    }


def match_row(app, match_id) -> Match:
    with app.app_context():
        match = db.session.get(Match, match_id)
        db.session.expunge(match)
        return match


def test_my_matches_needs_a_login(client):
    response = client.get("/matches")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_no_matches_yet_says_what_will_appear(client, auth, member):
    auth.login(member.email)
    page = client.get("/matches").get_data(as_text=True)
    assert "No matches yet" in page


def test_my_matches_lists_mentor_mentees_peer_and_groups_with_reasons(client, auth, app, member, people):
    with app.app_context():
        mentoring = make_round("mentoring")
        make_match(mentoring, member.id, people["mentor"].id)
        make_match(mentoring, people["mentee"].id, member.id, skill="การนำเสนอ")
        peers = make_round("peer", name="Peer swaps")
        make_match(peers, member.id, people["peer"].id, roles=("peer", "peer"))
        groups = make_round("groups", name="Working groups")
        make_group(groups, [member.id, people["mentor"].id, people["stranger"].id], anchor_id=people["mentor"].id)
    auth.login(member.email)
    page = visible_text(client.get("/matches").get_data(as_text=True))
    assert "Your mentor: มาลี ศรีสุข" in page and "Engineering" in page
    assert "Your mentee: Ann Lee" in page
    assert "Your peer partner: กฤต ดีมาก" in page
    assert "Working group 1" in page and "Anchored by มาลี ศรีสุข, level 5 in Lean" in page
    # The learner reads their own goal; the mentor reads it in their terms.
    assert "Teaches SQL: level 5; you are at 2, aiming for 4" in page
    assert "Ann Lee wants to grow in การนำเสนอ from level 2 to level 4; you are at 5" in page
    assert "Different departments: Finance and Engineering" in page
    assert page.count("not answered yet") >= 4
    for email in ("malee@example.com", "ann@example.com", "krit@example.com", "dao@example.com"):
        assert email not in page  # nothing is confirmed yet


@pytest.mark.parametrize("status", ["draft", "solved"])
def test_unpublished_rounds_stay_hidden_and_unanswerable(client, auth, app, member, people, status):
    with app.app_context():
        round_ = make_round("mentoring", status=status)
        match_id = make_match(round_, member.id, people["mentor"].id).id
        group, _ = make_group(make_round("groups", status=status), [member.id, people["peer"].id])
        group_id = group.id
    auth.login(member.email)
    page = client.get("/matches").get_data(as_text=True)
    assert "มาลี ศรีสุข" not in page and "Working group" not in page
    assert client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"}).status_code == 404
    assert client.post(f"/matches/groups/{group_id}/respond", data={"answer": "accepted"}).status_code == 404
    assert match_row(app, match_id).first_status == "pending"


def test_the_header_counts_the_invitations_still_to_answer(client, auth, app, member, people):
    with app.app_context():
        match_id = make_match(make_round(), member.id, people["mentor"].id).id
        make_group(make_round("groups"), [member.id, people["peer"].id])
        make_match(make_round(status="solved", name="not yet"), member.id, people["peer"].id)  # unpublished
    auth.login(member.email)
    header = client.get("/profile").get_data(as_text=True).split("</nav>")[0]
    assert 'class="badge nav-count" title="2 invitations to answer">2' in header
    client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"})
    header = client.get("/profile").get_data(as_text=True).split("</nav>")[0]
    assert 'title="1 invitation to answer">1' in header
    auth.logout()
    auth.login(people["stranger"].email)
    assert "nav-count" not in client.get("/profile").get_data(as_text=True)


def test_email_and_first_step_appear_only_once_both_accepted(client, auth, app, member, people, sent):
    with app.app_context():
        match_id = make_match(make_round(), member.id, people["mentor"].id).id
    auth.login(member.email)
    page = client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"},
                       follow_redirects=True).get_data(as_text=True)
    assert "You accepted the match with your mentor" in page
    assert "malee@example.com" not in page and "Waiting for มาลี ศรีสุข" in page
    assert sent == []
    auth.logout()
    auth.login(people["mentor"].email)
    page = client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Both of you have accepted" in page
    assert "somchai@example.com" in page
    assert "A first step: agree a first 30-minute session this week; start from the goal: SQL level 2 → 4." \
        in visible_text(page)
    assert sorted(m.to for m in sent) == ["malee@example.com", "somchai@example.com"]
    auth.logout()
    auth.login(member.email)
    assert "malee@example.com" in client.get("/matches").get_data(as_text=True)
    match = match_row(app, match_id)
    assert match.confirmed and match.confirmed_at is not None
    assert match.first_responded_at is not None and match.second_responded_at is not None


def test_declining_keeps_the_reason_for_hr_only(client, auth, app, member, people, sent):
    with app.app_context():
        match_id = make_match(make_round(), member.id, people["mentor"].id).id
    auth.login(people["mentor"].email)
    page = client.post(f"/matches/{match_id}/respond",
                       data={"answer": "declined", "reason": "ช่วงนี้งานยุ่งมาก ขอเป็นรอบหน้า"},
                       follow_redirects=True).get_data(as_text=True)
    assert "You declined the match with your mentee" in page
    match = match_row(app, match_id)
    assert match.second_status == "declined" and match.second_decline_reason == "ช่วงนี้งานยุ่งมาก ขอเป็นรอบหน้า"
    auth.logout()
    auth.login(member.email)
    page = client.get("/matches").get_data(as_text=True)
    assert "ช่วงนี้งานยุ่งมาก" not in page
    assert "This match will not go ahead; HR may offer you a new one" in page
    refused = client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"}, follow_redirects=True)
    assert "Your partner declined this match" in refused.get_data(as_text=True)
    assert match_row(app, match_id).first_status == "pending" and sent == []


def test_another_members_match_is_404_and_untouched(client, auth, app, member, people):
    with app.app_context():
        match_id = make_match(make_round(), people["mentee"].id, people["mentor"].id).id
    auth.login(member.email)
    for answer in ("accepted", "declined"):
        assert client.post(f"/matches/{match_id}/respond", data={"answer": answer}).status_code == 404
    assert client.post("/matches/99999/respond", data={"answer": "accepted"}).status_code == 404
    match = match_row(app, match_id)
    assert (match.first_status, match.second_status) == ("pending", "pending")


def test_another_groups_id_is_404_and_untouched(client, auth, app, member, people):
    with app.app_context():
        round_ = make_round("groups")
        mine, _ = make_group(round_, [member.id, people["peer"].id])
        theirs, _ = make_group(round_, [people["mentor"].id, people["stranger"].id])
        their_id, my_id = theirs.id, mine.id
    auth.login(member.email)
    assert client.post(f"/matches/groups/{their_id}/respond", data={"answer": "declined"}).status_code == 404
    assert client.post(f"/matches/groups/{my_id}/respond", data={"answer": "accepted"}).status_code == 302
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(GroupMember.member_id, GroupMember.status)).all())
    assert statuses == {member.id: "accepted", people["peer"].id: "pending",
                        people["mentor"].id: "pending", people["stranger"].id: "pending"}


def test_answering_a_group_on_my_matches_shows_emails_of_those_who_accepted(client, auth, app, member, people):
    with app.app_context():
        group, _ = make_group(make_round("groups"), [member.id, people["mentor"].id, people["peer"].id])
        db.session.execute(sa.update(GroupMember).where(GroupMember.member_id == people["mentor"].id)
                           .values(status="accepted"))
        db.session.commit()
        group_id = group.id
    auth.login(member.email)
    before = client.get("/matches").get_data(as_text=True)
    assert "malee@example.com" not in before and "1 of 3: มาลี ศรีสุข" in before
    page = client.post(f"/matches/groups/{group_id}/respond", data={"answer": "accepted"},
                       follow_redirects=True).get_data(as_text=True)
    assert "You accepted working group 1" in page
    assert "malee@example.com" in page and "somchai@example.com" in page
    assert "krit@example.com" not in page  # has not accepted


def test_double_accept_records_one_acceptance_and_one_confirmation(client, auth, app, member, people, sent):
    with app.app_context():
        match_id = make_match(make_round(), member.id, people["mentor"].id, second_status="accepted").id
    auth.login(member.email)
    client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"})
    first = match_row(app, match_id)
    again = client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"}, follow_redirects=True)
    assert "already recorded" in again.get_data(as_text=True)
    second = match_row(app, match_id)
    assert (second.first_responded_at, second.confirmed_at) == (first.first_responded_at, first.confirmed_at)
    assert len(sent) == 2  # one confirmation to each side, once


def test_an_answer_once_given_stands(client, auth, app, member, people):
    with app.app_context():
        match_id = make_match(make_round(), member.id, people["mentor"].id).id
    auth.login(member.email)
    client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"})
    page = client.post(f"/matches/{match_id}/respond", data={"answer": "declined"}, follow_redirects=True)
    assert "You already accepted this" in page.get_data(as_text=True)
    assert match_row(app, match_id).first_status == "accepted"


@pytest.mark.parametrize("data", [{}, {"answer": "maybe"}])
def test_a_missing_or_unknown_answer_records_nothing(client, auth, app, member, people, data):
    with app.app_context():
        match_id = make_match(make_round(), member.id, people["mentor"].id).id
    auth.login(member.email)
    page = client.post(f"/matches/{match_id}/respond", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Choose Accept or Decline" in page or "Not a valid choice" in page
    assert match_row(app, match_id).first_status == "pending"


def test_answers_after_the_round_closed_are_refused_with_a_message(client, auth, app, member, people):
    with app.app_context():
        round_ = make_round("mentoring", status="closed", name="Mentoring Q1")
        match_id = make_match(round_, member.id, people["mentor"].id).id
        group, _ = make_group(make_round("groups", status="closed"), [member.id, people["peer"].id])
        group_id = group.id
    auth.login(member.email)
    page = client.get("/matches").get_data(as_text=True)
    assert "Accept</button>" not in page and "Give feedback on this round" in page
    refused = client.post(f"/matches/{match_id}/respond", data={"answer": "accepted"}, follow_redirects=True)
    assert "“Mentoring Q1” is closed, so answers are no longer recorded" in refused.get_data(as_text=True)
    refused = client.post(f"/matches/groups/{group_id}/respond", data={"answer": "accepted"}, follow_redirects=True)
    assert "is closed, so answers are no longer recorded" in refused.get_data(as_text=True)
    assert match_row(app, match_id).first_status == "pending"
    with app.app_context():
        assert db.session.get(GroupMember, (group_id, member.id)).status == "pending"


def test_the_service_refuses_a_closed_round_with_a_value_error(app, member, people):
    with app.app_context():
        match = make_match(make_round(status="closed"), member.id, people["mentor"].id)
        with pytest.raises(ValueError, match="is closed"):
            responses.respond_to_match(match, member.id, "accepted")
        with pytest.raises(ValueError, match="expected an answer"):
            responses.respond_to_match(match, member.id, "yes")
        with pytest.raises(LookupError):
            responses.respond_to_match(match, people["stranger"].id, "accepted")


def two_unanswered_rounds(member_id: int, partner_id: int) -> None:
    for name in ("Round A", "Round B"):
        make_match(make_round(status="closed", name=name), member_id, partner_id, second_status="accepted")


def test_a_member_who_left_two_invitations_unanswered_is_asked_to_confirm(client, auth, app, member, people):
    with app.app_context():
        two_unanswered_rounds(member.id, people["mentor"].id)
    auth.login(member.email)
    page = client.get("/matches").get_data(as_text=True)
    assert "Do you still want to be matched?" in page and "Keep me in matching" in page
    page = client.post("/matches/confirm-participation", follow_redirects=True).get_data(as_text=True)
    assert "you will be matched again" in page and "Do you still want to be matched?" not in page
    with app.app_context():
        assert member.id not in unanswered_twice()
        assert db.session.get(Member, member.id).participation_confirmed_at is not None


def test_the_banner_is_only_for_members_asked_to_confirm(client, auth, app, member, people):
    with app.app_context():
        two_unanswered_rounds(member.id, people["mentor"].id)
    auth.login(people["mentor"].email)
    assert "Do you still want to be matched?" not in client.get("/matches").get_data(as_text=True)


# --- concurrency (PostgreSQL: two connections really race) -------------------------------------------


def _race(app, calls):
    """Run each call in its own thread and app context at the same moment; return their results."""
    barrier, results, errors = threading.Barrier(len(calls)), [], []

    def run(call):
        with app.app_context():
            try:
                barrier.wait(10)
                results.append(call())
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported to the test below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


def _accept(member_id, match_id):
    def call():
        match = responses.own_match(match_id, member_id)
        return responses.respond_to_match(match, member_id, "accepted")
    return call


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (set TEST_DATABASE_URL)")
def test_two_concurrent_accepts_record_one_acceptance(make_app, database_url, make_member):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is between two PostgreSQL connections")
    app = make_app()
    with app.app_context():
        learner = Member(email="l@example.com", display_name="เรียน")
        mentor = Member(email="m@example.com", display_name="สอน")
        db.session.add_all([learner, mentor])
        db.session.commit()
        match_id = make_match(make_round(), learner.id, mentor.id, second_status="accepted").id
        learner_id = learner.id
    results = _race(app, [_accept(learner_id, match_id), _accept(learner_id, match_id)])
    assert sorted(r.changed for r in results) == [False, True]
    assert sum(len(r.messages) for r in results) == 2


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (set TEST_DATABASE_URL)")
def test_both_sides_accepting_at_once_confirm_the_match_once(make_app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is between two PostgreSQL connections")
    app = make_app()
    for attempt in range(5):  # the interleaving varies; every one must confirm exactly once
        with app.app_context():
            learner = Member(email=f"l{attempt}@example.com", display_name="เรียน")
            mentor = Member(email=f"m{attempt}@example.com", display_name="สอน")
            db.session.add_all([learner, mentor])
            db.session.commit()
            match_id = make_match(make_round(), learner.id, mentor.id).id
            ids = learner.id, mentor.id
        results = _race(app, [_accept(ids[0], match_id), _accept(ids[1], match_id)])
        assert all(r.changed for r in results)
        assert sum(len(r.messages) for r in results) == 2
        with app.app_context():
            assert db.session.get(Match, match_id).confirmed_at is not None


def test_responded_at_is_recorded(app, member, people):
    with app.app_context():
        before = utcnow()
        match = make_match(make_round(), member.id, people["mentor"].id)
        responses.respond_to_match(match, people["mentor"].id, "declined", "  ")
        db.session.commit()
        assert match.second_status == "declined" and match.second_decline_reason is None
        responded = match.second_responded_at
        assert (responded if responded.tzinfo else responded.replace(tzinfo=before.tzinfo)) >= before


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (set TEST_DATABASE_URL)")
def test_an_answer_racing_the_close_waits_for_it_and_is_refused(make_app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is between two PostgreSQL connections")
    from webapp.services.rounds.lifecycle import close_round

    app = make_app()
    with app.app_context():
        learner = Member(email="l@example.com", display_name="เรียน")
        mentor = Member(email="m@example.com", display_name="สอน")
        db.session.add_all([learner, mentor])
        db.session.commit()
        round_ = make_round()
        round_id, match_id, learner_id = round_.id, make_match(round_, learner.id, mentor.id).id, learner.id
    closing, outcome = threading.Event(), []

    def close():
        with app.app_context():
            close_round(round_id)  # holds the round's row lock ...
            closing.set()
            threading.Event().wait(0.5)  # ... while the answer arrives
            db.session.commit()

    def answer():
        with app.app_context():
            closing.wait(10)
            try:
                _accept(learner_id, match_id)()
                db.session.commit()
                outcome.append("recorded")
            except responses.RoundClosedError:
                db.session.rollback()
                outcome.append("refused")

    threads = [threading.Thread(target=close), threading.Thread(target=answer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == ["refused"]
    with app.app_context():
        assert db.session.get(Match, match_id).first_status == "pending"
