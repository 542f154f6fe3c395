"""The round service: set-up, eligibility, solving, history and the life cycle."""

from __future__ import annotations

import os
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from models import (
    Community,
    CommunityMembership,
    GroupMember,
    LearningGoal,
    Match,
    Member,
    MemberSkill,
    Round,
    Skill,
    WorkingGroup,
    db,
)
from tests.conftest import visible_text
from webapp.services.labels import scope_label
from webapp.services.reasons import reason_lines
from webapp.services.rounds import eligibility, figures, groups, guards, lifecycle, participation, pins, solving
from webapp.services.rounds.eligibility import exclusion_label
from webapp.services.rounds.notes import note_lines
from webapp.services.tokens import hash_token


def reasons_for(match, member_id):
    """The reasons as ``member_id`` reads them on their page, as plain text."""
    return [visible_text(str(line)) for line in reason_lines(match, member_id)]


def person(email, name, department, **fields):
    member = Member(email=email, display_name=name, department=department, languages=["Thai"], **fields)
    db.session.add(member)
    return member


def mentoring_organisation():
    """Two learners who want SQL and Lean; three mentors; a paused and an empty profile."""
    sql, lean = Skill(name="SQL"), Skill(name="Lean")
    data = Community(name="ชุมชนข้อมูล Data", core_skills=[sql])
    learners = [
        person("somchai@example.com", "สมชาย ใจดี", "Finance", wants_mentor=True),
        person("ann@example.com", "Ann Lee", "Sales", wants_mentor=True),
    ]
    mentors = [
        person("malee@example.com", "มาลี ศรีสุข", "Engineering", mentor_capacity=1),
        person("krit@example.com", "Krit Dee", "Operations", mentor_capacity=1),
        person("dao@example.com", "Dao Chan", "Legal", mentor_capacity=1),
    ]
    for learner in learners:
        learner.skills = [MemberSkill(skill=sql, level=1)]
        learner.goals = [LearningGoal(skill=sql, target_level=4, priority=1)]
    for mentor, level in zip(mentors, (5, 4, 3)):
        mentor.skills = [MemberSkill(skill=sql, level=level), MemberSkill(skill=lean, level=4)]
    paused = person("away@example.com", "Away", "HR", wants_mentor=True, paused_until=date.today() + timedelta(days=30))
    paused.goals = [LearningGoal(skill=lean, target_level=3)]
    person("empty@example.com", "Empty", "HR", wants_mentor=True)
    everyone = learners + mentors + [paused]
    for member in everyone:
        member.memberships = [CommunityMembership(community=data)]
    db.session.commit()
    return data, learners, mentors


def group_organisation(size=8):
    """``size`` members open to groups, across four departments; two are experts."""
    lean = Skill(name="Lean")
    departments = ["Finance", "Sales", "Engineering", "Operations"]
    members = []
    for number in range(size):
        member = person(f"g{number}@example.com", f"สมาชิก {number}", departments[number % 4], open_to_groups=True,
                        seniority=("Junior", "Senior")[number % 2])
        member.skills = [MemberSkill(skill=lean, level=5 if number < 2 else 2)]
        members.append(member)
    db.session.commit()
    return members


def solved(kind, community_id=None, **parameters):
    round_ = lifecycle.create_round(kind, community_id, None, parameters=parameters)
    solving.solve_round(round_.id)
    db.session.commit()
    return round_


def pairs_of(round_):
    return {(m.first_id, m.second_id) for m in round_.matches}


# --- set-up --------------------------------------------------------------------------------


def test_a_new_round_starts_from_sensible_defaults(ctx):
    round_ = lifecycle.create_round("mentoring", None, None)
    assert round_.status == "draft"
    assert round_.parameters["priority"] == "coverage"
    assert round_.parameters["weights"]["goals"] == 10.0
    assert scope_label(round_) == "Whole organisation"


