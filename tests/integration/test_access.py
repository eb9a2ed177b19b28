"""Nobody outside a case learns anything about it: every case route answers 403/404, never data."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import Case, CaseTransition
from app.cases.workflow import TRIGGER_LABELS, CaseState
from app.extensions import db
from tests.conftest import text_of
from tests.factories import CaseFactory, OrganisationFactory, SchoolFactory, user_with_role

REFERENCE = "GEHEIM-4711"
DESCRIPTION = "Vader dreigt het kind van school te halen"
HULPVRAAG = "Veilig thuis inschakelen?"

FORM = {"version": "1", "reason": "thuiszitter", "note": "Ik probeer het toch.", "dest": "mdo"}
# (method, url pattern, form data, endpoint): every route that takes a case id.
CASE_ROUTES = [
    ("GET", "/cases/{id}", None, "cases.detail"),
    ("GET", "/cases/{id}/edit", None, "cases.edit"),
    ("POST", "/cases/{id}/edit",
     {"version": "1", "signals": ["gedrag"], "description": "Overschreven."}, "cases.edit"),
    *[("POST", f"/cases/{{id}}/transitions/{t}", {f"{t}-{k}": v for k, v in FORM.items()},
       "cases.fire") for t in TRIGGER_LABELS],
    ("POST", "/cases/{id}/consents", {"consent-version": "1", "consent-purpose": "Verwijzing "
     "naar jeugdhulp", "consent-parties": ["parents", "pupil"]}, "cases.consent_record"),
    ("POST", "/cases/{id}/consents/999999/withdraw", {"withdraw-version": "1"},
     "cases.consent_withdraw"),
    ("POST", "/cases/{id}/meldcode", {"meldcode-version": "1", "meldcode-justification":
     "Ik wil deze casus toch graag met iedereen delen."}, "cases.meldcode"),
    ("POST", "/cases/{id}/regie", {"regie-version": "1", "regie-to_user_id": "1"},
     "cases.regie_request"),
    *[("POST", f"/cases/{{id}}/regie/999999/{what}",
       {f"regie_{what}-version": "1", f"regie_{what}-reason": "Geen tijd."}, f"cases.regie_{what}")
      for what in ("accept", "decline", "withdraw")],
    *[(method, f"/cases/{{id}}/arrangement/{what}", None if method == "GET" else {
        "version": "1", "kind": "oza_1", "goal_school": "Overschreven.",
        "starts_on": "2030-01-01", "evaluation_due": "2030-03-01"}, f"cases.arrangement_{what}")
      for what in ("new", "edit") for method in ("GET", "POST")],
    ("POST", "/cases/{id}/plans", {"plan-version": "1", "plan-kind": "opp",
                                   "plan-drawn_up_on": "2020-01-01"}, "cases.plan_new"),
    ("POST", "/cases/{id}/referrals", {"referral-version": "1", "referral-question": "Hulp?"},
     "cases.referral_send"),
    ("GET", "/cases/{id}/referrals/999999", None, "cases.referral"),
    ("POST", "/cases/{id}/referrals/999999/answer/accept", {"accept-version": "1"},
     "cases.referral_answer"),
    ("POST", "/cases/{id}/referrals/999999/notes", {"note-version": "1", "note-text": "Nee."},
     "cases.referral_note"),
    *[(method, "/cases/{id}/mdo/plan", None if method == "GET" else {
        "version": "1", "planned_on": "2030-01-01", "planned_time": "14:00", "chair_id": "1",
        "invitees": ["o1"]}, "cases.mdo_plan") for method in ("GET", "POST")],
    *[(method, "/cases/{id}/mdo/999999/hold", None if method == "GET" else {
        "version": "1", "held_on": "2020-01-01", "held_time": "10:00", "parents": "present",
        "pupil_voice": "present", "minutes": "Overschreven."}, "cases.mdo_hold")
      for method in ("GET", "POST")],
    ("GET", "/cases/{id}/mdo/999999/verslag", None, "cases.mdo_minutes"),
    ("POST", "/cases/{id}/actions/999999/done", {"version": "1"}, "cases.action_done"),
    ("POST", "/cases/{id}/evaluation", {"evaluation-version": "1", "evaluation-held_on":
     "2020-01-01", "evaluation-school_present": "y", "evaluation-outcome": "close",
     "evaluation-closure_reason": "goals_met"}, "cases.record_evaluation"),
    ("POST", "/cases/{id}/thuiszitter", {"thuiszitter-version": "1", "thuiszitter-reason":
     "ziekte", "thuiszitter-started_on": "2020-01-01"}, "thuiszitter.start"),
    ("POST", "/cases/{id}/thuiszitter/end", {"thuiszitter_end-version": "1",
     "thuiszitter_end-ended_on": "2020-02-01"}, "thuiszitter.end"),
    ("GET", "/audit/cases/{id}", None, "audit.case_log"),
    ("GET", "/audit/cases/{id}/export.csv", None, "audit.case_log_export"),
]


def _route_id(route):
    method, url, _, _ = route
    return f"{method} {url.replace('/{id}', '')}"


@pytest.fixture
def secret_case():
    school = SchoolFactory(name="Basisschool Het Geheim")
    case = CaseFactory(school=school, pupil__school=school, pupil__reference=REFERENCE,
                       description=DESCRIPTION, hulpvraag=HULPVRAAG)
    return case


def _snapshot(case_id):
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    transitions = db.session.scalar(sa.select(sa.func.count(CaseTransition.id)))
    return case.state, case.version, case.description, transitions


def _assert_no_data(response):
    body = response.get_data(as_text=True)
    for secret in (REFERENCE, DESCRIPTION, HULPVRAAG, "Het Geheim"):
        assert secret not in body


def test_every_route_with_a_case_id_is_checked_here(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if "case_id" in rule.arguments
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == {(endpoint, method) for method, _, _, endpoint in CASE_ROUTES}


@pytest.mark.parametrize("route", CASE_ROUTES, ids=_route_id)
def test_staff_of_another_school_gets_no_case_data(route, secret_case, login):
    method, url, data, endpoint = route
    outsider = user_with_role(Role.school_staff, SchoolFactory(municipality=secret_case.school
                                                                .municipality))
    before = _snapshot(secret_case.id)
    client = login(outsider)

    response = client.open(url.format(id=secret_case.id), method=method, data=data)

    assert response.status_code == (403 if endpoint.startswith("audit.") else 404)
    _assert_no_data(response)
    assert _snapshot(secret_case.id) == before


@pytest.mark.parametrize("role", [Role.youth_professional, Role.participant, Role.coordinator,
                                  Role.admin, Role.privacy_officer], ids=lambda r: r.value)
@pytest.mark.parametrize("route", [r for r in CASE_ROUTES if r[3].startswith("cases.")],
                         ids=_route_id)
def test_roles_without_a_part_in_the_case_get_no_case_data(route, role, secret_case, login):
    method, url, data, _ = route
    someone = user_with_role(role, OrganisationFactory(region=secret_case.school.region))
    before = _snapshot(secret_case.id)

    response = login(someone).open(url.format(id=secret_case.id), method=method, data=data)

    assert response.status_code == 404
    _assert_no_data(response)
    assert _snapshot(secret_case.id) == before


@pytest.mark.parametrize("route", CASE_ROUTES, ids=_route_id)
def test_an_anonymous_visitor_is_sent_to_the_login_page(route, secret_case, client):
    method, url, data, _ = route
    response = client.open(url.format(id=secret_case.id), method=method, data=data)
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")
    _assert_no_data(response)


def test_a_case_that_does_not_exist_looks_the_same_as_one_out_of_reach(secret_case, login):
    outsider = login(user_with_role(Role.school_staff, SchoolFactory()))
    hidden = outsider.get(f"/cases/{secret_case.id}")
    missing = outsider.get(f"/cases/{secret_case.id + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()


def test_the_refusal_is_in_the_access_log(secret_case, login):
    outsider = user_with_role(Role.school_staff, SchoolFactory())
    login(outsider).get(f"/cases/{secret_case.id}")
    outcome = db.session.execute(
        sa.select(AuditEvent.user_id, AuditEvent.outcome)
        .where(AuditEvent.case_id == secret_case.id)
    ).all()
    assert outcome == [(outsider.id, "denied")]


def test_the_caseload_of_another_school_never_shows_the_case(secret_case, login):
    client = login(user_with_role(Role.school_staff, SchoolFactory()))
    for page in (client.get("/cases/"), client.get("/cases/?state=signalering")):
        assert page.status_code == 200
        _assert_no_data(page)
        assert f"/cases/{secret_case.id}" not in page.get_data(as_text=True)

    client.post("/cases/search", data={"reference": REFERENCE})
    found = client.get("/cases/")
    assert "0 casussen" in text_of(found)  # the term the user typed is echoed, nothing else
    assert DESCRIPTION not in found.get_data(as_text=True)
    assert f"/cases/{secret_case.id}" not in found.get_data(as_text=True)


def test_the_coordinator_loses_sight_when_the_escalation_is_over(secret_case, login):
    coordinator = user_with_role(Role.coordinator,
                                 OrganisationFactory(region=secret_case.school.region))
    secret_case.state = CaseState.escalation
    db.session.flush()
    client = login(coordinator)
    assert client.get(f"/cases/{secret_case.id}").status_code == 200

    secret_case.state = CaseState.mdo
    db.session.flush()
    response = client.get(f"/cases/{secret_case.id}")
    assert response.status_code == 404
    _assert_no_data(response)
