"""HR lists, searches, sorts and deactivates members."""

from __future__ import annotations

import re

import pytest

from models import Member, MemberSkill, Skill, db


def names_on(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>(?:<a [^>]*>)?([^<]+?)(?:</a>)?(?: <span|</td>)", page)


def test_list_is_paginated(make_app, make_member, auth):
    app = make_app(MEMBERS_PER_PAGE=2)
    client = app.test_client()
    hr = make_member(email="boss@example.com", display_name="Aaron HR", role="hr")
    for name in ("Bee", "Cee", "Dee"):
        make_member(display_name=name)
    client.post("/auth/login", data={"email": hr.email, "password": "correct horse battery"})
    page1 = client.get("/hr/members").get_data(as_text=True)
    assert names_on(page1) == ["Aaron HR", "Bee"] and "Page 1 of 2" in page1
    page2 = client.get("/hr/members?page=2").get_data(as_text=True)
    assert names_on(page2) == ["Cee", "Dee"]
    assert "page=1" in page2


def test_thai_names_sort_by_first_consonant(as_hr, make_member):
    for name in ["ไก่ ทอง", "เกียรติ ศักดิ์", "กา ดำ", "ขา ยาว", "Alice", "bob"]:
        make_member(display_name=name)
    names = names_on(as_hr.get("/hr/members?sort=name").get_data(as_text=True))
    assert names == ["Alice", "bob", "Pranee HR", "กา ดำ", "เกียรติ ศักดิ์", "ไก่ ทอง", "ขา ยาว"]


@pytest.mark.parametrize("query, expected", [
    ("สมชาย", ["สมชาย ใจดี"]),
    ("ฝ่ายข้อมูล", ["สมชาย ใจดี"]),
    ("JANE@EXAMPLE", ["Jane"]),
    ("การวิเคราะห์", ["Jane"]),
    ("100%", []),
])
def test_search_by_name_email_department_or_skill(as_hr, app, make_member, query, expected):
    somchai = make_member(display_name="สมชาย ใจดี", department="ฝ่ายข้อมูล")
    jane = make_member(email="jane@example.com", display_name="Jane")
    with app.app_context():
        skill = Skill(name="การวิเคราะห์ข้อมูล")
        db.session.add(skill)
        db.session.flush()
        db.session.add(MemberSkill(member_id=jane.id, skill_id=skill.id, level=4))
        db.session.commit()
    assert somchai and names_on(as_hr.get("/hr/members", query_string={"q": query}).get_data(as_text=True)) == expected


def test_deactivate_and_reactivate(as_hr, app, member, auth):
    response = as_hr.post(f"/hr/members/{member.id}/deactivate", data={"back": "/hr/members?q=x"})
    assert response.status_code == 302 and response.headers["Location"] == "/hr/members?q=x"
    with app.app_context():
        assert not db.session.get(Member, member.id).active
    assert names_on(as_hr.get("/hr/members").get_data(as_text=True)) == ["Pranee HR"]
    assert names_on(as_hr.get("/hr/members?status=inactive").get_data(as_text=True)) == [member.display_name]
    as_hr.post(f"/hr/members/{member.id}/reactivate", data={"back": "https://evil.example/"})
    with app.app_context():
        assert db.session.get(Member, member.id).active


def test_hr_cannot_deactivate_themselves(as_hr, app, hr):
    response = as_hr.post(f"/hr/members/{hr.id}/deactivate", follow_redirects=True)
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Member, hr.id).active


def test_a_deactivated_member_cannot_log_in(as_hr, member, make_app):
    as_hr.post(f"/hr/members/{member.id}/deactivate")
    other = make_app().test_client()
    response = other.post("/auth/login", data={"email": member.email, "password": "correct horse battery"},
                          follow_redirects=True)
    assert "deactivated" in response.get_data(as_text=True)


def test_unknown_member_is_404(as_hr):
    assert as_hr.post("/hr/members/999/deactivate").status_code == 404


@pytest.mark.parametrize("method, path", [
    ("get", "/hr/members"), ("post", "/hr/members/1/deactivate"), ("post", "/hr/members/1/reactivate"),
])
def test_member_admin_is_hr_only(client, auth, member, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    auth.login(member.email)
    assert getattr(client, method)(path).status_code == 403


def test_deactivate_without_csrf_token_is_400(make_app, make_member, member):
    app = make_app(WTF_CSRF_ENABLED=True)
    hr = make_member(email="hr@example.com", role="hr")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(hr.id)
        session["_fresh"] = True
    assert client.post(f"/hr/members/{member.id}/deactivate").status_code == 400
