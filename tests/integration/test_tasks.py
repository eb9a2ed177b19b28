"""'Mijn taken': the open MDO actions of the signed-in user, and marking one done."""

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import Case, CaseEvent, Discipline, MdoAction
from app.cases.workflow import CaseState
from app.extensions import db
from app.models import utcnow
from app.org.models import OrganisationKind
from tests.conftest import statements_run
from tests.conftest import text_of as _raw_text
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    MdoActionFactory,
    MdoMeetingFactory,
    MdoParticipantFactory,
    OrganisationFactory,
    SchoolFactory,
    user_with_role,
)

TODAY = date.today()
DONE_FORM = re.compile(r'action="/cases/(\d+)/actions/(\d+)/done"')


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


@pytest.fixture
def school():
    return SchoolFactory(name="Basisschool De Regenboog")


@pytest.fixture
def leerplicht(school):
    return OrganisationFactory(region=school.region, name="Leerplicht Stad",
                               kind=OrganisationKind.leerplicht)


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def lpa(leerplicht):
    return user_with_role(Role.participant, leerplicht, name="Lotte Leerplicht")


def _held_case(school, ib, lpa=None, organisation=None, reference=None):
    """A case with a held MDO; `lpa` invited for `organisation`, which has consent."""
    kwargs = {"pupil__reference": reference} if reference else {}
    case = CaseFactory(school=school, pupil__school=school, opened_by=ib,
                       state=CaseState.mdo, **kwargs)
    meeting = MdoMeetingFactory(case=case, planned_at=utcnow() - timedelta(days=3),
                                held_at=utcnow() - timedelta(days=3))
    if lpa is not None:
        ConsentFactory(case=case, recipient=organisation)
        MdoParticipantFactory(meeting=meeting, user=lpa, organisation=organisation,
                              discipline=Discipline.leerplicht, present=True)
    return case, meeting


def _action(meeting, owner, days, text="Actie", **kwargs):
    return MdoActionFactory(meeting=meeting, owner_id=owner.id,
                            due_on=TODAY + timedelta(days=days), description=text, **kwargs)


def _done_links(response) -> list[int]:
    return [int(a) for _, a in DONE_FORM.findall(response.get_data(as_text=True))]


def test_my_tasks_are_my_open_actions_by_due_date_with_the_late_ones_flagged(
        school, ib, lpa, leerplicht, login):
    case, meeting = _held_case(school, ib, lpa, leerplicht, reference="LL-7")
    other_case, other_meeting = _held_case(school, ib, lpa, leerplicht)
    later = _action(meeting, lpa, 10, "Huisbezoek afleggen")
    late = _action(other_meeting, lpa, -2, "Verzuimgesprek voeren")
    soon = _action(meeting, lpa, 1, "Ouders bellen")
    _action(meeting, lpa, 0, "Al gedaan", done_at=utcnow())
    _action(meeting, ib, 0, "Van iemand anders")

    response = login(lpa).get("/cases/tasks")

    assert response.status_code == 200
    assert _done_links(response) == [late.id, soon.id, later.id]
    page = text_of(response)
    assert "3 open acties." in page
    assert "Verzuimgesprek voeren" in page and "Te laat" in page
    assert page.count("Te laat") == 1
    assert "Al gedaan" not in page and "Van iemand anders" not in page
    assert f'href="/cases/{case.id}#kop-mdo"' in response.get_data(as_text=True)
    assert "LL-7" in page
    logged = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.object_type, AuditEvent.detail)
        .where(AuditEvent.user_id == lpa.id, AuditEvent.object_type == "task_list")).all()
    assert logged == [("list", "task_list", "pagina=1 treffers=3")]


def test_actions_on_a_case_i_may_no_longer_see_drop_off_the_list(
        school, ib, lpa, leerplicht, login):
    case, meeting = _held_case(school, ib, lpa, leerplicht)
    _action(meeting, lpa, 3, "Huisbezoek afleggen")
    case.consents[0].withdrawn_at = utcnow() - timedelta(days=1)
    db.session.flush()

    response = login(lpa).get("/cases/tasks")

    assert _done_links(response) == [] and "0 open acties." in text_of(response)


def test_the_task_list_pages_by_25(school, ib, login):
    _, meeting = _held_case(school, ib)
    actions = [_action(meeting, ib, n) for n in range(27)]
    client = login(ib)

    first, second = client.get("/cases/tasks"), client.get("/cases/tasks?page=2")

    assert len(_done_links(first)) == 25 and len(_done_links(second)) == 2
    assert set(_done_links(first) + _done_links(second)) == {a.id for a in actions}
    assert "Pagina 1 van 2" in text_of(first)


