"""Escalating by hand, and the coordinator's work on the escalation page: assign, move up a
tier, decide, resolve back into the workflow; each with its notifications, audit and refusals."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import Case, CaseEvent
from app.cases.workflow import CaseState, EscalationReason
from app.escalation.models import Escalation
from app.extensions import db
from app.notifications.models import Notification
from app.org.models import OrganisationKind
from tests.conftest import text_of
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    ConsentFactory,
    EscalationFactory,
    EscalationTierFactory,
    OrganisationFactory,
    SchoolFactory,
    user_with_role,
)

TODAY = date.today()


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def coach(school):
    return user_with_role(Role.youth_professional, OrganisationFactory(region=school.region))


@pytest.fixture
def coordinators(school):
    swv = OrganisationFactory(region=school.region, kind=OrganisationKind.samenwerkingsverband)
    return (user_with_role(Role.coordinator, swv, name="Priya Coördinator"),
            user_with_role(Role.coordinator, swv, name="Kees Collega"))


@pytest.fixture
def ladder(school):
    """Levels 1 and 3: moving up skips the level that does not exist."""
    return (EscalationTierFactory(region=school.region, level=1, name="E1 – voorzitter",
                                  sla_days=14),
            EscalationTierFactory(region=school.region, level=3, name="E3 – wethouder",
                                  sla_days=28, decider="Wethouder jeugd"))


@pytest.fixture
def escalated(school, ib, coach, ladder):
    """A case in mdo with its regie holder's consent, escalated."""
    case = CaseFactory(school=school, pupil__school=school, opened_by=ib,
                       state=CaseState.escalation, regie_holder_id=coach.id)
    ConsentFactory(case=case, recipient=coach.memberships[0].organisation)
    escalation = EscalationFactory(case=case, reason=EscalationReason.no_school_place)
    db.session.commit()
    return escalation


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def _notified(case_id, text_part) -> set[int]:
    return {n.user_id for n in db.session.scalars(sa.select(Notification).where(
        Notification.case_id == case_id, Notification.kind == "escalation"))
        if text_part in n.text}


def _post(client, escalation, action, **data):
    data.setdefault("version", escalation.case.version)
    prefix = {"tier": "tier"}.get(action, action.split("/")[0])
    return client.post(f"/escalaties/{escalation.id}/{action}",
                       data={f"{prefix}-{k}": v for k, v in data.items()})


# --- escalating by hand (the "Escaleren" step of the case page) ---------------------------------


def test_escalating_from_the_case_page_puts_it_in_the_queue(school, ib, coach, coordinators,
                                                            ladder, login):
    case = CaseFactory(school=school, pupil__school=school, opened_by=ib, state=CaseState.mdo,
                       regie_holder_id=coach.id)
    db.session.commit()
    response = login(ib).post(f"/cases/{case.id}/transitions/escalate", data={
        "escalate-version": str(case.version), "escalate-reason": "no_school_place",
        "escalate-note": "Geen passende plek gevonden na drie aanvragen."})
    assert response.status_code == 302

    case = _fresh(Case, case.id)
    assert case.state == CaseState.escalation
    escalation = case.open_escalation
    assert (escalation.reason, escalation.rule, escalation.opened_by_id) == (
        EscalationReason.no_school_place, None, ib.id)
    assert (escalation.tier, escalation.due_on) == (1, TODAY + timedelta(days=14))
    # nobody assigned yet: every coordinator of the region hears of it, and the regie holder;
    # the school staff member did it and is not told what they just did
    assert _notified(case.id, "geëscaleerd") == {coordinators[0].id, coordinators[1].id,
                                                 coach.id}
    queue = login(coordinators[0]).get("/escalaties/")
    assert f'href="/escalaties/{escalation.id}"' in queue.get_data(as_text=True)


def test_escalating_by_hand_needs_a_reason_and_a_rationale(school, ib, login):
    case = CaseFactory(school=school, pupil__school=school, opened_by=ib, state=CaseState.mdo)
    db.session.commit()
    response = login(ib).post(f"/cases/{case.id}/transitions/escalate", data={
        "escalate-version": str(case.version), "escalate-reason": "", "escalate-note": ""})
    assert response.status_code == 422
    assert "Kies een reden voor de escalatie." in text_of(response)
    assert _fresh(Case, case.id).escalations == []


# --- the page ------------------------------------------------------------------------------------


