"""Tests for matcher.score.mentoring: scores by hand, hard rules, reasons, diagnoses."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher.score.mentoring as mentoring_module
from matcher.score.mentoring import (
    SENIORITY_GAP_VALUE,
    MentoringScores,
    MentoringWeights,
    diagnose_unmatched,
    explain,
    mentoring_blocks,
    score_mentoring,
)
from matcher.profiles import Goal, History, Profile, Rules
from matcher.solve.assignment import assign_mentors, assign_mentors_blocked
from tests.matcher.strategies import assert_json_ready, profile_lists, profiles

ONLY_GOALS = MentoringWeights(community=0.0, cross_department=0.0, time_zone=0.0, seniority=0.0)


def learner(pid=1, name="Somchai", **kw):
    kw.setdefault("skills", {"Data analysis": 2})
    kw.setdefault("goals", (Goal("Data analysis", 4, 1),))
    return Profile(pid, name, **kw)


def mentor(pid=2, name="Anong", **kw):
    kw.setdefault("skills", {"Data analysis": 5})
    kw.setdefault("mentor_capacity", 1)
    return Profile(pid, name, **kw)


# --- scores worked by hand -----------------------------------------------------------


@pytest.mark.parametrize(
    "mentor_level, expected",
    [(5, 10.0), (4, 10.0), (3, 5.0), (2, 0.0), (1, 0.0)],
    ids=["above target", "at target", "one level up of two", "same level", "below"],
)
def test_goal_cover_by_mentor_level(mentor_level, expected):
    table = score_mentoring([learner()], [mentor(skills={"Data analysis": mentor_level})], ONLY_GOALS)
    assert table.scores[0, 0] == pytest.approx(expected)


def test_goal_priorities_share_the_goal_weight():
    # priority 1 (1.0) and 3 (0.4): the mentor covers only the second goal fully.
    ann = learner(skills={}, goals=(Goal("SQL", 3, 1), Goal("Python", 3, 3)))
    bo = mentor(skills={"Python": 4})
    assert score_mentoring([ann], [bo], ONLY_GOALS).scores[0, 0] == pytest.approx(10 * 0.4 / 1.4, rel=1e-6)


def test_goal_already_reached_needs_a_mentor_one_level_up():
    ann = learner(skills={"SQL": 4}, goals=(Goal("SQL", 3),))
    assert score_mentoring([ann], [mentor(skills={"SQL": 5})], ONLY_GOALS).scores[0, 0] == pytest.approx(10.0)
    assert score_mentoring([ann], [mentor(skills={"SQL": 4})], ONLY_GOALS).scores[0, 0] == 0.0


def test_soft_terms_by_hand():
    weights = MentoringWeights(goals=0.0, community=2.0, cross_department=1.5, time_zone=1.5, seniority=1.0)
    ann = learner(communities=frozenset({"Lean Practice"}), department="Finance", timezone="Asia/Bangkok", seniority=1)
    bo = mentor(
        communities=frozenset({"Lean Practice", "Data Guild"}),
        department="Operations",
        timezone="Asia/Tokyo",  # two hours ahead: 6 of 8 hours overlap
        seniority=3,
    )
    expected = 2.0 * 1 / 2 + 1.5 + 1.5 * 6 / 8 + 1.0
    assert score_mentoring([ann], [bo], weights).scores[0, 0] == pytest.approx(expected)


def test_unknown_department_and_seniority_count_nothing():
    weights = MentoringWeights(goals=0.0, community=0.0, time_zone=0.0)
    assert score_mentoring([learner(department="Finance")], [mentor()], weights).scores[0, 0] == 0.0


def test_scores_are_float32_and_shaped_learners_by_mentors():
    table = score_mentoring([learner(1), learner(3)], [mentor(2), mentor(4), mentor(5)])
    assert table.scores.shape == (2, 3) and table.scores.dtype == np.float32
    assert isinstance(table, MentoringScores)
    assert table.capacity.tolist() == [1, 1, 1]


def test_empty_lists_give_an_empty_table():
    assert score_mentoring([], [mentor()]).scores.shape == (0, 1)
    assert score_mentoring([learner()], []).scores.shape == (1, 0)


# --- hard rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ann, bo, rules",
    [
        (learner(1), mentor(1), Rules()),
        (learner(1, managers=(2,)), mentor(2), Rules()),
        (learner(1, managers=(9, 2)), mentor(2), Rules()),
        (learner(1), mentor(2, managers=(1,)), Rules()),
        (learner(1, languages=frozenset({"Thai"})), mentor(2, languages=frozenset({"English"})), Rules()),
        (learner(1), mentor(2), Rules(history=History(rounds_ago={(1, 2): 1}))),
        (learner(1), mentor(2), Rules(history=History(declined=frozenset({(1, 2)})))),
        (learner(1), mentor(2), Rules(forbidden=frozenset({(1, 2)}))),
    ],
    ids=["same person", "manager", "manager's manager", "learner manages mentor", "no shared language",
         "cooldown", "declined", "HR forbade"],
)
def test_hard_rules_forbid_the_pair(ann, bo, rules):
    assert score_mentoring([ann], [bo], rules=rules).scores[0, 0] == -np.inf
    reasons = explain(ann, bo, rules=rules)
    assert reasons and all(r.contribution == -np.inf for r in reasons)


def test_partner_outside_the_cooldown_is_allowed():
    rules = Rules(cooldown_rounds=2, history=History(rounds_ago={(1, 2): 3}))
    assert np.isfinite(score_mentoring([learner()], [mentor()], rules=rules).scores[0, 0])


# --- explanations ----------------------------------------------------------------------


def test_explain_reads_like_the_issue():
    ann = learner(communities=frozenset({"Lean Practice"}), department="Finance", languages=frozenset({"Thai"}))
    bo = mentor(communities=frozenset({"Lean Practice"}), department="Operations",
                languages=frozenset({"Thai", "English"}))
    texts = [r.text for r in explain(ann, bo)]
    assert "Teaches Data analysis (level 5; you are at 2, aiming for 4)" in texts
    assert "Both in the Lean Practice community" in texts
    assert "Different department: Finance ↔ Operations" in texts
    assert "Both speak Thai" in texts


def test_explain_names_the_rule_and_thai_names_work():
    ann = learner(1, "สมชาย", managers=(2,))
    bo = mentor(2, "อนงค์")
    assert [r.text for r in explain(ann, bo)] == ["In the same reporting line"]


def test_explain_a_goal_the_mentor_cannot_teach():
    texts = [r.text for r in explain(learner(), mentor(skills={"Python": 5}), ONLY_GOALS)]
    assert texts == ["Does not list Data analysis (you are at 2, aiming for 4)"]


# --- reasons as data (kind and params; the English text is a default) ----------------------


def reason_of(reasons, kind):
    [reason] = [r for r in reasons if r.kind == kind]
    return reason


@pytest.mark.parametrize(
    "mentor_skills, mentor_level, verdict",
    [({"Data analysis": 5}, 5, "teaches"), ({"Data analysis": 3}, 3, "a_little_beyond"),
     ({"Data analysis": 2}, 2, "not_ahead"), ({"Python": 5}, 0, "does_not_list")],
)
def test_a_goal_reason_carries_the_levels_and_a_verdict(mentor_skills, mentor_level, verdict):
    [reason] = explain(learner(), mentor(skills=mentor_skills), ONLY_GOALS)
    assert (reason.kind, reason.params) == ("goal", {
        "skill": "Data analysis", "priority": 1, "learner_level": 2, "target": 4, "mentor_level": mentor_level,
        "verdict": verdict,
    })


def test_context_reasons_carry_communities_departments_zones_bands_and_languages():
    ann = learner(communities=frozenset({"Lean Practice", "Data Guild"}), department="Finance",
                  timezone="Asia/Bangkok", seniority=2, languages=frozenset({"Thai", "English"}))
    bo = mentor(communities=frozenset({"Lean Practice", "Data Guild"}), department="Operations",
                timezone="Asia/Tokyo", seniority=4, languages=frozenset({"English", "Thai"}))
    reasons = explain(ann, bo)
    assert reason_of(reasons, "community").params == {"communities": ["Data Guild", "Lean Practice"]}
    assert reason_of(reasons, "cross_department").params == {"learner_department": "Finance",
                                                              "mentor_department": "Operations"}
    zone = reason_of(reasons, "time_zone")  # +7 and +9: two hours apart
    assert zone.params == {"learner_zone": "Asia/Bangkok", "mentor_zone": "Asia/Tokyo", "overlap_hours": 6,
                           "same_zone": False}
    assert zone.text == "Working hours overlap about 6 of 8 hours (Asia/Bangkok ↔ Asia/Tokyo)"
    assert reason_of(reasons, "seniority").params == {"learner_band": 2, "mentor_band": 4, "gap": 2}
    assert reason_of(reasons, "language").params == {"languages": ["English", "Thai"]}


def test_a_shared_zone_is_flagged():
    zone = reason_of(explain(learner(timezone="Asia/Bangkok"), mentor(timezone="Asia/Bangkok")), "time_zone")
    assert zone.params["same_zone"] is True and zone.params["overlap_hours"] == 8
    assert zone.text == "Same time zone (Asia/Bangkok)"


def test_a_broken_rule_is_a_rule_reason_naming_the_rule_and_its_cooldown():
    rules = Rules(cooldown_rounds=3, history=History(rounds_ago={(1, 2): 1}))
    [reason] = explain(learner(1), mentor(2), rules=rules)
    assert (reason.kind, reason.params) == ("rule", {"rule": "cooldown", "cooldown_rounds": 3})
    assert reason.text == "Matched together within the last 3 round(s)" and reason.contribution == -np.inf
    [reason] = explain(learner(1, managers=(2,)), mentor(2))
    assert (reason.kind, reason.params) == ("rule", {"rule": "reporting_line"})


@pytest.mark.parametrize("weight", [1.5, 0.0])
def test_same_department_is_said_only_when_cross_department_pairs_count(weight):
    weights = MentoringWeights(community=0.0, time_zone=0.0, seniority=0.0, cross_department=weight)
    reasons = explain(learner(department="Finance"), mentor(department="Finance"), weights)
    departments = [r for r in reasons if "department" in r.kind]
    if weight:
        assert [(r.kind, r.params, r.contribution) for r in departments] == [
            ("same_department", {"department": "Finance"}, 0.0)]
        assert departments[0].text == "Same department (Finance): not a cross-department pair"
    else:
        assert departments == []


@pytest.mark.parametrize("ann_department, bo_department", [("Finance", "Operations"), ("", ""), ("Finance", "")])
def test_no_same_department_reason_unless_both_list_the_same_one(ann_department, bo_department):
    reasons = explain(learner(department=ann_department), mentor(department=bo_department))
    assert not any(r.kind == "same_department" for r in reasons)


@pytest.mark.parametrize(
    "learner_band, mentor_band, text",
    [(3, 3, "Same seniority band (Senior)"),
     (2, 3, "Mentor one band up: Senior mentoring Mid-level"),
     (1, 3, "Mentor two bands up: Senior mentoring Junior"),
     (1, 4, "Mentor three bands up: Lead mentoring Junior")],
)
def test_the_seniority_reason_says_the_gap_it_scores(learner_band, mentor_band, text):
    weights = MentoringWeights(goals=0.0, community=0.0, cross_department=0.0, time_zone=0.0)
    [reason] = explain(learner(goals=(), seniority=learner_band), mentor(seniority=mentor_band), weights)
    gap = mentor_band - learner_band
    assert (reason.kind, reason.text) == ("seniority", text)
    assert reason.params == {"learner_band": learner_band, "mentor_band": mentor_band, "gap": gap}
    assert reason.contribution == pytest.approx(SENIORITY_GAP_VALUE[gap])


@pytest.mark.parametrize("learner_band, mentor_band", [(3, 2), (1, 5), (0, 3)],
                         ids=["mentor below", "four bands up", "unknown band"])
def test_a_gap_the_score_does_not_reward_gives_no_seniority_reason(learner_band, mentor_band):
    reasons = explain(learner(seniority=learner_band), mentor(seniority=mentor_band))
    assert not any(r.kind == "seniority" for r in reasons)


def test_params_are_plain_numbers_even_from_numpy_levels():
    ann = learner(skills={"Data analysis": np.int64(2)}, seniority=np.int64(2))
    bo = mentor(skills={"Data analysis": np.int64(5)}, seniority=np.int64(3))
    for reason in explain(ann, bo):
        assert_json_ready(reason.as_dict())


@settings(max_examples=40, deadline=None)
@given(profiles(1), profiles(2, mentor=True), st.integers(0, 3))
def test_every_reason_stores_as_json(ann, bo, ago):
    rules = Rules(history=History(rounds_ago={(1, 2): ago} if ago else {}))
    reasons = explain(ann, bo, rules=rules)
    json.dumps([r.as_dict() for r in reasons])
    for reason in reasons:
        assert_json_ready(dict(reason.params))
        assert set(reason.as_dict()) == {"kind", "params", "text", "contribution"}


def test_weights_validate_and_describe_themselves():
    with pytest.raises(ValueError, match="weight 'goals' as a finite number >= 0, got -1"):
        MentoringWeights(goals=-1)
    names = [name for name, _, meaning in MentoringWeights.describe() if meaning]
    assert names == ["goals", "community", "cross_department", "time_zone", "seniority"]


def test_non_profile_input_raises():
    with pytest.raises(ValueError, match="expected mentors as Profile objects, got a dict"):
        score_mentoring([learner()], [{"id": 2}])


# --- random populations: explanations add up, every pair of a solution is explained ---------

@settings(max_examples=40, deadline=None)
@given(profile_lists(0, 6), profile_lists(10, 4, learner=False, mentor=True))
def test_reasons_add_up_to_the_score_and_every_pair_is_explained(learners, mentors):
    rules = Rules(forbidden=frozenset({(0, 10)}))
    table = score_mentoring(learners, mentors, rules=rules)
    for i, j in np.ndindex(table.scores.shape):
        reasons = table.explain(i, j)
        if table.scores[i, j] == -np.inf:
            assert reasons and all(r.contribution == -np.inf for r in reasons)
        else:
            assert sum(r.contribution for r in reasons) == pytest.approx(float(table.scores[i, j]), abs=1e-4)
    result = assign_mentors(table.scores, table.capacity)
    for i, j in result.pairs:
        assert all(np.isfinite(r.contribution) for r in table.explain(i, j))
    diagnoses = diagnose_unmatched(table, result)
    assert [d.member for d in diagnoses] == result.unmatched.tolist()


# --- diagnoses --------------------------------------------------------------------------


def test_diagnose_no_eligible_mentor_counts_the_rules():
    ann = learner(1, languages=frozenset({"Thai"}), managers=(2,))
    mentors = [mentor(2), mentor(3, languages=frozenset({"English"})), mentor(4, mentor_capacity=0)]
    table = score_mentoring([ann], mentors)
    [diagnosis] = diagnose_unmatched(table, assign_mentors(table.scores, table.capacity))
    assert diagnosis.kind == "no_eligible_mentor"
    assert diagnosis.rule_counts == {"reporting_line": 1, "no_shared_language": 1}
    assert "In the same reporting line (1 mentor)" in diagnosis.text
    assert "No seats this round (1 mentor)" in diagnosis.text


def test_diagnose_seat_taken_names_mentor_and_holder():
    ann, ben = learner(1, "Ann"), learner(3, "Ben", skills={"Data analysis": 1})
    table = score_mentoring([ann, ben], [mentor(2, "Cho")])
    result = assign_mentors(table.scores, table.capacity)
    [diagnosis] = diagnose_unmatched(table, result)
    assert diagnosis.kind == "seats_taken"
    assert diagnosis.best_partner == 0 and diagnosis.taken_by == result.pairs[0, 0]
    assert "Cho" in diagnosis.text and table.rows[diagnosis.taken_by].name in diagnosis.text


def test_diagnose_not_worth_it_under_score_priority():
    ann = learner(goals=(), skills={})
    table = score_mentoring([ann], [mentor()], MentoringWeights(time_zone=0.0))
    result = assign_mentors(table.scores, table.capacity, priority="score")
    [diagnosis] = diagnose_unmatched(table, result)
    assert diagnosis.kind == "not_worth_it" and "free seat" in diagnosis.text


def test_diagnoses_name_members_by_id_not_by_row():
    ann, ben = learner(11, "Ann"), learner(13, "Ben", skills={"Data analysis": 1})
    table = score_mentoring([ann, ben], [mentor(12, "Cho")])
    result = assign_mentors(table.scores, table.capacity)
    [diagnosis] = diagnose_unmatched(table, result)
    holder = int(result.pairs[0, 0])
    assert diagnosis.params == {
        "mentor_id": 12, "mentor_score": round(float(table.scores[diagnosis.member, 0]), 2),
        "taken_by_id": table.rows[holder].id, "taken_by_score": round(float(table.scores[holder, 0]), 2),
    }
    assert_json_ready(dict(diagnosis.params))


def test_a_free_mentor_not_worth_it_is_named_by_id():
    table = score_mentoring([learner(goals=(), skills={})], [mentor(7)], MentoringWeights(time_zone=0.0))
    [diagnosis] = diagnose_unmatched(table, assign_mentors(table.scores, table.capacity, priority="score"))
    assert diagnosis.params == {"mentor_id": 7, "score": 0.0}


def test_no_eligible_mentor_counts_rules_and_seats_with_the_cooldown_it_names():
    rules = Rules(cooldown_rounds=2, history=History(rounds_ago={(1, 2): 1}))
    table = score_mentoring([learner(1)], [mentor(2), mentor(3, mentor_capacity=0)], rules=rules)
    [diagnosis] = diagnose_unmatched(table, assign_mentors(table.scores, table.capacity))
    assert diagnosis.params == {"rule_counts": {"cooldown": 1}, "no_seats": 1, "cooldown_rounds": 2}
    assert_json_ready(dict(diagnosis.params))


def test_goal_table_shortcut_gives_the_same_scores(monkeypatch):
    """Many learners sharing few goals use a precomputed goal table; it must not change a score."""
    rng = np.random.default_rng(5)
    learners = [
        learner(k, skills={"SQL": int(rng.integers(1, 4))}, goals=(Goal("SQL", int(rng.integers(3, 6))),))
        for k in range(100, 160)
    ]
    mentors = [mentor(k, skills={"SQL": int(rng.integers(1, 6))}) for k in range(10)]
    tabled = score_mentoring(learners, mentors).scores
    monkeypatch.setattr(mentoring_module, "MAX_GOAL_TABLE", 0)
    direct = score_mentoring(learners, mentors).scores
    np.testing.assert_allclose(tabled, direct, rtol=1e-6)


# --- block scoring ------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(profile_lists(0, 7), profile_lists(10, 4, learner=False, mentor=True), st.integers(0, 7), st.integers(0, 7))
def test_blocks_score_the_same_rows_as_the_whole_table(learners, mentors, start, stop):
    rules = Rules(forbidden=frozenset({(0, 10)}))
    table = score_mentoring(learners, mentors, rules=rules)
    blocks = mentoring_blocks(learners, mentors, rules=rules)
    start, stop = min(start, stop, len(learners)), min(max(start, stop), len(learners))
    np.testing.assert_array_equal(blocks(start, stop), table.scores[start:stop])
    assert blocks.shape == table.scores.shape and blocks.capacity.tolist() == table.capacity.tolist()
    result = assign_mentors_blocked(blocks, len(learners), blocks.capacity, block_rows=3)
    assert result.total == pytest.approx(assign_mentors(table.scores, table.capacity).total, abs=1e-5)
