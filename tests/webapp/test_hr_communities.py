"""HR creates and edits communities and their core skills."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Community, Skill, db


@pytest.fixture
def skills(app):
    with app.app_context():
        rows = [Skill(name="Python"), Skill(name="การวิเคราะห์ข้อมูล"), Skill(name="SQL")]
        db.session.add_all(rows)
        db.session.commit()
        return {s.name: s.id for s in rows}


def test_create_a_community_with_core_skills(as_hr, app, skills):
    response = as_hr.post("/hr/communities", data={
        "name": "ชุมชนข้อมูล", "description": "Data people, ไทย and English.",
        "core_skills": [skills["Python"], skills["การวิเคราะห์ข้อมูล"]],
    })
    assert response.status_code == 302
    with app.app_context():
        community = db.session.scalar(sa.select(Community))
        assert community.name == "ชุมชนข้อมูล" and community.description == "Data people, ไทย and English."
        assert {s.name for s in community.core_skills} == {"Python", "การวิเคราะห์ข้อมูล"}
    page = as_hr.get("/hr/communities").get_data(as_text=True)
    assert "ชุมชนข้อมูล" in page and "การวิเคราะห์ข้อมูล" in page


def test_edit_changes_name_description_and_core_skills(as_hr, app, skills):
    as_hr.post("/hr/communities", data={"name": "Data", "core_skills": [skills["Python"]]})
    with app.app_context():
        community_id = db.session.scalar(sa.select(Community.id))
    page = as_hr.get(f"/hr/communities/{community_id}").get_data(as_text=True)
    assert "Edit Data" in page and f'<option selected value="{skills["Python"]}">Python' in page
    response = as_hr.post(f"/hr/communities/{community_id}", data={
        "name": "Data Guild", "description": "New purpose", "core_skills": [skills["SQL"]],
    })
    assert response.status_code == 302
    with app.app_context():
        community = db.session.get(Community, community_id)
        assert (community.name, community.description) == ("Data Guild", "New purpose")
        assert [s.name for s in community.core_skills] == ["SQL"]


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "This field is required."),
    ({"name": "DATA"}, "already a community called “Data”"),
    ({"name": "x" * 121}, "Field cannot be longer than 120 characters."),
    ({"name": "Other", "core_skills": ["99999"]}, "is not a valid choice"),
])
def test_bad_input_re_renders_with_errors(as_hr, app, skills, data, message):
    as_hr.post("/hr/communities", data={"name": "Data"})
    data = {"description": "kept text"} | data
    response = as_hr.post("/hr/communities", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert "kept text" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 1


def test_unknown_community_is_404(as_hr):
    assert as_hr.get("/hr/communities/404").status_code == 404


@pytest.mark.parametrize("method, path", [
    ("get", "/hr/communities"), ("post", "/hr/communities"), ("get", "/hr/communities/1"),
    ("post", "/hr/communities/1"),
])
def test_community_admin_is_hr_only(client, auth, member, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    auth.login(member.email)
    assert getattr(client, method)(path).status_code == 403


def test_community_post_without_csrf_token_is_400(make_app, make_member):
    app = make_app(WTF_CSRF_ENABLED=True)
    hr = make_member(email="hr@example.com", role="hr")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(hr.id)
        session["_fresh"] = True
    assert client.post("/hr/communities", data={"name": "Data"}).status_code == 400