def test_the_escalation_page_shows_the_case_and_is_logged(escalated, coordinators, login):
    response = login(coordinators[0]).get(f"/escalaties/{escalated.id}")
    assert response.status_code == 200
    text = text_of(response)
    assert escalated.case.pupil.reference in text and "Geen schoolplek" in text
    assert "E1 – voorzitter" in text and "binnen termijn" in text
    assert "Opschalen naar E3 – wethouder" in text
    assert "Afronden kan nog niet" in text and "besluit van een coördinator" in text
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == escalated.case_id, AuditEvent.action == "read")).one()
    assert (event.object_type, event.authorisation) == ("escalation", "coordinator_escalation")


@pytest.mark.parametrize("role", [Role.school_staff, Role.youth_professional, Role.admin])
def test_only_coordinators_reach_the_escalation_page(escalated, school, role, login):
    home = school if role == Role.school_staff else OrganisationFactory(region=school.region)
    client = login(user_with_role(role, home))
    assert client.get(f"/escalaties/{escalated.id}").status_code == 403
    assert _post(client, escalated, "assign").status_code == 403


def test_a_resolved_escalation_is_out_of_reach(escalated, coordinators, login):
    escalated.resolved_at = escalated.opened_at
    escalated.case.state = CaseState.mdo
    db.session.commit()
    assert login(coordinators[0]).get(f"/escalaties/{escalated.id}").status_code == 404


# --- assign to me -----------------------------------------------------------------------------


def test_assign_to_me(escalated, coordinators, coach, ib, login):
    me = coordinators[0]
    version = escalated.case.version
    response = _post(login(me), escalated, "assign")
    assert response.status_code == 302 and response.location == f"/escalaties/{escalated.id}"
    escalation = _fresh(Escalation, escalated.id)
    assert escalation.assigned_coordinator_id == me.id
    assert escalation.case.version > version
    assert _notified(escalation.case_id, "opgepakt") == {coach.id, ib.id}
    events = [e.summary for e in escalation.case.events if e.kind == "escalation"]
    assert events == ["Escalatie opgepakt door een regionaal coördinator"]
    audit = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "escalation:assign")).one()
    assert audit.user_id == me.id and audit.case_id == escalation.case_id
    page = text_of(login(coordinators[1]).get("/escalaties/"))
    assert "Priya Coördinator" in page


def test_a_stale_version_is_a_conflict_and_changes_nothing(escalated, coordinators, login):
    response = _post(login(coordinators[0]), escalated, "assign",
                     version=escalated.case.version - 1)
    assert response.status_code == 409
    assert "intussen gewijzigd" in text_of(response)
    assert _fresh(Escalation, escalated.id).assigned_coordinator_id is None


def test_an_empty_form_changes_nothing(escalated, coordinators, login):
    response = login(coordinators[0]).post(f"/escalaties/{escalated.id}/assign", data={})
    assert response.status_code == 422
    assert _fresh(Escalation, escalated.id).assigned_coordinator_id is None


# --- tiers --------------------------------------------------------------------------------------


def test_moving_up_goes_to_the_next_existing_level_with_its_deadline(escalated, coordinators,
                                                                     ib, coach, login):
    client = login(coordinators[0])
    response = _post(client, escalated, "tier")
    assert response.status_code == 302
    escalation = _fresh(Escalation, escalated.id)
    assert (escalation.tier, escalation.due_on) == (3, TODAY + timedelta(days=28))
    assert _notified(escalation.case_id, "opgeschaald naar E3 – wethouder") == {ib.id, coach.id}
    assert "Wethouder jeugd" in text_of(client.get(f"/escalaties/{escalated.id}"))


def test_moving_up_from_the_top_is_refused_in_dutch(escalated, coordinators, login):
    escalated.tier = 3
    db.session.commit()
    client = login(coordinators[0])
    assert "Opschalen kan niet" in text_of(client.get(f"/escalaties/{escalated.id}"))
    response = _post(client, escalated, "tier")
    assert response.status_code == 422
    assert "geen hogere trede in de escalatieladder" in text_of(response)
    assert _fresh(Escalation, escalated.id).tier == 3


# --- decision and resolution ----------------------------------------------------------------------


def test_an_empty_decision_is_refused(escalated, coordinators, login):
    response = _post(login(coordinators[0]), escalated, "decision", decision="  ")
    assert response.status_code == 422
    assert "Beschrijf het besluit." in text_of(response)
    assert _fresh(Escalation, escalated.id).decided_at is None


