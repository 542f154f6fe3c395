"""HR's dashboard: every figure is computed here again from the rows the test creates and compared
with what the page (or its CSV) shows; members get 403 everywhere."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import networkx as nx
import pytest

from models import (
    Agreement,
    AgreementGoal,
    Feedback,
    LearningGoal,
    Member,
    Meeting,
    MemberSkill,
    Skill,
    db,
)
from models.base import utcnow
from tests.conftest import visible_text
from tests.webapp.published import confirm, make_community, make_group, make_match, make_round
from webapp.services.dashboard.page import SECTIONS

PAGES = ["/hr", "/hr/supply", "/hr/network", "/hr/health", *(f"/hr/dashboard/{key}.csv" for key in SECTIONS)]


def rows_of(client, key: str, **args) -> list[dict]:
    response = client.get(f"/hr/dashboard/{key}.csv", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def people(make_member):
    """Five members in four departments; E is in a department with no tie."""
    departments = {"a": "Finance", "b": "Engineering", "c": "Sales", "d": "Engineering", "e": "Legal"}
    return {key: make_member(display_name=f"Member {key.upper()}", department=department)
            for key, department in departments.items()}


@pytest.mark.parametrize("path", [*PAGES, "/hr/members/1"])
def test_members_get_403_on_every_dashboard_page_and_csv(as_member, path):
    assert as_member.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_hr_lands_on_the_dashboard_after_login(client, auth, hr, member):
    assert auth.login(hr.email).headers["Location"] == "/hr"
    auth.logout()
    assert auth.login(member.email).headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/hr", "/hr/supply", "/hr/network", "/hr/health"])
def test_an_empty_programme_renders_in_english_and_thai(as_hr, path):
    assert "Dashboard" in as_hr.get(path).get_data(as_text=True)
    as_hr.post("/language", data={"locale": "th"})
    page = as_hr.get(path)
    assert page.status_code == 200
    assert "แดชบอร์ด" in page.get_data(as_text=True)


def test_acceptance_rate_is_accepted_answers_over_invitations_sent(app, as_hr, people):
    with app.app_context():
        round_ = make_round()
        ids = {key: m.id for key, m in people.items()}
        confirm(make_match(round_, ids["a"], ids["b"]))                       # 2 accepted
        make_match(round_, ids["c"], ids["d"], first_status="declined")        # 1 declined, 1 pending
        make_match(round_, ids["e"], ids["b"], first_status="accepted")        # 1 accepted, 1 pending
        groups = make_round(kind="groups", name="Groups")
        group, _tokens = make_group(groups, [ids["a"], ids["c"], ids["e"]])
        group.members[0].status = "accepted"
        db.session.commit()
    accepted, sent = 2 + 1 + 1, 3 * 2 + 3
    expected = 100 * accepted / sent
    page = as_hr.get("/hr").get_data(as_text=True)
    assert f'data-figure="acceptance-rate">{expected:.1f}%' in page
    total = rows_of(as_hr, "rounds")[-1]
    assert (total["Invitations sent"], total["Accepted"], total["Declined"], total["Unanswered"]) == \
        (str(sent), str(accepted), "1", str(sent - accepted - 1))
    assert total["Acceptance rate (%)"] == f"{expected:.1f}"
    assert total["Confirmed"] == "1"


def test_median_time_to_answer_counts_hours_from_publication(app, as_hr, people):
    with app.app_context():
        round_ = make_round()
        published = round_.published_at
        ids = {key: m.id for key, m in people.items()}
        hours = [(1, 3), (10, 30)]
        for (first, second), (a, b) in zip(hours, [("a", "b"), ("c", "d")], strict=True):
            make_match(round_, ids[a], ids[b], first_status="accepted", second_status="declined",
                       first_responded_at=published + timedelta(hours=first, minutes=5),
                       second_responded_at=published + timedelta(hours=second, minutes=5))
    answers = sorted([1, 3, 10, 30])
    median = (answers[1] + answers[2]) / 2
    assert rows_of(as_hr, "rounds")[0]["Median hours to answer"] == f"{median:.1f}"


def test_met_sessions_ratings_and_growth_come_from_the_rows(app, as_hr, people):
    with app.app_context():
        round_ = make_round()
        ids = {key: m.id for key, m in people.items()}
        held = confirm(make_match(round_, ids["a"], ids["b"]))
        said = confirm(make_match(round_, ids["c"], ids["d"]))
        confirm(make_match(round_, ids["e"], ids["b"]))  # confirmed, never met
        for minutes in (30, 90):
            db.session.add(Meeting(match_id=held.id, day=utcnow().date(), minutes=minutes, uid=f"m{minutes}"))
        db.session.add(Feedback(round_id=round_.id, member_id=ids["c"], match_id=said.id, met=True, rating=4))
        db.session.add(Feedback(round_id=round_.id, member_id=ids["a"], match_id=held.id, met=True, rating=5))
        skill = Skill(name="SQL")
        agreement = Agreement(match_id=held.id)
        agreement.goals.append(AgreementGoal(skill=skill, level_before=1, target_level=4, level_after=3))
        db.session.add(agreement)
        db.session.commit()
    total = rows_of(as_hr, "rounds")[-1]
    assert (total["Met"], total["Sessions"], total["Hours"], total["Ratings"], total["Mean rating"]) == \
        ("2", "2", f"{(30 + 90) / 60:.1f}", "2", "4.50")
    assert [r["Answers"] for r in rows_of(as_hr, "ratings")] == ["0", "0", "0", "1", "1"]
    assert rows_of(as_hr, "growth") == [{"Skill": "SQL", "Goals re-assessed": "1", "Mean levels gained": "2.00"}]
    funnel = {r["Step"]: r["Members"] for r in rows_of(as_hr, "funnel")}
    assert (funnel["Matched"], funnel["Accepted"], funnel["Met"], funnel["Rated"]) == ("6", "6", "4", "2")


def test_cross_department_share_counts_confirmed_matches_only(app, as_hr, people):
    with app.app_context():
        round_ = make_round()
        ids = {key: m.id for key, m in people.items()}
        pairs = [("a", "b", True), ("b", "d", True), ("c", "b", True), ("a", "c", False)]
        for first, second, confirmed in pairs:
            match = make_match(round_, ids[first], ids[second])
            if confirmed:
                confirm(match)
    department = {key: m.department for key, m in people.items()}
    confirmed = [(a, b) for a, b, ok in pairs if ok]
    crossing = sum(department[a] != department[b] for a, b in confirmed)
    share = 100 * crossing / len(confirmed)
    page = visible_text(as_hr.get("/hr/network").get_data(as_text=True))
    assert f"{share:.1f}% of confirmed matches cross departments ({crossing} of {len(confirmed)})" in page


def test_betweenness_of_a_small_known_network(app, as_hr, people, make_member):
    """Finance – Engineering – Sales, a path; Legal (and HR, with no department) have no tie."""
    with app.app_context():
        round_ = make_round()
        ids = {key: m.id for key, m in people.items()}
        confirm(make_match(round_, ids["a"], ids["b"]))
        confirm(make_match(round_, ids["c"], ids["d"]))
        groups = make_round(kind="groups", name="Groups")
        group, _tokens = make_group(groups, [ids["a"], ids["d"]])
        for place in group.members:
            place.status = "accepted"
        db.session.commit()
    graph = nx.Graph([("Finance", "Engineering"), ("Sales", "Engineering")])
    graph.add_nodes_from(["Legal", "No department"])
    expected = nx.betweenness_centrality(graph)
    shown = {r["Department"]: r for r in rows_of(as_hr, "departments")}
    assert {name: float(row["Betweenness"]) for name, row in shown.items()} == pytest.approx(expected, abs=1e-3)
    assert expected["Engineering"] == pytest.approx(1 / 6)  # 1 of the (5-1)(5-2)/2 = 6 pairs of others
    assert [name for name, row in shown.items() if row["Isolated"] == "yes"] == ["Legal", "No department"]
    edges = {(r["Department"], r["Department"]): r for r in rows_of(as_hr, "network_edges")}
    weights = sorted(int(r["Weight"]) for r in rows_of(as_hr, "network_edges"))
    assert weights == [1, 2]  # Finance–Engineering: a match and a group; Engineering–Sales: a match
    bridges = [(r["Member"], r["Other departments reached"]) for r in rows_of(as_hr, "bridges")]
    # D (Engineering): Sales by a match, Finance by a group; A (Finance): Engineering twice; B and C: one each.
    assert bridges == [("Member D", "2"), ("Member A", "1"), ("Member B", "1"), ("Member C", "1")]
    page = as_hr.get("/hr/network").get_data(as_text=True)
    assert "<svg" in page and "Isolated departments (no tie across): Legal, No department." in visible_text(page)
    assert edges


def test_filters_keep_one_community_department_and_dates(app, as_hr, people):
    with app.app_context():
        community = make_community()
        ids = {key: m.id for key, m in people.items()}
        inside = make_round(community_id=community.id, name="Data round")
        confirm(make_match(inside, ids["a"], ids["b"]))
        outside = make_round(name="Other round")
        confirm(make_match(outside, ids["c"], ids["d"]))
        community_id = community.id
        old = make_round(name="Old round")
        old.published_at = utcnow() - timedelta(days=400)
        db.session.commit()
        confirm(make_match(old, ids["e"], ids["b"]))
    names = [r["Round"] for r in rows_of(as_hr, "rounds", community=community_id)]
    assert names == ["Data round", "All rounds"]
    since = (utcnow() - timedelta(days=30)).date().isoformat()
    assert [r["Round"] for r in rows_of(as_hr, "rounds", since=since)][:-1] == ["Data round", "Other round"]
    sales = rows_of(as_hr, "rounds", department="Sales")
    assert [(r["Round"], r["Confirmed"]) for r in sales] == [
        ("Old round", "0"), ("Data round", "0"), ("Other round", "1"), ("All rounds", "1")]
    assert as_hr.get("/hr", query_string={"community": community_id, "since": "not a day"}).status_code == 200
    page = visible_text(as_hr.get("/hr", query_string={"department": "Sales"}).get_data(as_text=True))
    assert "the other figures count only matches and places with a member of Sales" in page


def test_unmet_demand_leads_to_a_recommendation(app, as_hr, make_member):
    with app.app_context():
        sql = Skill(name="SQL")
        db.session.add(sql)
        db.session.commit()
        learners = [make_member(wants_mentor=True, department="Finance") for _ in range(3)]
        experts = [make_member(department="Engineering") for _ in range(2)]
        for learner in learners:
            db.session.add(LearningGoal(member_id=learner.id, skill_id=sql.id, target_level=4))
        for expert in experts:
            db.session.add(MemberSkill(member_id=expert.id, skill_id=sql.id, level=5))
        round_ = make_round()
        round_.unmatched = [{"member_id": m.id, "kind": "no_eligible_mentor", "params": {}} for m in learners[:2]]
        db.session.commit()
    row = next(r for r in rows_of(as_hr, "supply") if r["Skill"] == "SQL" and r["Community"] == "All communities")
    assert (row["Learners who want it"], row["Mentors able to teach it"], row["Experts not opted in"],
            row["Learners who waited"]) == ("3", "0", "2", "2")
    page = visible_text(as_hr.get("/hr/supply").get_data(as_text=True))
    assert ("Recruit mentors for SQL: 2 learners waited in the rounds shown; 2 members at level 4+ in "
            "Engineering have not opted in to mentor.") in page


def test_community_health_counts_active_members_and_covered_demand(app, as_hr, people):
    with app.app_context():
        community = make_community()
        ids = {key: m.id for key, m in people.items()}
        from models import CommunityMembership
        for key in ("a", "b", "c"):
            db.session.add(CommunityMembership(member_id=ids[key], community_id=community.id))
        db.session.get(Member, ids["a"]).wants_mentor = True
        db.session.get(Member, ids["c"]).wants_mentor = True
        db.session.commit()
        round_ = make_round(community_id=community.id)
        confirm(make_match(round_, ids["a"], ids["b"]))
    row = next(r for r in rows_of(as_hr, "health") if r["Community"] == "ชุมชนข้อมูล Data")
    assert (row["Members"], row["Active in the last 90 days"], row["Members who want a mentor"],
            row["Matched with a mentor"], row["Demand covered (%)"]) == ("3", "2", "2", "1", "50.0")


def test_member_record_shows_matches_and_ratings_without_private_remarks(app, as_hr, people):
    with app.app_context():
        round_ = make_round()
        ids = {key: m.id for key, m in people.items()}
        match = confirm(make_match(round_, ids["a"], ids["b"]))
        make_match(round_, ids["c"], ids["a"], roles=("learner", "mentor"), first_status="declined",
                   first_decline_reason="PRIVATE-DECLINE-REASON")
        db.session.add(Feedback(round_id=round_.id, member_id=ids["b"], match_id=match.id, met=True, rating=4,
                                practice_note="PRIVATE-NOTE"))
        db.session.commit()
    page = as_hr.get(f"/hr/members/{ids['a']}")
    text = visible_text(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Member B" in text and "Member C" in text
    assert "Rated 1 time by others; the mean is 4." in text
    assert "PRIVATE" not in page.get_data(as_text=True)
    assert as_hr.get("/hr/members/999999").status_code == 404
    assert f'href="/hr/members/{ids["a"]}"' in as_hr.get("/hr/members").get_data(as_text=True)


def test_an_unknown_table_is_not_found(as_hr):
    assert as_hr.get("/hr/dashboard/nothing.csv").status_code == 404


def test_each_page_links_to_the_others_with_the_same_filter(as_hr):
    page = as_hr.get("/hr/health", query_string={"department": "Sales", "since": "2026-01-01"}).get_data(as_text=True)
    for path in ("/hr?", "/hr/supply?", "/hr/network?"):
        assert f'href="{path}department=Sales&amp;since=2026-01-01"' in page
    assert 'href="/hr/dashboard/health.csv?department=Sales&amp;since=2026-01-01"' in page


def test_member_record_lists_growth_and_the_audit_entries_about_them(app, as_hr, people, hr):
    from webapp.services import audit
    with app.app_context():
        round_ = make_round()
        ids = {key: m.id for key, m in people.items()}
        match = confirm(make_match(round_, ids["a"], ids["b"]))
        agreement = Agreement(match_id=match.id)
        agreement.goals.append(AgreementGoal(skill=Skill(name="Python"), level_before=2, target_level=4, level_after=4))
        db.session.add(agreement)
        audit.record("deactivate", actor=db.session.get(Member, hr.id), subject=ids["a"])
        db.session.commit()
    text = visible_text(as_hr.get(f"/hr/members/{ids['a']}").get_data(as_text=True))
    assert "Python 2 4 4" in text
    assert "Pranee HR" in text and "Nothing recorded about this member." not in text
    other = visible_text(as_hr.get(f"/hr/members/{ids['b']}").get_data(as_text=True))
    assert "Python" not in other.split("Growth")[1].split("Audit trail")[0]  # B taught; A learned
