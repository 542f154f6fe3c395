"""Thai everywhere: every message is in the Thai catalog, and Thai pages and emails have no English left.

The first test extracts the messages from the code as ``make translations``
does and compares them with ``translations/th/LC_MESSAGES/messages.po``. The
others render pages and emails with Thai chosen and look for English words
outside the data (people's, skills', communities' and rounds' names), so a
string that skipped the catalog is caught where a reader would see it.
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import sqlalchemy as sa
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from models import Community, Match, Member, MemberSkill, Round, Skill, db
from tests.conftest import visible_text
from tests.webapp.pages import hr_paths, member_paths, visitor_paths
from tests.webapp.published import make_match, make_round
from webapp.services.after_match import notices
from webapp.services.messages import group_invitation, match_confirmations, match_invitations

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "th" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}

#: Words that are the same in a Thai interface: the product's name, acronyms and file formats.
ALLOWED = {"CoPMatch", "CoP", "HR", "CSV", "Excel", "UTF", "BOM", "IANA", "JSON", "SSO", "ID", "OK", "PDPA",
           "Asia", "Bangkok", "UTC", "GMT", "English", "Ctrl"}


def extracted_messages() -> set[str]:
    """Every msgid in the code and templates, by the same rules as ``make translations`` (babel.cfg)."""
    method_map = [("webapp/**.py", "python"), ("models/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords=KEYWORDS, options_map={"templates/**.html": {}}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def thai_catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="th")


def test_every_message_has_a_thai_translation():
    catalog = thai_catalog()
    missing, untranslated = [], []
    for msgid in sorted(extracted_messages()):
        entry = catalog.get(msgid)
        if entry is None:
            missing.append(msgid)
        elif entry.fuzzy or not (entry.string if isinstance(entry.string, str) else all(entry.string)):
            untranslated.append(msgid)
    assert not missing, f"{len(missing)} messages are not in the Thai catalog (run `make translations`): {missing[:20]}"
    assert not untranslated, f"{len(untranslated)} messages have no Thai translation: {untranslated[:20]}"


def test_thai_translations_keep_every_placeholder():
    catalog = thai_catalog()
    broken = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check() if errors]
    assert not broken, broken[:10]


# --- pages and emails with Thai chosen ----------------------------------------------------------


class _VisibleText(html.parser.HTMLParser):
    """The text a reader sees: element text and the attributes that are read out or shown.

    ``<code>`` is left out: it shows file formats and column names, which stay as they are.
    """

    SHOWN = ("title", "aria-label", "placeholder", "alt", "value")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self._skip += 1
        attrs = dict(attrs)
        for name in self.SHOWN:
            if attrs.get(name) and not (name == "value" and (tag != "input" or attrs.get("type") not in ("submit", "button"))):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def english_words(text: str, data: list[str]) -> set[str]:
    """Latin-letter words of three letters or more left after removing the data and allowed words."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"\S+@\S+|https?://\S+|/[\w/.-]*", " ", text)
    words = re.findall(r"[A-Za-z]+(?:['’-][A-Za-z]+)*", text)
    return {word for word in words if len(word) >= 3 and word not in ALLOWED}


def page_words(body: str, data: list[str]) -> set[str]:
    parser = _VisibleText()
    parser.feed(body)
    return english_words(" ".join(parser.parts), data)


def data_strings() -> list[str]:
    """Everything stored that is data, not interface: names, emails, skills, departments, time zones."""
    values: list[str] = []
    for member in db.session.scalars(sa.select(Member)):
        values += [member.display_name, member.email, member.department or "", member.function or "",
                   member.job_title or "", member.location or "", member.timezone, *(member.languages or [])]
    values += [skill.name for skill in db.session.scalars(sa.select(Skill))]
    for community in db.session.scalars(sa.select(Community)):
        values += [community.name, community.description or ""]
    values += [round_.name for round_ in db.session.scalars(sa.select(Round))]
    return [value for value in values if value]