def test_decision_then_resolve_returns_the_case_to_the_mdo(escalated, coordinators, ib, coach,
                                                           login):
    me = coordinators[0]
    client = login(me)
    response = _post(client, escalated, "decision",
                     decision="Gemeente betaalt de plek voor; verdeling volgt in het oogo.",
                     funding_guarantee="y")
    assert response.status_code == 302
    escalation = _fresh(Escalation, escalated.id)
    assert escalation.is_decided() and escalation.funding_guarantee
    assert (escalation.decided_by_id, escalation.decided_at is not None) == (me.id, True)
    assert _notified(escalation.case_id, "besluit") == {ib.id, coach.id}

    response = _post(client, escalation, "resolve", dest="mdo", note="Nieuw MDO met plek.")
    assert response.status_code == 302 and response.location == "/escalaties/"
    case = _fresh(Case, escalation.case_id)
    assert case.state == CaseState.mdo
    assert case.history[-1].trigger == "resolve_escalation" and case.history[-1].actor_id == me.id
    assert case.escalations[-1].resolved_at is not None
    assert _notified(case.id, "afgerond") == {ib.id, coach.id}
    follow = client.get("/escalaties/", follow_redirects=False)
    assert f'href="/escalaties/{escalated.id}"' not in follow.get_data(as_text=True)


def test_resolving_before_a_decision_is_refused(escalated, coordinators, login):
    response = _post(login(coordinators[0]), escalated, "resolve", dest="mdo")
    assert response.status_code == 422
    assert "Er is nog geen besluit van een coördinator" in text_of(response)
    assert _fresh(Case, escalated.case_id).state == CaseState.escalation


def test_resolving_to_the_arrangement_needs_one_with_an_evaluation_date(escalated,
                                                                        coordinators, login):
    escalated.decision, escalated.decided_by_id = "Plek geregeld.", coordinators[0].id
    db.session.commit()
    client = login(coordinators[0])
    response = _post(client, escalated, "resolve", dest="arrangement")
    assert response.status_code == 422
    assert "arrangement met een evaluatiedatum" in text_of(response)
    ArrangementFactory(case=escalated.case)
    db.session.commit()
    response = _post(client, escalated, "resolve", dest="arrangement")
    assert response.status_code == 302
    assert _fresh(Case, escalated.case_id).state == CaseState.arrangement


def test_closing_from_the_case_page_ends_the_escalation_and_tells_the_team(escalated,
                                                                         coordinators, ib,
                                                                         coach, login):
    case = escalated.case
    response = login(coordinators[0]).post(f"/cases/{case.id}/transitions/close", data={
        "close-version": str(case.version), "close-reason": "handed_over", "close-note": ""})
    assert response.status_code == 302
    assert _fresh(Escalation, escalated.id).resolved_at is not None
    assert _notified(case.id, "gesloten") == {ib.id, coach.id}


def test_the_case_page_links_the_coordinator_to_the_escalation(escalated, coordinators, ib,
                                                               login):
    link = f'href="/escalaties/{escalated.id}"'
    case_id = escalated.case_id
    assert link in login(coordinators[0]).get(f"/cases/{case_id}").get_data(as_text=True)
    assert link not in login(ib).get(f"/cases/{case_id}").get_data(as_text=True)


def test_the_assigned_coordinator_hears_of_later_events_instead_of_everyone(
        escalated, coordinators, login):
    me, colleague = coordinators
    escalated.assigned_coordinator_id = colleague.id
    db.session.commit()
    _post(login(me), escalated, "decision", decision="Voorzitter ingeschakeld.")
    assert colleague.id in _notified(escalated.case_id, "besluit")
    assert me.id not in _notified(escalated.case_id, "besluit")


def test_the_timeline_shows_content_free_escalation_events(escalated, coordinators, login):
    client = login(coordinators[0])
    _post(client, escalated, "assign")
    _post(client, _fresh(Escalation, escalated.id), "tier")
    summaries = db.session.scalars(sa.select(CaseEvent.summary).where(
        CaseEvent.case_id == escalated.case_id, CaseEvent.kind == "escalation")
        .order_by(CaseEvent.id)).all()
    assert summaries == ["Escalatie opgepakt door een regionaal coördinator",
                         "Escalatie opgeschaald naar E3 – wethouder"]
