"""What a newcomer hit, checked in headless Chromium: pages that fit a phone, and a profile that warns.

One demo organisation (300 members) is served for the whole module, with one
solved round of each kind; each test opens the pages it is about. A page fits
when ``document.documentElement.scrollWidth`` is no wider than the viewport:
390×844 is a common phone.
"""

from __future__ import annotations

import shutil
import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from models import Community, Member, db
from models.base import utcnow
from tests.e2e.test_round_in_browser import CHROMIUM, CHROMIUM_FLAGS, Words, log_in
from tests.webapp.published import make_group, make_match, make_round
from webapp import create_app
from webapp.services.communities import experts
from webapp.services.demo import load_demo_data
from webapp.services.rounds import lifecycle, solving

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
if not shutil.which(CHROMIUM):
    pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package", allow_module_level=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on a demo organisation with a solved round of each kind, served on a free port."""
    folder = tmp_path_factory.mktemp("phone")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.db'}", "SECRET_KEY": "e2e",
                      "COPMATCH_ENV": "testing"})
    with app.app_context():
        db.create_all()
        logins = load_demo_data(members=300, seed=1)
        db.session.execute(sa.update(Member).values(locale="en"))
        rounds = {}
        for kind in ("mentoring", "peer", "groups"):
            round_ = lifecycle.create_round(kind, None, None, parameters={"time_limit": 0.5})
            solving.solve_round(round_.id)
            rounds[kind] = round_.id
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app, app.config["BASE_URL"], logins, rounds
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def fits(page) -> bool:
    """Whether the page is no wider than the phone; if not, the widest escapees are printed."""
    if page_width(page) <= PHONE["width"]:
        return True
    print("wider than the phone:", page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > "
        f"{PHONE['width']}).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + "
        "Math.round(e.getBoundingClientRect().right))"))
    return False


@pytest.fixture
def hr_phone(site, browser):
    """A phone-sized page logged in as HR."""
    app, base, logins, _rounds = site
    page = browser.new_page(viewport=PHONE, locale="en-GB")
    log_in(page, base, Words(app, "en"), logins.hr_email, logins.hr_password)
    yield page
    page.close()


@pytest.mark.parametrize("kind", ["mentoring", "peer", "groups"])
def test_the_hr_review_page_fits_a_phone(site, hr_phone, kind):
    _app, base, _logins, rounds = site
    hr_phone.goto(f"{base}/hr/rounds/{rounds[kind]}")
    assert hr_phone.locator("h1").is_visible()
    assert fits(hr_phone)


def test_the_profile_warns_before_a_save_drops_what_was_typed_in_another_section(site, browser):
    app, base, logins, _rounds = site
    t = Words(app, "en")
    with app.app_context():
        email = db.session.scalar(sa.select(Member.email).where(Member.role == "member").order_by(Member.id))
    page = browser.new_page(viewport=PHONE, locale="en-GB")
    log_in(page, base, t, email, logins.member_password)
    page.goto(f"{base}/profile")
    page.locator("#skills #skill").fill("SQL")  # typed, not added
    page.get_by_label(t("Department")).fill("Finance and more")
    page.get_by_role("button", name=t("Save profile")).click()
    warning = page.locator("#about").locator("xpath=ancestor::form").locator("[data-unsaved-warning]")
    assert warning.is_visible() and "/profile" in page.url
    assert page.locator("form.unsaved").count() == 1  # the skill's form is marked
    assert fits(page)
    page.get_by_role("button", name=t("Save profile")).click()  # a second press saves this section only
    page.wait_for_load_state()
    with app.app_context():
        assert db.session.scalar(sa.select(Member.department).where(Member.email == email)) == "Finance and more"
    page.close()


def member_page(site, browser, member_id: int):
    """A phone-sized page logged in as the demo member ``member_id``, in their language."""
    app, base, logins, _rounds = site
    with app.app_context():
        member = db.session.get(Member, member_id)
        email, language = member.email, member.locale
    page = browser.new_page(viewport=PHONE, locale="th-TH" if language == "th" else "en-GB")
    log_in(page, base, Words(app, language), email, logins.member_password)
    return page


@pytest.mark.parametrize("language", ["th", "en"])
def test_my_matches_once_both_accepted_fit_a_phone(site, browser, language):
    app, base, _logins, _rounds = site
    with app.app_context():
        round_ = make_round(name=f"Phone round {language}")
        learner, mentor, *mates = db.session.scalars(sa.select(Member).where(Member.role == "member")
                                                     .order_by(Member.id.desc()).limit(5)).all()
        learner.locale = language
        mentor.email = f"somchai.jaidee.learning-and-development.{language}@very-long-department.example.co.th"
        make_match(round_, learner.id, mentor.id, first_status="accepted", second_status="accepted",
                   confirmed_at=utcnow())
        make_group(make_round("groups", name=f"Phone groups {language}"), [learner.id, *(m.id for m in mates)])
        learner_id = learner.id
        db.session.commit()
    page = member_page(site, browser, learner_id)
    page.goto(f"{base}/matches")
    assert "very-long-department" in page.content()
    assert fits(page)
    page.close()


def test_the_community_page_shows_a_few_experts_and_the_body_of_practice_near_the_top(site, browser):
    app, base, logins, _rounds = site
    with app.app_context():
        community, count = max(((c, len(experts(c))) for c in db.session.scalars(sa.select(Community))),
                               key=lambda pair: pair[1])
        community_id, email = community.id, db.session.scalar(
            sa.select(Member.email).where(Member.role == "member").order_by(Member.id))
    assert count > 8  # the demo's biggest community has many experts
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="en-GB")
    log_in(page, base, Words(app, "en"), email, logins.member_password)
    page.goto(f"{base}/communities/{community_id}")
    practice = page.locator("#practice-heading").bounding_box()["y"]
    assert practice < 1500  # it started around y = 1,900 with every expert listed
    assert page.locator("ul.experts").first.locator("li").count() == 8
    page.locator("details.more-experts summary").click()
    assert page.locator("details.more-experts li").count() == count - 8
    assert page.locator("#practice-heading").bounding_box()["y"] > practice + 300  # what "Show all" holds back
    page.set_viewport_size(PHONE)
    assert fits(page)
    page.close()


@pytest.mark.parametrize("path, column", [("/hr/rounds", "Gap"), ("/hr/skills", "Want to learn it"),
                                          ("/hr/rounds/{mentoring}", "Why"), ("/hr/rounds/{groups}", "Answer")])
def test_hr_tables_become_cards_on_a_phone_so_no_column_hides(site, hr_phone, path, column):
    _app, base, _logins, rounds = site
    hr_phone.goto(f"{base}{path.format(**rounds)}")
    cell = hr_phone.locator(f'table.stack td[data-label="{column}"]').first
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # on screen, not off to the right
    label = hr_phone.evaluate("cell => getComputedStyle(cell, '::before').content", cell.element_handle())
    assert column in label
    assert fits(hr_phone)


def test_the_group_charts_text_stays_readable_on_a_phone(site, hr_phone):
    _app, base, _logins, rounds = site
    hr_phone.goto(f"{base}/hr/rounds/{rounds['groups']}")
    tick = hr_phone.locator("#department-mix-title").locator("xpath=..").locator("text.tick").first
    assert tick.bounding_box()["height"] >= 9  # about 6 px before: 11 chart units on a 640-unit chart at 350 px
    assert fits(hr_phone)
