"""Forms work in a real browser over TLS (the Referrer-Policy pitfall, security study §0.4)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_login_and_signalering_post_over_https(page, live_tls):
    page.goto(f"{live_tls.url}/auth/login")
    response = page.request.get(f"{live_tls.url}/auth/login")
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    page.get_by_label("E-mailadres").fill(live_tls.ib_email)
    page.get_by_label("Wachtwoord").fill(live_tls.password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Code uit uw authenticator-app")).to_be_visible()
    page.get_by_label("Code uit uw authenticator-app").fill(live_tls.code())
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()

    page.get_by_role("link", name="Nieuwe signalering").first.click()
    page.get_by_label("Leerlingreferentie").fill("TLS-1")
    page.get_by_label("Initialen").fill("T.L.")
    page.get_by_label("Geboortejaar").fill("2015")
    page.get_by_label("Gedrag").check()
    page.get_by_label("Wat ziet u?").fill("Komt vaak te laat.")
    page.get_by_role("button", name="Signalering vastleggen").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    expect(page.get_by_text("Signalering voor TLS-1 is vastgelegd.")).to_be_visible()

    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "remember_token" not in cookies
    session = cookies["__Host-schakel"]
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax"
    assert session["path"] == "/" and session["expires"] == -1  # ends with the browser


def test_post_without_csrf_token_is_refused_in_dutch(page, live_tls):
    response = page.request.post(f"{live_tls.url}/auth/login",
                                 form={"email": "x@example.org", "password": "y" * 12})
    assert response.status == 400
    assert "Verzoek niet begrepen" in response.text()
