"""Working-group invitation links: no login, looked up by the token's hash, and never a leak."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import GroupMember, db
from models.base import utcnow
from tests.conftest import visible_text
from tests.webapp.published import make_community, make_group, make_round


@pytest.fixture
def group(app, make_member):
    """A published working group of four in a Thai-named community; returns ids and raw tokens."""
    people = [
        make_member(email="anchor@example.com", display_name="มาลี ศรีสุข", department="Engineering",
                    function="Data platform", locale="th"),
        make_member(email="ann@example.com", display_name="Ann Lee", department="Sales", function="Key accounts"),
        make_member(email="krit@example.com", display_name="กฤต ดีมาก", department="Operations"),
        make_member(email="dao@example.com", display_name="Dao Chan", department="Legal"),
    ]
    with app.app_context():
        community = make_community(description="แลกเปลี่ยนวิธีทำงานกับข้อมูล")
        round_ = make_round("groups", community_id=community.id, name="กลุ่มทำงาน Q3")
        group, tokens = make_group(round_, [p.id for p in people], anchor_id=people[0].id)
        return {"id": group.id, "round_id": round_.id, "people": people, "tokens": [tokens[p.id] for p in people]}


def open_link(client, token: str):
    """Open the emailed link as a browser does: it leads, token-free, to the invitation page."""
    return client.get(f"/invitations/{token}", follow_redirects=True)


def answer(client, token: str, data: dict):
    """Open the emailed link, then answer on the invitation page (which carries no token)."""
    open_link(client, token)
    return client.post("/invitation", data=data)


def place(app, group, index) -> GroupMember:
    with app.app_context():
        row = db.session.get(GroupMember, (group["id"], group["people"][index].id))
        db.session.expunge(row)
        return row


def set_status(app, group, index, status):
    with app.app_context():
        db.session.execute(sa.update(GroupMember).where(GroupMember.member_id == group["people"][index].id)
                           .values(status=status))
        db.session.commit()


def test_the_invitation_page_shows_the_group_without_emails(client, group):
    response = open_link(client, group['tokens'][1])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hello Ann Lee" in page and "Working group 1" in page
    assert "ชุมชนข้อมูล Data" in page and "กลุ่มทำงาน Q3" in page and "แลกเปลี่ยนวิธีทำงานกับข้อมูล" in page
    assert "Anchored by มาลี ศรีสุข, level 5 in Lean" in visible_text(page)
    for text in ("มาลี ศรีสุข", "Engineering", "Data platform", "กฤต ดีมาก", "Operations", "Dao Chan", "anchor"):
        assert text in page
    assert "@example.com" not in page
    assert "0 of 4" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_whole_organisation_group_says_so(client, app, make_member):
    a, b = make_member(display_name="A"), make_member(display_name="B")
    with app.app_context():
        _, tokens = make_group(make_round("groups"), [a.id, b.id])
    assert "Cross-department group · everyone" in open_link(client, tokens[a.id]).get_data(as_text=True)


def test_accepting_shows_the_emails_of_members_who_accepted(client, app, group):
    set_status(app, group, 0, "accepted")
    token = group["tokens"][1]
    response = answer(client, token, {"answer": "accepted"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/invitation")
    page = open_link(client, token).get_data(as_text=True)
    assert "you accepted" in page.lower()
    assert "anchor@example.com" in page and "ann@example.com" in page
    assert "krit@example.com" not in page and "dao@example.com" not in page
    assert "2 of 4: มาลี ศรีสุข, Ann Lee" in page
    accepted = place(app, group, 1)
    assert accepted.status == "accepted" and accepted.responded_at is not None
    assert answer(client, token, {"answer": "accepted"}).status_code == 302
    assert place(app, group, 1).responded_at == accepted.responded_at  # the second click changed nothing


def test_a_pending_member_never_sees_emails_even_of_those_who_accepted(client, app, group):
    set_status(app, group, 0, "accepted")
    page = open_link(client, group['tokens'][2]).get_data(as_text=True)
    assert "@example.com" not in page and "1 of 4: มาลี ศรีสุข" in page


def test_declining_confirms_once_then_the_link_is_gone(client, app, group):
    token = group["tokens"][2]
    response = answer(client, token, {"answer": "declined", "reason": "ไม่สะดวกช่วงนี้"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "You declined the invitation" in page
    assert "มาลี" not in page and "@example.com" not in page
    declined = place(app, group, 2)
    assert declined.status == "declined" and declined.decline_reason == "ไม่สะดวกช่วงนี้"
    for again in (open_link(client, token),
                  answer(client, token, {"answer": "accepted"})):
        assert again.status_code == 410
        assert "You declined this invitation" in again.get_data(as_text=True)
        assert "มาลี" not in again.get_data(as_text=True)
    assert place(app, group, 2).status == "declined"


def test_members_who_declined_are_not_listed(client, app, group):
    set_status(app, group, 3, "declined")
    page = open_link(client, group['tokens'][0]).get_data(as_text=True)
    assert "Dao Chan" not in page and "0 of 3" in page


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 43, "x" * 500])
def test_an_unknown_token_is_404_and_shows_nothing(client, group, token):
    response = open_link(client, token)
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "This invitation link is not valid" in page
    assert "Working group" not in page and "มาลี" not in page
    assert answer(client, token, {"answer": "accepted"}).status_code == 404


def test_the_stored_hash_is_not_a_working_token(client, app, group):
    stored = place(app, group, 0).token_hash
    assert open_link(client, stored).status_code == 404


def test_an_expired_link_is_410_and_points_to_hr(client, app, group):
    open_link(client, group['tokens'][1])  # opened before it expired: the open page is refused too
    with app.app_context():
        db.session.execute(sa.update(GroupMember).where(GroupMember.member_id == group["people"][1].id)
                           .values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    for response in (open_link(client, group['tokens'][1]), client.get("/invitation"),
                     client.post("/invitation", data={"answer": "accepted"})):
        page = response.get_data(as_text=True)
        assert response.status_code == 410 and "This invitation expired on" in page and "ask HR" in page
        assert "มาลี" not in page
    assert place(app, group, 1).status == "pending"
    assert open_link(client, group['tokens'][2]).status_code == 200  # others' links still work


def test_the_link_expires_after_the_configured_days(make_app, make_member):
    from webapp.services.rounds.lifecycle import publish_round

    app = make_app(INVITATION_DAYS=3)
    with app.app_context():
        round_ = make_round("groups", status="solved")
        group, _ = make_group(round_, [make_member().id, make_member().id])
        for member_place in group.members:
            member_place.token_hash = member_place.expires_at = None
        db.session.commit()
        publication = publish_round(round_.id)
        db.session.commit()
        expires = {p.expires_at.date() for p in group.members}
        assert expires == {(utcnow() + timedelta(days=3)).date()}
        assert all("/invitations/" in m.body for m in publication.messages)


def test_answers_after_the_round_closed_are_refused_with_a_message(client, app, group):
    with app.app_context():
        from webapp.services.rounds.lifecycle import close_round

        close_round(group["round_id"])
        db.session.commit()
    token = group["tokens"][1]
    page = open_link(client, token).get_data(as_text=True)
    assert "This round is closed" in page and "Accept</button>" not in page
    response = answer(client, token, {"answer": "accepted"})
    assert response.status_code == 409
    assert "is closed, so answers are no longer recorded" in response.get_data(as_text=True)
    assert place(app, group, 1).status == "pending"


def test_a_post_without_an_answer_is_refused(client, app, group):
    response = answer(client, group['tokens'][1], {})
    assert response.status_code == 400 and "Choose Accept or Decline" in response.get_data(as_text=True)
    assert place(app, group, 1).status == "pending"


def test_csrf_a_post_without_the_token_is_refused(make_app, make_member):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    a, b = make_member(display_name="ก"), make_member(display_name="ข")
    with app.app_context():
        group, tokens = make_group(make_round("groups"), [a.id, b.id])
        group_id = group.id
    assert answer(client, tokens[a.id], {"answer": "accepted"}).status_code == 400
    page = open_link(client, tokens[a.id]).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    with app.app_context():
        assert db.session.get(GroupMember, (group_id, a.id)).status == "pending"
    assert client.post("/invitation", data={"answer": "accepted", "csrf_token": csrf}).status_code == 302
    with app.app_context():
        assert db.session.get(GroupMember, (group_id, a.id)).status == "accepted"


def test_a_logged_in_member_cannot_use_a_token_to_reach_another_group(client, auth, app, group, member):
    with app.app_context():
        mine = make_group(make_round("groups"), [member.id, group["people"][0].id])[0].id
    auth.login(member.email)
    assert client.post(f"/matches/groups/{group['id']}/respond", data={"answer": "accepted"}).status_code == 404
    assert client.post(f"/matches/groups/{mine}/respond", data={"answer": "accepted"}).status_code == 302
    assert all(place(app, group, index).status == "pending" for index in range(4))


def test_a_decline_reason_over_the_limit_is_refused(client, app, group):
    response = answer(client, group['tokens'][1], {"answer": "declined", "reason": "ก" * 1001})
    assert response.status_code == 400
    assert "Field cannot be longer than 1000 characters" in response.get_data(as_text=True)
    assert place(app, group, 1).status == "pending"


def test_a_deactivated_members_link_is_gone_and_shows_nothing(client, app, group):
    """Finding 7: deactivating a member ends their invitation link, before and after accepting."""
    set_status(app, group, 2, "accepted")  # two have accepted, so accepting would show their emails
    set_status(app, group, 1, "accepted")
    from models import Member

    with app.app_context():
        db.session.get(Member, group["people"][1].id).active = False
        db.session.commit()
    link = f"/invitations/{group['tokens'][1]}"
    response = client.get(link)
    page = response.get_data(as_text=True)
    assert response.status_code == 410 and "no longer works" in page
    for text in ("@example.com", "กฤต ดีมาก", "มาลี ศรีสุข", "Working group 1", "กลุ่มทำงาน Q3"):
        assert text not in page
    assert response.headers["Cache-Control"] == "no-store"
    set_status(app, group, 1, "pending")
    assert client.post("/invitation", data={"answer": "accepted"}).status_code == 404  # the link opened nothing
    assert place(app, group, 1).status == "pending"  # nothing recorded
def test_the_token_leaves_the_address_bar_at_once(client, group):
    response = client.get(f"/invitations/{group['tokens'][1]}")
    assert response.status_code == 303 and response.headers["Location"] == "/invitation"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Path=/invitation" in cookie and "Max-Age=3600" in cookie
    assert group["tokens"][1] not in cookie  # the cookie holds a signed hash, not the emailed link
    page = client.get("/invitation").get_data(as_text=True)
    assert "Hello Ann Lee" in page and group["tokens"][1] not in page
    assert 'action="/invitation"' in page


def test_the_invitation_page_without_an_opened_link_shows_nothing(client, group):
    response = client.get("/invitation")
    assert response.status_code == 404 and "Open the invitation from the link in your email" in \
        response.get_data(as_text=True)
    client.set_cookie("copmatch_invitation", "forged", path="/invitation")
    response = client.get("/invitation")
    assert response.status_code == 404 and "Working group" not in response.get_data(as_text=True)
    assert client.post("/invitation", data={"answer": "accepted"}).status_code == 404


def test_an_opened_invitation_is_forgotten_after_an_hour(client, app, group, monkeypatch):
    import itsdangerous.timed

    client.get(f"/invitations/{group['tokens'][1]}")
    real_now = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real_now(self) + 3601)
    assert client.get("/invitation").status_code == 404
    assert place(app, group, 1).status == "pending"


def test_the_emailed_link_takes_no_post(client, group):
    assert client.post(f"/invitations/{group['tokens'][1]}", data={"answer": "accepted"}).status_code == 405


def test_the_access_log_shows_no_token():
    import logging

    from webapp.http import RedactTokens

    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s -',
                               ("127.0.0.1", "now", "GET /invitations/Zx9-abc_DEF HTTP/1.1", "303"), None)
    RedactTokens().filter(record)
    assert "Zx9-abc_DEF" not in record.getMessage() and "/invitations/[token]" in record.getMessage()
