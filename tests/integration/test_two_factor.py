"""Two-factor login (ASVS 2.8, 4.3.1): password, then a TOTP code; enrolment comes first."""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth import sessions
from app.auth.models import Role, User
from app.extensions import db
from tests.conftest import PASSWORD, text_of, totp_code, wrong_code
from tests.factories import SchoolFactory, user_with_role


@pytest.fixture
def ib():
    return user_with_role(Role.school_staff, SchoolFactory(), name="Ilse Begeleider",
                          email="ilse@school.example")


@pytest.fixture
def newcomer():
    """An account that has never logged in: no second factor yet."""
    return user_with_role(Role.school_staff, SchoolFactory(), email="nieuw@school.example",
                          totp_secret=None, totp_enrolled_at=None)


def _password(client, user):
    return client.post("/auth/login", data={"email": user.email, "password": PASSWORD})


def _log(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.seq)).all()


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- the code step ----------------------------------------------------------------------------


def test_the_password_alone_does_not_log_in(ib, client):
    response = _password(client, ib)

    assert response.status_code == 302 and response.location == "/auth/code"
    assert client.get("/cases/").location.startswith("/auth/login")
    page = client.get("/auth/code")
    assert page.status_code == 200
    assert "Code uit uw authenticator-app" in text_of(page)
    assert _log("login") == []


def test_the_right_code_logs_in_and_is_logged(ib, client):
    _password(client, ib)
    response = client.post("/auth/code", data={"code": totp_code(ib)})

    assert response.status_code == 302 and response.location == "/"
    assert client.get("/cases/").status_code == 200
    [event] = _log("login")
    assert event.user_id == ib.id and event.outcome == "ok"


def test_a_wrong_code_is_refused_in_dutch_and_logged(ib, client):
    _password(client, ib)
    response = client.post("/auth/code", data={"code": wrong_code(ib)})

    assert response.status_code == 401
    assert "Deze code klopt niet of is al gebruikt." in text_of(response)
    assert client.get("/cases/").status_code == 302
    [event] = _log("totp_failed")
    assert (event.user_id, event.outcome, event.detail) == (ib.id, "denied",
                                                           "onjuiste of verlopen code")


def test_a_code_is_good_only_once(ib, client, app, login):
    code = totp_code(ib)
    _password(client, ib)
    assert client.post("/auth/code", data={"code": code}).status_code == 302

    replay = app.test_client()
    _password(replay, ib)
    response = replay.post("/auth/code", data={"code": code})

    assert response.status_code == 401
    assert replay.get("/cases/").status_code == 302
    [event] = _log("totp_failed")
    assert event.detail == "code al gebruikt"


def test_an_older_code_than_the_last_one_used_is_refused(ib, client):
    now = pyotp.TOTP(ib.totp_secret)
    step = int(time.time()) // 30
    _password(client, ib)
    assert client.post("/auth/code", data={"code": now.at((step + 1) * 30)}).status_code == 302
    client.post("/auth/logout")
    _password(client, ib)
    assert client.post("/auth/code", data={"code": now.at(step * 30)}).status_code == 401
    assert _fresh(ib).totp_last_step == step + 1


def test_the_code_and_secret_never_reach_the_log(ib, client):
    code = wrong_code(ib)
    _password(client, ib)
    client.post("/auth/code", data={"code": code})
    client.post("/auth/code", data={"code": totp_code(ib)})
    for event in db.session.scalars(sa.select(AuditEvent)):
        values = " ".join(str(getattr(event, c)) for c in AuditEvent.HASHED
                          if c not in ("at", "prev_hash", "request_id", "user_agent_hash"))
        assert code not in values and ib.totp_secret not in values and PASSWORD not in values


def test_the_code_page_without_a_password_goes_back_to_the_login(ib, client):
    response = client.post("/auth/code", data={"code": totp_code(ib)})
    assert response.status_code == 302 and response.location.startswith("/auth/login")
    assert client.get("/cases/").status_code == 302


def test_the_password_step_expires_after_five_minutes(ib, client):
    _password(client, ib)
    with client.session_transaction() as session:
        marker = session[sessions.PASSWORD_OK]
        session[sessions.PASSWORD_OK] = {**marker, "at": marker["at"] - 5 * 60 - 1}
    response = client.post("/auth/code", data={"code": totp_code(ib)})
    assert response.location.startswith("/auth/login")
    assert "Log opnieuw in: de vorige stap is verlopen" in text_of(client.get("/auth/login"))


