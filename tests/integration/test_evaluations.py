"""The joint evaluation: recorded by the case team, its decision fires the matching step, and a
refused step stores nothing."""

import html
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import (
    Case,
    CaseEvent,
    CaseTransition,
    Discipline,
    Evaluation,
    EvaluationDecision,
    GoalAttainment,
)
from app.cases.services import evaluations
from app.cases.workflow import GUARDS, CaseState
from app.escalation.models import Escalation
from app.extensions import db
from app.filters import nl_date
from app.notifications.models import Notification
from tests.conftest import text_of as _raw_text
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    CaseTransitionFactory,
    ConsentFactory,
    EvaluationFactory,
    MdoMeetingFactory,
    MdoParticipantFactory,
    OrganisationFactory,
    ReferralFactory,
    SchoolFactory,
    user_with_role,
)

TODAY = date.today()
NEXT = TODAY + timedelta(weeks=8)


@pytest.fixture
def school():
    return SchoolFactory(name="Basisschool De Regenboog")


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def coach(school):
    return user_with_role(Role.youth_professional, OrganisationFactory(region=school.region),
                          name="Jan Coach")


@pytest.fixture
def case(school, ib, coach):
    """In evaluation, opened by the IB, regie with the J&G-coach; goals at school and at home."""
    case = CaseFactory(school=school, pupil__school=school, opened_by=ib,
                       state=CaseState.evaluation, regie_holder_id=coach.id)
    ConsentFactory(case=case, recipient=coach.memberships[0].organisation)
    ArrangementFactory(case=case, goal_school="Weer elke dag naar school",
                       goal_thuis="Vaste ochtendroutine thuis", goal_wijk=None,
                       evaluation_due=TODAY - timedelta(days=1))
    db.session.refresh(case)
    return case


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


def _form(version=1, **changes) -> dict:
    """A complete evaluation that continues the arrangement; `name=None` leaves a field out."""
    data = {
        "version": str(version), "held_on": TODAY.isoformat(), "school_present": "y",
        "youth_care_present": "y", "parents_present": "y", "attainment_school": "met",
        "attainment_thuis": "partly", "outcome": "continue",
        "next_evaluation_due": NEXT.isoformat(),
    } | changes
    return {f"evaluation-{k}": v for k, v in data.items() if v is not None}


def _post(client, case, **changes):
    return client.post(f"/cases/{case.id}/evaluation", data=_form(**changes))


def _fresh(case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def _count(model, **where) -> int:
    stmt = sa.select(sa.func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def _change_actions(case) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.case_id == case.id,
                                           AuditEvent.action.not_in(["read", "denied"]))
        .order_by(AuditEvent.seq)
    ).all()


def assert_nothing_stored(case):
    fresh = _fresh(case)
    assert fresh.state == CaseState.evaluation and fresh.version == 1
    assert _count(Evaluation, case_id=case.id) == 0
    assert _count(CaseTransition, case_id=case.id) == 0
    assert _count(CaseEvent, case_id=case.id) == 0
    assert _count(Notification, case_id=case.id) == 0
    assert _change_actions(case) == []


# --- each decision fires its step --------------------------------------------------------------


def test_continue_records_the_evaluation_and_continues_the_arrangement(case, ib, login):
    response = _post(login(ib), case)

    assert response.status_code == 302
    assert response.location == f"/cases/{case.id}#kop-evaluatie"
    fresh = _fresh(case)
    assert fresh.state == CaseState.arrangement
    assert fresh.current_arrangement.evaluation_due == NEXT  # carried to the next round
    [evaluation] = fresh.evaluations
    assert evaluation.due_on == TODAY - timedelta(days=1)  # the date it answered, kept
    assert evaluation.decision == EvaluationDecision.continue_
    assert evaluation.recorded_by_id == ib.id
    assert evaluation.arrangement_id == fresh.current_arrangement.id
    assert (evaluation.school_present, evaluation.youth_care_present,
            evaluation.parents_present, evaluation.pupil_present) == (True, True, True, False)
    assert [t.trigger for t in fresh.history] == ["continue_arrangement"]
    [event] = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert event.kind == "evaluation"
    assert event.summary == (f"Evaluatie gehouden op {nl_date(TODAY)} "
                             "met school, jeugdhulp en ouders")


