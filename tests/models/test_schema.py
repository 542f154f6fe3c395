"""The database itself enforces the model's rules, on every backend."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from models import Community, CommunityMembership, LearningGoal, Member, MemberSkill, Skill, db


def add_member(**fields) -> Member:
    fields.setdefault("email", "a@example.com")
    fields.setdefault("display_name", "A")
    member = Member(**fields)
    db.session.add(member)
    db.session.flush()
    return member


def test_thai_display_name_round_trips(ctx):
    add_member(display_name="สมศรี รัตนพันธ์ 😀", languages=["ไทย", "English"])
    db.session.commit()
    db.session.expire_all()
    member = db.session.scalar(sa.select(Member))
    assert member.display_name == "สมศรี รัตนพันธ์ 😀"
    assert member.languages == ["ไทย", "English"]


def test_email_is_unique_in_any_letter_case(ctx):
    add_member(email="Malee@Example.com")
    with pytest.raises(IntegrityError):
        add_member(email="malee@example.COM")


def test_email_is_stored_lower_case(ctx):
    assert add_member(email="  Malee@Example.com ").email == "malee@example.com"


def test_skill_names_are_unique_in_any_letter_case(ctx):
    db.session.add(Skill(name="Data Visualisation"))
    db.session.flush()
    db.session.add(Skill(name="data   visualisation"))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_community_names_are_unique_in_any_letter_case(ctx):
    db.session.add(Community(name="Lean Practice"))
    db.session.flush()
    db.session.add(Community(name="LEAN practice"))
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize("level", [0, 6])
def test_skill_level_out_of_range_is_refused_by_the_database(ctx, level):
    member = add_member()
    skill = Skill(name="SQL")
    db.session.add(skill)
    db.session.flush()
    db.session.add(MemberSkill(member_id=member.id, skill_id=skill.id, level=level))
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize("target, priority", [(6, 1), (3, 0), (3, 4)])
def test_goal_target_and_priority_are_checked_by_the_database(ctx, target, priority):
    member = add_member()
    skill = Skill(name="SQL")
    db.session.add(skill)
    db.session.flush()
    db.session.add(LearningGoal(member_id=member.id, skill_id=skill.id, target_level=target, priority=priority))
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize("capacity", [-1, 6])
def test_mentor_capacity_out_of_range_is_refused_by_the_database(ctx, capacity):
    with pytest.raises(IntegrityError):
        add_member(mentor_capacity=capacity)


def test_one_level_per_member_and_skill(ctx):
    member = add_member()
    skill = Skill(name="SQL")
    db.session.add(skill)
    db.session.flush()
    db.session.add(MemberSkill(member_id=member.id, skill_id=skill.id, level=2))
    db.session.flush()
    db.session.expunge_all()
    db.session.add(MemberSkill(member_id=member.id, skill_id=skill.id, level=3))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_one_membership_per_member_and_community(ctx):
    member = add_member()
    community = Community(name="Lean Practice")
    db.session.add(community)
    db.session.flush()
    db.session.add(CommunityMembership(member_id=member.id, community_id=community.id))
    db.session.flush()
    db.session.expunge_all()
    db.session.add(CommunityMembership(member_id=member.id, community_id=community.id))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_foreign_keys_are_enforced(ctx):
    """On SQLite too: the connect-event PRAGMA switches them on."""
    skill = Skill(name="SQL")
    db.session.add(skill)
    db.session.flush()
    db.session.add(MemberSkill(member_id=999, skill_id=skill.id, level=3))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_deleting_a_member_removes_their_skills_and_memberships(ctx):
    member = add_member()
    skill, community = Skill(name="SQL"), Community(name="Data")
    member.skills.append(MemberSkill(skill=skill, level=3))
    member.memberships.append(CommunityMembership(community=community))
    db.session.commit()
    db.session.delete(member)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberSkill)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommunityMembership)) == 0


def test_a_member_cannot_manage_themselves(ctx):
    member = add_member()
    member.manager_id = member.id
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_reporting_line_relationship(ctx):
    boss = add_member(email="boss@example.com")
    report = add_member(email="report@example.com", manager=boss)
    db.session.commit()
    assert report.manager is boss and boss.reports == [report]


def test_unknown_time_zone_is_refused(ctx):
    with pytest.raises(ValueError, match="IANA time zone"):
        add_member(timezone="Bangkok/Thailand")


def test_unknown_role_is_refused(ctx):
    with pytest.raises(ValueError, match="role"):
        add_member(role="admin")


def test_defaults_are_evaluated_per_row(ctx):
    first = add_member(email="one@example.com")
    second = add_member(email="two@example.com")
    assert first.created_at <= second.created_at
    assert first.languages == [] and first.languages is not second.languages
    membership = CommunityMembership(member=first, community=Community(name="C"))
    db.session.add(membership)
    db.session.flush()
    assert membership.joined_on <= date.today()


def test_passwords_are_stored_hashed(ctx):
    member = add_member()
    member.set_password("a long secret phrase")
    assert "a long secret phrase" not in member.password_hash
    assert member.password_hash.startswith("scrypt:")
    assert member.check_password("a long secret phrase")
    assert not member.check_password("wrong")