def thai_client(app):
    client = app.test_client()
    client.set_cookie("locale", "th")
    return client


def check_pages(app, client, paths: list[str]) -> dict[str, set[str]]:
    with app.app_context():
        data = data_strings()
    left = {}
    for path in paths:
        response = client.get(path, follow_redirects=True)
        assert response.status_code < 500, path
        words = page_words(response.get_data(as_text=True), data)
        if words:
            left[path] = words
    return left


def test_visitor_pages_in_thai_have_no_english_words(app, thai_organisation):
    left = check_pages(app, thai_client(app), visitor_paths(thai_organisation))
    assert left == {}, left


def test_account_pages_in_thai_have_no_english_words(make_app, make_member):
    """Links from emails, the closed sign-up, single sign-on, the 429 page and the HR role page."""
    from tests.webapp.accounts import account_links

    app = make_app(OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="copmatch", OIDC_TIMEOUT=2,
                   RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_TOKEN="1 per minute")
    hr = make_member(email="hr@example.com", display_name="ปราณี ฝ่ายบุคคล", role="hr", locale="th")
    member = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", locale="th",
                         email_verified_at=None)
    links = account_links(app, member.id)
    signup_token, set_token, reset_token = links["signup"], links["set_password"], links["reset_password"]
    client = thai_client(app)
    paths = [f"/auth/confirm/{signup_token}", f"/auth/set-password/{set_token}", f"/auth/reset-password/{reset_token}"]
    left = check_pages(app, client, paths)
    # A second look at a link within the minute is over RATELIMIT_TOKEN's limit: the 429 page, in Thai too.
    too_many = client.get(f"/auth/reset-password/{reset_token}")
    assert too_many.status_code == 429
    left.update({"429": words} if (words := page_words(too_many.get_data(as_text=True), [])) else {})
    left.update(check_pages(app, thai_client(app), ["/auth/login", "/auth/sso/callback?state=x"]))
    unreachable = thai_client(app).get("/auth/sso")  # nothing answers at the issuer: 502, said in Thai
    assert unreachable.status_code == 502
    left.update({"/auth/sso": words} if (words := page_words(unreachable.get_data(as_text=True), [])) else {})
    left.update(check_pages(app, thai_client(make_app(COPMATCH_ENV="production", BASE_URL="http://localhost")), ["/auth/register"]))
    client = thai_client(app)
    client.post("/auth/login", data={"email": "hr@example.com", "password": "correct horse battery"})
    left.update(check_pages(app, client, [f"/hr/members/{member.id}/role", f"/hr/members/{hr.id}/role",
                                          "/auth/password"]))
    with app.app_context():
        db.session.execute(sa.update(Member).values(role="hr"))
        db.session.commit()
    client = thai_client(app)
    client.post("/auth/login", data={"email": "hr@example.com", "password": "correct horse battery"})
    left.update(check_pages(app, client, [f"/hr/members/{member.id}/role"]))  # the page that removes HR
    assert left == {}, left


def test_error_pages_in_thai_have_no_english_words(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, TESTING=False)
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    client = thai_client(app)
    for method, path, status in (("post", "/auth/login", 400), ("get", "/boom", 500), ("get", "/nothing", 404),
                                 ("put", "/", 405)):
        response = getattr(client, method)(path)
        assert response.status_code == status
        assert page_words(response.get_data(as_text=True), []) == set(), path


def test_member_pages_in_thai_have_no_english_words(app, thai_organisation):
    client = thai_client(app)
    client.post("/auth/login", data={"email": "somchai@example.com", "password": "correct horse battery"})
    left = check_pages(app, client, member_paths(thai_organisation))
    assert left == {}, left


def test_hr_pages_in_thai_have_no_english_words(app, thai_organisation):
    client = thai_client(app)
    client.post("/auth/login", data={"email": "hr@example.com", "password": "correct horse battery"})
    left = check_pages(app, client, hr_paths(thai_organisation))
    assert left == {}, left