def test_evaluation_transition_and_audit_rows_are_one_change(case, ib, login):
    _post(login(ib), case)

    fresh = _fresh(case)
    assert fresh.version == 2  # one version step for the evaluation and the step together
    assert sorted(_change_actions(case)) == ["create:evaluation",
                                             "transition:continue_arrangement"]
    [evaluation] = fresh.evaluations
    [transition] = fresh.history
    assert transition.at >= evaluation.recorded_at  # the step this evaluation decided


def test_the_timeline_says_who_took_part_and_nothing_more(case, ib, login):
    client = login(ib)
    response = _post(client, case, parents_present=None, pupil_present="y",
                     school_input="Verzuim gedaald naar twee uur per maand.")

    page = text_of(client.get(response.location))

    assert f"Evaluatie gehouden op {nl_date(TODAY)} met school, jeugdhulp en leerling" in page
    summary = db.session.scalar(sa.select(CaseEvent.summary).where(CaseEvent.case_id == case.id))
    assert "Verzuim" not in summary


@pytest.mark.parametrize(("outcome", "decision"), [
    ("adjust", EvaluationDecision.adjust), ("step_down", EvaluationDecision.step_down),
])
def test_adjust_and_step_down_continue_and_point_to_the_arrangement(
        case, ib, login, outcome, decision):
    client = login(ib)

    response = _post(client, case, outcome=outcome)

    assert response.status_code == 302
    fresh = _fresh(case)
    assert fresh.state == CaseState.arrangement
    assert fresh.evaluations[0].decision == decision
    page = client.get(response.location).get_data(as_text=True)
    assert f'<a href="/cases/{case.id}#kop-arrangement">naar het arrangement</a>' in page


def test_back_to_the_mdo_is_an_adjustment_that_sends_the_case_to_a_new_mdo(case, ib, login):
    client = login(ib)

    response = _post(client, case, outcome="back_to_mdo", next_evaluation_due=None)

    assert response.status_code == 302
    fresh = _fresh(case)
    assert fresh.state == CaseState.mdo
    assert fresh.evaluations[0].decision == EvaluationDecision.adjust
    assert fresh.evaluations[0].next_evaluation_due is None
    assert [t.trigger for t in fresh.history] == ["back_to_mdo"]
    assert "Besluit Bijstellen: terug naar het MDO" in text_of(client.get(response.location))


def test_close_with_the_school_present_closes_the_case(case, coach, ib, login):
    response = _post(login(coach), case, outcome="close", closure_reason="goals_met",
                     next_evaluation_due=None)

    assert response.status_code == 302
    fresh = _fresh(case)
    assert fresh.state == CaseState.closed and fresh.closure_reason == "goals_met"
    assert fresh.evaluations[0].decision == EvaluationDecision.close
    # the school that opened the case hears of it; the coach decided it himself
    [notice] = db.session.scalars(sa.select(Notification).where(Notification.case_id == case.id))
    assert (notice.user_id, notice.kind) == (ib.id, "evaluation_decision")
    assert notice.link == f"/cases/{case.id}" and case.pupil.reference not in notice.text


def test_close_with_written_school_input_works_without_the_school_at_the_table(
        case, coach, login):
    response = _post(login(coach), case, outcome="close", closure_reason="goals_met",
                     school_present=None, notes="De IB was ziek; de school gaf vooraf input.",
                     school_input="Aanwezigheid volledig, geen verzuim meer sinds januari.")

    assert response.status_code == 302
    fresh = _fresh(case)
    assert fresh.state == CaseState.closed
    assert fresh.evaluations[0].school_input.startswith("Aanwezigheid volledig")