@pytest.mark.parametrize("kind, parameters, message", [
    ("mentoring", {"weights": {"goals": -1}}, "Weights: expected weight 'goals'"),
    ("mentoring", {"weights": {"colour": 1}}, "Weights:"),
    ("peer", {"priority": "speed"}, "Priority must be"),
    ("groups", {"group_min": 5, "group_max": 3}, "Group sizes"),
    ("groups", {"cooldown_rounds": 11}, "Cooldown"),
    ("lottery", {}, "A round is one of mentoring, peer, groups"),
])
def test_bad_parameters_are_refused_by_name(ctx, kind, parameters, message):
    with pytest.raises(guards.RoundError, match=message):
        lifecycle.create_round(kind, None, None, parameters=parameters)
    assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_eligibility_sorts_members_into_roles_and_reasons(ctx):
    data, learners, mentors = mentoring_organisation()
    who = eligibility.eligibility("mentoring", data.id)
    assert sorted(who.roles["learner"]) == sorted(m.id for m in learners)
    assert sorted(who.roles["mentor"]) == sorted(m.id for m in mentors)
    assert who.excluded == {eligibility.PAUSED: 1}  # the empty profile is not in the community
    everyone = eligibility.eligibility("mentoring", None)
    assert everyone.excluded == {eligibility.PAUSED: 1, eligibility.NO_PROFILE: 1}
    assert exclusion_label(eligibility.NO_PROFILE, "mentoring") == "no profile (no skills or goals yet)"
    assert eligibility.eligibility("peer", None).count == 0


# --- solving --------------------------------------------------------------------------------


def test_solving_a_mentoring_round_stores_pairs_reasons_and_figures(ctx):
    data, learners, mentors = mentoring_organisation()
    round_ = solved("mentoring", data.id)
    assert round_.status == "solved" and round_.solved_at is not None
    assert pairs_of(round_) == {(learners[0].id, mentors[0].id), (learners[1].id, mentors[1].id)} or \
        pairs_of(round_) == {(learners[1].id, mentors[0].id), (learners[0].id, mentors[1].id)}
    assert (round_.eligible, round_.matched, round_.max_coverage) == (5, 2, 2)
    assert round_.total == pytest.approx(sum(m.score for m in round_.matches))
    assert round_.upper_bound >= round_.total and round_.gap <= 1e-6
    assert round_.seconds >= 0 and round_.unmatched == []
    assert "Not eligible: paused (1)" in note_lines(round_)
    match = round_.matches[0]
    assert match.first_role == "learner" and match.second_role == "mentor"
    assert {reason["side"] for reason in match.reasons} <= {"first", "both"}
    assert match.focus[0]["skill"] == "SQL" and match.focus[0]["level"] == 1
    learner_words, mentor_words = reasons_for(match, match.first_id), reasons_for(match, match.second_id)
    assert any(text.startswith("Teaches SQL") for text in learner_words)
    assert any("wants to grow in SQL from level 1 to level 4" in text for text in mentor_words)
    assert not any(text.startswith("Teaches SQL") for text in mentor_words)


def test_resolving_replaces_the_result_and_keeps_pins_and_forbids(ctx):
    data, learners, mentors = mentoring_organisation()
    round_ = solved("mentoring", data.id)
    pins.add_pin(round_.id, learners[0].id, mentors[2].id)
    pins.add_forbid(round_.id, learners[1].id, mentors[0].id)
    solving.solve_round(round_.id)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Match.id))) == 2
    assert (learners[0].id, mentors[2].id) in pairs_of(round_)
    assert (learners[1].id, mentors[0].id) not in pairs_of(round_)
    pinned = next(m for m in round_.matches if m.pinned)
    assert pinned.second_id == mentors[2].id


def test_a_published_round_cannot_be_solved_again(ctx):
    data, learners, mentors = mentoring_organisation()
    round_ = solved("mentoring", data.id)
    lifecycle.publish_round(round_.id)
    db.session.commit()
    before = pairs_of(round_)
    with pytest.raises(guards.RoundError, match="only a draft or solved round can be solved"):
        solving.solve_round(round_.id)
    db.session.rollback()
    assert round_.status == "published" and pairs_of(round_) == before
    with pytest.raises(guards.RoundError, match="Pins and forbids change only"):
        pins.add_pin(round_.id, learners[0].id, mentors[2].id)