def test_the_password_step_ends_when_the_account_logs_out_elsewhere(ib, client, login):
    _password(client, ib)
    login(ib).post("/auth/logout")  # rotates the nonce the marker is bound to
    response = client.post("/auth/code", data={"code": totp_code(ib)})
    assert response.location.startswith("/auth/login")


def test_the_password_step_of_a_deactivated_account_leads_nowhere(ib, client):
    _password(client, ib)
    ib.active = False
    db.session.flush()
    assert client.post("/auth/code", data={"code": totp_code(ib)}).location.startswith(
        "/auth/login")


def test_the_login_starts_a_new_session(ib, client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    _password(client, ib)
    with client.session_transaction() as session:
        assert "planted" not in session
        session["planted"] = "again"
    client.post("/auth/code", data={"code": totp_code(ib)})
    with client.session_transaction() as session:
        assert "planted" not in session and sessions.PASSWORD_OK not in session


# --- enrolment --------------------------------------------------------------------------------


def _secret_on_page(page) -> str:
    return re.search(r'class="totp-secret"><code>([A-Z2-7 ]+)</code>',
                     page.get_data(as_text=True)).group(1).replace(" ", "")


def test_a_new_account_enrols_before_anything_else(newcomer, client):
    response = _password(client, newcomer)
    assert response.location == "/auth/enrol"
    for path in ("/", "/cases/", "/auth/reauth", "/auth/password"):
        assert client.get(path).location.startswith("/auth/login"), path
    assert client.get("/auth/code").location == "/auth/enrol"

    page = client.get("/auth/enrol")
    secret = _secret_on_page(page)
    assert secret == _fresh(newcomer).totp_secret
    assert f"otpauth://totp/Schakel:nieuw%40school.example?secret={secret}" in (
        page.get_data(as_text=True))
    assert "<script" not in page.get_data(as_text=True)


def test_the_first_code_completes_enrolment_and_logs_in(newcomer, client):
    _password(client, newcomer)
    secret = _secret_on_page(client.get("/auth/enrol"))

    response = client.post("/auth/enrol", data={"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 302 and response.location == "/"
    assert "Tweestapsverificatie staat aan." in text_of(client.get("/", follow_redirects=True))
    user = _fresh(newcomer)
    assert user.has_second_factor and user.totp_secret == secret
    [change] = _log("totp_enrol")
    assert change.object_id == newcomer.id and change.detail is None
    assert [e.user_id for e in _log("login")] == [newcomer.id]


def test_a_wrong_first_code_does_not_enrol(newcomer, client):
    _password(client, newcomer)
    client.get("/auth/enrol")
    response = client.post("/auth/enrol", data={"code": wrong_code(_fresh(newcomer))})

    assert response.status_code == 401
    assert "Deze code klopt niet" in text_of(response)
    assert not _fresh(newcomer).has_second_factor
    assert client.get("/cases/").status_code == 302


def test_the_secret_stays_the_same_until_enrolment(newcomer, client, app):
    _password(client, newcomer)
    first = _secret_on_page(client.get("/auth/enrol"))
    later = app.test_client()
    _password(later, newcomer)
    assert _secret_on_page(later.get("/auth/enrol")) == first


def test_an_enrolled_account_cannot_enrol_again(ib, client):
    _password(client, ib)
    assert client.get("/auth/enrol").location == "/auth/code"
    secret = ib.totp_secret
    client.post("/auth/enrol", data={"code": totp_code(ib)})
    assert _fresh(ib).totp_secret == secret


@pytest.mark.parametrize("code", ["", "12345", "abcdef"])
def test_a_malformed_code_gets_a_dutch_hint(ib, client, code):
    _password(client, ib)
    response = client.post("/auth/code", data={"code": code})
    assert response.status_code == 422
    assert ("Vul de code van zes cijfers" in text_of(response)
            or "Een code bestaat uit zes cijfers." in text_of(response))


def test_reset_2fa_makes_the_user_enrol_again_and_ends_their_sessions(ib, login, runner, client):
    other = login(ib)
    result = runner.invoke(args=["users", "reset-2fa", "--email", "Ilse@School.Example"])

    assert result.exit_code == 0, result.output
    assert other.get("/cases/").status_code == 302
    user = _fresh(ib)
    assert user.totp_secret is None and not user.has_second_factor
    assert _password(client, ib).location == "/auth/enrol"
    assert [e.object_id for e in _log("totp_reset")] == [ib.id]


def test_reset_2fa_of_an_unknown_address_says_so(runner):
    result = runner.invoke(args=["users", "reset-2fa", "--email", "niemand@school.example"])
    assert result.exit_code != 0 and "Er is geen account" in result.output