def test_thai_members_emails_are_thai_from_subject_to_signature(app, thai_organisation):
    org = thai_organisation
    with app.app_context():
        data = data_strings()
        match = db.session.get(Match, org["match"])
        messages = match_invitations(match) + match_confirmations(match)
        place = next(p for p in db.session.get(Round, org["groups"]).groups[0].members
                     if p.member_id == org["learner"].id)
        messages.append(group_invitation(place, "raw-token"))
        messages += _after_match_messages(org, hr=db.session.get(Member, org["hr"].id))
    messages += account_emails(app, org["learner"].id)
    for message in messages:
        words = english_words(f"{message.subject}\n{message.body}", data)
        assert not words, (message.subject, words)
        assert message.body.rstrip().endswith("CoPMatch")


def _after_match_messages(org, hr) -> list:
    """Every message of the relationship pages and the scheduler, composed for the Thai members (and HR)."""
    from models import AttentionFlag, CheckIn, Meeting

    live = db.session.get(Match, org["live"])
    learner, mentor = live.first, live.second
    flag = db.session.scalar(sa.select(AttentionFlag))
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.state == "proposed"))
    check_in = db.session.scalar(sa.select(CheckIn))
    messages = [notices.check_in(check_in, live, learner, "raw-token"), *notices.nudge(live, flag),
                *notices.help_to_hr(flag, [hr]), notices.match_ended(live, mentor, learner),
                *notices.ended_to_hr(live, learner, [hr]), notices.agreement_to_confirm(live, mentor, learner),
                *notices.meeting_invitations(meeting, live, [learner, mentor], mentor),
                *notices.meeting_invitations(meeting, live, [learner, mentor], mentor, cancel=True),
                notices.feedback_open(live.round, learner), *notices.reassessment(live)]
    group = db.session.get(Round, org["groups"]).groups[0]
    messages += notices.meeting_invitations(meeting, group, [learner], mentor)
    return messages


def account_emails(app, member_id: int) -> list:
    """Every email about an account, to a Thai member (and a Thai sign-up)."""
    from models import Signup
    from webapp.services import account_messages

    with app.test_request_context():
        member = db.session.get(Member, member_id)
        signup = Signup(email="malee@example.com", display_name="มาลี ศรีสุข", locale="th")
        return [account_messages.signup_link(signup, "raw"), account_messages.already_member(member, "raw"),
                account_messages.already_member(member, None), account_messages.welcome_link(member, "raw"),
                account_messages.claim_link(member, "raw"), account_messages.reset_link(member, "raw")]


def test_switching_the_language_re_renders_stored_reasons(app, make_member):
    learner = make_member(email="somchai@example.com", display_name="สมชาย ใจดี", department="การเงิน")
    mentor = make_member(email="malee@example.com", display_name="มาลี ศรีสุข", department="วิศวกรรม")
    with app.app_context():
        make_match(make_round("mentoring"), learner.id, mentor.id, skill="SQL")
    client = app.test_client()
    client.post("/auth/login", data={"email": learner.email, "password": "correct horse battery"})
    english = visible_text(client.get("/matches").get_data(as_text=True))
    assert "Teaches SQL: level 5; you are at 2, aiming for 4" in english
    assert client.post("/language", data={"locale": "th", "next": "/matches"}).status_code == 302
    thai = visible_text(client.get("/matches").get_data(as_text=True))
    assert "สอน SQL ได้: ระดับ 5 ส่วนคุณอยู่ระดับ 2 ตั้งเป้าระดับ 4" in thai
    assert "ต่างฝ่ายกัน: การเงิน และ วิศวกรรม" in thai
    with app.app_context():
        assert db.session.get(Member, learner.id).locale == "th"  # the member's choice is kept


def test_the_language_switch_refuses_an_unknown_language_and_leaves_the_site_only_locally(client):
    assert client.post("/language", data={"locale": "fr"}).status_code == 400
    response = client.post("/language", data={"locale": "th", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "locale=th" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