def test_a_failing_solve_leaves_the_round_as_it_was(ctx):
    data, _, _ = mentoring_organisation()
    round_ = solved("mentoring", data.id)
    before = (pairs_of(round_), round_.total, round_.solved_at)
    round_.parameters = {**round_.parameters, "priority": "nonsense"}
    db.session.commit()
    with pytest.raises(guards.RoundError, match="Priority"):
        solving.solve_round(round_.id)
    db.session.rollback()
    assert (pairs_of(round_), round_.total, round_.solved_at) == before


def test_peer_rounds_pair_members_with_reasons_from_both_sides(ctx):
    sql, lean = Skill(name="SQL"), Skill(name="Lean")
    a = person("a@example.com", "กมล", "Finance", open_to_peer_swaps=True)
    b = person("b@example.com", "Bee", "Sales", open_to_peer_swaps=True)
    a.skills, a.goals = [MemberSkill(skill=sql, level=5)], [LearningGoal(skill=lean, target_level=4)]
    b.skills, b.goals = [MemberSkill(skill=lean, level=5)], [LearningGoal(skill=sql, target_level=4)]
    db.session.commit()
    round_ = solved("peer")
    assert pairs_of(round_) == {(a.id, b.id)} and round_.matched == 2
    match = round_.matches[0]
    assert any(text.startswith("You teach Bee SQL") for text in reasons_for(match, a.id))
    assert any(text.startswith("You teach กมล Lean") for text in reasons_for(match, b.id))
    assert {item["learner"] for item in match.focus} == {"first", "second"}


def test_group_rounds_store_groups_anchors_and_explanations(ctx):
    members = group_organisation(8)
    round_ = solved("groups", group_min=4, group_max=4, time_limit=0.5)
    assert len(round_.groups) == 2 and round_.matched == 8
    assert all(len(g.members) == 4 for g in round_.groups)
    anchors = [[p.member_id for p in g.members if p.role == "anchor"] for g in round_.groups]
    assert sorted(len(a) for a in anchors) == [1, 1]
    assert set(sum(anchors, [])) == {members[0].id, members[1].id}
    assert all("anchored by" in g.explanation for g in round_.groups)
    assert round_.total == pytest.approx(sum(g.diversity for g in round_.groups))


def test_moving_a_member_restates_the_groups_and_keeps_sizes_in_bounds(ctx):
    group_organisation(9)
    round_ = solved("groups", group_min=4, group_max=5, time_limit=0.5)
    small = min(round_.groups, key=lambda g: len(g.members))
    large = max(round_.groups, key=lambda g: len(g.members))
    with pytest.raises(guards.RoundError, match="between 4 and 5 members"):
        groups.move_member(round_.id, small.members[0].member_id, large.number)
    db.session.rollback()
    moving = next(p.member_id for p in large.members if p.role != "anchor")
    groups.move_member(round_.id, moving, small.number)
    db.session.commit()
    assert moving in {p.member_id for p in small.members}
    assert [len(g.members) for g in round_.groups] == [4, 5] or [len(g.members) for g in round_.groups] == [5, 4]
    assert round_.total == pytest.approx(sum(g.diversity for g in round_.groups))


# --- history ------------------------------------------------------------------------------------


def test_a_pair_from_the_previous_round_is_not_repeated_within_the_cooldown(ctx):
    data, learners, mentors = mentoring_organisation()
    first = solved("mentoring", data.id, cooldown_rounds=2)
    lifecycle.publish_round(first.id)
    db.session.commit()
    second = solved("mentoring", data.id, cooldown_rounds=2)
    assert pairs_of(second) and not pairs_of(first) & pairs_of(second)
    without_cooldown = solved("mentoring", data.id, cooldown_rounds=0)
    assert pairs_of(without_cooldown) == pairs_of(first)


