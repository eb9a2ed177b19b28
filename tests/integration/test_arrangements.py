"""The arrangement (OZA gradation or other help, goals per domain, evaluation date) and plans."""

import html
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases import workflow
from app.cases.models import (
    Arrangement,
    ArrangementKind,
    Case,
    CaseEvent,
    CasePlan,
    Funding,
    PlanKind,
)
from app.cases.workflow import GUARDS, CaseState
from app.extensions import db
from app.filters import nl_date
from app.models import utcnow
from tests.conftest import text_of as _raw_text
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    CasePlanFactory,
    ConsentFactory,
    MdoMeetingFactory,
    MdoParticipantFactory,
    OrganisationFactory,
    ReferralFactory,
    SchoolFactory,
    user_with_role,
)

TODAY = date.today()
GOALS_GUARD = GUARDS["has_arrangement_with_goals"].message


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def ib_client(ib, login):
    return login(ib)


@pytest.fixture
def provider(school):
    return OrganisationFactory(region=school.region, name="Jeugdhulp De Brug")


def _case(school, **kwargs) -> Case:
    kwargs.setdefault("pupil__school", school)
    kwargs.setdefault("state", CaseState.mdo)
    return CaseFactory(school=school, **kwargs)


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


def _version(case) -> str:
    db.session.expire_all()
    return str(db.session.get(Case, case.id).version)


def _arrangement(case, provider=None, **changes):
    data = {
        "version": _version(case), "kind": "oza_2",
        "provider_organisation_id": str(provider.id) if provider else "",
        "funding": "integraal", "goal_school": "Hele dagen in de klas.",
        "goal_thuis": "Ochtendritme met moeder.", "goal_wijk": "",
        "starts_on": TODAY.isoformat(), "ends_on": (TODAY + timedelta(weeks=26)).isoformat(),
        "evaluation_due": (TODAY + timedelta(weeks=10)).isoformat(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _events(case) -> list[str]:
    return db.session.scalars(sa.select(CaseEvent.summary).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.id)).all()


def _audit(case, action) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action == action)).all()


# --- recording an arrangement ------------------------------------------------------------------


def test_an_arrangement_is_recorded_and_lets_the_arrangement_be_agreed(
        school, ib_client, provider):
    case = _case(school)
    assert GOALS_GUARD in workflow.unmet_conditions(case, "agree_arrangement")
    page = ib_client.get(f"/cases/{case.id}/arrangement/new")
    assert page.status_code == 200
    assert '<abbr title="onderwijszorgarrangement">OZA</abbr>' in page.get_data(as_text=True)

    response = ib_client.post(f"/cases/{case.id}/arrangement/new",
                              data=_arrangement(case, provider))

    assert response.status_code == 302
    assert response.location == f"/cases/{case.id}#kop-arrangement"
    [arrangement] = db.session.scalars(sa.select(Arrangement)).all()
    assert (arrangement.kind, arrangement.provider_organisation_id, arrangement.funding) == (
        ArrangementKind.oza_2, provider.id, Funding.integraal)
    assert (arrangement.goal_school, arrangement.goal_wijk) == ("Hele dagen in de klas.", None)
    assert arrangement.evaluation_due == TODAY + timedelta(weeks=10)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert GOALS_GUARD not in workflow.unmet_conditions(case, "agree_arrangement")
    # the timeline names the kind, never the goals
    assert _events(case) == ["Arrangement vastgelegd: OZA 2 – intensieve of langdurige hulp "
                             "op school"]
    [row] = _audit(case, "arrangement:create")
    assert set(row.fields.split(",")) == {"kind", "provider_organisation_id", "funding",
                                          "goal_school", "goal_thuis", "starts_on", "ends_on",
                                          "evaluation_due"}
    text = text_of(ib_client.get(f"/cases/{case.id}"))
    assert "Het arrangement is vastgelegd." in text
    assert ("Soort OZA 2 – intensieve of langdurige hulp op school "
            "Aanbieder Jeugdhulp De Brug") in text
    assert "Financiering Integraal (onderwijs en gemeente samen)" in text
    assert "Thuis Ochtendritme met moeder. Wijk Geen doel in dit domein" in text


