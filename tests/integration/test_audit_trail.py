"""Every case view, search, change, transition, login and refusal leaves an audit row."""

import pyotp
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.views import core as case_views
from app.cases.workflow import CaseState
from app.extensions import db
from tests.conftest import PASSWORD, totp_code, wrong_code
from tests.factories import CaseFactory, OrganisationFactory, SchoolFactory, user_with_role


def _log(**filters):
    stmt = sa.select(AuditEvent).order_by(AuditEvent.seq)
    for key, value in filters.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return db.session.scalars(stmt).all()


@pytest.fixture
def school_case():
    school = SchoolFactory()
    ib = user_with_role(Role.school_staff, school)
    case = CaseFactory(school=school, pupil__school=school)
    return ib, case


def test_viewing_a_case_logs_who_under_which_rule(login, school_case):
    ib, case = school_case
    login(ib).get(f"/cases/{case.id}")
    [event] = _log(action="read", case_id=case.id)
    assert event.user_id == ib.id
    assert event.role == "school_staff"
    assert event.authorisation == "school_staff"
    assert event.organisation == case.school.name
    assert event.subject_ref.endswith(case.pupil.reference)
    assert event.source_ip == "127.0.0.1" and event.request_id


def test_refused_view_of_a_foreign_case_is_logged(login, school_case):
    _, case = school_case
    outsider = user_with_role(Role.school_staff, SchoolFactory())
    response = login(outsider).get(f"/cases/{case.id}")
    assert response.status_code == 404
    [event] = _log(action="denied", case_id=case.id)
    assert event.outcome == "denied" and event.user_id == outsider.id


def test_transition_is_logged_in_the_same_transaction(login, school_case):
    ib, case = school_case
    client = login(ib)
    client.post(f"/cases/{case.id}/transitions/close",
                data={"close-version": case.version, "close-reason": "no_concern"})
    [event] = _log(action="transition:close", case_id=case.id)
    assert event.fields == "state" and event.authorisation == "school_staff"
    # a refused step (no reason) changes nothing and logs no change
    other = CaseFactory(school=case.school, pupil__school=case.school)
    client.post(f"/cases/{other.id}/transitions/close", data={"close-version": other.version})
    assert _log(action="transition:close", case_id=other.id) == []


def test_opening_and_editing_log_field_names_not_values(login, school_case):
    ib, case = school_case
    client = login(ib)
    response = client.post("/cases/new", data={
        "school_id": case.school_id, "reference": "AUD-1", "initials": "K.L.",
        "birth_year": "2015", "signals": ["gedrag"], "description": "Slaat klasgenoten",
    })
    assert response.status_code == 302
    [created] = _log(action="create")
    assert "description" in created.fields and "Slaat" not in (created.detail or "")
    client.post(f"/cases/{case.id}/edit", data={
        "version": case.version, "signals": ["gedrag"], "description": "Nieuw",
        "hulpvraag": case.hulpvraag, "discussed_with_parents": "y",
    })
    [updated] = _log(action="update", case_id=case.id)
    assert set(updated.fields.split(",")) == {"signals", "description"}


def test_caseload_search_is_logged_as_search(login, school_case):
    ib, case = school_case
    client = login(ib)
    client.post("/cases/search", data={"reference": case.pupil.reference[:3]})
    client.get("/cases/")
    [event] = _log(action="search")
    assert "treffers=1" in event.detail


def test_logins_and_logout_are_logged(client, school_case):
    ib, _ = school_case
    client.post("/auth/login", data={"email": ib.email, "password": "wrong password!"})
    client.post("/auth/login", data={"email": "nobody@example.org", "password": "x" * 12})
    client.post("/auth/login", data={"email": ib.email, "password": PASSWORD})
    client.post("/auth/code", data={"code": wrong_code(ib)})
    client.post("/auth/code", data={"code": totp_code(ib)})
    client.post("/auth/logout")
    actions = [(e.action, e.outcome, e.user_id) for e in _log()]
    assert actions == [("login_failed", "denied", ib.id), ("login_failed", "denied", None),
                       ("totp_failed", "denied", ib.id), ("login", "ok", ib.id),
                       ("logout", "ok", ib.id)]


def test_forbidden_admin_page_is_logged_as_refusal(login, school_case):
    ib, _ = school_case
    assert login(ib).get("/admin/").status_code == 403
    [event] = _log(action="denied")
    assert event.user_id == ib.id and "org.index" in event.detail


def test_coordinator_view_of_an_escalated_case_is_logged_as_such(login):
    school = SchoolFactory()
    coordinator = user_with_role(Role.coordinator, OrganisationFactory(region=school.region))
    case = CaseFactory(school=school, pupil__school=school, state=CaseState.escalation)
    assert login(coordinator).get(f"/cases/{case.id}").status_code == 200
    [event] = _log(action="read", case_id=case.id)
    assert event.authorisation == "coordinator_escalation" and event.role == "coordinator"


def test_read_row_survives_a_request_that_fails_afterwards(app, tmp_path, monkeypatch):
    """Outside the per-test transaction: a real file database and a real commit."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("one file database suffices; the PostgreSQL path is the same code")
    live = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False, "SECRET_KEY": "t",
                       "WTF_CSRF_ENABLED": False,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.db'}"})
    with live.app_context():
        upgrade()
        school = SchoolFactory()
        ib = user_with_role(Role.school_staff, school)
        case = CaseFactory(school=school, pupil__school=school)
        db.session.commit()
        email, secret, case_id = ib.email, ib.totp_secret, case.id

    def explode(*args, **kwargs):
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(case_views, "render_detail", explode)
    client = live.test_client()
    with live.app_context():
        client.post("/auth/login", data={"email": email, "password": PASSWORD})
        client.post("/auth/code", data={"code": pyotp.TOTP(secret).now()})
        assert client.get(f"/cases/{case_id}").status_code == 500
    with live.app_context():
        reads = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "read", AuditEvent.case_id == case_id)).all()
        assert len(reads) == 1
        db.engine.dispose()
