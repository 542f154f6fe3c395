"""Every route of the app, with who may use it, checked by requesting it as each kind of user.

A route added without a line in ``ROUTES`` fails ``test_every_route_is_classified``: whoever adds it
says who may use it, and the checks below then hold it to that.

- ``ANYONE``: visitors too (the home page, logging in, asking to join, the health check).
- ``MEMBER``: logged-in members and HR; visitors are sent to log in.
- ``HR``: HR only; visitors are sent to log in, members get 403.
- ``TOKEN``: whoever holds the link's token (or, for the single sign-on callback, the state this
  browser started): no log-in needed and none helps; a wrong token gets 404 (400 for a wrong state),
  never a log-in page and never anyone's data.
"""

from __future__ import annotations

import pytest

from tests.oidc_provider import CLIENT_ID

ANYONE, MEMBER, HR, TOKEN = "anyone", "member", "hr", "token"

ROUTES = {
    "static": ANYONE,
    "main.index": ANYONE,
    "main.healthz": ANYONE,
    "main.language": ANYONE,
    "auth.login": ANYONE,
    "auth.register": ANYONE,
    "auth.check_inbox": ANYONE,
    "auth.forgot_password": ANYONE,
    "auth.sso_login": ANYONE,
    "auth.confirm_signup": TOKEN,
    "auth.set_password": TOKEN,
    "auth.reset_password": TOKEN,
    "auth.sso_callback": TOKEN,
    "matches.open_invitation": TOKEN,
    "matches.invitation": TOKEN,  # the invitation opened from its link, held in a short-lived cookie
    "privacy.notice": ANYONE,
    "privacy.consent": MEMBER,
    "privacy.my_data": MEMBER,
    "auth.logout": MEMBER,
    "auth.change_password": MEMBER,
    "profile.edit": MEMBER,
    "profile.public": MEMBER,
    "profile.save_skill": MEMBER,
    "profile.remove_skill": MEMBER,
    "profile.save_goal": MEMBER,
    "profile.remove_goal": MEMBER,
    "profile.suggest_skills": MEMBER,
    "profile.suggest_members": MEMBER,
    "communities.index": MEMBER,
    "communities.show": MEMBER,
    "communities.join": MEMBER,
    "communities.leave": MEMBER,
    "matches.index": MEMBER,
    "matches.respond": MEMBER,
    "matches.respond_group": MEMBER,
    "matches.confirm_participation": MEMBER,
    "matches.feedback": MEMBER,
    "dashboard.index": HR,
    "dashboard.supply": HR,
    "dashboard.network": HR,
    "dashboard.health": HR,
    "dashboard.export": HR,
    "dashboard.member": HR,
    "hr.skills": HR,
    "hr.skill": HR,
    "hr.approve_skill": HR,
    "hr.merge_skill": HR,
    "hr.communities": HR,
    "hr.community": HR,
    "hr.archive_community": HR,
    "hr.restore_community": HR,
    "hr.delete_community_view": HR,
    "hr.members": HR,
    "hr.member_role": HR,
    "hr.deactivate_member": HR,
    "hr.reactivate_member": HR,
    "hr.erase_member": HR,
    "audit.index": HR,
    "audit.export": HR,
    "hr.import_members": HR,
    "hr.confirm_import": HR,
    "hr.import_example": HR,
    "hr.outbox_page": HR,
    "hr.retry_messages": HR,
    "rounds.index": HR,
    "rounds.new": HR,
    "rounds.review": HR,
    "rounds.export": HR,
    "rounds.solve": HR,
    "rounds.publish": HR,
    "rounds.repair": HR,
    "rounds.close": HR,
    "rounds.pins": HR,
    "rounds.remove_pin": HR,
    "rounds.forbids": HR,
    "rounds.remove_forbid": HR,
    "rounds.new_link": HR,
    "rounds.move": HR,
    "rounds.swap": HR,
    "rounds.keep_moves_view": HR,
    "rounds.schedule": HR,
    "rounds.solving": HR,
    "rounds.solving_status": HR,
    "rounds.cancel_solve": HR,
    "main.favicon": ANYONE,
    "relationships.show": MEMBER,
    "relationships.save_agreement": MEMBER,
    "relationships.confirm_agreement": MEMBER,
    "relationships.ask_for_help": MEMBER,
    "relationships.end_match": MEMBER,
    "relationships.save_growth": MEMBER,
    "relationships.confirm_growth": MEMBER,
    "relationships.renew": MEMBER,
    "relationships.group": MEMBER,
    "relationships.propose": MEMBER,
    "relationships.log": MEMBER,
    "relationships.cancel": MEMBER,
    "relationships.calendar_file": MEMBER,
    "relationships.group_purpose_edit": HR,
    "relationships.check_in": TOKEN,
    "relationships.check_in_done": TOKEN,
    "programme.attention_list": HR,
    "programme.handled": HR,
    "programme.mentors": HR,
    "mentors.index": MEMBER,
    "mentors.ask": MEMBER,
    "mentors.accept": MEMBER,
    "mentors.decline": MEMBER,
    "mentors.withdraw": MEMBER,
    "mentors.hr_requests": HR,
    "mentors.self_service": HR,
    "mentors.prefer": MEMBER,
    "mentors.forget": MEMBER,
    "questions.index": MEMBER,
    "questions.ask": MEMBER,
    "questions.show": MEMBER,
    "questions.answer": MEMBER,
    "questions.helpful": MEMBER,
    "practice.index": MEMBER,
    "practice.show": MEMBER,
    "practice.tried": MEMBER,
    "practice.new": MEMBER,
    "moderation.hide": MEMBER,
    "moderation.report": MEMBER,
    "moderation.reports": MEMBER,
    "moderation.coordinators": HR,
    "moderation.remove_coordinator": HR,
}