@pytest.mark.parametrize(("changes", "message"), [
    ({"goal_school": " ", "goal_thuis": "", "goal_wijk": ""},
     "Beschrijf minstens één doel: op school, thuis of in de wijk."),
    ({"evaluation_due": ""}, "Vul in wanneer het arrangement wordt geëvalueerd."),
    ({"ends_on": (TODAY - timedelta(days=1)).isoformat()}, "De einddatum ligt vóór de startdatum."),
    ({"evaluation_due": TODAY.isoformat()}, "De evaluatiedatum moet na de startdatum liggen."),
    ({"starts_on": ""}, "Vul de startdatum in."),
    ({"starts_on": "31-02-2027"}, "Vul een geldige datum in, bijvoorbeeld 01-08-2025."),
    ({"kind": ""}, "Kies de soort hulp."),
    ({"kind": "oza_8"}, "Kies een van de mogelijkheden uit de lijst."),
    ({"goal_school": "x" * 5001}, "Gebruik hoogstens 5000 tekens."),
], ids=["no-goals", "no-evaluation-date", "end-before-start", "evaluation-on-start",
        "no-start", "bad-date", "no-kind", "unknown-kind", "too-long"])
def test_a_bad_arrangement_is_refused_in_dutch_and_nothing_is_stored(
        school, ib_client, changes, message):
    case = _case(school)
    version = _version(case)

    response = ib_client.post(f"/cases/{case.id}/arrangement/new",
                              data=_arrangement(case, **changes))

    assert response.status_code == 422
    assert message in text_of(response)
    assert "Het formulier is nog niet goed ingevuld." in text_of(response)
    assert _count(Arrangement) == 0 and _events(case) == [] and _version(case) == version


def test_a_provider_from_another_region_is_refused(school, ib_client):
    case = _case(school)
    foreign = OrganisationFactory()

    response = ib_client.post(f"/cases/{case.id}/arrangement/new",
                              data=_arrangement(case, foreign))

    assert response.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in text_of(response)
    assert _count(Arrangement) == 0


def test_the_current_arrangement_can_be_changed(school, ib_client, provider):
    case = _case(school, state=CaseState.arrangement)
    ArrangementFactory(case=case, kind=ArrangementKind.oza_1, created_at=utcnow())
    current = ArrangementFactory(case=case, kind=ArrangementKind.oza_1)
    page = text_of(ib_client.get(f"/cases/{case.id}/arrangement/edit"))
    assert "Arrangement wijzigen" in page and "Weer volledig meedoen in de les" in page

    response = ib_client.post(f"/cases/{case.id}/arrangement/edit", data=_arrangement(
        case, provider, kind="oza_1", goal_school="Weer volledig meedoen in de les",
        goal_thuis="", funding="", ends_on="",
        starts_on=current.starts_on.isoformat(),
        evaluation_due=(TODAY + timedelta(weeks=4)).isoformat()))

    assert response.status_code == 302
    db.session.expire_all()
    current = db.session.get(Arrangement, current.id)
    assert current.provider_organisation_id == provider.id
    assert current.evaluation_due == TODAY + timedelta(weeks=4)
    assert _count(Arrangement) == 2
    [row] = _audit(case, "arrangement:update")
    assert set(row.fields.split(",")) == {"provider_organisation_id", "evaluation_due"}
    assert _events(case) == ["Arrangement bijgewerkt: OZA 1 – kortdurende hulp op school"]


