"""The coordinator's queue: thuiszitters first, then most past the deadline; filters; only the
coordinator's own region; constant queries per page; every view in the access log."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases import workflow
from app.cases.services.core import ENDS_ESCALATION
from app.cases.workflow import CaseState, EscalationReason
from app.escalation import queries, thuiszitters
from app.escalation.models import ThuiszitterReason
from app.extensions import db
from app.org.models import OrganisationKind
from tests.conftest import statements_run, text_of
from tests.factories import (
    CaseFactory,
    EscalationFactory,
    EscalationTierFactory,
    MunicipalityFactory,
    OrganisationFactory,
    SchoolFactory,
    ThuiszitterEpisodeFactory,
    user_with_role,
)

TODAY = date.today()
E = EscalationReason
LINK = re.compile(r'href="/escalaties/(\d+)"')


@pytest.fixture
def region():
    return SchoolFactory().region


@pytest.fixture
def schools(region):
    north = MunicipalityFactory(region=region, name="Noorddorp")
    south = MunicipalityFactory(region=region, name="Zuiddorp")
    return (SchoolFactory(municipality=north, name="OBS Noord"),
            SchoolFactory(municipality=south, name="OBS Zuid"))


@pytest.fixture
def coordinators(region):
    swv = OrganisationFactory(region=region, kind=OrganisationKind.samenwerkingsverband)
    return (user_with_role(Role.coordinator, swv, name="Priya Coördinator"),
            user_with_role(Role.coordinator, swv, name="Kees Collega"))


@pytest.fixture
def ladder(region):
    return (EscalationTierFactory(region=region, level=1, name="E1 – voorzitter"),
            EscalationTierFactory(region=region, level=2, name="E2 – casustafel"))


def _escalation(school, reason=E.no_progress, due_in=None, tier=1, **kwargs):
    case = CaseFactory(school=school, pupil__school=school, state=CaseState.escalation)
    due = TODAY + timedelta(days=due_in) if due_in is not None else None
    return EscalationFactory(case=case, reason=reason, tier=tier, due_on=due, **kwargs)


def _listed(response) -> list[int]:
    return [int(i) for i in LINK.findall(response.get_data(as_text=True))]


def test_thuiszitters_first_then_the_most_overdue(schools, coordinators, ladder, login):
    school = schools[0]
    far_over = _escalation(school, E.no_progress, due_in=-10)
    thuiszitter = _escalation(school, E.thuiszitter, due_in=5)
    at_home = _escalation(school, E.regie_dispute, due_in=-1)  # reason differs, pupil at home
    ThuiszitterEpisodeFactory(case=at_home.case, started_on=TODAY - timedelta(days=36))
    ended = _escalation(school, E.responsibility_dispute, due_in=-3)
    ThuiszitterEpisodeFactory(case=ended.case, started_on=TODAY - timedelta(days=60),
                              ended_on=TODAY - timedelta(days=20))
    no_deadline = _escalation(school, E.parents_school_disagree)
    no_deadline.tier = no_deadline.due_on = None  # opened before the region had a ladder
    ids = [e.id for e in (at_home, thuiszitter, far_over, ended, no_deadline)]

    response = login(coordinators[0]).get("/escalaties/")

    assert response.status_code == 200
    assert _listed(response) == ids
    text = text_of(response)
    assert "5 open escalaties" in text
    assert "Thuiszitter: 5 weken (36 dagen)" in text
    assert "10 dagen over" in text and "1 dag over" in text and "binnen termijn" in text
    assert "geen termijn" in text
    assert "E1 – voorzitter" in text


def test_a_thuiszitter_episode_moves_the_escalation_up_and_its_end_moves_it_back(
        schools, coordinators, ladder, login):
    """The queue's order is kept in the escalation row (queue_rank): a thuiszitter period that
    starts or ends through the case page reorders the queue at once."""
    school = schools[0]
    overdue = _escalation(school, E.no_progress, due_in=-5)
    later = _escalation(school, E.regie_dispute, due_in=5)
    staff = user_with_role(Role.school_staff, school)
    client = login(coordinators[0])
    assert _listed(client.get("/escalaties/")) == [overdue.id, later.id]

    thuiszitters.start_episode(staff, later.case, later.case.version, thuiszitters.EpisodeData(
        started_on=TODAY - timedelta(days=3), reason=ThuiszitterReason.schoolweigering))
    assert _listed(client.get("/escalaties/")) == [later.id, overdue.id]

    thuiszitters.end_episode(staff, later.case, later.case.version, TODAY)
    assert _listed(client.get("/escalaties/")) == [overdue.id, later.id]


def test_columns_show_reference_school_reason_age_and_who_has_it(schools, coordinators, ladder,
                                                                  login):
    escalation = _escalation(schools[1], E.no_youth_care_in_time, due_in=3, tier=2,
                             assigned_coordinator=coordinators[1], rule="waiting_for_help")
    escalation.opened_at -= timedelta(days=4)
    text = text_of(login(coordinators[0]).get("/escalaties/"))
    row = text.split("Toegewezen aan", 1)[1]
    assert escalation.case.pupil.reference in row and "OBS Zuid" in row
    assert "Geen jeugdhulp op tijd beschikbaar" in row and "automatisch: Wacht te lang op hulp" \
        in row
    assert "E2 – casustafel" in row and "4 dagen" in row and "Kees Collega" in row


@pytest.mark.parametrize("query, expected", [
    ("reason=thuiszitter", {"thuis"}),
    ("tier=2", {"zuid"}),
    ("municipality={south}", {"zuid"}),
    ("school={north_school}", {"thuis", "mine", "nobody"}),
    ("assigned=mij", {"mine"}),
    ("assigned=niemand", {"thuis", "nobody"}),
    ("assigned={colleague}", {"zuid"}),
    ("reason=no_progress&assigned=niemand", {"nobody"}),
])
def test_filters(schools, coordinators, ladder, login, query, expected):
    me, colleague = coordinators
    north, south = schools
    made = {
        "thuis": _escalation(north, E.thuiszitter, due_in=1),
        "mine": _escalation(north, E.no_progress, due_in=2, assigned_coordinator=me),
        "nobody": _escalation(north, E.no_progress, due_in=3),
        "zuid": _escalation(south, E.regie_dispute, due_in=4, tier=2,
                            assigned_coordinator=colleague),
    }
    url = "/escalaties/?" + query.format(south=south.municipality_id, north_school=north.id,
                                         colleague=colleague.id)
    response = login(me).get(url)
    assert response.status_code == 200
    assert set(_listed(response)) == {made[k].id for k in expected}


def test_a_region_with_many_schools_lists_them_per_municipality(schools, coordinators, login,
                                                                monkeypatch):
    monkeypatch.setattr(queries, "SCHOOL_LIST_MAX", 1)  # the two schools are "too many"
    north, south = schools
    client = login(coordinators[0])
    whole = text_of(client.get("/escalaties/"))
    assert "Kies eerst een gemeente" in whole
    assert "OBS Noord" not in whole and "OBS Zuid" not in whole
    one = text_of(client.get(f"/escalaties/?municipality={south.municipality_id}"))
    assert "OBS Zuid" in one and "OBS Noord" not in one and "Kies eerst een gemeente" not in one
    chosen = text_of(client.get(f"/escalaties/?school={north.id}"))
    assert "OBS Noord" in chosen  # the chosen school stays in the filter


@pytest.mark.parametrize("query", ["reason=geen", "tier=een", "assigned=iemand", "school=x"])
def test_a_malformed_filter_is_a_bad_request(coordinators, login, query):
    assert login(coordinators[0]).get(f"/escalaties/?{query}").status_code == 400


def test_every_step_out_of_the_escalation_state_ends_the_escalation():
    """The queue counts open escalations without looking at their cases: that holds only while
    no step leaves the escalation state without resolving the escalation."""
    leaving = {t["trigger"] for t in workflow.TRANSITIONS
               if CaseState.escalation in _sources(t) and t["dest"] != CaseState.escalation}
    assert leaving and leaving <= set(ENDS_ESCALATION)


def _sources(transition) -> list:
    source = transition["source"]
    return source if isinstance(source, list) else [source]


def test_only_open_escalations_of_escalated_cases_are_listed(schools, coordinators, login):
    school = schools[0]
    listed = _escalation(school)
    resolved = _escalation(school)
    resolved.resolved_at = resolved.opened_at
    stale = _escalation(school)
    stale.case.state = CaseState.mdo  # an open row whose case left escalation: not visible
    assert _listed(login(coordinators[0]).get("/escalaties/")) == [listed.id]


def test_a_school_user_never_sees_the_queue(schools, login):
    school = schools[0]
    _escalation(school)
    client = login(user_with_role(Role.school_staff, school))
    assert client.get("/escalaties/").status_code == 403
    assert "Escalaties" not in client.get("/").get_data(as_text=True)


def test_a_coordinator_of_another_region_sees_nothing(schools, login):
    escalation = _escalation(schools[0])
    elsewhere = OrganisationFactory(kind=OrganisationKind.samenwerkingsverband)
    client = login(user_with_role(Role.coordinator, elsewhere))
    response = client.get("/escalaties/")
    assert response.status_code == 200 and _listed(response) == []
    assert "0 open escalaties" in text_of(response)
    assert client.get(f"/escalaties/{escalation.id}").status_code == 404
    denied = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == escalation.case_id, AuditEvent.outcome == "denied")).all()
    assert denied and denied[-1].object_type == "escalation"


def test_the_nav_offers_the_queue_to_coordinators(coordinators, login):
    page = login(coordinators[0]).get("/").get_data(as_text=True)
    assert 'href="/escalaties/"' in page


def test_each_queue_view_is_logged_as_a_list(schools, coordinators, login):
    _escalation(schools[0], E.thuiszitter)
    login(coordinators[0]).get("/escalaties/?reason=thuiszitter")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "list")
                               .order_by(AuditEvent.seq.desc())).first()
    assert event.object_type == "escalation_queue"
    assert event.user_id == coordinators[0].id
    assert "reason=thuiszitter" in event.detail and "treffers=1" in event.detail


def test_a_page_costs_the_same_number_of_queries_for_3_or_50_rows(schools, coordinators,
                                                                  ladder, login):
    for index in range(3):
        escalation = _escalation(schools[index % 2], E.thuiszitter if index % 2 else E.no_progress,
                                 due_in=index, assigned_coordinator=coordinators[index % 2])
        ThuiszitterEpisodeFactory(case=escalation.case)
    client = login(coordinators[0])
    few = _count_queries(client, "/escalaties/")
    for index in range(60):
        escalation = _escalation(schools[index % 2], E.thuiszitter if index % 2 else E.no_progress,
                                 due_in=index, assigned_coordinator=coordinators[index % 2])
        ThuiszitterEpisodeFactory(case=escalation.case)
    many = _count_queries(client, "/escalaties/")
    page_two = _count_queries(client, "/escalaties/?page=2")
    assert few == many == page_two


def _count_queries(client, url) -> int:
    with statements_run() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_fifty_per_page(schools, coordinators, login):
    for index in range(51):
        _escalation(schools[0], due_in=index)
    client = login(coordinators[0])
    assert len(_listed(client.get("/escalaties/"))) == 50
    second = client.get("/escalaties/?page=2")
    assert len(_listed(second)) == 1 and "Pagina 2 van 2" in text_of(second)
