"""Tests for matcher.score.peers: scores, reasons and diagnoses of peer skill swaps."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.profiles import PRIORITY_WEIGHT, Goal, History, Profile, Rules
from matcher.score.peers import PeerWeights, diagnose_unpaired, explain, goal_coverage, score_peers
from matcher.solve.pairing import pair_peers
from tests.matcher.strategies import assert_json_ready, profiles

MALEE = Profile(
    1, "Malee", skills={"SQL": 4, "Facilitation": 2}, goals=(Goal("Facilitation", 5, 1),),
    communities=frozenset({"Data CoP"}), department="Finance", languages=frozenset({"Thai"}),
)
SOMCHAI = Profile(
    2, "Somchai", skills={"SQL": 2, "Facilitation": 5}, goals=(Goal("SQL", 4, 1),),
    communities=frozenset({"Data CoP"}), department="IT", languages=frozenset({"Thai", "English"}),
)
TAKER = Profile(3, "Noor", skills={"SQL": 1}, goals=(Goal("SQL", 5, 1), Goal("Facilitation", 4, 1)))


# --- goal coverage -------------------------------------------------------------


def test_goal_coverage_counts_only_what_the_teacher_knows_beyond_the_learner():
    coverage = goal_coverage([MALEE, SOMCHAI], [MALEE, SOMCHAI])
    assert coverage[0, 1] == pytest.approx(1.0)  # Malee lifts Somchai's SQL 2 -> 4 fully
    assert coverage[1, 0] == pytest.approx(1.0)  # Somchai lifts Malee's Facilitation 2 -> 5 fully
    assert coverage[0, 0] == 0.0


def test_goal_coverage_is_partial_below_the_target():
    coverage = goal_coverage([SOMCHAI], [TAKER])
    # SQL: 2 -> 1 lifts 1 of 4; Facilitation: min(5, 4) - 0 = 4 of 4; equal priorities
    assert coverage[0, 0] == pytest.approx(5 / 8)


def test_learner_without_goals_gains_nothing():
    assert goal_coverage([MALEE], [Profile(9)]).tolist() == [[0.0]]


def crowd(n: int, seed: int) -> list[Profile]:
    """Seeded random members with overlapping skills, goals, communities and zones."""
    rng = np.random.default_rng(seed)
    skills = ("SQL", "Go", "Facilitation", "Design", "Lean", "Python")
    zones = ("UTC", "Asia/Bangkok", "America/New_York", "Asia/Tokyo")
    people = []
    for k in range(n):
        known = rng.choice(len(skills), size=int(rng.integers(0, 4)), replace=False)
        wanted = rng.choice(len(skills), size=int(rng.integers(0, 4)), replace=True)  # repeats: highest target counts
        people.append(Profile(
            k + 1, f"P{k}", skills={skills[s]: int(rng.integers(1, 6)) for s in known},
            goals=tuple(Goal(skills[s], int(rng.integers(1, 6)), int(rng.integers(1, 4))) for s in wanted),
            communities=frozenset(c for c in ("Data", "Agile", "Lean") if rng.random() < 0.3),
            department=("", "IT", "HR", "Sales")[int(rng.integers(4))], timezone=zones[int(rng.integers(4))],
        ))
    return people


def test_goal_coverage_matches_a_goal_by_goal_count():
    people = crowd(60, 1)
    coverage = goal_coverage(people[:45], people[15:])
    for t, teacher in enumerate(people[:45]):
        for j, learner in enumerate(people[15:]):
            goals = {}
            for goal in learner.goals:  # the highest target per skill, first of equals
                if goal.target > goals.get(goal.skill, (0, 0))[0]:
                    goals[goal.skill] = (goal.target, PRIORITY_WEIGHT[goal.priority])
            have = {skill: learner.level(skill) for skill in goals}
            lifted = sum(p * max(min(teacher.level(s), target) - have[s], 0) for s, (target, p) in goals.items())
            wanted = sum(p * max(target - have[s], 0) for s, (target, p) in goals.items())
            assert coverage[t, j] == pytest.approx(lifted / wanted if wanted else 0.0, abs=1e-12)


# --- scores --------------------------------------------------------------------


def test_scores_are_symmetric_with_forbidden_diagonal():
    table = score_peers([MALEE, SOMCHAI, TAKER])
    scores = table.scores
    assert np.array_equal(scores, scores.T)
    assert np.isneginf(np.diag(scores)).all()


def test_mutual_swap_beats_one_sided_pair():
    scores = score_peers([MALEE, SOMCHAI, TAKER], PeerWeights(community=0, cross_department=0)).scores
    # Noor only takes: both of Noor's pairs are one-sided, Malee-Somchai is mutual
    assert scores[0, 1] > scores[0, 2] and scores[0, 1] > scores[1, 2]


def test_weaker_direction_counts_more():
    only_learning = PeerWeights(community=0, cross_department=0, time_zone=0, repeat=0)
    table = score_peers([SOMCHAI, TAKER], only_learning)
    # Somchai covers 5/8 of Noor's goals; Noor covers nothing of Somchai's
    assert table.scores[0, 1] == pytest.approx(10 * 0.3 * 5 / 8)


def test_hard_rules_forbid_pairs():
    rules = Rules(forbidden=frozenset({(1, 2)}))
    assert np.isneginf(score_peers([MALEE, SOMCHAI], rules=rules).scores[0, 1])


def test_no_shared_language_forbids():
    english_only = Profile(4, "Ann", languages=frozenset({"English"}))
    assert np.isneginf(score_peers([MALEE, english_only]).scores[0, 1])


def test_earlier_pair_outside_cooldown_costs_the_repeat_weight():
    history = History(rounds_ago={(1, 2): 5})
    fresh = score_peers([MALEE, SOMCHAI]).scores[0, 1]
    repeated = score_peers([MALEE, SOMCHAI], rules=Rules(history=history)).scores[0, 1]
    assert fresh - repeated == pytest.approx(PeerWeights().repeat)


def test_time_zones_far_apart_cost():
    far = Profile(5, "Ana", skills={"SQL": 2, "Facilitation": 5}, goals=(Goal("SQL", 4, 1),),
                  timezone="America/Los_Angeles")
    near = Profile(6, "Bea", skills={"SQL": 2, "Facilitation": 5}, goals=(Goal("SQL", 4, 1),),
                   timezone="Asia/Bangkok")
    me = Profile(7, "Cy", skills={"SQL": 4}, goals=(Goal("Facilitation", 5, 1),), timezone="Asia/Bangkok")
    scores = score_peers([me, far, near]).scores
    assert scores[0, 2] > scores[0, 1]


def test_a_pair_scores_the_same_in_a_large_round_as_on_its_own():
    # 600 members span several row blocks; every term must come out exactly as for the pair alone.
    people = crowd(600, 2)
    history = History(rounds_ago={(1, 2): 4, (3, 599): 1, (598, 600): 5})
    rules = Rules(history=history, forbidden=frozenset({(5, 6)}))
    scores = score_peers(people, rules=rules).scores
    assert np.array_equal(scores, scores.T)
    rng = np.random.default_rng(3)
    pairs = [(0, 1), (2, 598), (597, 599), (4, 5)] + [tuple(rng.choice(600, 2, replace=False)) for _ in range(40)]
    for i, j in pairs:
        alone = score_peers([people[i], people[j]], rules=rules).scores[0, 1]
        assert scores[i, j] == alone or (np.isneginf(scores[i, j]) and np.isneginf(alone))


def test_duplicate_ids_raise():
    with pytest.raises(ValueError, match="expected distinct member ids, got id 1 twice"):
        score_peers([MALEE, MALEE])


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (dict(learning=-1.0), "'learning' as a finite number >= 0, got -1.0"),
        (dict(community=float("nan")), "'community' as a finite number >= 0"),
        (dict(balance=1.5), "'balance' between 0 and 1, got 1.5"),
    ],
)
def test_bad_weights_raise(weights, match):
    with pytest.raises(ValueError, match=match):
        PeerWeights(**weights)


def test_every_weight_has_a_meaning_for_the_slider():
    assert all(meaning for _, _, meaning in PeerWeights.describe())


# --- explanations ---------------------------------------------------------------


def test_explain_gives_both_directions_in_neutral_words():
    texts = [reason.text for reason in explain(MALEE, SOMCHAI)]
    assert texts[0] == "You teach Somchai SQL (4 → their 2)"
    assert texts[1] == "Somchai teaches you Facilitation (5 → your 2)"
    assert "You both belong to Data CoP" in texts
    assert "Different departments: Finance and IT" in texts


def test_explain_flags_a_one_sided_swap():
    texts = [reason.text for reason in explain(TAKER, MALEE)]
    assert "You cover none of Malee's goals: a one-sided swap" in texts


def test_explain_names_the_broken_rule():
    reasons = explain(MALEE, SOMCHAI, rules=Rules(forbidden=frozenset({(1, 2)})))
    assert reasons[0].text == "HR ruled this pair out" and reasons[0].contribution == -np.inf


def reason_of(reasons, kind):
    [reason] = [r for r in reasons if r.kind == kind]
    return reason


def test_teaching_reasons_list_what_each_side_lifts():
    reasons = explain(MALEE, SOMCHAI)
    assert reason_of(reasons, "you_teach").params == {
        "skills": [{"skill": "SQL", "teacher_level": 4, "learner_level": 2, "target": 4}]}
    assert reason_of(reasons, "they_teach").params == {
        "skills": [{"skill": "Facilitation", "teacher_level": 5, "learner_level": 2, "target": 5}]}


def test_a_one_sided_swap_has_an_empty_skill_list():
    assert reason_of(explain(TAKER, MALEE), "you_teach").params == {"skills": []}


def test_teaching_skills_come_most_important_goal_first():
    learner = Profile(1, "Ann", goals=(Goal("SQL", 3, 2), Goal("Lean", 4, 1), Goal("Go", 2, 2)))
    teacher = Profile(2, "Ben", skills={"SQL": 5, "Lean": 2, "Go": 3})
    skills = reason_of(explain(teacher, learner), "you_teach").params["skills"]
    assert [item["skill"] for item in skills] == ["Lean", "Go", "SQL"]
    assert reason_of(explain(teacher, learner), "you_teach").text == \
        "You teach Ann Lean (2 → their 0), Go (3 → their 0), SQL (5 → their 0)"


def test_context_reasons_carry_communities_departments_hours_and_rounds():
    a = Profile(1, "Ann", communities=frozenset({"Data CoP", "Lean CoP"}), department="Finance",
                timezone="Asia/Kolkata")
    b = Profile(2, "Ben", communities=frozenset({"Lean CoP", "Data CoP"}), department="IT", timezone="Asia/Tokyo")
    reasons = explain(a, b, rules=Rules(cooldown_rounds=2, history=History(rounds_ago={(1, 2): 3})))
    assert reason_of(reasons, "community").params == {"communities": ["Data CoP", "Lean CoP"]}
    assert reason_of(reasons, "cross_department").params == {"departments": ["Finance", "IT"]}
    zone = reason_of(reasons, "time_zone")  # +5:30 and +9
    assert zone.params == {"hours_apart": 3.5} and zone.text == "Your time zones are 3.5 hours apart"
    assert reason_of(reasons, "repeat").params == {"rounds_ago": 3}


@pytest.mark.parametrize(
    "rules, params",
    [(Rules(forbidden=frozenset({(1, 2)})), {"rule": "forbidden"}),
     (Rules(cooldown_rounds=2, history=History(rounds_ago={(1, 2): 1})), {"rule": "cooldown", "cooldown_rounds": 2})],
    ids=["forbidden", "cooldown"],
)
def test_a_broken_rule_is_a_rule_reason_naming_the_rule(rules, params):
    reason = reason_of(explain(MALEE, SOMCHAI, rules=rules), "rule")
    assert reason.params == params and reason.contribution == -np.inf


@pytest.mark.parametrize("weight", [1.0, 0.0])
def test_same_department_is_said_only_when_cross_department_pairs_count(weight):
    a, b = Profile(1, "Ann", department="Finance"), Profile(2, "Ben", department="Finance")
    departments = [r for r in explain(a, b, PeerWeights(cross_department=weight)) if "department" in r.kind]
    if weight:
        assert [(r.kind, r.params, r.contribution) for r in departments] == [
            ("same_department", {"department": "Finance"}, 0.0)]
    else:
        assert departments == []


@settings(max_examples=40, deadline=None)
@given(profiles(1), profiles(2), st.integers(0, 3))
def test_every_reason_stores_as_json(a, b, ago):
    rules = Rules(history=History(rounds_ago={(1, 2): ago} if ago else {}))
    reasons = explain(a, b, rules=rules)
    json.dumps([r.as_dict() for r in reasons])
    for reason in reasons:
        assert_json_ready(dict(reason.params))


@settings(max_examples=40, deadline=None)
@given(profiles(1), profiles(2), st.integers(0, 3))
def test_reasons_add_up_to_the_score_either_way(a, b, ago):
    rules = Rules(history=History(rounds_ago={(1, 2): ago + 3} if ago else {}))
    table = score_peers([a, b], rules=rules)
    for i, j in ((0, 1), (1, 0)):
        total = sum(reason.contribution for reason in table.explain(i, j))
        assert total == pytest.approx(table.scores[i, j])


# --- diagnoses -------------------------------------------------------------------


def test_diagnose_no_eligible_partner_counts_rules():
    boss = Profile(10, "Boss")
    report = Profile(11, "Report", managers=(10,))
    outsider = Profile(12, "Out", languages=frozenset({"Thai"}))
    stranger = Profile(13, "Str", languages=frozenset({"English"}))
    table = score_peers([boss, report, outsider, stranger], rules=Rules(forbidden=frozenset({(10, 12), (10, 13)})))
    pairing = pair_peers(table.scores)
    diagnosis = {d.member: d for d in diagnose_unpaired(table, pairing)}
    assert diagnosis[0].kind == "no_eligible_partner"
    assert diagnosis[0].rule_counts == {"reporting_line": 1, "forbidden": 2}


def test_diagnose_partners_taken_names_the_best_and_their_partner():
    a, b, c = (Profile(k, name) for k, name in ((1, "Ann"), (2, "Ben"), (3, "Cho")))
    table = score_peers([a, b, c])
    pairing = pair_peers(table.scores)
    (diagnosis,) = diagnose_unpaired(table, pairing)
    assert diagnosis.kind == "partners_taken"
    assert "went to" in diagnosis.text and diagnosis.best_partner is not None
    assert sorted([diagnosis.best_partner, diagnosis.taken_by]) in pairing.pairs.tolist()


def test_diagnose_not_worth_it_under_score_priority():
    a, b = Profile(1, "Ann"), Profile(2, "Ben")
    table = score_peers([a, b], PeerWeights(time_zone=0))
    pairing = pair_peers(table.scores, priority="score")
    kinds = {d.kind for d in diagnose_unpaired(table, pairing)}
    assert kinds == {"not_worth_it"}


def test_diagnoses_name_partners_by_id_not_by_row():
    a, b, c = (Profile(k, name) for k, name in ((21, "Ann"), (22, "Ben"), (23, "Cho")))
    table = score_peers([a, b, c])
    pairing = pair_peers(table.scores)
    (diagnosis,) = diagnose_unpaired(table, pairing)
    best, other = diagnosis.best_partner, diagnosis.taken_by
    assert diagnosis.params == {"eligible": 2, "best_id": table.rows[best].id,
                                "best_score": round(float(table.scores[diagnosis.member, best]), 2),
                                "paired_with_id": table.rows[other].id}
    assert {diagnosis.params["best_id"], diagnosis.params["paired_with_id"]} <= {21, 22, 23}


def test_a_free_partner_not_worth_it_is_named_by_id():
    table = score_peers([Profile(31, "Ann"), Profile(32, "Ben")], PeerWeights(time_zone=0))
    diagnoses = diagnose_unpaired(table, pair_peers(table.scores, priority="score"))
    assert [d.params for d in diagnoses] == [{"partner_id": 32, "score": 0.0}, {"partner_id": 31, "score": 0.0}]


def test_no_eligible_partner_counts_rules_with_the_cooldown_it_names():
    rules = Rules(cooldown_rounds=2, history=History(rounds_ago={(1, 2): 1}))
    table = score_peers([Profile(1), Profile(2)], rules=rules)
    diagnoses = diagnose_unpaired(table, pair_peers(table.scores))
    assert [d.params for d in diagnoses] == [{"rule_counts": {"cooldown": 1}, "cooldown_rounds": 2}] * 2
    for diagnosis in diagnoses:
        assert_json_ready(dict(diagnosis.params))


def test_scored_round_pairs_mutual_learners():
    table = score_peers([MALEE, SOMCHAI, TAKER])
    pairing = pair_peers(table.scores)
    assert pairing.pairs.tolist() == [[0, 1]]