def test_close_without_the_schools_input_is_refused_and_says_why(case, coach, login):
    """The seed failure case: youth care closed while absence at school rose."""
    response = _post(login(coach), case, outcome="close", closure_reason="goals_met",
                     school_present=None, notes="School kon niet aansluiten.")

    assert response.status_code == 422
    page = text_of(response)
    assert "De evaluatie is niet opgeslagen" in page
    assert evaluations.CLOSE_WITHOUT_SCHOOL in page
    assert "Uw invoer" not in page and "School kon niet aansluiten." in page  # input kept
    assert_nothing_stored(case)


def test_escalate_opens_the_escalation_and_tells_the_team(case, school, ib, coach, login):
    colleague = user_with_role(Role.school_staff, school)

    response = _post(login(colleague), case, outcome="escalate", next_evaluation_due=None,
                     escalation_reason="no_progress", rationale="Geen voortgang na 16 weken.")

    assert response.status_code == 302
    fresh = _fresh(case)
    assert fresh.state == CaseState.escalation
    [escalation] = db.session.scalars(sa.select(Escalation).where(Escalation.case_id == case.id))
    assert escalation.reason.value == "no_progress"
    assert escalation.rationale == "Geen voortgang na 16 weken."
    assert fresh.history[-1].note == "Geen voortgang na 16 weken."
    # the escalation tells the team itself (app.escalation.services): once each, not twice
    notified = db.session.scalars(sa.select(Notification).where(
        Notification.case_id == case.id, Notification.user_id.in_([ib.id, coach.id]))).all()
    assert sorted(n.user_id for n in notified) == sorted([ib.id, coach.id])
    assert all(case.pupil.reference not in n.text for n in notified)


def test_escalate_without_reason_or_rationale_is_refused(case, ib, login):
    response = _post(login(ib), case, outcome="escalate", rationale="  ")

    assert response.status_code == 422
    page = text_of(response)
    assert "Kies een reden voor de escalatie." in page and "Onderbouw de escalatie." in page
    assert_nothing_stored(case)


@pytest.mark.parametrize("next_due", [TODAY - timedelta(days=1), TODAY, None],
                         ids=["past", "today", "none"])
def test_continue_needs_a_next_evaluation_date_after_today(case, ib, login, next_due):
    response = _post(login(ib), case,
                     next_evaluation_due=next_due.isoformat() if next_due else None)

    assert response.status_code == 422
    assert "Kies een nieuwe evaluatiedatum na vandaag." in text_of(response)
    assert_nothing_stored(case)


def test_a_step_the_workflow_refuses_stores_no_evaluation_either(case, ib, login, monkeypatch):
    """Should the form's checks and the workflow's guards ever disagree, the guard wins and the
    evaluation row goes with the refused step."""
    monkeypatch.setattr(evaluations, "input_problems", lambda *args, **kwargs: {})

    response = _post(login(ib), case, next_evaluation_due=(TODAY - timedelta(days=3)).isoformat())

    assert response.status_code == 422
    assert GUARDS["evaluation_decided_to_continue"].message in text_of(response)
    assert_nothing_stored(case)


# --- what the form asks ----------------------------------------------------------------------


def test_attainment_is_asked_only_for_the_domains_with_a_goal(case, ib, login):
    client = login(ib)

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)

    assert 'name="evaluation-attainment_school"' in page
    assert 'name="evaluation-attainment_thuis"' in page
    assert 'name="evaluation-attainment_wijk"' not in page
    assert "Weer elke dag naar school" in page and "Vaste ochtendroutine thuis" in page

    response = _post(client, case, attainment_wijk="met")  # no goal there: not stored

    assert response.status_code == 302
    evaluation = _fresh(case).evaluations[0]
    assert evaluation.attainment_school == GoalAttainment.met
    assert evaluation.attainment_thuis == GoalAttainment.partly
    assert evaluation.attainment_wijk == GoalAttainment.not_applicable


