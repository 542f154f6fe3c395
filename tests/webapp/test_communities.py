"""The community pages members see: the overview, a community's page, join and leave."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Community, CommunityMembership, LearningGoal, MemberSkill, Skill, db
from models.base import utcnow
from tests.conftest import PASSWORD
from webapp.services import communities as service


def make_community(app, name="Data Science ชุมชนข้อมูล", skills=(), members=(), description="Learn data together."):
    """A committed community with core skills (names, created as needed) and members; returns its id."""
    with app.app_context():
        community = Community(name=name, description=description)
        for skill_name in skills:
            skill = db.session.scalar(sa.select(Skill).where(Skill.name == skill_name)) or Skill(name=skill_name)
            community.core_skills.append(skill)
        db.session.add(community)
        db.session.flush()
        for member in members:
            db.session.add(CommunityMembership(member_id=member.id, community_id=community.id))
        db.session.commit()
        return community.id


def skill_id(app, name):
    with app.app_context():
        return db.session.scalar(sa.select(Skill.id).where(Skill.name == name))


def add_level(app, member, skill_name, level):
    with app.app_context():
        db.session.add(MemberSkill(member_id=member.id, skill_id=skill_id(app, skill_name), level=level))
        db.session.commit()


def add_goal(app, member, skill_name, target=4):
    with app.app_context():
        db.session.add(LearningGoal(member_id=member.id, skill_id=skill_id(app, skill_name), target_level=target))
        db.session.commit()


def names_on(page: str) -> list[str]:
    return re.findall(r'<td class="member-name">(?:<a [^>]*>)?([^<]+)', page)


def membership_exists(app, member, community_id) -> bool:
    with app.app_context():
        return db.session.get(CommunityMembership, (member.id, community_id)) is not None


# -- access -------------------------------------------------------------------------------


def test_pages_answer_a_member(app, as_member, member):
    community_id = make_community(app, skills=["Python"], members=[member])
    assert as_member.get("/communities").status_code == 200
    assert as_member.get(f"/communities/{community_id}").status_code == 200


@pytest.mark.parametrize("path", ["/communities", "/communities/1"])
def test_visitor_is_sent_to_log_in(app, client, path):
    make_community(app)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("action", ["join", "leave"])
def test_visitor_cannot_join_or_leave(app, client, action):
    community_id = make_community(app)
    response = client.post(f"/communities/{community_id}/{action}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("path", ["/communities/999", "/communities/999/join", "/communities/999/leave"])
def test_unknown_community_is_404(as_member, path):
    method = as_member.get if path.count("/") == 2 else as_member.post
    assert method(path).status_code == 404


def test_get_on_join_and_leave_is_405(app, as_member):
    community_id = make_community(app)
    assert as_member.get(f"/communities/{community_id}/join").status_code == 405
    assert as_member.get(f"/communities/{community_id}/leave").status_code == 405


# -- the overview -------------------------------------------------------------------------


def test_overview_counts_supply_and_demand_per_core_skill(app, make_member, as_member, member):
    today = utcnow().date()
    teacher = make_member(display_name="Teacher", mentor_capacity=2)
    full = make_member(display_name="No capacity", mentor_capacity=0)
    paused = make_member(display_name="Paused", mentor_capacity=3, paused_until=today + timedelta(days=5))
    back_today = make_member(display_name="Back today", mentor_capacity=1, paused_until=today)
    gone = make_member(display_name="Gone", mentor_capacity=3, active=False)
    novice = make_member(display_name="Novice", mentor_capacity=3)
    community_id = make_community(app, skills=["Python", "SQL"], members=[member, teacher, gone])
    make_community(app, name="Analytics", skills=["SQL"], members=[novice])
    for person in (teacher, full, paused, back_today, gone):
        add_level(app, person, "Python", 5 if person is teacher else 4)
    add_level(app, novice, "Python", 3)
    add_level(app, teacher, "SQL", 4)
    for person in (member, novice, gone):
        add_goal(app, person, "SQL")
    add_goal(app, novice, "Python")

    with app.app_context():
        summaries = {s.community.name: s for s in service.overview()}
        data = summaries["Data Science ชุมชนข้อมูล"]
        assert data.member_count == 2  # the deactivated member does not count
        balance = {line.skill.name: (line.learners, line.mentors) for line in data.balance}
        assert balance == {"Python": (1, 2), "SQL": (2, 1)}
        assert summaries["Analytics"].member_count == 1
        assert [(line.learners, line.mentors) for line in summaries["Analytics"].balance] == [(2, 1)]
        assert data.community.id == community_id

    page = as_member.get("/communities").get_data(as_text=True)
    assert "Data Science ชุมชนข้อมูล" in page and "2 members" in page
    assert "2 want to learn · 1 can teach" in " ".join(page.split())


def count_statements(app, call) -> int:
    statements = []

    def record(*args):
        statements.append(args[2])

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            call()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_overview_query_count_does_not_grow_with_communities(app, make_member):
    members = [make_member() for _ in range(4)]
    make_community(app, name="Community 0", skills=["Skill 0", "Shared"], members=members)
    with_one = count_statements(app, service.overview)
    for number in range(1, 6):
        make_community(app, name=f"Community {number}", skills=[f"Skill {number}", "Shared"], members=members)
    assert count_statements(app, service.overview) == with_one == 5


def test_overview_sorts_thai_names_like_a_dictionary(app, as_member):
    for name in ("ไก่ ทอง", "กา ดำ", "Alpha"):
        make_community(app, name=name)
    page = as_member.get("/communities").get_data(as_text=True)
    assert page.index("Alpha") < page.index("กา ดำ") < page.index("ไก่ ทอง")


def test_overview_with_no_communities(as_member):
    assert "No communities yet" in as_member.get("/communities").get_data(as_text=True)


# -- a community's page -------------------------------------------------------------------


def test_page_shows_purpose_skills_members_and_experts_never_emails(app, make_member, as_member, member):
    expert = make_member(display_name="ผู้เชี่ยวชาญ", email="expert@example.com", mentor_capacity=1)
    outsider = make_member(display_name="Outsider", email="outsider@example.com")
    community_id = make_community(
        app, skills=["Python", "SQL"], members=[member, expert], description="เรียนรู้ข้อมูลด้วยกัน"
    )
    add_level(app, expert, "Python", 5)
    add_level(app, expert, "SQL", 4)
    add_level(app, outsider, "Python", 5)
    add_level(app, member, "Python", 2)
    page = as_member.get(f"/communities/{community_id}").get_data(as_text=True)
    assert "เรียนรู้ข้อมูลด้วยกัน" in page
    assert names_on(page) == ["ผู้เชี่ยวชาญ", "สมชาย ใจดี"]
    experts = page[page.index("<h2>Experts</h2>"):page.index("<h2>Members</h2>")]
    assert "ผู้เชี่ยวชาญ" in experts and "Python 5" in experts and "SQL 4" in experts
    assert "can mentor" in experts
    assert "Outsider" not in page and "สมชาย" not in experts
    assert "@example.com" not in page
    assert "You are a member" in page and "Leave this community" in page


def test_member_names_link_to_public_profiles_when_they_exist(app, as_member, member):
    community_id = make_community(app, members=[member])
    page = as_member.get(f"/communities/{community_id}").get_data(as_text=True)
    if "profile.public" in app.view_functions:
        assert f'href="/members/{member.id}"' in page
    else:
        assert "/members/" not in page


def test_members_are_sorted_in_thai_order_and_paginated(make_app, make_member):
    app = make_app(COMMUNITY_MEMBERS_PER_PAGE=3)
    client = app.test_client()
    names = ["ไก่ ทอง", "เกียรติ ศักดิ์", "กา ดำ", "ขา ยาว", "Alice", "bob"]
    people = [make_member(display_name=name) for name in names]
    community_id = make_community(app, members=people)
    client.post("/auth/login", data={"email": people[0].email, "password": PASSWORD})
    page1 = client.get(f"/communities/{community_id}").get_data(as_text=True)
    assert names_on(page1) == ["Alice", "bob", "กา ดำ"] and "Page 1 of 2" in page1
    assert "page=2" in page1
    page2 = client.get(f"/communities/{community_id}?page=2").get_data(as_text=True)
    assert names_on(page2) == ["เกียรติ ศักดิ์", "ไก่ ทอง", "ขา ยาว"]


def test_default_page_size_is_25(app, make_member, as_member, member):
    people = [make_member(display_name=f"Person {number:02d}") for number in range(30)]
    community_id = make_community(app, members=people)
    page1 = as_member.get(f"/communities/{community_id}").get_data(as_text=True)
    assert len(names_on(page1)) == 25 and "30 members" in page1
    page2 = as_member.get(f"/communities/{community_id}?page=2").get_data(as_text=True)
    assert len(names_on(page2)) == 5


def test_search_by_thai_name(app, make_member, as_member, member):
    somsri = make_member(display_name="สมศรี มีสุข")
    other = make_member(display_name="Bob")
    community_id = make_community(app, members=[member, somsri, other])
    page = as_member.get(f"/communities/{community_id}", query_string={"q": "สม"}).get_data(as_text=True)
    assert names_on(page) == ["สมชาย ใจดี", "สมศรี มีสุข"]
    page = as_member.get(f"/communities/{community_id}", query_string={"q": "มีสุข"}).get_data(as_text=True)
    assert names_on(page) == ["สมศรี มีสุข"]


def test_search_by_skill_name_english_and_thai(app, make_member, as_member, member):
    analyst = make_member(display_name="Analyst")
    writer = make_member(display_name="Writer")
    community_id = make_community(app, skills=["Python"], members=[member, analyst, writer])
    add_level(app, analyst, "Python", 3)
    with app.app_context():
        db.session.add(Skill(name="การเขียนเชิงสร้างสรรค์"))
        db.session.commit()
    add_level(app, writer, "การเขียนเชิงสร้างสรรค์", 4)
    page = as_member.get(f"/communities/{community_id}?q=python").get_data(as_text=True)
    assert names_on(page) == ["Analyst"]
    page = as_member.get(f"/communities/{community_id}", query_string={"q": "เขียน"}).get_data(as_text=True)
    assert names_on(page) == ["Writer"]


def test_search_takes_wildcards_literally(app, make_member, as_member, member):
    make_member(display_name="100% sure")
    community_id = make_community(app, members=[member])
    page = as_member.get(f"/communities/{community_id}", query_string={"q": "%"}).get_data(as_text=True)
    assert names_on(page) == [] and "No members found" in page


def test_deactivated_members_are_not_listed(app, make_member, as_member, member):
    gone = make_member(display_name="Gone", active=False)
    community_id = make_community(app, members=[member, gone])
    assert names_on(as_member.get(f"/communities/{community_id}").get_data(as_text=True)) == ["สมชาย ใจดี"]


def test_paused_expert_is_listed_but_not_as_a_mentor(app, make_member, as_member, member):
    paused = make_member(display_name="Paused", mentor_capacity=2, paused_until=utcnow().date() + timedelta(days=1))
    community_id = make_community(app, skills=["Python"], members=[paused])
    add_level(app, paused, "Python", 4)
    page = as_member.get(f"/communities/{community_id}").get_data(as_text=True)
    experts = page[page.index("<h2>Experts</h2>"):page.index("<h2>Members</h2>")]
    assert "Paused" in experts and "can mentor" not in experts


# -- join and leave -----------------------------------------------------------------------


def test_join_then_leave(app, as_member, member):
    community_id = make_community(app)
    response = as_member.post(f"/communities/{community_id}/join", follow_redirects=True)
    assert "Welcome to" in response.get_data(as_text=True)
    assert membership_exists(app, member, community_id)
    response = as_member.post(f"/communities/{community_id}/leave", follow_redirects=True)
    assert "You have left" in response.get_data(as_text=True)
    assert not membership_exists(app, member, community_id)


def test_joining_twice_is_harmless(app, as_member, member):
    community_id = make_community(app, members=[member])
    response = as_member.post(f"/communities/{community_id}/join", follow_redirects=True)
    assert "already a member" in response.get_data(as_text=True)
    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(CommunityMembership)
            .where(CommunityMembership.community_id == community_id)
        )
    assert count == 1


def test_leaving_when_not_a_member_is_harmless(app, as_member, member):
    community_id = make_community(app)
    response = as_member.post(f"/communities/{community_id}/leave", follow_redirects=True)
    assert response.status_code == 200
    assert "You are not a member" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(make_app, make_member):
    app = make_app(WTF_CSRF_ENABLED=True)
    person = make_member()
    community_id = make_community(app)
    client = app.test_client()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    client.post("/auth/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/communities/{community_id}/join").status_code == 400
    assert not membership_exists(app, person, community_id)
    page = client.get(f"/communities/{community_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post(f"/communities/{community_id}/join", data={"csrf_token": token}).status_code == 302
    assert membership_exists(app, person, community_id)
