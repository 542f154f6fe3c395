"""The member's own profile page and other members' public profiles."""

import re

import pytest
import sqlalchemy as sa

from models import LearningGoal, Member, MemberSkill, Skill, db
from tests.conftest import visible_text


@pytest.fixture
def skills(app):
    with app.app_context():
        rows = [Skill(name="SQL", category="Data"), Skill(name="การนำเสนอ"), Skill(name="Lean")]
        db.session.add_all(rows)
        db.session.commit()
        return {skill.name: skill.id for skill in rows}


def profile_values(**fields):
    data = {
        "display_name": "สมชาย ใจดี",
        "department": "Finance",
        "function": "FP&A",
        "job_title": "Analyst",
        "seniority": "Mid-level",
        "location": "Bangkok HQ",
        "timezone": "Asia/Bangkok",
        "languages": "Thai, English",
        "years_experience": "4",
        "manager": "",
        "manager_id": "",
        "locale": "th",
        "mentor_capacity": "0",
        "wants_mentor": "y",
        "paused_until": "",
    }
    data.update(fields)
    return data


def load(app, member_id) -> Member:
    with app.app_context():
        member = db.session.get(Member, member_id)
        member.skills, member.goals  # load before the session closes
        db.session.expunge(member)
        return member


@pytest.mark.parametrize("path", ["/profile", "/members/1", "/suggest/skills", "/suggest/members"])
def test_profile_pages_need_a_login(client, member, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_profile_page_shows_every_section_and_the_meter(client, auth, member):
    auth.login(member.email)
    page = client.get("/profile").get_data(as_text=True)
    for heading in ("Skills I have", "What I want to learn", "About me", "How I take part", "% complete"):
        assert heading in page
    assert "For good matches, add:" in page


def test_the_time_zone_picker_offers_canonical_zones_with_the_common_ones_first(client, auth, member):
    auth.login(member.email)
    page = client.get("/profile").get_data(as_text=True)
    picker = page[page.index('name="timezone"'):]
    picker = picker[:picker.index("</select>")]
    zones = re.findall(r'<option[^>]*value="([^"]+)"', picker)
    assert len(zones) == len(set(zones)) < 450  # CLDR's canonical zones, each once (the full IANA list has 599)
    for alias in ("Africa/Asmera", "Africa/Timbuktu", "Asia/Calcutta", "Asia/Saigon", "US/Eastern"):
        assert alias not in zones
    assert zones[:2] == ["Asia/Bangkok", "UTC"] and "Asia/Kolkata" in zones and "Asia/Ho_Chi_Minh" in zones
    assert picker.index('label="Common time zones"') < picker.index('label="All other time zones"')


def test_saving_the_profile_reports_what_changed(client, auth, member, app):
    auth.login(member.email)
    response = client.post("/profile", data=profile_values(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Department: — → Finance" in page
    assert "Languages: — → Thai, English" in page
    saved = load(app, member.id)
    assert saved.languages == ["Thai", "English"] and saved.locale == "th" and saved.wants_mentor
    again = client.post("/profile", data=profile_values(), follow_redirects=True).get_data(as_text=True)
    assert 'lang="th"' in again and "ไม่มีการเปลี่ยนแปลง" in again  # "Nothing changed.", in the language just chosen


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
        ({"mentor_capacity": "6"}, "between 0 and 5"),
        ({"display_name": ""}, "This field is required"),
        ({"seniority": "Intern"}, "Not a valid choice"),
        ({"years_experience": "-1"}, "between 0 and 70"),
        ({"manager": "nobody@example.com"}, "Pick your manager from the suggestions"),
        ({"manager": "สมชาย ใจดี"}, "your own manager"),
    ],
)
def test_bad_profile_input_rerenders_with_a_message_and_saves_nothing(client, auth, member, app, fields, message):
    auth.login(member.email)
    response = client.post("/profile", data=profile_values(**fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert load(app, member.id).department is None


def test_manager_cycle_is_refused(client, auth, member, make_member, app):
    report = make_member(email="report@example.com", display_name="ลูกทีม", manager_id=member.id)
    auth.login(member.email)
    response = client.post("/profile", data=profile_values(manager="ลูกทีม", manager_id=str(report.id)))
    assert "reports to you" in response.get_data(as_text=True)
    assert load(app, member.id).manager_id is None


def test_manager_is_picked_from_the_suggestions_by_name(client, auth, member, make_member, app):
    boss = make_member(email="boss@example.com", display_name="มาลี", department="การเงิน")
    auth.login(member.email)
    page = client.post("/profile", data=profile_values(manager="มาลี · การเงิน", manager_id=str(boss.id)),
                       follow_redirects=True)
    assert "Manager: — → มาลี" in page.get_data(as_text=True)
    assert load(app, member.id).manager_id == boss.id
    # The page shows the manager by name, never by email.
    page = client.get("/profile").get_data(as_text=True)
    assert 'value="มาลี · การเงิน"' in page and "boss@example.com" not in page


def test_without_the_type_ahead_a_name_only_one_member_has_is_enough(client, auth, member, make_member, app):
    boss = make_member(display_name="มาลี ศรีสุข")
    make_member(display_name="Ann Lee")
    make_member(display_name="Ann Lee")
    auth.login(member.email)
    client.post("/profile", data=profile_values(manager=" มาลี  ศรีสุข ", locale="en"))
    assert load(app, member.id).manager_id == boss.id
    response = client.post("/profile", data=profile_values(manager="Ann Lee", locale="en"))
    assert "Pick your manager from the suggestions" in response.get_data(as_text=True)
    assert load(app, member.id).manager_id == boss.id


def test_a_stale_id_does_not_override_the_name_typed(client, auth, member, make_member, app):
    old_boss = make_member(display_name="มาลี")
    new_boss = make_member(display_name="กฤต ดีมาก")
    auth.login(member.email)
    client.post("/profile", data=profile_values(manager="กฤต ดีมาก", manager_id=str(old_boss.id)))
    assert load(app, member.id).manager_id == new_boss.id


def test_the_manager_field_tells_nothing_about_emails(client, auth, member, make_member):
    """Finding 4: typing an email that has an account and one that has none gets the same answer."""
    make_member(email="boss@example.com", display_name="มาลี")
    auth.login(member.email)
    known = client.post("/profile", data=profile_values(manager="boss@example.com")).get_data(as_text=True)
    unknown = client.post("/profile", data=profile_values(manager="nobody@example.com")).get_data(as_text=True)
    assert visible_text(known).replace("boss@", "x@") == visible_text(unknown).replace("nobody@", "x@")
    assert "No member has the email" not in known


def test_clearing_the_manager(client, auth, make_member, app):
    boss = make_member(display_name="มาลี")
    member = make_member(display_name="สมชาย", manager_id=boss.id)
    auth.login(member.email)
    client.post("/profile", data=profile_values(display_name="สมชาย", manager="", manager_id=str(boss.id)))
    assert load(app, member.id).manager_id is None


def test_adding_and_changing_a_skill(client, auth, member, skills, app):
    auth.login(member.email)
    client.post("/profile/skills", data={"skill": "sql", "level": "2"})
    client.post("/profile/skills", data={"skill": "SQL", "level": "4"})
    saved = load(app, member.id)
    assert [(row.skill_id, row.level) for row in saved.skills] == [(skills["SQL"], 4)]


def test_an_unknown_skill_becomes_a_proposal_for_hr(client, auth, member, app):
    auth.login(member.email)
    page = client.post("/profile/skills", data={"skill": "การเจรจาต่อรอง", "level": "3"}, follow_redirects=True)
    assert "HR will review it" in page.get_data(as_text=True)
    with app.app_context():
        skill = db.session.scalar(sa.select(Skill).where(Skill.name == "การเจรจาต่อรอง"))
        assert not skill.approved and skill.proposed_by_id == member.id


@pytest.mark.parametrize(
    "level, message", [("0", "Not a valid choice"), ("6", "Not a valid choice"), ("x", "Invalid Choice")]
)
def test_bad_skill_level_is_refused(client, auth, member, skills, app, level, message):
    auth.login(member.email)
    response = client.post("/profile/skills", data={"skill": "SQL", "level": level})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert load(app, member.id).skills == []


def test_goals_are_added_and_must_aim_above_the_current_level(client, auth, member, skills, app):
    auth.login(member.email)
    client.post("/profile/skills", data={"skill": "SQL", "level": "3"})
    refused = client.post("/profile/goals", data={"skill": "SQL", "target_level": "3", "priority": "1"})
    assert "aim higher" in refused.get_data(as_text=True)
    client.post("/profile/goals", data={"skill": "SQL", "target_level": "5", "priority": "1"})
    goals = load(app, member.id).goals
    assert [(g.skill_id, g.target_level, g.priority) for g in goals] == [(skills["SQL"], 5, 1)]


def test_removing_a_skill_and_a_goal(client, auth, member, skills, app):
    auth.login(member.email)
    client.post("/profile/skills", data={"skill": "Lean", "level": "2"})
    client.post("/profile/goals", data={"skill": "Lean", "target_level": "4", "priority": "2"})
    assert client.post(f"/profile/skills/{skills['Lean']}/remove").status_code == 302
    assert client.post(f"/profile/goals/{skills['Lean']}/remove").status_code == 302
    saved = load(app, member.id)
    assert saved.skills == [] and saved.goals == []


def test_a_member_cannot_remove_another_members_skill(client, auth, member, make_member, skills, app):
    other = make_member(email="other@example.com")
    with app.app_context():
        db.session.add(MemberSkill(member_id=other.id, skill_id=skills["SQL"], level=5))
        db.session.add(LearningGoal(member_id=other.id, skill_id=skills["Lean"], target_level=4, priority=1))
        db.session.commit()
    auth.login(member.email)
    assert client.post(f"/profile/skills/{skills['SQL']}/remove").status_code == 404
    assert client.post(f"/profile/goals/{skills['Lean']}/remove").status_code == 404
    kept = load(app, other.id)
    assert len(kept.skills) == 1 and len(kept.goals) == 1


def test_profile_edits_only_ever_touch_the_logged_in_member(client, auth, member, make_member, app):
    other = make_member(email="other@example.com", display_name="Other")
    auth.login(member.email)
    client.post("/profile", data=profile_values(id=str(other.id), email=other.email))
    assert load(app, other.id).department is None
    assert load(app, member.id).email == "somchai@example.com"


def test_public_profile_shows_skills_and_communities_but_no_private_data(client, auth, member, make_member, skills, app):
    boss = make_member(email="boss@example.com", display_name="Boss Person")
    other = make_member(email="malee@example.com", display_name="มาลี ศรีสุข", department="Finance",
                        manager_id=boss.id, mentor_capacity=3, paused_until=None)
    with app.app_context():
        db.session.add(MemberSkill(member_id=other.id, skill_id=skills["การนำเสนอ"], level=5))
        db.session.commit()
    auth.login(member.email)
    page = client.get(f"/members/{other.id}").get_data(as_text=True)
    assert "มาลี ศรีสุข" in page and "Finance" in page and "การนำเสนอ — 5 (Expert)" in page
    assert "malee@example.com" not in page
    assert "Boss Person" not in page


def test_own_public_profile_shows_own_email(client, auth, member):
    auth.login(member.email)
    assert "somchai@example.com" in client.get(f"/members/{member.id}").get_data(as_text=True)


def test_unknown_or_deactivated_member_is_404(client, auth, member, make_member):
    gone = make_member(active=False)
    auth.login(member.email)
    assert client.get("/members/9999").status_code == 404
    assert client.get(f"/members/{gone.id}").status_code == 404


def test_type_ahead_suggests_skills_and_members_by_name_without_emails(client, auth, member, skills, make_member):
    malee = make_member(email="malee@example.com", display_name="มาลี ศรีสุข", department="Finance")
    auth.login(member.email)
    assert client.get("/suggest/skills?q=นำ").get_json() == ["การนำเสนอ"]
    found = client.get("/suggest/members?q=มาลี").get_json()
    assert found == [{"id": malee.id, "name": "มาลี ศรีสุข", "department": "Finance", "label": "มาลี ศรีสุข · Finance"}]
    assert client.get("/suggest/members?q=malee@").get_json() == []  # members never search by email


def test_suggestions_give_hr_the_emails(client, auth, hr, make_member):
    malee = make_member(email="malee@example.com", display_name="มาลี ศรีสุข")
    auth.login(hr.email)
    found = client.get("/suggest/members?q=malee@").get_json()
    assert found == [{"id": malee.id, "name": "มาลี ศรีสุข", "department": "", "label": "มาลี ศรีสุข",
                      "email": "malee@example.com"}]


def test_no_member_email_leaks_from_the_suggestions(client, auth, member, make_member):
    """Finding 5: however many two-letter queries a member sends, no email comes back."""
    for number in range(30):
        make_member(email=f"so{number}@example.com", display_name=f"Somsak {number}", department="Sales")
    make_member(email="hr.lead@example.com", display_name="Somsri HR", role="hr")
    auth.login(member.email)
    answers = [client.get("/suggest/members", query_string={"q": q}).get_json() for q in ("so", "om", "ms", "HR")]
    assert all(answers[:3]) and all(len(answer) <= 10 for answer in answers)
    assert "@" not in str(answers)


def test_profile_post_without_csrf_token_is_refused(make_app, member):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    from tests.conftest import PASSWORD

    client.post("/auth/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/profile", data=profile_values()).status_code == 400
    assert client.post("/profile/skills", data={"skill": "SQL", "level": "3"}).status_code == 400
