"""Logging in and out: sessions end for real, redirects stay on the site, forms need a token."""

import re

import pytest

from app.auth.models import Role
from tests.conftest import PASSWORD, text_of, totp_code
from tests.factories import SchoolFactory, user_with_role

UNKNOWN = "Deze combinatie van e-mailadres en wachtwoord kennen we niet."


@pytest.fixture
def ib():
    return user_with_role(Role.school_staff, SchoolFactory(), name="Ilse Begeleider",
                          email="ilse@school.example")


def _login(client, email, password=PASSWORD, next_=None):
    """The password step only: it leads to the code step, not into the application."""
    url = "/auth/login" + (f"?next={next_}" if next_ is not None else "")
    return client.post(url, data={"email": email, "password": password})


def _both_steps(client, user, next_=None):
    code_step = _login(client, user.email, next_=next_)
    assert code_step.status_code == 302 and code_step.location.startswith("/auth/code")
    return client.post(code_step.location, data={"code": totp_code(user)})


def test_login_takes_the_user_to_their_work(ib, client):
    response = _both_steps(client, ib)

    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").location == "/cases/"
    assert "Ilse Begeleider" in text_of(client.get("/cases/"))


def test_the_email_address_is_not_case_sensitive(ib, client):
    assert _login(client, "  Ilse@School.Example ").location == "/auth/code"


def test_a_wrong_password_and_an_unknown_address_get_the_same_dutch_answer(ib, client):
    wrong_password = _login(client, "ilse@school.example", "niet het goede wachtwoord")
    unknown_user = _login(client, "niemand@school.example")

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert UNKNOWN in text_of(wrong_password)
    assert text_of(wrong_password) == text_of(unknown_user)
    assert client.get("/cases/").status_code == 302  # still not logged in


def test_an_inactive_user_cannot_log_in(client):
    user = user_with_role(Role.school_staff, SchoolFactory(), active=False)
    response = _login(client, user.email)
    assert response.status_code == 401
    assert UNKNOWN in text_of(response)


def test_an_empty_login_form_says_what_is_missing(client):
    response = client.post("/auth/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Vul uw e-mailadres in." in text_of(response)
    assert "Vul uw wachtwoord in." in text_of(response)


def test_pages_behind_the_login_send_visitors_to_it(client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_a_logged_in_user_asking_for_the_login_page_goes_home(ib, login):
    client = login(ib)
    response = client.get("/auth/login")
    assert response.status_code == 302 and response.location == "/"


# --- logout ------------------------------------------------------------------------------------


def test_logout_is_a_post(ib, login):
    client = login(ib)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/cases/").status_code == 200  # a link or an image cannot log you out

    response = client.post("/auth/logout")

    assert response.status_code == 302 and response.location == "/auth/login"
    assert "U bent uitgelogd." in text_of(client.get("/auth/login"))
    assert client.get("/cases/").status_code == 302


def test_a_copied_session_cookie_stops_working_after_logout(ib, app, login):
    client = login(ib)
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/cases/").status_code == 200  # the copy works while the session lives

    client.post("/auth/logout")

    response = thief.get("/cases/")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_logout_ends_the_users_other_sessions_too(ib, login):
    laptop, phone = login(ib), login(ib)
    laptop.post("/auth/logout")
    assert phone.get("/cases/").status_code == 302


def test_logging_in_again_after_logout_works(ib, login):
    client = login(ib)
    client.post("/auth/logout")
    assert _both_steps(client, ib).status_code == 302
    assert client.get("/cases/").status_code == 200


# --- where to go after login ---------------------------------------------------------------------


def test_next_within_the_site_is_followed(ib, client):
    response = _both_steps(client, ib, next_="/cases/%3Fstate%3Dmdo")
    assert response.location == "/cases/?state=mdo"


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "http://evil.example/cases/",
    "/\\evil.example", "\\\\evil.example", "/%09/evil.example", "javascript:alert(1)",
    "evil.example", "",
])
def test_next_off_the_site_is_ignored(ib, client, target):
    code_step = _login(client, ib.email, next_=target)
    assert code_step.location == "/auth/code"
    response = client.post(f"/auth/code?next={target}", data={"code": totp_code(ib)})
    assert response.status_code == 302
    assert response.location == "/"


# --- CSRF ----------------------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _token(page) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                     page.get_data(as_text=True)).group(1)


def test_a_post_without_csrf_token_is_refused_in_dutch(ib, client, csrf_on):
    response = _login(client, ib.email)

    assert response.status_code == 400
    assert "Verzoek niet begrepen" in text_of(response)
    assert "CSRF" not in text_of(response)
    assert client.get("/cases/").status_code == 302  # not logged in


def test_a_post_with_the_forms_token_is_accepted(ib, client, csrf_on):
    token = _token(client.get("/auth/login"))
    response = client.post("/auth/login", data={"email": ib.email, "password": PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 302


def test_the_code_step_needs_the_token_too(ib, client, csrf_on):
    token = _token(client.get("/auth/login"))
    client.post("/auth/login", data={"email": ib.email, "password": PASSWORD,
                                     "csrf_token": token})
    assert client.post("/auth/code", data={"code": totp_code(ib)}).status_code == 400
    token = _token(client.get("/auth/code"))
    response = client.post("/auth/code", data={"code": totp_code(ib), "csrf_token": token})
    assert response.status_code == 302 and response.location == "/"


def test_a_token_from_another_session_is_refused(ib, app, client, csrf_on):
    foreign = _token(app.test_client().get("/auth/login"))
    response = client.post("/auth/login", data={"email": ib.email, "password": PASSWORD,
                                                "csrf_token": foreign})
    assert response.status_code == 400


def test_logout_without_a_token_does_not_log_out(ib, client, csrf_on):
    token = _token(client.get("/auth/login"))
    client.post("/auth/login", data={"email": ib.email, "password": PASSWORD,
                                     "csrf_token": token})
    token = _token(client.get("/auth/code"))
    client.post("/auth/code", data={"code": totp_code(ib), "csrf_token": token})

    assert client.post("/auth/logout").status_code == 400
    assert client.get("/cases/").status_code == 200