def test_the_task_list_queries_do_not_grow_with_the_actions(school, ib, lpa, leerplicht, login):
    client = login(lpa)

    def queries() -> int:
        with statements_run() as statements:
            assert client.get("/cases/tasks").status_code == 200
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    _, meeting = _held_case(school, ib, lpa, leerplicht)
    _action(meeting, lpa, 1)
    few = queries()
    for _ in range(4):
        _, meeting = _held_case(school, ib, lpa, leerplicht)
        _action(meeting, lpa, 2)
        _action(meeting, lpa, 3)
    assert queries() == few


def test_roles_that_own_no_actions_have_no_task_list(school, login):
    coordinator = user_with_role(Role.coordinator, OrganisationFactory(region=school.region))
    assert login(coordinator).get("/cases/tasks").status_code == 403


def test_the_menu_shows_my_tasks_with_the_number_open(school, ib, lpa, leerplicht, login):
    _, meeting = _held_case(school, ib, lpa, leerplicht)
    _action(meeting, lpa, 1)
    _action(meeting, lpa, 2)

    menu = login(lpa).get("/").get_data(as_text=True)

    assert re.search(r'href="/cases/tasks">Mijn taken <span[^>]*>2<span class="visually-hidden">'
                     r' open</span>', menu)
    admin = user_with_role(Role.admin, OrganisationFactory(region=school.region))
    assert "Mijn taken" not in login(admin).get("/").get_data(as_text=True)


# --- marking done --------------------------------------------------------------------------------


def _done(client, case, action, back="tasks", version=None):
    return client.post(f"/cases/{case.id}/actions/{action.id}/done",
                       data={"version": version or case.version, "back": back})


def _state(action) -> tuple:
    db.session.expire_all()
    action = db.session.get(MdoAction, action.id)
    return action.done_at is not None, action.done_by_id


def test_the_owner_marks_an_action_done(school, ib, lpa, leerplicht, login):
    case, meeting = _held_case(school, ib, lpa, leerplicht)
    action = _action(meeting, lpa, 3, "Huisbezoek afleggen")
    client = login(lpa)

    response = _done(client, case, action)

    assert response.status_code == 302 and response.location == "/cases/tasks"
    assert _state(action) == (True, lpa.id)
    assert "De actie is afgerond." in text_of(client.get("/cases/tasks"))
    summaries = db.session.scalars(sa.select(CaseEvent.summary)
                                   .where(CaseEvent.case_id == case.id)).all()
    assert summaries == ["Actie afgerond"]  # no content of the action on the timeline
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "mdo_action_done")) is not None


def test_the_school_may_close_an_action_of_someone_else_from_the_case_page(
        school, ib, lpa, leerplicht, login):
    case, meeting = _held_case(school, ib, lpa, leerplicht)
    action = _action(meeting, lpa, 3)
    client = login(ib)
    assert action.id in _done_links(client.get(f"/cases/{case.id}"))

    response = _done(client, case, action, back="case")

    assert response.location == f"/cases/{case.id}#kop-mdo"
    assert _state(action) == (True, ib.id)
    assert "Afgerond op" in text_of(client.get(f"/cases/{case.id}"))


def test_a_stranger_cannot_mark_an_action_done(school, ib, lpa, leerplicht, login):
    case, meeting = _held_case(school, ib, lpa, leerplicht)
    action = _action(meeting, ib, 3)
    other_school_staff = user_with_role(Role.school_staff, SchoolFactory())
    unrelated = user_with_role(Role.participant, leerplicht)

    # the invited attendance officer sees the case but does not own this action
    lpa_client = login(lpa)
    assert action.id not in _done_links(lpa_client.get(f"/cases/{case.id}"))
    assert _done(lpa_client, case, action).status_code == 403
    assert _done(login(other_school_staff), case, action).status_code == 404
    assert _done(login(unrelated), case, action).status_code == 404
    assert _state(action) == (False, None)


def test_an_action_of_another_case_is_not_found(school, ib, login):
    case, _ = _held_case(school, ib)
    _, other_meeting = _held_case(school, ib)
    action = _action(other_meeting, ib, 3)

    assert _done(login(ib), case, action).status_code == 404
    assert _state(action) == (False, None)


def test_marking_done_on_a_stale_version_is_a_conflict(school, ib, login):
    case, meeting = _held_case(school, ib)
    action = _action(meeting, ib, 3)
    old = case.version
    case.hulpvraag = "Gewijzigd door een collega."
    db.session.flush()

    response = _done(login(ib), case, action, version=old)

    assert response.status_code == 409
    assert _state(action) == (False, None)


def test_an_action_already_done_cannot_be_done_again(school, ib, login):
    case, meeting = _held_case(school, ib)
    action = _action(meeting, ib, 3, done_at=utcnow(), done_by_id=ib.id)

    assert _done(login(ib), case, action).status_code == 403
    assert db.session.get(Case, case.id).version == case.version
