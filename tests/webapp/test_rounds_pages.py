"""HR's round pages: set a round up, review it, steer it through its life cycle, export it."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from models import (
    Community,
    CommunityMembership,
    Feedback,
    Forbid,
    GroupMember,
    LearningGoal,
    Match,
    MemberSkill,
    Pin,
    Round,
    Skill,
    WorkingGroup,
    db,
)
from models.base import utcnow
from tests.conftest import PASSWORD, visible_text
from webapp.services.round_review import GROUP_HEADER, PAIR_HEADER
from webapp.services.rounds import lifecycle, parameters, solving

# --- a small hand-made organisation -----------------------------------------------------------


def _skill(name: str) -> Skill:
    return db.session.scalar(sa.select(Skill).where(Skill.name == name)) or Skill(name=name)


def profile(app, member, skills=(), goals=(), community: str | None = None):
    """Give ``member`` skills ``[(name, level)]``, goals ``[(name, target)]`` and a community."""
    with app.app_context():
        for name, level in skills:
            db.session.add(MemberSkill(member_id=member.id, skill=_skill(name), level=level))
        for name, target in goals:
            db.session.add(LearningGoal(member_id=member.id, skill=_skill(name), target_level=target, priority=1))
        if community:
            found = db.session.scalar(sa.select(Community).where(Community.name == community))
            db.session.add(CommunityMembership(member_id=member.id,
                                               community=found or Community(name=community)))
        db.session.commit()
    return member


@pytest.fixture
def mentoring_people(app, make_member):
    """Two learners who want SQL (one Thai) and three SQL mentors, all in one community."""
    people = {}
    for key, name, department in (("somchai", "สมชาย ใจดี", "การเงิน"), ("ann", "Ann Lee", "Sales")):
        people[key] = profile(app, make_member(email=f"{key}@example.com", display_name=name, department=department,
                                               wants_mentor=True),
                              skills=[("SQL", 1)], goals=[("SQL", 4)], community="ชุมชนข้อมูล Data")
    for key, name, department, level in (("malee", "มาลี ศรีสุข", "Engineering", 5),
                                         ("krit", "Krit Dee", "Operations", 4),
                                         ("dao", "Dao Chan", "Legal", 3)):
        people[key] = profile(app, make_member(email=f"{key}@example.com", display_name=name, department=department,
                                               mentor_capacity=1),
                              skills=[("SQL", level)], community="ชุมชนข้อมูล Data")
    return people


@pytest.fixture
def group_people(app, make_member):
    """Eight members open to working groups across four departments; two Lean experts."""
    departments = ["Finance", "Sales", "Engineering", "Operations"]
    return [profile(app, make_member(email=f"g{n}@example.com", display_name=f"สมาชิก {n}",
                                     department=departments[n % 4], function=f"Function {n % 3}",
                                     seniority=("Junior", "Senior")[n % 2], open_to_groups=True),
                    skills=[("Lean", 5 if n < 2 else 2)])
            for n in range(8)]


def community_id(app, name="ชุมชนข้อมูล Data") -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Community.id).where(Community.name == name))


def solved_round_id(app, kind="mentoring", solve=True, **parameters) -> int:
    """A new round of ``kind`` with ``parameters``, solved unless ``solve`` is False; its id."""
    with app.app_context():
        round_ = lifecycle.create_round(kind, None, None, parameters=parameters, name=f"รอบ {kind}")
        if solve:
            solving.solve_round(round_.id)
        db.session.commit()
        return round_.id


def get_round(app, round_id) -> Round:
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        db.session.expunge(round_)
        return round_


def pairs(app, round_id) -> set[tuple[int, int]]:
    with app.app_context():
        return set(db.session.execute(sa.select(Match.first_id, Match.second_id).where(Match.round_id == round_id)))


def flashes(response) -> str:
    texts = re.findall(r'class="flash[^"]*" role="status">([^<]*)<', response.get_data(as_text=True))
    return html.unescape(" ".join(texts))


def form_values(**weights):
    """A valid POST for a new mentoring round, with ``weights`` changed."""
    values = {"kind": "mentoring", "community": "0", "name": "", "priority": "coverage", "cooldown_rounds": "2"}
    values.update({f"weight_{name}": str(default)
                   for name, default, _ in parameters.WEIGHT_CLASSES["mentoring"].describe()})
    values.update({f"weight_{name}": str(value) for name, value in weights.items()})
    return values


# --- who may see the pages --------------------------------------------------------------------

GET_PAGES = ["/hr/rounds", "/hr/rounds/new", "/hr/rounds/new?kind=groups&community={community}",
             "/hr/rounds/new?kind=lottery&community=abc",
             "/hr/rounds/{round}", "/hr/rounds/{round}?tab=unmatched", "/hr/rounds/{round}?tab=pins",
             "/hr/rounds/{round}?q=สมชาย&sort=weakest", "/hr/rounds/{round}?page=9", "/hr/rounds/{round}/export.csv"]
POSTS = ["/hr/rounds/new", "/hr/rounds/{round}/solve", "/hr/rounds/{round}/publish", "/hr/rounds/{round}/repair",
         "/hr/rounds/{round}/close", "/hr/rounds/{round}/pins", "/hr/rounds/{round}/forbids",
         "/hr/rounds/{round}/move"]


@pytest.mark.parametrize("path", GET_PAGES)
def test_every_page_renders_for_hr(as_hr, app, mentoring_people, path):
    round_id = solved_round_id(app)
    response = as_hr.get(path.format(round=round_id, community=community_id(app)))
    assert response.status_code == 200


@pytest.mark.parametrize("path", GET_PAGES + POSTS)
def test_visitors_are_sent_to_log_in(client, app, path):
    round_id = solved_round_id(app, solve=False)
    method = client.post if path in POSTS else client.get
    response = method(path.format(round=round_id, community=1))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("path", GET_PAGES + POSTS)
def test_members_get_403_and_change_nothing(client, auth, app, member, path):
    round_id = solved_round_id(app, solve=False)
    auth.login(member.email)
    method = client.post if path in POSTS else client.get
    assert method(path.format(round=round_id, community=1), data={"to_number": "1"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 1
        assert db.session.get(Round, round_id).status == "draft"


@pytest.mark.parametrize("method, path", [("get", "/hr/rounds/999"), ("get", "/hr/rounds/999/export.csv"),
                                          ("post", "/hr/rounds/999/solve"), ("post", "/hr/rounds/999/forbids")])
def test_an_unknown_round_is_404(as_hr, method, path):
    assert getattr(as_hr, method)(path).status_code == 404


TOKEN = r'name="csrf_token" type="hidden" value="([^"]+)"'


def test_posts_without_a_csrf_token_are_refused(make_app, make_member):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    hr = make_member(email="boss@example.com", role="hr")
    token = re.search(TOKEN, client.get("/auth/login").get_data(as_text=True))[1]
    client.post("/auth/login", data={"email": hr.email, "password": PASSWORD, "csrf_token": token})
    round_id = solved_round_id(app, solve=False)
    assert client.post(f"/hr/rounds/{round_id}/solve").status_code == 400
    assert get_round(app, round_id).status == "draft"
    page = client.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    solve_form = page[page.index(f'action="/hr/rounds/{round_id}/solve"'):]
    token = re.search(TOKEN, solve_form)[1]
    assert client.post(f"/hr/rounds/{round_id}/solve", data={"csrf_token": token}).status_code == 302
    assert get_round(app, round_id).status == "solved"


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_rounds_newest_first_with_their_stored_figures(as_hr, app, mentoring_people):
    older = solved_round_id(app, solve=False)
    newer = solved_round_id(app)
    page = as_hr.get("/hr/rounds").get_data(as_text=True)
    assert page.index(f"/hr/rounds/{newer}") < page.index(f"/hr/rounds/{older}")
    assert "not solved yet" in page and "2 / 2" in page and 'href="/hr/rounds/new"' in page


# --- setting a round up ------------------------------------------------------------------------


def test_the_new_round_page_shows_sliders_defaults_and_who_takes_part(as_hr, app, mentoring_people, make_member):
    make_member(email="away@example.com", wants_mentor=True)  # no skills or goals yet
    page = as_hr.get("/hr/rounds/new", query_string={"kind": "mentoring", "community": 0}).get_data(as_text=True)
    # a slider per weight, and one for the bonus of a pair a member asked for
    assert page.count('type="range"') == len(parameters.WEIGHT_CLASSES["mentoring"].describe()) + 1
    assert re.search(r'name="weight_goals"[^>]*value="10.0"', page)
    assert "How well the mentor can teach what the learner wants to learn" in page
    assert "learners: 2" in page and "mentors: 3" in page
    assert "no profile (no skills or goals yet): <strong>2</strong>" in page  # the new member and HR


def test_the_eligibility_summary_says_how_many_are_both_learner_and_mentor(as_hr, app, mentoring_people):
    page = as_hr.get("/hr/rounds/new", query_string={"kind": "mentoring"}).get_data(as_text=True)
    assert "both-roles" not in page  # nobody is both yet: 5 eligible, learners 2, mentors 3
    with app.app_context():
        db.session.get(type(mentoring_people["ann"]), mentoring_people["ann"].id).mentor_capacity = 1
        db.session.commit()
    page = visible_text(as_hr.get("/hr/rounds/new", query_string={"kind": "mentoring"}).get_data(as_text=True))
    assert "learners: 2" in page and "mentors: 4" in page
    assert "1 member is both a learner and a mentor, so the roles add up to more than 5." in page


def test_choosing_groups_shows_the_group_parameters_and_their_eligibility(as_hr, app, group_people):
    page = as_hr.get("/hr/rounds/new", query_string={"kind": "groups"}).get_data(as_text=True)
    for name in ("group_min", "group_max", "anchor_level", "time_limit", "weight_department"):
        assert f'name="{name}"' in page
    assert 'name="priority"' not in page and "members: 8" in page


def test_a_round_with_bad_weights_is_not_created_and_the_form_keeps_what_was_typed(as_hr, app):
    response = as_hr.post("/hr/rounds/new", data={**form_values(goals=-1, community=3.5), "name": "รอบทดลอง"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Between 0 and 20." in page and 'value="รอบทดลอง"' in page and 'value="3.5"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_the_services_refusal_is_shown_on_the_form(as_hr, app):
    values = {"kind": "groups", "community": "0", "group_min": "6", "group_max": "4", "anchor_level": "4",
              "cooldown_rounds": "1", "time_limit": "1"}
    values.update({f"weight_{name}": str(d) for name, d, _ in parameters.WEIGHT_CLASSES["groups"].describe()})
    response = as_hr.post("/hr/rounds/new", data=values)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Group sizes must satisfy" in page and 'value="6"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_a_community_that_is_gone_or_a_kind_that_is_unknown_is_refused(as_hr, app):
    response = as_hr.post("/hr/rounds/new", data={**form_values(), "community": "999"})
    assert response.status_code == 422 and "That community no longer exists" in response.get_data(as_text=True)
    assert as_hr.post("/hr/rounds/new", data={**form_values(), "kind": "lottery"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_creating_a_draft_stores_the_parameters_and_opens_its_review(as_hr, app, hr):
    response = as_hr.post("/hr/rounds/new", data={**form_values(goals=7.5), "priority": "score", "name": "รอบแรก"})
    assert response.status_code == 302
    round_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert (round_.name, round_.status, round_.created_by_id) == ("รอบแรก", "draft", hr.id)
        assert round_.parameters["weights"]["goals"] == 7.5 and round_.parameters["priority"] == "score"
    page = as_hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "Created the draft “รอบแรก”" in page and "not solved yet" in page
    assert f'action="/hr/rounds/{round_id}/publish"' not in page  # a draft cannot be published yet


# --- the life cycle ----------------------------------------------------------------------------


def test_create_solve_publish_repair_close_through_the_pages(as_hr, app, mentoring_people):
    response = as_hr.post("/hr/rounds/new", data={**form_values(), "community": str(community_id(app)),
                                                  "create_and_solve": "Create and solve"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    round_id = int(re.search(r'action="/hr/rounds/(\d+)/publish"', page)[1])
    assert "Created and solved" in flashes(response)
    round_ = get_round(app, round_id)
    assert (round_.status, round_.matched, round_.max_coverage, round_.eligible) == ("solved", 2, 2, 5)
    assert "สมชาย ใจดี" in page and "<svg" in page and "not invited yet" in page
    assert "Send 4 invitations? This cannot be undone" in page  # publishing asks first, with the count

    response = as_hr.post(f"/hr/rounds/{round_id}/publish", follow_redirects=True)
    assert "Published: 4 invitations sent." in flashes(response)
    assert get_round(app, round_id).status == "published"
    response = as_hr.post(f"/hr/rounds/{round_id}/publish", follow_redirects=True)
    assert "already published" in flashes(response)
    assert "Close the round now? Members can no longer accept or decline" in response.get_data(as_text=True)

    with app.app_context():
        declined = db.session.scalar(sa.select(Match).where(Match.round_id == round_id).order_by(Match.id))
        declined.first_status, declined.first_decline_reason = "declined", "ไม่สะดวกช่วงนี้"
        db.session.commit()
        declined_pair = (declined.first_id, declined.second_id)
    assert "ไม่สะดวกช่วงนี้" in as_hr.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    response = as_hr.post(f"/hr/rounds/{round_id}/repair", follow_redirects=True)
    assert "Repaired: 2 member(s) offered a new match (2 invitations sent); 0 could not be." in flashes(response)
    assert "Offered a new match or group: " in flashes(response) and "Told 1 member that their partner declined." \
        in flashes(response)
    learner_pairs = {pair for pair in pairs(app, round_id) if pair[0] == declined_pair[0]}
    assert len(learner_pairs) == 2 and declined_pair in learner_pairs  # the declined match stays on record

    with app.app_context():  # the learner declines the new mentor too: nobody is left for them
        for match in db.session.scalars(sa.select(Match).where(Match.round_id == round_id)):
            if match.first_id == declined_pair[0]:
                match.first_status = "declined"
        db.session.commit()
        learner_name = db.session.get(type(mentoring_people["ann"]), declined_pair[0]).display_name
    response = as_hr.post(f"/hr/rounds/{round_id}/repair", follow_redirects=True)
    assert f"Could not be re-matched: {learner_name} (No eligible mentor: " in flashes(response)
    assert "Told 1 member that their partner declined." in flashes(response)  # the second mentor, once
    unmatched = as_hr.get(f"/hr/rounds/{round_id}?tab=unmatched").get_data(as_text=True)
    assert learner_name in unmatched and "No eligible mentor" in unmatched

    response = as_hr.post(f"/hr/rounds/{round_id}/close", follow_redirects=True)
    assert "Closed" in flashes(response) and get_round(app, round_id).status == "closed"
    page = response.get_data(as_text=True)
    for action in ("solve", "publish", "repair", "close", "pins"):
        assert f'action="/hr/rounds/{round_id}/{action}"' not in page


def test_solving_a_published_round_is_refused_and_changes_nothing(as_hr, app, mentoring_people):
    round_id = solved_round_id(app)
    as_hr.post(f"/hr/rounds/{round_id}/publish")
    before, published = pairs(app, round_id), get_round(app, round_id)
    response = as_hr.post(f"/hr/rounds/{round_id}/solve", follow_redirects=True)
    assert "This round is published; only a draft or solved round can be solved." in flashes(response)
    after = get_round(app, round_id)
    assert (after.status, after.solved_at, after.total) == ("published", published.solved_at, published.total)
    assert pairs(app, round_id) == before
    draft = solved_round_id(app, solve=False)
    for action, message in (("publish", "Solve the round before publishing it."),
                            ("repair", "Only a published round can be repaired; this one is draft."),
                            ("close", "Only a published round can be closed; this one is draft.")):
        assert message in flashes(as_hr.post(f"/hr/rounds/{draft}/{action}", follow_redirects=True))
        assert get_round(app, draft).status == "draft"


def test_a_second_round_of_the_same_kind_on_the_same_day_gets_its_own_default_name(as_hr, app):
    first = as_hr.post("/hr/rounds/new", data={**form_values(), "name": ""})
    second = as_hr.post("/hr/rounds/new", data={**form_values(), "name": ""})
    with app.app_context():
        names = [get_round(app, int(r.headers["Location"].rsplit("/", 1)[1])).name for r in (first, second)]
        day = date.today().isoformat()
        assert names == [f"Mentoring round {day}", f"Mentoring round {day} (2)"]
        assert lifecycle.default_round_name("mentoring") == f"Mentoring round {day} (3)"
        assert lifecycle.default_round_name("peer") == f"Peer round {day}"


def test_an_empty_result_offers_no_publishing_and_refuses_it_saying_why(as_hr, app, group_people):
    round_id = solved_round_id(app)  # mentoring, but nobody here wants a mentor
    assert get_round(app, round_id).status == "solved"
    page = as_hr.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    assert f'action="/hr/rounds/{round_id}/publish"' not in page
    assert "Nothing to publish: this result has no matches or groups" in page
    response = as_hr.post(f"/hr/rounds/{round_id}/publish", follow_redirects=True)
    assert "Nothing to publish" in flashes(response) and get_round(app, round_id).status == "solved"


# --- pins and forbids --------------------------------------------------------------------------


def test_forbid_by_email_and_pin_from_a_row_then_solve_again(as_hr, app, mentoring_people):
    somchai, ann, malee, dao = (mentoring_people[k] for k in ("somchai", "ann", "malee", "dao"))
    round_id = solved_round_id(app)
    response = as_hr.post(f"/hr/rounds/{round_id}/forbids", follow_redirects=True, data={
        "first_email": "SOMCHAI@example.com", "second_email": malee.email, "back": "pins"})
    assert "Forbidden: สมชาย ใจดี and มาลี ศรีสุข" in flashes(response)
    assert "Forbidden pairs" in response.get_data(as_text=True)  # back on the pins tab
    response = as_hr.post(f"/hr/rounds/{round_id}/pins", data={"first_id": ann.id, "second_id": dao.id},
                          follow_redirects=True)
    assert "Pinned: Ann Lee and Dao Chan" in flashes(response)
    as_hr.post(f"/hr/rounds/{round_id}/solve")
    assert (ann.id, dao.id) in pairs(app, round_id) and (somchai.id, malee.id) not in pairs(app, round_id)
    with app.app_context():
        assert db.session.scalar(sa.select(Match.pinned).where(Match.first_id == ann.id, Match.round_id == round_id))
    page = as_hr.get(f"/hr/rounds/{round_id}?tab=pins").get_data(as_text=True)
    assert "Ann Lee" in page and "somchai@example.com" in page


@pytest.mark.parametrize("data, message", [
    ({"first_email": "nobody@example.com", "second_email": "ann@example.com"},
     "No member has the email nobody@example.com."),
    ({"first_email": "ann@example.com"}, "Give both members' emails."),
    ({"first_email": "ann@example.com", "second_email": "ann@example.com"}, "Pick two different members."),
])
def test_a_bad_pair_is_refused_by_name(as_hr, app, mentoring_people, data, message):
    round_id = solved_round_id(app)
    assert message in flashes(as_hr.post(f"/hr/rounds/{round_id}/forbids", data=data, follow_redirects=True))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Forbid)) == 0


def test_a_published_round_takes_no_more_pins(as_hr, app, mentoring_people):
    round_id = solved_round_id(app)
    as_hr.post(f"/hr/rounds/{round_id}/publish")
    ann, dao = mentoring_people["ann"], mentoring_people["dao"]
    response = as_hr.post(f"/hr/rounds/{round_id}/pins", data={"first_id": ann.id, "second_id": dao.id},
                          follow_redirects=True)
    assert "Pins and forbids change only a draft or solved round." in flashes(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pin)) == 0


# --- the review --------------------------------------------------------------------------------


def test_search_finds_a_thai_name_and_a_department(as_hr, app, mentoring_people):
    round_id = solved_round_id(app)
    page = as_hr.get(f"/hr/rounds/{round_id}", query_string={"q": "สมชาย"}).get_data(as_text=True)
    assert "สมชาย ใจดี" in page and "Ann Lee" not in page and "1 pair matching “สมชาย”" in page
    page = as_hr.get(f"/hr/rounds/{round_id}", query_string={"q": "การเงิน"}).get_data(as_text=True)
    assert "สมชาย ใจดี" in page and "Ann Lee" not in page
    page = as_hr.get(f"/hr/rounds/{round_id}", query_string={"q": "100%"}).get_data(as_text=True)
    assert "No pair matches" in page


def test_the_review_shows_stored_figures_reasons_and_a_histogram(as_hr, app, mentoring_people):
    round_id = solved_round_id(app)
    round_ = get_round(app, round_id)
    page = as_hr.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    assert "2 matched / 2 the most any matching could reach" in page
    assert f"{round_.total:,.2f}" in page and f"{round_.upper_bound:,.2f}" in page
    assert "teaches SQL: level" in visible_text(page)  # the stored reasons, for HR in the third person
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert 'role="img"' in svg and "Score of the pairs" in svg and svg.count('class="bar"') >= 1
    assert "Number of pairs in each score range (2 in all)" in page


def test_the_unmatched_tab_names_members_with_the_stored_diagnosis(as_hr, app, mentoring_people, make_member):
    extra = make_member(email="bee@example.com", display_name="บี ทดลอง")
    round_id = solved_round_id(app)
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.unmatched = [{"member_id": extra.id, "kind": "seats_taken", "text": "ผู้สอน SQL เต็มทุกคน"}]
        db.session.commit()
    page = as_hr.get(f"/hr/rounds/{round_id}?tab=unmatched&q=บี").get_data(as_text=True)
    assert "บี ทดลอง" in page and "ผู้สอน SQL เต็มทุกคน" in page and "bee@example.com" in page


def test_pairs_are_paginated_in_thai_dictionary_order(make_app, app, hr, mentoring_people):
    round_id = solved_round_id(app)
    client = make_app(ROUND_ROWS_PER_PAGE=1).test_client()
    client.post("/auth/login", data={"email": hr.email, "password": PASSWORD})
    first = client.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Ann Lee" in first and "สมชาย ใจดี" not in first
    second = client.get(f"/hr/rounds/{round_id}?page=2").get_data(as_text=True)
    assert "สมชาย ใจดี" in second and "Ann Lee" not in second and "page=1" in second


def test_mentors_show_their_average_rating_from_earlier_rounds(as_hr, app, mentoring_people, make_member):
    ratings = {"malee": 4, "krit": 5, "dao": 3}
    earlier_learner = make_member(email="old@example.com", display_name="Earlier learner")
    with app.app_context():
        earlier = Round(kind="mentoring", name="earlier", status="closed", parameters={},
                        published_at=utcnow(), closed_at=utcnow())
        db.session.add(earlier)
        db.session.flush()
        for key, rating in ratings.items():
            match = Match(round_id=earlier.id, first_id=earlier_learner.id, second_id=mentoring_people[key].id,
                          first_role="learner", second_role="mentor", score=1.0)
            db.session.add(match)
            db.session.flush()
            db.session.add(Feedback(round_id=earlier.id, member_id=earlier_learner.id, match_id=match.id,
                                    rating=rating))
        db.session.commit()
    round_id = solved_round_id(app)
    page = as_hr.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    by_id = {mentoring_people[key].id: rating for key, rating in ratings.items()}
    matched_mentors = [mentor for _, mentor in pairs(app, round_id)]
    assert page.count("★") == len(matched_mentors) == 2
    for mentor in matched_mentors:
        assert f"★ {by_id[mentor]:.1f}" in page
    assert "(1 rating)" in page


def test_the_review_page_costs_the_same_queries_for_few_or_many_pairs(app, as_hr, make_member):
    def round_with(count: int) -> int:
        people = [make_member(department=f"Dept {n % 3}") for n in range(2 * count)]
        with app.app_context():
            round_ = Round(kind="mentoring", name="x", status="solved",
                           parameters=parameters.default_parameters("mentoring"), eligible=2 * count, matched=count,
                           max_coverage=count, total=1.0, seconds=0.1)
            round_.matches = [Match(first_id=people[2 * n].id, second_id=people[2 * n + 1].id, first_role="learner",
                                    second_role="mentor", score=n, reasons=[{"kind": "goal", "text": "Wants SQL",
                                                                             "contribution": 1, "side": "first"}])
                              for n in range(count)]
            db.session.add(round_)
            db.session.commit()
            return round_.id

    as_hr.get("/")  # the first page after logging in also checks the privacy consent, once

    def queries(round_id: int) -> int:
        statements = []
        with app.app_context():
            def listen(_connection, _cursor, statement, *_):
                statements.append(statement)

            sa.event.listen(db.engine, "before_cursor_execute", listen)
            try:
                assert as_hr.get(f"/hr/rounds/{round_id}").status_code == 200
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", listen)
        return len(statements)

    few, many = round_with(2), round_with(20)
    assert queries(few) == queries(many)


# --- working groups ----------------------------------------------------------------------------


def test_a_group_round_shows_groups_the_department_chart_and_moves_a_member(as_hr, app, group_people):
    round_id = solved_round_id(app, "groups", group_min=3, group_max=5, time_limit=0.5)
    page = as_hr.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    assert "Group 1" in page and "Group 2" in page and "Departments in groups 1 to 2" in page
    for department in ("Finance", "Sales", "Engineering", "Operations"):
        assert f"</svg> {department}</li>" in page  # the chart's legend
    assert "anchor</span>" in page and "Diversity of the groups" in page
    with app.app_context():
        groups = db.session.scalars(sa.select(WorkingGroup).where(WorkingGroup.round_id == round_id)
                                    .order_by(WorkingGroup.number)).all()
        source, target = sorted(groups, key=lambda g: -len(g.members))
        moved = next(p.member_id for p in source.members if p.role != "anchor")
    response = as_hr.post(f"/hr/rounds/{round_id}/move", data={"member_id": moved, "to_number": target.number},
                          follow_redirects=True)
    assert f"to group {target.number} (now" in flashes(response)
    with app.app_context():
        now_in = db.session.scalar(sa.select(WorkingGroup.number).join(GroupMember)
                                   .where(WorkingGroup.round_id == round_id, GroupMember.member_id == moved))
    assert now_in == target.number


def test_the_department_chart_shows_every_group_of_the_round_not_only_the_listed_page(as_hr, app, group_people):
    round_id = solved_round_id(app, "groups", group_min=4, group_max=4, time_limit=0.5)
    app.config["ROUND_ROWS_PER_PAGE"] = 1
    page = as_hr.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    assert page.count('class="card group"') == 1  # the list shows one group a page
    assert "Departments in groups 1 to 2" in page  # the chart shows both


def test_a_move_that_breaks_the_group_sizes_is_refused(as_hr, app, group_people):
    round_id = solved_round_id(app, "groups", group_min=4, group_max=4, time_limit=0.5)
    with app.app_context():
        place = db.session.scalar(sa.select(GroupMember).join(WorkingGroup).where(WorkingGroup.number == 1))
        member_id = place.member_id
    response = as_hr.post(f"/hr/rounds/{round_id}/move", data={"member_id": member_id, "to_number": 2},
                          follow_redirects=True)
    assert ("Groups keep between 4 and 4 members: after this move group 1 would have 3 and group 2 5. "
            "Swap two members instead.") in flashes(response)
    with app.app_context():
        assert db.session.scalar(sa.select(WorkingGroup.number).join(GroupMember).where(
            GroupMember.member_id == member_id)) == 1


def group_of(app, member_id) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(WorkingGroup.number).join(GroupMember).where(
            GroupMember.member_id == member_id))


def test_hr_swaps_two_members_of_full_groups_and_keeps_the_swap_through_solving_again(as_hr, app, group_people):
    round_id = solved_round_id(app, "groups", group_min=4, group_max=4, time_limit=0.5)
    page = as_hr.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    assert f'action="/hr/rounds/{round_id}/swap"' in page and "moves-warning" not in page
    with app.app_context():
        first, second = (db.session.scalar(sa.select(GroupMember).join(WorkingGroup).where(
            WorkingGroup.round_id == round_id, WorkingGroup.number == number, GroupMember.role != "anchor"))
            for number in (1, 2))
        first_id, second_id = first.member_id, second.member_id
        emails = [db.session.get(type(group_people[0]), m).email for m in (first_id, second_id)]
    response = as_hr.post(f"/hr/rounds/{round_id}/swap", follow_redirects=True,
                          data={"first_email": emails[0], "second_email": emails[1]})
    assert "(now in group 2)" in flashes(response) and "both groups keep 4 and 4 members" in flashes(response)
    assert (group_of(app, first_id), group_of(app, second_id)) == (2, 1)
    page = response.get_data(as_text=True)
    assert "You moved 2 members by hand: solving again drops these moves unless you keep them." in page
    assert "HR swapped" in page  # the round's notes say who, by name

    response = as_hr.post(f"/hr/rounds/{round_id}/keep-moves", follow_redirects=True)
    assert "Kept the moves: 2 pins added" in flashes(response)
    with app.app_context():
        pins = {(p.first_id, p.second_id) for p in db.session.scalars(sa.select(Pin).where(Pin.round_id == round_id))}
    assert len(pins) == 2 and all(first_id in pin or second_id in pin for pin in pins)
    as_hr.post(f"/hr/rounds/{round_id}/solve")
    for member_id in (first_id, second_id):  # each stays with the groupmate it was pinned to
        [mate] = [b if a == member_id else a for a, b in pins if member_id in (a, b)]
        assert group_of(app, member_id) == group_of(app, mate)


def test_a_swap_within_one_group_is_refused(as_hr, app, group_people):
    round_id = solved_round_id(app, "groups", group_min=4, group_max=4, time_limit=0.5)
    with app.app_context():
        a, b = db.session.scalars(sa.select(GroupMember.member_id).join(WorkingGroup).where(
            WorkingGroup.round_id == round_id, WorkingGroup.number == 1).limit(2)).all()
    response = as_hr.post(f"/hr/rounds/{round_id}/swap", follow_redirects=True,
                          data={"first_id": a, "second_id": b})
    assert "Both are in group 1 already" in flashes(response)


def test_publishing_a_group_round_invites_every_member_and_ends_the_moves(as_hr, app, group_people):
    round_id = solved_round_id(app, "groups", group_min=4, group_max=4, time_limit=0.5)
    response = as_hr.post(f"/hr/rounds/{round_id}/publish", follow_redirects=True)
    assert "Published: 8 invitations sent." in flashes(response)
    page = response.get_data(as_text=True)
    assert page.count('class="answer answer-pending"') == 8 and f"/hr/rounds/{round_id}/move" not in page
    response = as_hr.post(f"/hr/rounds/{round_id}/move", data={"member_id": group_people[0].id, "to_number": 2},
                          follow_redirects=True)
    assert "Members can be moved only in a solved, unpublished working-group round." in flashes(response)


def test_the_group_search_finds_the_group_of_a_thai_name(as_hr, app, group_people):
    round_id = solved_round_id(app, "groups", group_min=4, group_max=4, time_limit=0.5)
    page = as_hr.get(f"/hr/rounds/{round_id}", query_string={"q": "สมาชิก 3"}).get_data(as_text=True)
    assert page.count('class="card group"') == 1 and "สมาชิก 3" in page


# --- the export --------------------------------------------------------------------------------


def test_the_csv_export_of_pairs(as_hr, app, mentoring_people):
    round_id = solved_round_id(app)
    response = as_hr.get(f"/hr/rounds/{round_id}/export.csv")
    assert response.mimetype == "text/csv"
    assert f'filename="copmatch-round-{round_id}-mentoring.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == PAIR_HEADER and len(rows) == 3
    records = [dict(zip(PAIR_HEADER, row, strict=True)) for row in rows[1:]]
    somchai = next(r for r in records if r["first_email"] == "somchai@example.com")
    assert somchai["round"] == "รอบ mentoring" and somchai["first_name"] == "สมชาย ใจดี"
    assert somchai["first_department"] == "การเงิน" and somchai["second_role"] == "mentor"
    assert somchai["first_status"] == "not invited yet" and "; " in somchai["reasons"]
    assert "teaches “SQL”: level" in somchai["reasons"] and float(somchai["score"]) > 0


def test_the_csv_export_of_groups_and_formula_like_names(as_hr, app, group_people, make_member):
    profile(app, make_member(email="eq@example.com", display_name="=1+1", open_to_groups=True), skills=[("Lean", 3)])
    round_id = solved_round_id(app, "groups", group_min=3, group_max=5, time_limit=0.5)
    rows = list(csv.reader(io.StringIO(as_hr.get(f"/hr/rounds/{round_id}/export.csv").data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == GROUP_HEADER and len(rows) == 10
    records = [dict(zip(GROUP_HEADER, row, strict=True)) for row in rows[1:]]
    assert {r["member"] for r in records} >= {"สมาชิก 0", "'=1+1"}
    assert all(r["explanation"] and float(r["group_diversity"]) > 0 for r in records)
    assert {r["role"] for r in records} == {"anchor", "member"}


def test_a_forbid_on_a_pinned_pair_is_refused_and_can_be_taken_back(as_hr, app, group_people):
    round_id = solved_round_id(app, "groups", solve=False, group_min=4, group_max=4, time_limit=0.5)
    a, b = group_people[2], group_people[3]
    as_hr.post(f"/hr/rounds/{round_id}/pins", data={"first_id": a.id, "second_id": b.id})
    response = as_hr.post(f"/hr/rounds/{round_id}/forbids", data={"first_id": a.id, "second_id": b.id},
                          follow_redirects=True)
    assert "are pinned in this round; take that back first" in flashes(response)
    as_hr.post(f"/hr/rounds/{round_id}/pins/remove", data={"first_id": a.id, "second_id": b.id})
    response = as_hr.post(f"/hr/rounds/{round_id}/forbids", data={"first_id": a.id, "second_id": b.id},
                          follow_redirects=True)
    assert "Forbidden:" in flashes(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pin)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Forbid)) == 1


def test_pins_that_cannot_all_hold_leave_a_group_round_as_it_was(as_hr, app, group_people):
    round_id = solved_round_id(app, "groups", solve=False, group_min=4, group_max=4, time_limit=0.5)
    chain = group_people[:5]  # five pinned together cannot fit a group of four
    for first, second in zip(chain, chain[1:]):
        as_hr.post(f"/hr/rounds/{round_id}/pins", data={"first_id": first.id, "second_id": second.id})
    response = as_hr.post(f"/hr/rounds/{round_id}/solve", follow_redirects=True)
    assert "The pins and forbids cannot all hold together" in flashes(response)
    round_ = get_round(app, round_id)
    assert (round_.status, round_.eligible) == ("draft", None)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkingGroup)) == 0


def test_each_weights_meaning_in_the_catalog_is_the_matchers_own(ctx):
    from webapp.rounds.forms import WEIGHT_MEANINGS

    for kind, weights in parameters.WEIGHT_CLASSES.items():
        for name, _default, meaning in weights.describe():
            assert str(WEIGHT_MEANINGS[kind][name]) == meaning, (kind, name)
