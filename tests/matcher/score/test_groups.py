"""Tests for ``matcher.score.groups``: diversity, planning a round, explanations."""

from __future__ import annotations

import itertools
import json
from collections import Counter

import numpy as np
import pytest

from matcher.profiles import History, Profile
from matcher.score.groups import (
    GroupPlan,
    GroupWeights,
    Note,
    describe_group,
    diversity_matrix,
    explain_group,
    plan_groups,
)
from matcher.solve.grouping import Grouping, InfeasibleError
from tests.matcher.strategies import assert_json_ready

FAST = dict(time_limit=None, max_iterations=200)
DEPARTMENTS = ("Finance", "Engineering", "Sales", "HR")


def team(n: int, seed: int = 0) -> list[Profile]:
    rng = np.random.default_rng(seed)
    skills = ("Lean", "Python", "Six Sigma", "SQL")
    people = []
    for i in range(n):
        chosen = rng.choice(len(skills), size=2, replace=False)
        people.append(
            Profile(
                id=100 + i,
                name=f"P{i}",
                department=DEPARTMENTS[int(rng.integers(4))],
                function=("Ops", "Analytics")[int(rng.integers(2))],
                seniority=int(rng.integers(1, 4)),
                location=("Bangkok", "Chiang Mai")[int(rng.integers(2))],
                skills={skills[int(k)]: int(rng.integers(1, 6)) for k in chosen},
            )
        )
    return people


# -- diversity_matrix


def test_each_dimension_adds_its_weight():
    a = Profile(1, department="Finance", function="Ops", seniority=1, location="Bangkok", skills={"Lean": 3})
    b = Profile(2, department="Sales", function="Ops", seniority=3, location="Tokyo", skills={"Lean": 5})
    c = Profile(3, department="Finance", function="Analytics", seniority=1, location="Bangkok", skills={"SQL": 2})
    d = diversity_matrix([a, b, c], GroupWeights(department=1, function=2, seniority=4, location=8, skills=16))
    # a-b: department 1 + seniority 4 * 2/4 + location 8; same skill direction -> cosine 1.
    assert d[0, 1] == pytest.approx(1 + 2 + 8)
    # a-c: function 2 + orthogonal skills 16.
    assert d[0, 2] == pytest.approx(2 + 16)
    assert np.allclose(d, d.T) and np.all(np.diag(d) == 0)


def test_skill_profiles_use_cosine_similarity():
    a = Profile(1, skills={"Lean": 4, "SQL": 4})
    b = Profile(2, skills={"Lean": 4})
    d = diversity_matrix([a, b], GroupWeights(department=0, function=0, seniority=0, location=0, skills=1))
    assert d[0, 1] == pytest.approx(1 - 1 / np.sqrt(2))


def test_unknown_values_add_nothing():
    known = Profile(1, department="Finance", seniority=2, location="Bangkok", skills={"Lean": 2})
    unknown = Profile(2)
    assert diversity_matrix([known, unknown])[0, 1] == 0.0


def test_matrix_matches_a_pair_by_pair_computation():
    people = team(40, 9) + [Profile(999, department=" finance ", seniority=0)]
    weights = GroupWeights(department=1.5, function=0.5, seniority=2.0, location=0.25, skills=3.0)
    d = diversity_matrix(people, weights)

    def by_hand(a: Profile, b: Profile) -> float:
        total = 0.0
        for name in ("department", "function", "location"):
            x, y = getattr(a, name).strip().casefold(), getattr(b, name).strip().casefold()
            total += getattr(weights, name) * (x != y and x != "" and y != "")
        if a.seniority and b.seniority:
            total += weights.seniority * abs(a.seniority - b.seniority) / 4
        names = sorted(set(a.skills) | set(b.skills))
        u, v = np.array([a.level(k) for k in names], float), np.array([b.level(k) for k in names], float)
        if u.any() and v.any():
            total += weights.skills * min(max(1 - u @ v / np.linalg.norm(u) / np.linalg.norm(v), 0.0), 1.0)
        return total

    expected = [[0.0 if a is b else by_hand(a, b) for b in people] for a in people]
    assert np.allclose(d, expected, rtol=0, atol=1e-12)