def test_each_goal_needs_its_attainment(case, ib, login):
    response = _post(login(ib), case, attainment_thuis=None)

    assert response.status_code == 422
    assert "Geef aan in hoeverre dit doel is behaald." in text_of(response)
    assert_nothing_stored(case)


@pytest.mark.parametrize(("absent", "message"), [
    ({"youth_care_present": None},
     "De evaluatie is gezamenlijk: schrijf kort waarom de jeugdhulp er niet bij was."),
    ({"school_present": None, "school_input": "Verzuim stabiel."},
     "De evaluatie is gezamenlijk: schrijf kort waarom de school er niet bij was."),
    ({"school_present": None, "youth_care_present": None, "school_input": "Verzuim stabiel."},
     "schrijf kort waarom de school en de jeugdhulp er niet bij waren."),
])
def test_a_missing_school_or_youth_care_needs_an_explanation(case, ib, login, absent, message):
    client = login(ib)

    refused = _post(client, case, **absent)

    assert refused.status_code == 422 and message in text_of(refused)
    assert_nothing_stored(case)
    assert _post(client, case, notes="Verhinderd; vooraf gesproken.", **absent).status_code == 302


def test_without_the_school_its_view_is_written_down(case, ib, login):
    response = _post(login(ib), case, school_present=None, notes="IB verhinderd.")

    assert response.status_code == 422
    assert "De school was er niet bij: schrijf op wat de school nu ziet." in text_of(response)
    assert_nothing_stored(case)


def test_somebody_took_part_and_the_date_is_not_in_the_future(case, ib, login):
    response = _post(login(ib), case, school_present=None, youth_care_present=None,
                     parents_present=None, held_on=(TODAY + timedelta(days=1)).isoformat())

    assert response.status_code == 422
    page = text_of(response)
    assert "Kruis aan wie er aan de evaluatie deelnamen." in page
    assert "Die datum ligt in de toekomst" in page
    assert_nothing_stored(case)


def test_a_dutch_typed_date_is_understood(case, ib, login):
    response = _post(login(ib), case, held_on=TODAY.strftime("%d-%m-%Y"))
    assert response.status_code == 302
    assert _fresh(case).evaluations[0].held_on == TODAY


def test_no_evaluation_outside_the_evaluation_phase(case, ib, login):
    case.state = CaseState.arrangement
    db.session.flush()
    db.session.refresh(case)
    version = case.version

    response = _post(login(ib), case, version=version)

    assert response.status_code == 422
    assert evaluations.NOT_IN_EVALUATION in text_of(response)
    assert _count(Evaluation, case_id=case.id) == 0
    assert _fresh(case).version == version


# --- who may record it -----------------------------------------------------------------------


def test_the_regie_holder_may_record_it(case, coach, login):
    assert _post(login(coach), case).status_code == 302
    assert _fresh(case).evaluations[0].recorded_by_id == coach.id


def test_others_on_the_case_may_read_but_not_record(case, school, login):
    leerplicht = OrganisationFactory(region=school.region)
    participant = user_with_role(Role.participant, leerplicht)
    meeting = MdoMeetingFactory(case=case)
    MdoParticipantFactory(meeting=meeting, user=participant, organisation=leerplicht,
                          discipline=Discipline.leerplicht)
    ConsentFactory(case=case, recipient=leerplicht)
    referred = user_with_role(Role.youth_professional, OrganisationFactory(region=school.region))
    ReferralFactory(case=case, to_user=referred,
                    to_organisation=referred.memberships[0].organisation)
    ConsentFactory(case=case, recipient=referred.memberships[0].organisation)

    for user in (participant, referred):
        client = login(user)
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert "evaluation-outcome" not in page  # no form
        assert _post(client, case).status_code == 403
    assert _count(Evaluation, case_id=case.id) == 0
    denied = db.session.scalars(sa.select(AuditEvent.detail).where(
        AuditEvent.case_id == case.id, AuditEvent.outcome == "denied")).all()
    assert denied == ["create:evaluation", "create:evaluation"]


