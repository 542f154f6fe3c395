"""Home page, health check, error pages and the HR gate."""

import pytest
from flask import abort

from models import db
from webapp.security import hr_required


def test_home_page_explains_communities_of_practice(client):
    page = client.get("/").get_data(as_text=True)
    assert "Community of Practice" in page
    assert 'name="viewport"' in page
    assert "http" not in page.split("<body")[0].replace("http-equiv", "")  # no CDN assets


def test_stylesheet_is_served_locally(client):
    with client.get("/static/app.css") as response:
        assert response.status_code == 200 and b"--brand" in response.data


def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "reachable"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    from webapp import create_app

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "x",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite",
    })
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_unknown_url_gets_the_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_server_error_gets_the_500_page_and_rolls_back(make_app, monkeypatch):
    app = make_app(TESTING=False)
    rolled_back = []
    real_rollback = db.session.rollback

    def recording_rollback():
        rolled_back.append(True)
        real_rollback()

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setattr(db.session, "rollback", recording_rollback)
    monkeypatch.setattr(app.logger, "disabled", True)  # the traceback is expected
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert rolled_back


@pytest.fixture
def hr_page_app(make_app):
    app = make_app()

    @app.route("/hr-only")
    @hr_required
    def hr_only():
        return "HR desk"

    @app.route("/gone")
    def gone():
        abort(410, description="This invitation has expired.")

    return app


def test_hr_required_sends_visitors_to_log_in(hr_page_app):
    response = hr_page_app.test_client().get("/hr-only")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_hr_required_answers_403_to_members(hr_page_app, member):
    from tests.conftest import AuthActions

    client = hr_page_app.test_client()
    AuthActions(client).login(member.email)
    response = client.get("/hr-only")
    assert response.status_code == 403
    assert "do not have access" in response.get_data(as_text=True)


def test_hr_required_lets_hr_in(hr_page_app, hr):
    from tests.conftest import AuthActions

    client = hr_page_app.test_client()
    AuthActions(client).login(hr.email)
    assert client.get("/hr-only").get_data(as_text=True) == "HR desk"


def test_410_page_says_why(hr_page_app):
    response = hr_page_app.test_client().get("/gone")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_the_favicon_is_served_where_browsers_look(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