#: Values for the rules' variables: ids and tokens that name nothing, so no request changes anything.
SAMPLE_VALUES = {"BoundedInteger": 999_999, "PathConverter": "app.css"}
NO_TOKEN = "not-a-valid-token"


@pytest.fixture
def routed_app(make_app):
    # Single sign-on is configured, so its routes are live; nothing listens at that port, so
    # starting a sign-in answers at once with "could not reach" (502).
    return make_app(OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID=CLIENT_ID, OIDC_TIMEOUT=2)


def requests_of(app):
    """``(endpoint, method, url)`` for every rule and method of the app."""
    for rule in app.url_map.iter_rules():
        values = {name: (sorted(converter.items)[0] if hasattr(converter, "items") else
                         SAMPLE_VALUES.get(type(converter).__name__, NO_TOKEN))
                  for name, converter in rule._converters.items()}
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_is_classified(routed_app):
    endpoints = {rule.endpoint for rule in routed_app.url_map.iter_rules()}
    unclassified = sorted(endpoints - set(ROUTES))
    assert not unclassified, f"say who may use these routes in tests/webapp/test_routes.py: {unclassified}"
    assert not set(ROUTES) - endpoints, f"routes that no longer exist: {sorted(set(ROUTES) - endpoints)}"


def sends_to_log_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


@pytest.fixture
def callers(routed_app, make_member, log_in_as):
    """A fresh client per request, as a visitor, a member or HR (each request may log out, so none shares)."""
    member = make_member(email="member@example.com")
    hr = make_member(email="hr@example.com", role="hr")

    def client_as(kind: str):
        client = routed_app.test_client()
        if kind != "visitor":
            log_in_as(client, member.id if kind == "member" else hr.id)
        return client

    return client_as


def ask(client, method: str, url: str):
    return client.open(url, method=method, data={} if method == "POST" else None)


def test_each_route_answers_each_kind_of_user_as_its_class_says(routed_app, callers):
    wrong = []
    for endpoint, method, url in requests_of(routed_app):
        kind = ROUTES[endpoint]
        visitor, member, hr = (ask(callers(who), method, url) for who in ("visitor", "member", "hr"))
        if kind == ANYONE:
            ok = all(not sends_to_log_in(r) and r.status_code not in (401, 403) for r in (visitor, member, hr))
        elif kind == MEMBER:
            ok = sends_to_log_in(visitor) and all(not sends_to_log_in(r) and r.status_code != 403
                                                  for r in (member, hr))
        elif kind == HR:
            ok = sends_to_log_in(visitor) and member.status_code == 403 and (
                not sends_to_log_in(hr) and hr.status_code != 403)
        else:  # TOKEN: a wrong token is refused the same way for everyone, without a log-in page
            ok = all(r.status_code in (400, 404) for r in (visitor, member, hr))
        if not ok:
            wrong.append((endpoint, method, url, visitor.status_code, member.status_code, hr.status_code))
    assert not wrong, wrong


def test_token_routes_work_for_a_visitor_holding_a_good_token(app, client, make_member):
    """The other side of ``TOKEN``: the holder of a good token needs no log-in."""
    from tests.webapp.accounts import account_links
    from tests.webapp.published import make_group, make_round

    imported = make_member(email="imported@example.com", password_hash=None, email_verified_at=None)
    links = account_links(app, imported.id, "new@example.com")
    with app.app_context():
        _group, tokens = make_group(make_round("groups"), [imported.id, make_member().id, make_member().id])
    for path in (f"/auth/set-password/{links['set_password']}", f"/auth/reset-password/{links['reset_password']}",
                 f"/auth/confirm/{links['signup']}", f"/invitations/{tokens[imported.id]}"):
        assert client.get(path, follow_redirects=True).status_code == 200, path