def test_members_who_left_two_invitations_unanswered_are_asked_to_confirm(ctx):
    data, learners, mentors = mentoring_organisation()
    for _ in range(2):
        round_ = solved("mentoring", data.id, cooldown_rounds=0)
        lifecycle.publish_round(round_.id)
        for match in round_.matches:  # everyone answers but Ann
            match.second_status = "accepted"
            if match.first_id != learners[1].id:
                match.first_status = "accepted"
        lifecycle.close_round(round_.id)
        db.session.commit()
    assert participation.unanswered_twice() == {learners[1].id}
    who = eligibility.eligibility("mentoring", data.id)
    assert who.excluded[eligibility.ASKED_TO_CONFIRM] == 1
    participation.confirm_participation(db.session.get(Member, learners[1].id))
    db.session.commit()
    assert participation.unanswered_twice() == set()


# --- life cycle ---------------------------------------------------------------------------------


def test_publishing_creates_invitations_once(ctx):
    group_organisation(8)
    round_ = solved("groups", group_min=4, group_max=4, time_limit=0.5)
    publication = lifecycle.publish_round(round_.id, invitation_days=3)
    db.session.commit()
    assert publication.published and round_.status == "published"
    places = [p for g in round_.groups for p in g.members]
    assert len(publication.messages) == len(places) == 8
    assert all(p.token_hash and p.expires_at and p.invited_at for p in places)
    link = publication.messages[0].body.split("/invitations/")[1].split()[0]
    assert db.session.scalar(sa.select(GroupMember).where(GroupMember.token_hash == hash_token(link)))
    hashes = sorted(p.token_hash for p in places)
    again = lifecycle.publish_round(round_.id)
    db.session.commit()
    assert not again.published and again.messages == []
    assert sorted(p.token_hash for p in places) == hashes


def test_only_a_solved_round_can_be_published_and_only_a_published_one_closed(ctx):
    round_ = lifecycle.create_round("peer", None, None)
    with pytest.raises(guards.RoundError, match="Solve the round before publishing"):
        lifecycle.publish_round(round_.id)
    with pytest.raises(guards.RoundError, match="Only a published round can be closed"):
        lifecycle.close_round(round_.id)
    with pytest.raises(guards.RoundError, match="Only a published round can be repaired"):
        lifecycle.repair_round(round_.id)
    with pytest.raises(LookupError):
        guards.get_round(round_.id + 1)


def test_repair_rematches_declined_members_and_keeps_the_rest(ctx):
    data, learners, mentors = mentoring_organisation()
    round_ = solved("mentoring", data.id)
    lifecycle.publish_round(round_.id)
    declined, kept = round_.matches
    declined.first_status, kept.first_status = "declined", "accepted"
    db.session.commit()
    repair = lifecycle.repair_round(round_.id)
    db.session.commit()
    assert (repair.rematched, repair.left_over) == (2, 0)
    new = [m for m in round_.matches if m.id not in (declined.id, kept.id)]
    assert len(new) == 1 and new[0].first_id == declined.first_id
    assert new[0].second_id not in (declined.second_id, kept.second_id)  # mentors[2], the one with a free seat
    assert kept.first_status == "accepted" and len(repair.messages) == 2 and repair.told == 1
    [notice] = repair.notices
    assert notice.member_id == declined.second_id and "declined the match" in notice.body
    assert "Repaired" in note_lines(round_)[-1]
    assert lifecycle.repair_round(round_.id).told == 0  # the partner is told once


def test_repair_moves_a_member_who_declined_a_group_to_another(ctx):
    group_organisation(9)
    round_ = solved("groups", group_min=4, group_max=5, time_limit=0.5)
    lifecycle.publish_round(round_.id)
    small = min(round_.groups, key=lambda g: len(g.members))
    large = max(round_.groups, key=lambda g: len(g.members))
    leaving = next(p for p in large.members if p.role != "anchor")
    leaving.status = "declined"
    db.session.commit()
    repair = lifecycle.repair_round(round_.id)
    db.session.commit()
    assert (repair.rematched, repair.left_over) == (1, 0)
    assert leaving.member_id in {p.member_id for p in small.members if p.status == "pending"}
    assert small.members[-1].token_hash and len(repair.messages) == 1
    live = [sum(p.status != "declined" for p in g.members) for g in round_.groups]
    assert sorted(live) == [4, 5]


