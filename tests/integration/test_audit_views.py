"""The privacy officer's 'wie heeft dit dossier ingezien' page."""

import pytest
import sqlalchemy as sa

from app.audit import services
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from tests.conftest import text_of
from tests.factories import CaseFactory, OrganisationFactory, SchoolFactory, user_with_role


@pytest.fixture
def setting():
    school = SchoolFactory()
    case = CaseFactory(school=school, pupil__school=school, description="Geheime zorg")
    ib = user_with_role(Role.school_staff, school, name="Iris Beuk")
    officer = user_with_role(Role.privacy_officer, OrganisationFactory(region=school.region))
    services.record_access("read", case, services.Access("school_staff", "school_staff",
                                                         school.name), user=ib)
    return case, ib, officer


def test_officer_sees_who_read_the_file_but_not_its_content(login, setting):
    case, ib, officer = setting
    response = login(officer).get(f"/audit/cases/{case.id}")
    assert response.status_code == 200
    text = text_of(response)
    assert "Iris Beuk" in text and "school_staff" in text and "read" in text
    assert "Geheime zorg" not in text
    [log_read] = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "log_read")).all()
    assert log_read.user_id == officer.id and log_read.case_id == case.id


def test_officer_finds_the_file_by_post(login, setting):
    case, _, officer = setting
    client = login(officer)
    response = client.post("/audit/", data={"brin": case.school.brin.lower(),
                                            "reference": case.pupil.reference})
    assert response.status_code == 302
    assert response.location.endswith(f"/audit/cases/{case.id}")
    assert case.pupil.reference not in response.location
    missing = client.post("/audit/", data={"brin": case.school.brin, "reference": "NOPE"})
    assert missing.status_code == 200
    assert "Geen dossier gevonden" in text_of(missing)


def test_officer_of_another_region_gets_nothing(login, setting):
    case, _, _ = setting
    other = user_with_role(Role.privacy_officer, OrganisationFactory())
    client = login(other)
    assert client.get(f"/audit/cases/{case.id}").status_code == 404
    response = client.post("/audit/", data={"brin": case.school.brin,
                                            "reference": case.pupil.reference})
    assert response.status_code == 200
    assert "Geen dossier gevonden" in text_of(response)


@pytest.mark.parametrize("role", [Role.school_staff, Role.coordinator, Role.admin])
def test_other_roles_cannot_read_the_log(login, setting, role):
    case, _, _ = setting
    home = case.school if role == Role.school_staff else OrganisationFactory(
        region=case.school.region)
    user = user_with_role(role, home)
    client = login(user)
    assert client.get(f"/audit/cases/{case.id}").status_code == 403
    assert client.get("/audit/").status_code == 403


def test_privacy_officer_never_sees_case_content(login, setting):
    case, _, officer = setting
    assert login(officer).get(f"/cases/{case.id}").status_code == 404
