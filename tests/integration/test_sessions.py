"""Session lifetime and cookies (ASVS 3.2.1, 3.3.1, 3.3.2, 3.4.x): 30 minutes idle, 12 hours in
all, a new session on login, never remember-me, and `__Host-` Secure cookies over TLS."""

import importlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from app import config as config_module
from app.audit.models import AuditEvent
from app.auth import sessions
from app.auth.models import Role
from app.extensions import db
from app.models import utcnow
from tests.conftest import text_of
from tests.factories import SchoolFactory, user_with_role


@pytest.fixture
def ib():
    return user_with_role(Role.school_staff, SchoolFactory())


def _shift(client, key, seconds):
    with client.session_transaction() as session:
        session[key] -= seconds


def _expired_rows():
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "session_expired")).all()


def test_a_session_idle_for_30_minutes_ends_with_a_dutch_message(ib, login):
    client = login(ib)
    _shift(client, sessions.SEEN_AT, 30 * 60 + 1)

    response = client.get("/cases/?state=mdo")

    assert response.status_code == 302
    assert response.location == "/auth/login?next=/cases/?state%3Dmdo"
    assert "een half uur niets hebt gedaan. Log opnieuw in." in text_of(
        client.get("/auth/login"))
    assert client.get("/cases/").status_code == 302  # and stays ended
    [row] = _expired_rows()
    assert (row.user_id, row.detail) == (ib.id, "inactief")


def test_activity_keeps_the_session_alive(ib, login):
    client = login(ib)
    for _ in range(3):
        _shift(client, sessions.SEEN_AT, 29 * 60)
        assert client.get("/cases/").status_code == 200
    assert _expired_rows() == []


def test_a_session_ends_12_hours_after_login_however_active(ib, login):
    client = login(ib)
    _shift(client, sessions.LOGIN_AT, 12 * 3600 + 1)

    response = client.post("/cases/search", data={"reference": "X"})

    assert response.status_code == 302 and response.location == "/auth/login"
    assert "langer dan 12 uur ingelogd" in text_of(client.get("/auth/login"))
    [row] = _expired_rows()
    assert row.detail == "12 uur"


def test_idle_timeout_by_the_clock(ib, login):
    start = utcnow()
    with freeze_time(start) as clock:
        client = login(ib)
        clock.tick(timedelta(minutes=29))
        assert client.get("/cases/").status_code == 200
        clock.tick(timedelta(minutes=29))
        assert client.get("/cases/").status_code == 200
        clock.tick(timedelta(minutes=31))
        assert client.get("/cases/").status_code == 302


def test_absolute_timeout_by_the_clock(ib, login):
    with freeze_time(utcnow()) as clock:
        client = login(ib)
        for _ in range(30):  # busy all day, a request every 29 minutes
            clock.tick(timedelta(minutes=29))
            if client.get("/cases/").status_code != 200:
                break
        assert client.get("/cases/").status_code == 302
        assert _expired_rows()[0].detail == "12 uur"


def test_a_session_without_timestamps_is_not_accepted(ib, login):
    client = login(ib)
    with client.session_transaction() as session:
        del session[sessions.LOGIN_AT]
    assert client.get("/cases/").status_code == 302


def test_login_never_sets_a_remember_me_cookie(ib, login, app):
    client = login(ib)
    assert client.get_cookie("remember_token") is None
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(0)


def test_the_session_cookie_is_httponly_and_lax(ib, app):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": ib.email, "password": "x" * 12})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(("env", "secure"), [
    ({}, False),
    ({"SCHAKEL_TLS": "1"}, True),
    ({"SCHAKEL_ENV": "production"}, True),
])
def test_tls_makes_the_cookie_secure_and_host_bound(monkeypatch, env, secure):
    for name in ("SCHAKEL_TLS", "SCHAKEL_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        config = importlib.reload(config_module).Config
        assert config.SESSION_COOKIE_SECURE is secure
        assert config.SESSION_COOKIE_NAME == ("__Host-schakel" if secure else "session")
        assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"
    finally:
        monkeypatch.undo()
        importlib.reload(config_module)