def test_department_comparison_ignores_case_and_spaces():
    d = diversity_matrix([Profile(1, department="Finance"), Profile(2, department=" finance ")])
    assert d[0, 1] == 0.0


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), "1"])
def test_weights_must_be_finite_and_non_negative(bad):
    with pytest.raises(ValueError, match="expected weight 'skills' as a finite number >= 0"):
        GroupWeights(skills=bad)


# -- plan_groups


def test_group_count_and_balanced_sizes():
    plan = plan_groups(team(22), (4, 6), dont_isolate=(), **FAST)
    sizes = sorted(len(g) for g in plan.grouping.groups)
    assert sizes == [5, 5, 6, 6]  # 4 groups (the fewest that fit), as equal as possible


def test_plan_lists_every_member_once():
    people = team(17, 1)
    plan = plan_groups(people, (3, 5), **FAST)
    ids = sorted(p.id for group in plan.groups for p in group)
    assert ids == sorted(p.id for p in people)


def test_every_group_gets_an_anchor_when_there_are_enough():
    people = team(20, 2)
    plan = plan_groups(people, (4, 5), anchor_level=4, core_skills=["Lean", "Python"], dont_isolate=(), **FAST)
    expected = {p.id for p in people if max(p.level("Lean"), p.level("Python")) >= 4}
    assert plan.anchors == expected and len(expected) >= 4
    for group in plan.groups:
        assert any(p.id in plan.anchors for p in group)


def test_few_anchors_are_spread_over_groups():
    people = [Profile(i, skills={"Lean": 5 if i < 3 else 1}) for i in range(12)]
    plan = plan_groups(people, (3, 3), core_skills=["Lean"], dont_isolate=(), **FAST)
    per_group = [sum(p.id in plan.anchors for p in group) for group in plan.groups]
    assert sorted(per_group) == [0, 1, 1, 1]


def test_pairs_grouped_last_round_are_kept_apart():
    people = team(12, 3)
    # Last round's four groups of three; each new group of four takes one from each.
    last = [people[k : k + 3] for k in (0, 3, 6, 9)]
    rounds_ago = {(a.id, b.id): 1 for group in last for a, b in itertools.combinations(group, 2)}
    plan = plan_groups(people, (4, 4), history=History(rounds_ago=rounds_ago), dont_isolate=(), **FAST)
    for group in plan.groups:
        ids = {p.id for p in group}
        for old in last:
            assert len(ids & {p.id for p in old}) <= 1


def test_older_history_is_not_a_rule():
    people = team(4, 4)
    rounds_ago = {(people[0].id, people[1].id): 3}
    plan = plan_groups(people, (4, 4), history=History(rounds_ago=rounds_ago), dont_isolate=(), **FAST)
    assert len(plan.groups) == 1


def test_hr_together_overrides_history():
    people = team(4, 7)
    history = History(rounds_ago={(100, 101): 1})
    plan = plan_groups(people, (2, 2), history=history, together=[(100, 101)], dont_isolate=(), **FAST)
    group_of = {p.id: k for k, group in enumerate(plan.groups) for p in group}
    assert group_of[100] == group_of[101]


def test_hr_apart_and_together_pairs_hold():
    people = team(12, 5)
    apart, together = [(100, 101), (102, 103)], [(104, 105), (100, 106)]
    plan = plan_groups(people, (3, 3), apart=apart, together=together, dont_isolate=(), **FAST)
    group_of = {p.id: k for k, group in enumerate(plan.groups) for p in group}
    assert all(group_of[a] != group_of[b] for a, b in apart)
    assert all(group_of[a] == group_of[b] for a, b in together)


@pytest.mark.parametrize("seed", range(3))
def test_no_one_is_the_only_one_of_their_seniority(seed):
    people = team(20, 10 + seed)
    plan = plan_groups(people, (4, 6), dont_isolate=("seniority",), **FAST)
    assert plan.isolated == ()
    assert not any("relaxed" in note.text for note in plan.notes)
    for group in plan.groups:
        counts = Counter(p.seniority for p in group)
        assert 1 not in counts.values()


def value_of(p: Profile, attribute: str) -> str:
    return p.seniority_label if attribute == "seniority" else getattr(p, attribute)


def test_isolation_of_later_attributes_is_reported():
    people = team(16, 6)
    plan = plan_groups(people, (4, 4), dont_isolate=("seniority", "department"), **FAST)
    for member_id, attribute, value in plan.isolated:
        group = next(g for g in plan.groups if any(p.id == member_id for p in g))
        assert sum(value_of(p, attribute) == value for p in group) == 1
    reported = {(m, a) for m, a, _ in plan.isolated}
    for group in plan.groups:
        for p in group:
            alone = sum(q.department == p.department for q in group) == 1
            shared = sum(q.department == p.department for q in people) >= 2
            assert ((p.id, "department") in reported) == (alone and shared)


