"""Security headers on every response; no caching of pages that may hold case data."""

import pytest
from flask import request

from app import create_app
from app.auth.models import Role
from app.security import HEADERS
from tests.factories import CaseFactory, SchoolFactory, user_with_role


@pytest.mark.parametrize("path", ["/auth/login", "/does-not-exist"])
def test_headers_on_public_pages(client, path):
    response = client.get(path)
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Server" not in response.headers
    assert len(response.headers["X-Request-ID"]) == 16


def test_case_page_is_never_cached(login):
    school = SchoolFactory()
    case = CaseFactory(school=school, pupil__school=school)
    response = login(user_with_role(Role.school_staff, school)).get(f"/cases/{case.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


def test_static_files_may_be_cached(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert response.headers.get("Cache-Control") != "no-store"


def test_hsts_only_over_tls(client):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    secure = client.get("/auth/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_when_served_over_tls_behind_a_proxy(app, client, monkeypatch):
    """A proxy that ends TLS forwards plain HTTP; the TLS setting still sends HSTS (ASVS 14.4.5;
    `make scan` triage in docs/security.md)."""
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = client.get("/auth/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_page_loads_anything_from_outside(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert "<script" not in html
    assert "http://" not in html and "https://" not in html


@pytest.mark.parametrize("hops, seen", [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_client_address_comes_from_the_proxy_only_when_one_is_configured(hops, seen):
    """SCHAKEL_PROXY_HOPS: behind a load balancer the audit log and the login throttle need the
    client's address; without a proxy a forged X-Forwarded-For must change nothing."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "PROXY_HOPS": hops,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    response = app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.7"},
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_data(as_text=True) == seen
