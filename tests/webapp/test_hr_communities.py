"""HR creates and edits communities and their core skills."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Community, CommunityMembership, Round, Skill, db
from webapp.services.communities import communities_in_order
from webapp.services.mentors import self_service_communities
from webapp.services.practice import member_communities


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
    ("post", "/hr/communities/1"), ("post", "/hr/communities/1/archive"), ("post", "/hr/communities/1/restore"),
    ("post", "/hr/communities/1/delete"),
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


def test_an_archived_community_is_hidden_from_members_and_new_rounds_and_kept_in_history(client, auth, app, member, hr):
    with app.app_context():
        community = Community(name="Cloud Guild")
        db.session.add(community)
        db.session.flush()
        db.session.add(CommunityMembership(member_id=member.id, community_id=community.id))
        db.session.add(Round(kind="peer", name="Cloud swaps", status="closed", parameters={},
                             community_id=community.id))
        db.session.commit()
        community_id = community.id
    auth.login(hr.email)
    page = client.get(f"/hr/communities/{community_id}").get_data(as_text=True)
    assert "cannot be deleted; archive it instead" in page and f"/hr/communities/{community_id}/delete" not in page
    response = client.post(f"/hr/communities/{community_id}/delete", follow_redirects=True)
    assert "cannot be deleted: archive it instead" in response.get_data(as_text=True)
    response = client.post(f"/hr/communities/{community_id}/archive", follow_redirects=True)
    assert "Archived “Cloud Guild”" in response.get_data(as_text=True) and "archived</span>" in \
        response.get_data(as_text=True)
    assert "Archived the community “Cloud Guild”" in client.get("/hr/audit").get_data(as_text=True)
    with app.app_context():
        assert community_id not in {c.id for c in communities_in_order()}
        someone = db.session.get(type(member), member.id)
        assert member_communities(someone) == [] and self_service_communities(someone) == []
        assert db.session.scalar(sa.select(Round.community_id).where(Round.name == "Cloud swaps")) == community_id
    auth.logout()
    auth.login(member.email)
    assert "Cloud Guild" not in client.get("/communities").get_data(as_text=True)
    assert client.get(f"/communities/{community_id}").status_code == 404
    assert client.post(f"/communities/{community_id}/join").status_code == 404
    auth.logout()
    auth.login(hr.email)
    client.post(f"/hr/communities/{community_id}/restore")
    auth.logout()
    auth.login(member.email)
    assert client.get(f"/communities/{community_id}").status_code == 200


def test_an_unused_community_can_be_deleted(as_hr, app):
    as_hr.post("/hr/communities", data={"name": "Data Community"})
    with app.app_context():
        community_id = db.session.scalar(sa.select(Community.id))
    assert "can be deleted for good" in as_hr.get(f"/hr/communities/{community_id}").get_data(as_text=True)
    response = as_hr.post(f"/hr/communities/{community_id}/delete", follow_redirects=True)
    assert "Deleted “Data Community”." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Community, community_id) is None
