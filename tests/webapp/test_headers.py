"""Security headers on every response: every page a visitor, a member and HR can reach, and more."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.webapp.pages import hr_paths, member_paths, visitor_paths
from webapp.http import CONTENT_SECURITY_POLICY


def check_headers(response, path: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp == CONTENT_SECURITY_POLICY, path
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["X-Frame-Options"] == "DENY", path
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer"), path
    assert headers["Cache-Control"] == "no-store", path
    assert "<script>" not in response.get_data(as_text=True), path  # no inline script for the CSP to block


@pytest.mark.parametrize("reader", ["visitor", "member", "hr"])
def test_every_page_carries_the_security_headers(app, thai_organisation, reader):
    client = app.test_client()
    paths = {"visitor": visitor_paths, "member": member_paths, "hr": hr_paths}[reader](thai_organisation)
    if reader != "visitor":
        email = "somchai@example.com" if reader == "member" else "hr@example.com"
        check_headers(client.post("/auth/login", data={"email": email, "password": PASSWORD}), "/auth/login")
    for path in paths:
        response = client.get(path)
        check_headers(response, path)
        if response.status_code in (301, 302, 303):
            check_headers(client.get(response.headers["Location"]), response.headers["Location"])


def test_exports_are_not_cached(app, thai_organisation):
    as_hr = app.test_client()
    as_hr.post("/auth/login", data={"email": "hr@example.com", "password": PASSWORD})
    for path in (f"/hr/rounds/{thai_organisation['published']}/export.csv", "/hr/audit/export.csv",
                 "/hr/members/import/example.csv"):
        check_headers(as_hr.get(path), path)


def test_error_pages_carry_the_headers_too(make_app):
    app = make_app(TESTING=False)
    client = app.test_client()
    for method, path in (("get", "/nothing"), ("put", "/"), ("get", "/hr/members/1/erase")):
        check_headers(getattr(client, method)(path), path)


def test_static_files_may_be_cached_but_not_sniffed(client):
    with client.get("/static/app.css") as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers.get("Cache-Control") != "no-store"
    with client.get("/static/sliders.js") as script:
        assert script.status_code == 200


def test_hsts_and_secure_cookies_only_in_production(make_app, monkeypatch):
    assert "Strict-Transport-Security" not in make_app().test_client().get("/").headers
    production = make_app(COPMATCH_ENV="production", BASE_URL="https://copmatch.example.co.th")
    response = production.test_client().get("/", base_url="https://copmatch.example.co.th")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["REMEMBER_COOKIE_SECURE"]
    assert not make_app().config["SESSION_COOKIE_SECURE"]