def test_rule_is_relaxed_with_a_note_when_buddies_cannot_fit():
    # Three juniors and three seniors in groups of exactly 2: trios cannot fit.
    people = [Profile(i, seniority=1 if i < 3 else 3) for i in range(6)]
    plan = plan_groups(people, (2, 2), **FAST)
    assert plan.notes and "relaxed" in plan.notes[0].text
    assert len(plan.isolated) > 0


def test_wider_sizes_are_used_to_keep_buddies():
    # 6 juniors + 3 seniors in groups of 3-4: balanced (3, 3, 3) cannot hold a trio plus pairs.
    people = [Profile(i, seniority=1 if i < 5 else 3) for i in range(9)]
    plan = plan_groups(people, (2, 4), **FAST)
    assert plan.isolated == ()


def test_two_trios_share_a_group_rather_than_relax_the_rule():
    # Groups of exactly six, three juniors and three executives: the only way to keep
    # both trios is to put them together, which a greedy construction must find among
    # 50 groups (it used to spread them, run out of search and relax the rule).
    people = [Profile(i, department="ABCD"[i % 4], seniority=1 if i < 3 else 5 if i < 6 else 2 + i % 3,
                      skills={f"S{i % 7}": 1 + i % 3}) for i in range(300)]
    plan = plan_groups(people, (6, 6), time_limit=None, max_iterations=20)
    assert plan.notes == () and plan.isolated == ()
    trios = [{p.seniority for p in group if p.seniority in (1, 5)} for group in plan.groups]
    assert trios.count({1, 5}) == 1


def test_anchors_are_not_buddies_when_merging_them_would_leave_a_group_without_one():
    # The two seniors who differ most are the two anchors; pairing them as seniority
    # buddies would leave one of the two groups without an anchor.
    people = [
        Profile(1, "A1", department="Finance", function="F1", location="X", seniority=3, skills={"Lean": 5}),
        Profile(2, "A2", department="Sales", function="F2", location="Y", seniority=3, skills={"Python": 5}),
        Profile(3, "S3", department="Finance", function="F1", location="X", seniority=3, skills={"Lean": 2}),
        Profile(4, "S4", department="Finance", function="F1", location="X", seniority=3, skills={"Lean": 3}),
    ] + [Profile(k, f"J{k}", department=("Finance", "Sales")[k % 2], seniority=1, skills={"Lean": 1})
         for k in range(5, 9)]
    plan = plan_groups(people, (4, 4), **FAST)
    assert plan.notes == () and plan.isolated == ()
    assert all(sum(p.id in plan.anchors for p in group) == 1 for group in plan.groups)


def test_anchors_left_alone_by_the_rule_are_noted():
    # The only three seniors are the anchors of three groups: as buddies they would
    # be one unit, so they stay apart, each the only senior of their group.
    people = [Profile(k, f"A{k}", department="DEF"[k - 1], seniority=3, skills={"Lean": 5}) for k in range(1, 4)]
    people += [Profile(k, f"J{k}", department="DEF"[k % 3], seniority=1, skills={"Lean": 1}) for k in range(4, 13)]
    plan = plan_groups(people, (3, 5), **FAST)
    assert any(note.text.startswith("Anchors were not paired with each other") for note in plan.notes)
    assert sorted(member for member, _, _ in plan.isolated) == [1, 2, 3]
    assert all(sum(p.id in plan.anchors for p in group) == 1 for group in plan.groups)


