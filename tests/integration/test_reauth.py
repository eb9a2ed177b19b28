"""Re-authentication before an export (ASVS 3.7.1), the access-log CSV, and password changes."""

import csv
import io

import pytest
import sqlalchemy as sa

from app.audit import services as audit
from app.audit.models import AuditEvent
from app.auth import sessions
from app.auth.models import Role, User
from app.extensions import db
from tests.conftest import PASSWORD, text_of, totp_code, wrong_code
from tests.factories import CaseFactory, OrganisationFactory, SchoolFactory, user_with_role

NEW_PASSWORD = "fietsen langs de duinen in mei"


@pytest.fixture
def case():
    school = SchoolFactory()
    return CaseFactory(school=school, pupil__school=school, pupil__reference="RB-0042")


@pytest.fixture
def officer(case):
    return user_with_role(Role.privacy_officer, OrganisationFactory(region=case.school.region),
                          name="Ellen Hoekstein")


def _export_url(case) -> str:
    return f"/audit/cases/{case.id}/export.csv"


def _age_login(client, seconds=5 * 60 + 1):
    with client.session_transaction() as session:
        session[sessions.AUTH_AT] -= seconds


def _log(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.seq)).all()


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# --- the export -----------------------------------------------------------------------------


def test_a_fresh_login_downloads_the_csv(case, officer, login):
    audit.record_access("read", case, detail=None, user=officer)
    db.session.commit()
    response = login(officer).get(_export_url(case))

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="toegangslog-{case.id}.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = _rows(response)
    assert header == ["Wanneer", "Wie", "Rol en organisatie", "Handeling", "Grond", "Uitkomst",
                      "Vanaf"]
    assert [r[1] for r in rows] == ["Ellen Hoekstein"] and rows[0][3] == "read"
    [export] = _log("log_export")
    assert (export.case_id, export.user_id, export.detail) == (case.id, officer.id, "1 rijen")


def test_cells_that_look_like_formulas_are_written_as_text(case, officer, login):
    evil = user_with_role(Role.school_staff, case.school, name="=HYPERLINK(\"http://x\")")
    audit.record_access("read", case, user=evil)
    db.session.commit()
    [row] = _rows(login(officer).get(_export_url(case)))[1:]
    assert row[1] == "'=HYPERLINK(\"http://x\")"


def test_a_stale_login_is_sent_to_reauthenticate_first(case, officer, login):
    client = login(officer)
    _age_login(client)

    response = client.get(_export_url(case))

    assert response.status_code == 302
    assert response.location == f"/auth/reauth?next=/audit/cases/{case.id}/export.csv"
    page = client.get(response.location)
    assert "Bevestig dat u het bent" in text_of(page)
    assert _log("log_export") == []


def test_reauthentication_returns_to_the_export(case, officer, login):
    client = login(officer)
    _age_login(client)
    target = client.get(_export_url(case)).location

    response = client.post(target, data={"password": PASSWORD, "code": totp_code(officer)})

    assert response.status_code == 302 and response.location == _export_url(case)
    assert client.get(response.location).status_code == 200
    [reauth] = _log("reauth")
    assert (reauth.user_id, reauth.outcome) == (officer.id, "ok")


@pytest.mark.parametrize("wrong", ["password", "code"])
def test_a_wrong_password_or_code_is_refused_and_logged(case, officer, login, wrong):
    client = login(officer)
    _age_login(client)
    data = {"password": PASSWORD, "code": totp_code(officer)}
    data[wrong] = "verkeerd wachtwoord" if wrong == "password" else wrong_code(officer)

    response = client.post(f"/auth/reauth?next={_export_url(case)}", data=data)

    assert response.status_code == 401
    assert "Het wachtwoord of de code klopt niet." in text_of(response)
    assert client.get(_export_url(case)).status_code == 302  # still stale
    [reauth] = _log("reauth")
    assert reauth.outcome == "denied" and PASSWORD not in (reauth.detail or "")


def test_reauthentication_does_not_follow_a_foreign_next(officer, login):
    client = login(officer)
    response = client.post("/auth/reauth?next=//evil.example/",
                           data={"password": PASSWORD, "code": totp_code(officer)})
    assert response.location == "/"


def test_reauthentication_needs_a_login(client):
    assert client.get("/auth/reauth").location.startswith("/auth/login")


def test_the_export_of_another_regions_case_is_not_found(case, login):
    outsider = user_with_role(Role.privacy_officer, OrganisationFactory())
    assert login(outsider).get(_export_url(case)).status_code == 404
    assert _log("log_export") == []


def test_the_log_page_links_to_the_export(case, officer, login):
    page = login(officer).get(f"/audit/cases/{case.id}")
    assert f'href="{_export_url(case)}"' in page.get_data(as_text=True)
    assert "Download als CSV" in text_of(page)


# --- changing one's password --------------------------------------------------------------------


def _change(client, current=PASSWORD, new=NEW_PASSWORD, repeat=None):
    return client.post("/auth/password", data={"current": current, "new": new,
                                               "repeat": new if repeat is None else repeat})


def test_a_user_changes_their_password_and_other_sessions_end(officer, login):
    laptop, phone = login(officer), login(officer)

    response = _change(laptop)

    assert response.status_code == 302
    assert laptop.get("/audit/").status_code == 200  # this session goes on
    assert phone.get("/audit/").status_code == 302  # the others end (ASVS 3.3.3)
    db.session.expire_all()
    assert db.session.get(User, officer.id).check_password(NEW_PASSWORD)
    assert [e.object_id for e in _log("password_change")] == [officer.id]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"current": "niet mijn wachtwoord"}, "Uw huidige wachtwoord klopt niet."),
    ({"new": "Wachtwoord2026!"}, "wordt te vaak gebruikt"),
    ({"new": "kort"}, "minstens 12 tekens"),
    ({"new": "Ellen houdt van fietsen"}, "naam of e-mailadres"),
    ({"repeat": "iets anders dan het nieuwe"}, "niet gelijk"),
])
def test_a_refused_password_change_says_why(officer, login, kwargs, message):
    response = _change(login(officer), **kwargs)
    assert response.status_code in (401, 422)
    assert message in text_of(response)
    db.session.expire_all()
    assert db.session.get(User, officer.id).check_password(PASSWORD)