def test_a_case_of_another_school_is_not_found(case, login):
    other = user_with_role(Role.school_staff, SchoolFactory())
    coordinator = user_with_role(Role.coordinator, OrganisationFactory(region=case.school.region))

    for user in (other, coordinator):
        assert _post(login(user), case).status_code == 404
    assert_nothing_stored(case)


def test_an_evaluation_on_a_case_changed_meanwhile_is_a_409_that_keeps_my_input(
        case, ib, login):
    case.hulpvraag = "Bijgewerkt door een collega."
    db.session.flush()  # the case is now at version 2

    response = _post(login(ib), case, version=1, notes="Mijn eigen aantekening.")

    assert response.status_code == 409
    page = text_of(response)
    assert "Deze casus is intussen gewijzigd" in page and "Mijn eigen aantekening." in page
    assert _count(Evaluation, case_id=case.id) == 0
    assert _fresh(case).state == CaseState.evaluation


# --- the section on the case page ------------------------------------------------------------


@pytest.mark.parametrize(("due", "shown"), [
    (TODAY - timedelta(days=2), "; start de evaluatie via Volgende stap."),
    (TODAY + timedelta(days=7), "."),
    (TODAY + timedelta(days=60), None),
], ids=["past", "soon", "later"])
def test_a_running_arrangement_says_when_its_evaluation_is_due(school, ib, login, due, shown):
    case = CaseFactory(school=school, pupil__school=school, state=CaseState.arrangement)
    ArrangementFactory(case=case, evaluation_due=due)

    page = text_of(login(ib).get(f"/cases/{case.id}"))

    planned = f"Evaluatie gepland op {nl_date(due)}"
    if shown is None:
        assert planned not in page
    else:
        assert planned + shown in page


def test_earlier_evaluations_are_listed_in_dutch(school, ib, login):
    case = CaseFactory(school=school, pupil__school=school, state=CaseState.arrangement)
    ArrangementFactory(case=case)
    evaluation = EvaluationFactory(
        case=case, held_on=TODAY - timedelta(days=30), parents_present=True,
        attainment_school=GoalAttainment.partly, attainment_thuis=GoalAttainment.not_applicable,
        decision=EvaluationDecision.step_down, school_input="Minder verzuim dan in de herfst.",
        recorded_by_id=ib.id)
    CaseTransitionFactory(case=case, trigger="continue_arrangement",
                          from_state=CaseState.evaluation, to_state=CaseState.arrangement,
                          at=evaluation.recorded_at + timedelta(seconds=1))

    page = text_of(login(ib).get(f"/cases/{case.id}"))

    assert f"Evaluatie van {nl_date(evaluation.held_on)}" in page
    assert "Deelnemers school, jeugdhulp en ouders" in page
    assert "Doel school Deels behaald" in page and "Doel thuis" not in page
    assert "Besluit Afschalen" in page
    assert "Inbreng van de school Minder verzuim dan in de herfst." in page
    assert "Vastgelegd" in page and "door Ilse Begeleider" in page


def test_in_the_evaluation_phase_the_form_decides_the_next_step(case, ib, login):
    """No separate 'voortzetten / terug naar MDO / sluiten' buttons beside the evaluation
    form that fires them: one place to decide, escalating by hand stays possible."""
    response = login(ib).get(f"/cases/{case.id}")

    text = text_of(response)
    assert f'action="/cases/{case.id}/evaluation"' in response.get_data(as_text=True)
    assert "Arrangement voortzetten kan nog niet" not in text
    assert "Terug naar MDO kan nog niet" not in text
    assert f'/cases/{case.id}/transitions/close"' not in response.get_data(as_text=True)
    assert f'/cases/{case.id}/transitions/escalate"' in response.get_data(as_text=True)