@pytest.mark.parametrize(
    "people, size, notes",
    [([Profile(i, seniority=1 if i < 3 else 3) for i in range(6)], (2, 2),
      [("relaxed_pairing", {"attribute": "seniority", "low": 2, "high": 2})]),
     ([Profile(i, seniority=1 if i < 5 else 3) for i in range(9)], (2, 4),
      [("sizes_vary", {"attribute": "seniority", "low": 2, "high": 4})]),
     ([Profile(k, f"A{k}", department="DEF"[k - 1], seniority=3, skills={"Lean": 5}) for k in range(1, 4)]
      + [Profile(k, f"J{k}", department="DEF"[k % 3], seniority=1, skills={"Lean": 1}) for k in range(4, 13)],
      (3, 5), [("sizes_vary", {"attribute": "seniority", "low": 3, "high": 5}),
               ("anchors_apart", {"attribute": "seniority", "alone": 3})])],
    ids=["relaxed", "sizes vary", "anchors apart"],
)
def test_notes_are_a_kind_and_its_params(people, size, notes):
    plan = plan_groups(people, size, **FAST)
    assert [(note.kind, note.params) for note in plan.notes] == notes
    assert all(isinstance(note, Note) and note.text for note in plan.notes)
    assert_json_ready([dict(note.params) for note in plan.notes])


def test_a_note_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="expected a note kind from relaxed_pairing, .*, got 'too_big'"):
        Note("too_big")


def test_greedy_buddies_match_repeated_argmax():
    # Seeded cross-check of the sorted sweep against the plain O(k^3) loop, with ties,
    # forbidden pairs and rounding-level asymmetry.
    from matcher.score.groups import _greedy_pairs

    def by_argmax(sub):
        k, free, chosen = len(sub), np.ones(len(sub), dtype=bool), []
        while free.sum() >= 2:
            masked = np.where(free[:, None] & free[None, :], sub, -np.inf)
            a, b = divmod(int(masked.argmax()), k)
            if not np.isfinite(masked[a, b]):
                break
            chosen.append((a, b))
            free[a] = free[b] = False
        return chosen

    rng = np.random.default_rng(0)
    for trial in range(300):
        k = int(rng.integers(2, 60 if trial % 10 else 200))
        sub = rng.integers(0, 5, size=(k, k)).astype(float)
        sub += sub.T
        if trial % 3 == 0:
            sub += rng.normal(0, 1e-13, size=(k, k))
        forbidden = rng.random((k, k)) < 0.2
        sub[forbidden | forbidden.T] = -np.inf
        np.fill_diagonal(sub, -np.inf)
        assert _greedy_pairs(sub) == by_argmax(sub)