def test_closing_ends_a_published_round(ctx):
    data, _, _ = mentoring_organisation()
    round_ = solved("mentoring", data.id)
    lifecycle.publish_round(round_.id)
    lifecycle.close_round(round_.id)
    db.session.commit()
    assert round_.status == "closed" and round_.closed_at is not None
    with pytest.raises(guards.RoundError, match="only a draft or solved round"):
        solving.solve_round(round_.id)


def test_headline_figures_read_the_stored_numbers(ctx):
    data, _, _ = mentoring_organisation()
    round_ = solved("mentoring", data.id)
    shown = dict(figures.headline_figures(round_))
    assert shown["Eligible members"] == "5"
    assert shown["Matched"] == "2 of 2 learners who could be (100% of the maximum possible)"
    assert shown["Certified upper bound"].endswith("(gap 0.000%)")


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (set TEST_DATABASE_URL)")
def test_two_hr_users_publishing_at_once_make_one_set_of_invitations(make_app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is between two PostgreSQL connections")
    app = make_app()
    with app.app_context():
        group_organisation(8)
        round_id = solved("groups", group_min=4, group_max=4, time_limit=0.5).id
    results, first_in = [], threading.Event()

    def publish(wait_for=None):
        with app.app_context():
            if wait_for is not None:
                wait_for.wait(10)
            publication = lifecycle.publish_round(round_id)
            if wait_for is None:
                first_in.set()  # holds the row lock, not yet committed
                threading.Event().wait(0.5)  # give the other connection time to block on it
            db.session.commit()
            results.append(publication)

    threads = [threading.Thread(target=publish), threading.Thread(target=publish, args=(first_in,))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(p.published for p in results) == [False, True]
    with app.app_context():
        tokens = db.session.scalars(sa.select(GroupMember.token_hash).join(WorkingGroup)
                                    .where(WorkingGroup.round_id == round_id)).all()
        assert len(tokens) == 8 and all(tokens) and len(set(tokens)) == 8
        assert sum(len(p.messages) for p in results) == 8


def test_run_round_command_prints_the_figures(app, runner):
    with app.app_context():
        data, _, _ = mentoring_organisation()
        name = data.name
    result = runner.invoke(args=["run-round", "--kind", "mentoring", "--community", name, "--publish"])
    assert result.exit_code == 0, result.output
    assert "is solved" in result.output and "Matched:" in result.output
    assert "2 of 2 learners" in result.output and "Published: 4 invitation message(s) sent." in result.output
    missing = runner.invoke(args=["run-round", "--kind", "mentoring", "--community", "Nope"])
    assert missing.exit_code != 0 and "No community called 'Nope'" in missing.output


def test_mentoring_pins_name_an_eligible_learner_then_a_mentor_with_a_seat(ctx):
    data, learners, mentors = mentoring_organisation()
    round_ = lifecycle.create_round("mentoring", data.id, None)
    with pytest.raises(guards.RoundError, match="not an eligible learner"):
        pins.add_pin(round_.id, mentors[0].id, learners[0].id)
    pins.add_pin(round_.id, learners[0].id, mentors[0].id)
    with pytest.raises(guards.RoundError, match="mentors at most 1"):
        pins.add_pin(round_.id, learners[1].id, mentors[0].id)
    with pytest.raises(guards.RoundError, match="are pinned in this round"):
        pins.add_forbid(round_.id, mentors[0].id, learners[0].id)
    pins.remove_pin(round_.id, learners[0].id, mentors[0].id)
    pins.add_forbid(round_.id, mentors[0].id, learners[0].id)
    db.session.commit()
    assert [(f.first_id, f.second_id) for f in round_.forbids] == [tuple(sorted((learners[0].id, mentors[0].id)))]
    assert round_.pins == []


def test_parameters_of_the_wrong_type_are_refused_by_name(ctx):
    with pytest.raises(guards.RoundError, match="wrong type"):
        lifecycle.create_round("groups", None, None, parameters={"time_limit": "soon"})
