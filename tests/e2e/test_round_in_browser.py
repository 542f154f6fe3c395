"""One round end to end in headless Chromium: HR publishes, members accept, agree and check in; a group link is opened.

Runs against Debian's Chromium (``/usr/bin/chromium``) through Playwright for
Python; ``.ci/run`` installs the browser when it is missing. Where no browser
exists the test is skipped with the reason, never passed silently.
It runs once in Thai (the browser asks for Thai) and once in English; the
labels it clicks come from the catalog, so it reads the page as its user
does. Screenshots go to ``tmp_path``, or to ``$COPMATCH_SCREENSHOTS`` (the
README's pictures, of the Thai run, come from ``COPMATCH_SCREENSHOTS=docs/screenshots``).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from werkzeug.serving import make_server

from models import CheckIn, GroupMember, Match, Member, Round, db
from webapp import create_app
from webapp.services.after_match.agreements import agreement_of
from webapp.services.after_match.checkins import send_due_checkins
from webapp.services.demo import load_demo_data
from webapp.services.rounds import lifecycle, solving
from webapp.services.tokens import hash_token

CHROMIUM = os.environ.get("COPMATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
if not shutil.which(CHROMIUM):
    pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package (`.ci/run` does)",
                allow_module_level=True)


@pytest.fixture
def live_app(tmp_path, language):
    """The app on a demo organisation, served on a free loopback port, with CSRF on.

    Every demo member reads ``language``: a saved preference wins over the browser's.
    """
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.db'}", "SECRET_KEY": "e2e",
                      "COPMATCH_ENV": "testing"})
    with app.app_context():
        db.create_all()
        logins = load_demo_data(members=300, seed=1)
        db.session.execute(sa.update(Member).values(locale=language))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app, app.config["BASE_URL"], logins
    server.shutdown()
    thread.join(5)


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(params=["th", "en"])
def language(request):
    """The language the browser asks for; the Thai run's screenshots are the README's."""
    return request.param


@pytest.fixture
def shots(tmp_path, language):
    chosen = os.environ.get("COPMATCH_SCREENSHOTS")
    folder = Path(chosen) if chosen and language == "th" else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Words:
    """The interface's words in the browser's language, looked up in the app's catalog."""

    def __init__(self, app, language: str):
        self.app, self.language = app, language

    def __call__(self, text: str) -> str:
        with self.app.test_request_context(), force_locale(self.language):
            return gettext(text)


def log_in(page, base, t, email, password):
    page.goto(f"{base}/auth/login")
    page.get_by_label(t("Email")).fill(email)
    page.get_by_label(t("Password")).fill(password)
    page.get_by_role("button", name=t("Log in")).click()
    page.wait_for_load_state()
    if "/privacy/consent" in page.url:  # the first login shows the privacy notice, agreed to once
        page.get_by_role("button", name=t("I have read the notice and agree")).click()
        page.wait_for_load_state()


def log_out(page, t):
    page.get_by_role("button", name=t("Log out")).click()
    page.wait_for_load_state()


def published_groups_link(app) -> str:
    """Publish a working-group round on the demo data; the first invitation's link."""
    with app.app_context():
        round_ = lifecycle.create_round("groups", None, None, parameters={"time_limit": 0.5})
        solving.solve_round(round_.id)
        publication = lifecycle.publish_round(round_.id)
        db.session.commit()
        body = publication.messages[0].body
    return next(word for word in body.split() if "/invitations/" in word)