def test_the_section_shows_the_current_arrangement_late_evaluation_and_earlier_ones(
        school, ib_client):
    case = _case(school, state=CaseState.arrangement)
    ArrangementFactory(case=case, kind=ArrangementKind.oza_7)
    ArrangementFactory(case=case, kind=ArrangementKind.oza_2,
                       starts_on=TODAY - timedelta(weeks=12),
                       evaluation_due=TODAY - timedelta(days=3))

    response = ib_client.get(f"/cases/{case.id}")

    text = text_of(response)
    assert "Huidig arrangement Soort OZA 2 – intensieve of langdurige hulp op school" in text
    assert "te laat" in text
    assert "Eerdere arrangementen (1)" in text
    assert "OZA 7 – consultatie en advies aan leraren" in text
    assert "Nieuw arrangement vastleggen" in text and "Arrangement wijzigen" in text


def test_an_evaluation_date_still_ahead_is_not_late(school, ib_client):
    case = _case(school, state=CaseState.arrangement)
    ArrangementFactory(case=case)
    assert "te laat" not in text_of(ib_client.get(f"/cases/{case.id}"))


def test_an_escalated_case_gets_no_new_arrangement(school, ib_client):
    case = _case(school, state=CaseState.escalation)

    page = ib_client.get(f"/cases/{case.id}/arrangement/new")
    assert page.status_code == 302 and page.location == f"/cases/{case.id}"
    assert "Deze casus staat nu in een andere fase." in text_of(ib_client.get(page.location))

    response = ib_client.post(f"/cases/{case.id}/arrangement/new", data=_arrangement(case))

    assert response.status_code == 422
    assert "Een arrangement leg je vast in de fase MDO, Arrangement of Evaluatie" in (
        text_of(response))
    assert _count(Arrangement) == 0


def test_light_help_may_be_recorded_in_signalering(school, ib_client):
    case = _case(school, state=CaseState.signalering)
    response = ib_client.post(f"/cases/{case.id}/arrangement/new", data=_arrangement(case))
    assert response.status_code == 302 and _count(Arrangement) == 1


def test_there_is_nothing_to_change_without_an_arrangement(school, ib_client):
    case = _case(school)
    assert ib_client.get(f"/cases/{case.id}/arrangement/edit").status_code == 404


def test_a_stale_arrangement_is_a_409_that_keeps_my_input(school, ib_client):
    case = _case(school)
    data = _arrangement(case, goal_school="Mijn eigen doel voor school.")
    case.description = "Intussen aangevuld."
    db.session.flush()

    response = ib_client.post(f"/cases/{case.id}/arrangement/new", data=data)

    assert response.status_code == 409
    text = text_of(response)
    assert "Deze casus is intussen gewijzigd" in text
    assert "Doel op school Mijn eigen doel voor school." in text
    assert "Soort hulp OZA 2 – intensieve of langdurige hulp op school" in text
    assert _count(Arrangement) == 0


# --- who may ---------------------------------------------------------------------------------


def test_the_regie_holder_may_record_the_arrangement(school, login):
    wijkteam = OrganisationFactory(region=school.region)
    coach = user_with_role(Role.youth_professional, wijkteam)
    case = _case(school, regie_holder_id=coach.id, regie_since=utcnow())
    ConsentFactory(case=case, recipient=wijkteam)

    response = login(coach).post(f"/cases/{case.id}/arrangement/new", data=_arrangement(case))

    assert response.status_code == 302 and _count(Arrangement) == 1


def test_others_may_not_record_an_arrangement_or_plan(school, login):
    wijkteam = OrganisationFactory(region=school.region)
    referred = user_with_role(Role.youth_professional, wijkteam)
    participant = user_with_role(Role.participant, OrganisationFactory(region=school.region))
    case = _case(school)
    ReferralFactory(case=case, to_user=referred, to_organisation=wijkteam)
    MdoParticipantFactory(meeting=MdoMeetingFactory(case=case), user=participant,
                          organisation=participant.memberships[0].organisation)
    for organisation in (wijkteam, participant.memberships[0].organisation):
        ConsentFactory(case=case, recipient=organisation)
    foreign = user_with_role(Role.school_staff, SchoolFactory())

    for user, status in ((referred, 403), (participant, 403), (foreign, 404)):
        client = login(user)
        assert client.get(f"/cases/{case.id}/arrangement/new").status_code == status
        assert client.post(f"/cases/{case.id}/arrangement/new",
                           data=_arrangement(case)).status_code == status
        assert client.post(f"/cases/{case.id}/plans", data=_plan(case)).status_code == status
    text = text_of(login(referred).get(f"/cases/{case.id}"))  # and the page offers neither
    assert "Arrangement vastleggen" not in text and "Plan vastleggen" not in text
    assert (_count(Arrangement), _count(CasePlan)) == (0, 0)
    assert len(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.outcome == "denied")).all()) >= 6