@pytest.mark.parametrize(
    "members, kwargs, match",
    [
        ([], {}, "at least one member"),
        ([Profile(1), Profile(1)], {}, "unique member ids, got id 1"),
        (["x"], {}, "Profile members"),
        ([Profile(i) for i in range(7)], dict(group_size=(4, 5)), "cannot split 7 member\\(s\\) into groups of 4 to 5"),
        ([Profile(i) for i in range(4)], dict(group_size=(3, 2)), "1 <= min <= max"),
        ([Profile(i) for i in range(4)], dict(group_size=4), "group_size as \\(min, max\\)"),
        ([Profile(i) for i in range(4)], dict(anchor_level=6), "anchor_level 1-5"),
        ([Profile(i) for i in range(4)], dict(anchor_level="4"), "anchor_level 1-5"),
        ([Profile(i) for i in range(4)], dict(core_skills="Lean"), "collection of skill names"),
        ([Profile(i) for i in range(4)], dict(dont_isolate=("hair",)), "dont_isolate attributes"),
        ([Profile(i) for i in range(4)], dict(apart=[(0, 9)]), "names id 9, who is not among the members"),
        ([Profile(i) for i in range(4)], dict(together=[(0,)]), "together as \\(id, id\\) pairs"),
        ([Profile(i) for i in range(4)], dict(cooldown_rounds=-1), "cooldown_rounds"),
    ],
)
def test_bad_input(members, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plan_groups(members, **{"group_size": (2, 2), **FAST, **kwargs})


def test_impossible_rules_raise_infeasible_error():
    people = [Profile(i) for i in range(4)]
    with pytest.raises(InfeasibleError, match="together"):
        plan_groups(people, (2, 2), together=[(0, 1), (1, 2)], dont_isolate=(), **FAST)


# -- explain_group


def test_explanation_names_departments_seniority_and_anchor():
    people = [
        Profile(1, "Malee", department="Finance", seniority=3, skills={"Lean": 5}),
        Profile(2, "Niran", department="Engineering", seniority=1, skills={"Lean": 2}),
        Profile(3, "Ploy", department="Sales", seniority=3, skills={"SQL": 3}),
        Profile(4, "Krit", department="Finance", seniority=1, skills={"Lean": 1}),
    ]
    plan = plan_groups(people, (4, 4), core_skills=["Lean"], **FAST)
    text = explain_group(plan, 0)
    assert text.startswith("Finance, Engineering and Sales; two seniors and two juniors; ")
    assert "anchored by Malee, level 5 in Lean." in text
    assert "the same as the round average" in text


def test_explanation_compares_with_the_round():
    plan = plan_groups(team(12, 8), (4, 4), **FAST)
    texts = [explain_group(plan, k) for k in range(3)]
    assert any("above the round average" in t for t in texts)
    assert any("below the round average" in t for t in texts)
    assert all("no anchor" in t or "anchored by" in t for t in texts)


def test_group_means_are_computed_once_per_plan():
    plan = plan_groups(team(24, 3), (4, 4), **FAST)
    means = plan.mean_pair_diversity
    for k, group in enumerate(plan.grouping.groups):
        block = plan.diversity[np.ix_(group, group)]
        assert means[k] == pytest.approx(block.sum() / (len(group) * (len(group) - 1)))
    assert [explain_group(plan, k) for k in range(6)] and plan.mean_pair_diversity is means


# -- describe_group


def test_facts_count_departments_functions_and_bands_and_name_the_anchor():
    people = [
        Profile(1, "Malee", department="Finance", function="Ops", seniority=3, skills={"Lean": 5, "SQL": 2}),
        Profile(2, "Niran", department="Engineering ", function="Ops", seniority=1, skills={"Lean": 2}),
        Profile(3, "Ploy", department="Finance", function="Analytics", seniority=3),
        Profile(4, "Krit", department="", function="Ops", seniority=0, skills={"Lean": 1}),
    ]
    plan = plan_groups(people, (4, 4), core_skills=["Lean"], dont_isolate=(), **FAST)
    facts = describe_group(plan, 0)
    assert facts == {
        "size": 4,
        "departments": [{"name": "Finance", "count": 2}, {"name": "Engineering", "count": 1}],
        "functions": [{"name": "Ops", "count": 3}, {"name": "Analytics", "count": 1}],
        "seniority": [{"band": 3, "count": 2}, {"band": 1, "count": 1}],
        "anchors": [{"member_id": 1, "name": "Malee", "skill": "Lean", "level": 5}],
        "mean_pair_diversity": pytest.approx(float(plan.mean_pair_diversity[0])),
        "round_average": pytest.approx(float(plan.mean_pair_diversity[0])),
    }
    assert_json_ready(facts)


def test_the_explanation_is_worded_from_the_facts():
    plan = plan_groups(team(12, 8), (4, 4), **FAST)
    for k in range(3):
        facts, text = describe_group(plan, k), explain_group(plan, k)
        assert text.startswith(join_names(facts["departments"]))
        assert f"Mean pair diversity {facts['mean_pair_diversity']:.2f}" in text
        assert json.loads(json.dumps(facts)) == facts


def join_names(items):
    names = [item["name"] for item in items]
    return f"All from {names[0]}" if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def test_an_anchor_kept_below_the_level_is_described_by_their_strongest_core_skill():
    # As ``restate_groups`` rebuilds a plan: anchors are who HR's stored groups call one,
    # though a profile may since have dropped below the anchor level, or lost every core skill.
    people = (Profile(1, "Malee", skills={"Lean": 3, "SQL": 5}), Profile(2, "Niran", skills={"SQL": 5}),
              Profile(3, "Ploy"))
    plan = GroupPlan(members=people, grouping=Grouping(np.zeros(3, dtype=int), [np.arange(3)], 0.0, 0),
                     diversity=np.zeros((3, 3)), anchors=frozenset({1, 2}), anchor_level=4, core_skills=("Lean",),
                     isolated=(), notes=())
    assert describe_group(plan, 0)["anchors"] == [{"member_id": 1, "name": "Malee", "skill": "Lean", "level": 3},
                                                  {"member_id": 2, "name": "Niran", "skill": "", "level": 0}]
    assert explain_group(plan, 0).startswith("Anchored by Malee, level 3 in Lean and Niran.")


@pytest.mark.parametrize("group", [-1, 3])
def test_explanation_of_a_missing_group(group):
    plan = plan_groups(team(12, 8), (4, 4), **FAST)
    with pytest.raises(ValueError, match="group index 0 to 2"):
        explain_group(plan, group)
    with pytest.raises(ValueError, match="group index 0 to 2"):
        describe_group(plan, group)
