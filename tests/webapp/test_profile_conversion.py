"""ORM rows -> matcher profiles: the conversion matching rounds rely on."""

import pytest

from matcher import score_mentoring
from models import Community, CommunityMembership, LearningGoal, Member, MemberSkill, Skill, db
from webapp.services.profiles import load_profiles, manager_chain, to_profile


def organisation():
    sql, lean = Skill(name="SQL"), Skill(name="Lean")
    data = Community(name="Data & Analytics")
    head = Member(email="head@example.com", display_name="Head", seniority="Executive")
    lead = Member(email="lead@example.com", display_name="Lead", manager=head, seniority="Lead")
    malee = Member(
        email="malee@example.com", display_name="มาลี ศรีสุข", manager=lead, department="Finance",
        function="FP&A", seniority="Mid-level", location="Bangkok HQ", timezone="Asia/Bangkok",
        languages=["Thai", "English"], years_experience=4, mentor_capacity=2,
    )
    malee.skills = [MemberSkill(skill=sql, level=4), MemberSkill(skill=lean, level=2)]
    malee.goals = [LearningGoal(skill=lean, target_level=4, priority=1)]
    malee.memberships = [CommunityMembership(community=data)]
    db.session.add_all([head, lead, malee])
    db.session.commit()
    return head, lead, malee


def test_a_member_becomes_a_profile(ctx):
    head, lead, malee = organisation()
    profile = to_profile(malee)
    assert profile.id == malee.id and profile.name == "มาลี ศรีสุข"
    assert dict(profile.skills) == {"SQL": 4, "Lean": 2}
    assert [(g.skill, g.target, g.priority) for g in profile.goals] == [("Lean", 4, 1)]
    assert profile.communities == frozenset({"Data & Analytics"})
    assert (profile.department, profile.function, profile.location) == ("Finance", "FP&A", "Bangkok HQ")
    assert profile.seniority_label == "Mid-level"
    assert profile.languages == frozenset({"Thai", "English"})
    assert profile.managers == (lead.id, head.id)
    assert profile.mentor_capacity == 2 and profile.years_experience == 4.0


def test_missing_fields_become_neutral_values(ctx):
    member = Member(email="new@example.com", display_name="New")
    db.session.add(member)
    db.session.commit()
    profile = to_profile(member)
    assert (profile.department, profile.seniority, profile.languages, profile.managers) == ("", 0, frozenset(), ())


def test_load_profiles_keeps_the_order_and_refuses_unknown_ids(ctx):
    head, lead, malee = organisation()
    assert [p.id for p in load_profiles([malee.id, head.id, lead.id])] == [malee.id, head.id, lead.id]
    with pytest.raises(LookupError, match="no members with ids"):
        load_profiles([malee.id, 9999])


def test_manager_chain_stops_at_depth_and_on_cycles():
    managers = {1: 2, 2: 3, 3: 4, 4: 1}
    assert manager_chain(1, managers, depth=2) == (2, 3)
    assert manager_chain(1, managers, depth=10) == (2, 3, 4)


def test_the_matcher_forbids_a_manager_mentoring_their_report(ctx):
    head, lead, malee = organisation()
    learner, mentor = load_profiles([malee.id, lead.id])
    table = score_mentoring([learner], [mentor])
    assert table.scores[0, 0] == float("-inf")