# --- plans -------------------------------------------------------------------------------------


def _plan(case, **changes):
    data = {"plan-version": _version(case), "plan-kind": "opp",
            "plan-drawn_up_on": TODAY.isoformat(), "plan-names_school": "y",
            "plan-summary": "Doelen voor lezen en werkhouding."}
    data.update({f"plan-{k}": v for k, v in changes.items()})
    return {k: v for k, v in data.items() if v is not None}


def test_a_plan_is_recorded_with_its_flags(school, ib, ib_client):
    case = _case(school)

    response = ib_client.post(f"/cases/{case.id}/plans", data=_plan(
        case, kind="integraal", names_home="y"))

    assert response.status_code == 302
    [plan] = db.session.scalars(sa.select(CasePlan)).all()
    assert (plan.kind, plan.names_home, plan.names_school, plan.recorded_by_id) == (
        PlanKind.integraal, True, True, ib.id)
    assert _events(case) == ["Plan vastgelegd: Integraal plan (onderwijs en jeugdhulp samen), "
                             f"opgesteld op {nl_date(TODAY)}"]
    assert len(_audit(case, "plan:create")) == 1
    text = text_of(ib_client.get(f"/cases/{case.id}"))
    assert "Noemt het functioneren thuis: ja; op school: ja." in text
    assert "Een integraal plan beschrijft thuis én school." not in text


def test_an_integral_plan_that_misses_home_or_school_gets_a_hint(school, ib_client):
    case = _case(school)
    CasePlanFactory(case=case, kind=PlanKind.integraal, names_home=False, names_school=True)
    CasePlanFactory(case=case, kind=PlanKind.opp, names_home=False, names_school=True)

    text = text_of(ib_client.get(f"/cases/{case.id}"))

    assert text.count("Een integraal plan beschrijft thuis én school.") == 1
    assert "Noemt het functioneren thuis: nee; op school: ja." in text


@pytest.mark.parametrize(("changes", "message"), [
    ({"drawn_up_on": (TODAY + timedelta(days=1)).isoformat()},
     "De datum waarop het plan is opgesteld ligt in de toekomst."),
    ({"drawn_up_on": ""}, "Vul in wanneer het plan is opgesteld."),
    ({"kind": ""}, "Kies de soort plan."),
    ({"kind": "groeidocument"}, "Kies een van de mogelijkheden uit de lijst."),
], ids=["future", "no-date", "no-kind", "unknown-kind"])
def test_a_bad_plan_is_refused_and_nothing_is_stored(school, ib_client, changes, message):
    case = _case(school)

    response = ib_client.post(f"/cases/{case.id}/plans", data=_plan(case, **changes))

    assert response.status_code == 422
    assert message in text_of(response)
    assert _count(CasePlan) == 0 and _events(case) == []


def test_a_stale_plan_is_a_409(school, ib_client):
    case = _case(school)
    data = _plan(case)
    case.description = "Intussen aangevuld."
    db.session.flush()

    response = ib_client.post(f"/cases/{case.id}/plans", data=data)

    assert response.status_code == 409 and _count(CasePlan) == 0


def test_no_plans_on_a_closed_case(school, ib_client):
    case = _case(school, state=CaseState.closed)
    assert ib_client.post(f"/cases/{case.id}/plans", data=_plan(case)).status_code == 403
    assert "Plan vastleggen" not in text_of(ib_client.get(f"/cases/{case.id}"))
