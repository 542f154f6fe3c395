"""flask create-hr and flask demo-data."""

import sqlalchemy as sa

from models import Community, Member, db


def test_create_hr_makes_a_new_account(runner, app):
    result = runner.invoke(args=["create-hr", "Pranee@Example.com", "--password", "a long hr password"])
    assert result.exit_code == 0, result.output
    assert "Created HR account pranee@example.com" in result.output
    with app.app_context():
        hr = db.session.scalar(sa.select(Member).where(Member.email == "pranee@example.com"))
        assert hr.is_hr and hr.check_password("a long hr password")


def test_create_hr_promotes_an_existing_member(runner, app, member):
    result = runner.invoke(args=["create-hr", "SOMCHAI@example.com", "--password", "another long one"])
    assert "Promoted HR account" in result.output
    with app.app_context():
        assert db.session.get(Member, member.id).is_hr


def test_create_hr_asks_for_the_password(runner, app):
    result = runner.invoke(args=["create-hr", "hr2@example.com"], input="typed password 1\ntyped password 1\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        hr = db.session.scalar(sa.select(Member).where(Member.email == "hr2@example.com"))
        assert hr.check_password("typed password 1")


def test_create_hr_refuses_a_weak_password(runner, app):
    result = runner.invoke(args=["create-hr", "hr3@example.com", "--password", "short"])
    assert result.exit_code != 0 and "10 characters" in result.output


def test_demo_data_fills_an_empty_database_with_a_believable_organisation(runner, app):
    result = runner.invoke(args=["demo-data", "--members", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "HR login:      hr@demo.copmatch.example / " in result.output
    with app.app_context():
        members = db.session.scalars(sa.select(Member).where(Member.role == "member")).all()
        assert len(members) == 120
        assert len({m.department for m in members}) == 7
        assert any("\u0e00" <= ch <= "\u0e7f" for m in members for ch in m.display_name)  # Thai script
        assert sum(m.manager_id is not None for m in members) >= 100
        assert sum(m.mentor_capacity > 0 for m in members) >= 5
        assert sum(m.wants_mentor for m in members) >= 10
        assert any(len(m.languages) > 1 for m in members)
        assert len({m.timezone for m in members}) >= 2
        communities = db.session.scalars(sa.select(Community)).all()
        assert 5 <= len(communities) <= 8
        wanted = {g.skill_id for m in members for g in m.goals}
        expert = {s.skill_id for m in members for s in m.skills if s.level >= 4}
        assert wanted & expert  # goals partly meet the supply of experts
        hr = db.session.scalar(sa.select(Member).where(Member.role == "hr"))
        password = result.output.split("hr@demo.copmatch.example / ")[1].split()[0]
        assert hr.check_password(password)


def test_demo_data_does_nothing_on_a_non_empty_database(runner, app, member):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0
    assert "already has members; demo data not loaded" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1
