"""HR curates the skill taxonomy: list, add, approve, rename, merge."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Community, LearningGoal, MemberSkill, Skill, db
from webapp.services.skills import SkillError, create_skill, merge_skills, rename_skill, taxonomy


@pytest.fixture
def make_skill(app):
    def _make_skill(name: str, **fields) -> int:
        with app.app_context():
            skill = Skill(name=name, **fields)
            db.session.add(skill)
            db.session.commit()
            return skill.id

    return _make_skill


def add(app, *rows) -> None:
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def test_proposed_skills_come_first_with_proposer_and_usage(as_hr, app, make_skill, member, make_member):
    other = make_member(display_name="Anan")
    sql = make_skill("SQL")
    proposed = make_skill("การวิเคราะห์ข้อมูล", approved=False, proposed_by_id=member.id)
    add(app, MemberSkill(member_id=member.id, skill_id=sql, level=3),
        MemberSkill(member_id=other.id, skill_id=sql, level=4),
        LearningGoal(member_id=other.id, skill_id=proposed, target_level=3))
    with app.app_context():
        rows = taxonomy()
        assert [(r.skill.name, r.members, r.learners) for r in rows] == [("การวิเคราะห์ข้อมูล", 0, 1), ("SQL", 2, 0)]
        assert rows[0].proposed_by.display_name == "สมชาย ใจดี"
    page = as_hr.get("/hr/skills").get_data(as_text=True)
    assert page.index("การวิเคราะห์ข้อมูล") < page.index("SQL")
    assert "by สมชาย ใจดี" in page and "1 proposed" in page


def test_hr_adds_a_skill_with_a_category(as_hr, app):
    response = as_hr.post("/hr/skills", data={"name": "  Data   visualisation ", "category": "Data"})
    assert response.status_code == 302
    with app.app_context():
        skill = db.session.scalar(sa.select(Skill))
        assert (skill.name, skill.category, skill.approved) == ("Data visualisation", "Data", True)


def test_adding_a_clashing_name_re_renders_with_the_error(as_hr, make_skill):
    make_skill("Python")
    response = as_hr.post("/hr/skills", data={"name": "PYTHON", "category": "Code"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "already a skill called “Python”" in page
    assert 'value="Code"' in page  # nothing lost


def test_approve(as_hr, app, make_skill, member):
    skill_id = make_skill("Prompting", approved=False, proposed_by_id=member.id)
    assert as_hr.post(f"/hr/skills/{skill_id}/approve").status_code == 302
    with app.app_context():
        assert db.session.get(Skill, skill_id).approved


def test_rename_keeps_case_insensitive_uniqueness(as_hr, app, make_skill):
    make_skill("SQL")
    skill_id = make_skill("pyhton", approved=False)
    response = as_hr.post(f"/hr/skills/{skill_id}", data={"name": "sql", "category": ""})
    assert response.status_code == 200 and "already a skill called “SQL”" in response.get_data(as_text=True)
    response = as_hr.post(f"/hr/skills/{skill_id}", data={"name": "Python", "category": "Code"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Skill, skill_id).name == "Python"
        # Renaming to itself in another letter case is fine.
        rename_skill(db.session.get(Skill, skill_id), "PYTHON")
        with pytest.raises(SkillError):
            create_skill("python")


def test_merge_moves_levels_goals_and_core_skills_keeping_the_higher(as_hr, app, make_skill, make_member):
    both, only_old, learner = make_member(), make_member(), make_member()
    kept = make_skill("Data visualisation")
    old = make_skill("dataviz", approved=False)
    add(
        app,
        MemberSkill(member_id=both.id, skill_id=kept, level=2),
        MemberSkill(member_id=both.id, skill_id=old, level=4),
        MemberSkill(member_id=only_old.id, skill_id=old, level=3),
        LearningGoal(member_id=learner.id, skill_id=kept, target_level=3, priority=3),
        LearningGoal(member_id=learner.id, skill_id=old, target_level=5, priority=1),
        LearningGoal(member_id=only_old.id, skill_id=old, target_level=5, priority=2),
    )
    with app.app_context():
        db.session.add(Community(name="Data", core_skills=[db.session.get(Skill, old)]))
        db.session.add(Community(name="Both", core_skills=[db.session.get(Skill, old), db.session.get(Skill, kept)]))
        db.session.commit()
    response = as_hr.post(f"/hr/skills/{old}/merge", data={"into": kept})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Skill, old) is None
        levels = dict(db.session.execute(sa.select(MemberSkill.member_id, MemberSkill.level)).all())
        assert levels == {both.id: 4, only_old.id: 3}
        goals = {m: (t, p) for m, t, p in db.session.execute(
            sa.select(LearningGoal.member_id, LearningGoal.target_level, LearningGoal.priority))}
        assert goals == {learner.id: (5, 1), only_old.id: (5, 2)}
        assert {s for (s,) in db.session.execute(sa.select(LearningGoal.skill_id))} == {kept}
        for community in db.session.scalars(sa.select(Community)):
            assert [s.id for s in community.core_skills] == [kept]


def test_merge_into_itself_or_nothing_is_refused(as_hr, app, make_skill):
    skill_id = make_skill("SQL")
    response = as_hr.post(f"/hr/skills/{skill_id}/merge", data={"into": 0})
    assert response.status_code == 200 and "Pick the skill to keep." in response.get_data(as_text=True)
    with app.app_context():
        skill = db.session.get(Skill, skill_id)
        with pytest.raises(SkillError, match="itself"):
            merge_skills(skill, skill)


def test_unknown_skill_is_404(as_hr):
    assert as_hr.get("/hr/skills/999").status_code == 404
    assert as_hr.post("/hr/skills/999/approve").status_code == 404


@pytest.mark.parametrize("method, path", [
    ("get", "/hr/skills"), ("post", "/hr/skills"), ("get", "/hr/skills/1"),
    ("post", "/hr/skills/1/approve"), ("post", "/hr/skills/1/merge"),
])
def test_skill_pages_are_hr_only(client, auth, member, make_skill, method, path):
    make_skill("SQL")
    response = getattr(client, method)(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    auth.login(member.email)
    assert getattr(client, method)(path).status_code == 403


def test_skill_post_without_csrf_token_is_400(make_app, make_member):
    app = make_app(WTF_CSRF_ENABLED=True)
    hr = make_member(email="hr@example.com", role="hr")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(hr.id)
        session["_fresh"] = True
    assert client.post("/hr/skills", data={"name": "SQL"}).status_code == 400
