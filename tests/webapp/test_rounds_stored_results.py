"""What a solve stores of the matcher's answer: reasons, diagnoses and plan notes as kinds and params.

The words are rendered when someone reads them (``webapp.services.reasons``,
``webapp.services.rounds.notes``); here only the stored data is checked.
"""

from __future__ import annotations

import json

from models import LearningGoal, Member, MemberSkill, Skill, db
from webapp.services.rounds import lifecycle, solving


def person(email, name, department, **fields):
    member = Member(email=email, display_name=name, department=department, languages=["Thai"], **fields)
    db.session.add(member)
    return member


def solved(kind, **parameters):
    round_ = lifecycle.create_round(kind, None, None, parameters=parameters)
    solving.solve_round(round_.id)
    db.session.commit()
    return round_


def test_a_mentoring_solve_stores_reasons_and_diagnoses_as_kinds_with_params(ctx):
    sql = Skill(name="SQL")
    learners = [person(f"l{k}@example.com", f"ผู้เรียน {k}", "Finance", wants_mentor=True) for k in range(2)]
    for learner in learners:
        learner.skills = [MemberSkill(skill=sql, level=1)]
        learner.goals = [LearningGoal(skill=sql, target_level=4, priority=1)]
    mentor = person("m@example.com", "พี่เลี้ยง", "Finance", mentor_capacity=1)
    mentor.skills = [MemberSkill(skill=sql, level=5)]
    db.session.commit()
    round_ = solved("mentoring")

    [match] = round_.matches
    assert all({"kind", "params", "text", "contribution", "side"} <= set(reason) for reason in match.reasons)
    goal = next(reason for reason in match.reasons if reason["kind"] == "goal")
    assert goal["params"] == {"skill": "SQL", "priority": 1, "learner_level": 1, "target": 4, "mentor_level": 5,
                              "verdict": "teaches"}
    same = next(reason for reason in match.reasons if reason["kind"] == "same_department")
    assert same["params"] == {"department": "Finance"}
    [entry] = round_.unmatched
    assert (set(entry), entry["kind"]) == ({"member_id", "kind", "params"}, "seats_taken")
    assert set(entry["params"]) == {"mentor_id", "mentor_score", "taken_by_id", "taken_by_score"}
    assert (entry["params"]["mentor_id"], entry["params"]["taken_by_id"]) == (mentor.id, match.first_id)
    assert entry["member_id"] in {learner.id for learner in learners} - {match.first_id}
    json.dumps([match.reasons, round_.unmatched])


def test_a_peer_solve_names_the_partner_taken_by_member_id(ctx):
    sql, lean = Skill(name="SQL"), Skill(name="Lean")
    peers = [person(f"p{k}@example.com", f"เพื่อน {k}", department, open_to_peer_swaps=True)
             for k, department in enumerate(("Finance", "Sales", "Legal"))]
    for peer in peers:
        peer.skills = [MemberSkill(skill=sql, level=3)]
        peer.goals = [LearningGoal(skill=lean, target_level=3)]
    db.session.commit()
    round_ = solved("peer")

    [match], [entry] = round_.matches, round_.unmatched
    assert entry["kind"] == "partners_taken"
    assert {entry["params"]["best_id"], entry["params"]["paired_with_id"]} == {match.first_id, match.second_id}
    assert entry["params"]["eligible"] == 2


def test_a_groups_solve_stores_the_plan_notes_as_kinds_with_params(ctx):
    # Three juniors and three seniors in groups of exactly two: the seniority buddies cannot fit.
    lean = Skill(name="Lean")
    for k in range(6):
        member = person(f"g{k}@example.com", f"สมาชิก {k}", "Finance", open_to_groups=True,
                        seniority="Junior" if k < 3 else "Senior")
        member.skills = [MemberSkill(skill=lean, level=2)]
    db.session.commit()
    round_ = solved("groups", group_min=2, group_max=2)

    assert {"kind": "relaxed_pairing", "params": {"attribute": "seniority", "low": 2, "high": 2}} in round_.notes