def test_a_round_from_publication_to_confirmed_pair_and_accepted_group(live_app, browser, shots, language):
    app, base, logins = live_app
    t = Words(app, language)
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="th-TH" if language == "th" else "en-GB")

    # HR sets up, solves and publishes a mentoring round for the whole organisation.
    log_in(page, base, t, logins.hr_email, logins.hr_password)
    assert page.locator("html").get_attribute("lang") == language
    page.goto(f"{base}/hr/rounds/new?kind=mentoring")
    page.get_by_role("button", name=t("Create and solve")).click()
    page.wait_for_load_state()
    if "/solves/" in page.url:  # the solve runs in the background: its page follows it to the result
        page.wait_for_url(re.compile(r"/hr/rounds/\d+$"), timeout=60_000)
        page.wait_for_load_state()
    assert page.locator("#score-histogram-title").count() == 1  # the score histogram is drawn
    assert page.get_by_role("heading", name=t("Figures")).is_visible()
    page.screenshot(path=str(shots / "hr-review.png"), full_page=True, clip={"x": 0, "y": 0, "width": 1200, "height": 2000})
    page.locator("summary", has_text=t("Publish and send invitations")).click()  # it asks first, with the count
    confirm = page.locator("details.confirm[open] button[type=submit]")
    confirm.wait_for()
    assert confirm.is_visible()
    confirm.click()
    page.wait_for_load_state()
    assert t("published") in page.content()
    log_out(page, t)

    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.kind == "mentoring"))
        assert round_.status == "published"
        match = round_.matches[0]
        learner, mentor = match.first, match.second
        learner_email, mentor_email, mentor_name = learner.email, mentor.email, mentor.display_name
        match_id = match.id

    # The learner reads why, and accepts.
    log_in(page, base, t, learner_email, logins.member_password)
    page.goto(f"{base}/matches")
    card = page.locator(f"#match-{match_id}")
    assert card.get_by_role("heading", name=t("Why this match")).is_visible()
    assert mentor_name in card.inner_text()
    assert mentor_email not in page.content()  # not before both accept
    page.screenshot(path=str(shots / "member-matches.png"), full_page=False)
    card.get_by_role("button", name=t("Accept")).click()
    page.wait_for_load_state()
    log_out(page, t)

    # The mentor accepts; now both see each other's email.
    log_in(page, base, t, mentor_email, logins.member_password)
    page.goto(f"{base}/matches")
    page.locator(f"#match-{match_id}").get_by_role("button", name=t("Accept")).click()
    page.wait_for_load_state()
    assert learner_email in page.locator(f"#match-{match_id}").inner_text()
    log_out(page, t)
    log_in(page, base, t, learner_email, logins.member_password)
    page.goto(f"{base}/matches")
    assert mentor_email in page.locator(f"#match-{match_id}").inner_text()
    with app.app_context():
        match = db.session.get(Match, match_id)
        assert match.confirmed and match.confirmed_at is not None
        confirmed_at = match.confirmed_at

    # The learner writes the agreement from the goals the match is for; the mentor confirms it.
    page.get_by_role("link", name=t("Open our page: agreement and sessions")).click()
    page.wait_for_load_state()
    goal = page.locator("input[name$='-included']").first
    assert goal.is_checked()  # pre-filled from the match's focus
    page.get_by_role("button", name=t("Save the agreement")).click()
    page.wait_for_load_state()
    page.screenshot(path=str(shots / "relationship.png"), full_page=True)
    with app.app_context():
        agreement = agreement_of(db.session.get(Match, match_id))
        assert agreement is not None and agreement.goals and agreement.first_confirmed_at
    log_out(page, t)
    log_in(page, base, t, mentor_email, logins.member_password)
    page.goto(f"{base}/relationships/{match_id}")
    page.get_by_role("button", name=t("Confirm the agreement")).click()
    page.wait_for_load_state()
    assert t("You both confirmed this agreement.") in page.content()

    # Two weeks on, the check-in arrives; one click in the email answers it, without logging in.
    with app.app_context():
        messages = send_due_checkins(confirmed_at + timedelta(days=15))
        db.session.commit()
    [message] = [m for m in messages if m.to == learner_email]
    check_in_link = next(word for word in message.body.split() if word.endswith("/going_well"))
    reader = browser.new_page(viewport={"width": 420, "height": 900}, locale="th-TH" if language == "th" else "en-GB")
    reader.goto(check_in_link)
    reader.wait_for_url(lambda url: not url.endswith("/going_well"))  # the page sent the answer by itself
    assert t("We met: it is going well") in reader.content()
    reader.screenshot(path=str(shots / "check-in.png"), full_page=True)
    with app.app_context():
        answers = db.session.execute(sa.select(CheckIn.answer).join(Member, CheckIn.member_id == Member.id)
                                     .where(Member.email == learner_email)).scalars().all()
        assert answers == ["going_well"]

    # A group invitation link works in one click, without logging in.
    link = published_groups_link(app)
    visitor = browser.new_page(viewport={"width": 1000, "height": 900},
                               locale="th-TH" if language == "th" else "en-GB")
    visitor.goto(link)
    assert visitor.locator("h1").is_visible()
    assert "@" not in visitor.locator("ul.groupmates").inner_text()  # no emails before accepting
    visitor.screenshot(path=str(shots / "invitation.png"), full_page=True)
    visitor.get_by_role("button", name=t("Accept")).click()
    visitor.wait_for_load_state()
    assert t("You accepted") in visitor.content()
    with app.app_context():
        token = link.rsplit("/", 1)[1]
        place = db.session.scalar(sa.select(GroupMember).where(GroupMember.token_hash == hash_token(token)))
        assert place.status == "accepted"
        assert db.session.get(Member, place.member_id).email in visitor.content()
