"""Casusregie: one holder per case, handed over only when the receiver accepts."""

import html
import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import Case, CaseEvent, HandoverStatus, RegieHandover
from app.cases.services import CaseError, regie
from app.cases.workflow import CaseState
from app.extensions import db
from app.models import utcnow
from app.notifications.models import Notification
from tests.conftest import statements_run
from tests.conftest import text_of as _raw_text
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    MdoMeetingFactory,
    MdoParticipantFactory,
    OrganisationFactory,
    ReferralFactory,
    RegieHandoverFactory,
    SchoolFactory,
    user_with_role,
)

CASE_LINK = re.compile(r'href="/cases/(\d+)(?:#[\w-]+)?"')


@pytest.fixture
def school():
    return SchoolFactory(name="Basisschool De Regenboog")


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def wijkteam(school):
    return OrganisationFactory(region=school.region, name="Wijkteam Noord")


@pytest.fixture
def coach(wijkteam):
    return user_with_role(Role.youth_professional, wijkteam, name="Karim de Coach",
                          job_title="J&G-coach")


def _case(school, **kwargs) -> Case:
    kwargs.setdefault("pupil__school", school)
    kwargs.setdefault("pupil__reference", "LL-77")
    kwargs.setdefault("state", CaseState.mdo)
    return CaseFactory(school=school, **kwargs)


def _held_by(school, holder, **kwargs) -> Case:
    return _case(school, regie_holder_id=holder.id, regie_since=utcnow(), **kwargs)


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


def _fresh(case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def _request(client, case, to_user, note="Karim kent het gezin al."):
    return client.post(f"/cases/{case.id}/regie", data={
        "regie-version": str(_fresh(case).version), "regie-to_user_id": str(to_user.id),
        "regie-note": note})


def _answer(client, case, handover, what, **data):
    data = {f"regie_{what}-{k}": v for k, v in data.items()}
    data.setdefault(f"regie_{what}-version", str(_fresh(case).version))
    return client.post(f"/cases/{case.id}/regie/{handover.id}/{what}", data=data)


def _reload(handover) -> RegieHandover:
    db.session.expire_all()
    return db.session.get(RegieHandover, handover.id)


def _handovers(case) -> list[RegieHandover]:
    return db.session.scalars(sa.select(RegieHandover).where(RegieHandover.case_id == case.id)
                              .order_by(RegieHandover.id)).all()


def _events(case) -> list[str]:
    return db.session.scalars(sa.select(CaseEvent.summary).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.id)).all()


def _notes(user) -> list[tuple[str, str]]:
    return db.session.execute(sa.select(Notification.kind, Notification.text)
                              .where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def _audit(case, action):
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action == action)).all()


# --- the whole handover ----------------------------------------------------------------------


def test_a_handover_lets_the_receiver_see_the_case_and_takes_effect_when_accepted(
        school, ib, coach, wijkteam, login):
    case = _held_by(school, ib)
    ConsentFactory(case=case, recipient=wijkteam)
    ib_client, coach_client = login(ib), login(coach)
    assert coach_client.get(f"/cases/{case.id}").status_code == 404

    response = _request(ib_client, case, coach)

    assert response.status_code == 302 and response.location == f"/cases/{case.id}"
    [handover] = _handovers(case)
    assert (handover.status, handover.from_user_id, handover.to_user_id) == (
        HandoverStatus.requested, ib.id, coach.id)
    assert _fresh(case).regie_holder_id == ib.id  # the old holder stays responsible
    assert _events(case) == ["Casusregie overdracht gevraagd aan Karim de Coach"]
    assert _notes(coach) == [("handover_request", "Ilse Begeleider vraagt u de casusregie van "
                                                  "een casus over te nemen.")]
    assert [a.fields for a in _audit(case, "regie:request")] == ["regie_handover"]
    page = text_of(ib_client.get(f"/cases/{case.id}"))
    assert "Overdracht gevraagd aan Karim de Coach" in page
    assert "Tot die het verzoek accepteert, blijft Ilse Begeleider verantwoordelijk." in page
    assert "Casusregie overnemen" not in page  # only the receiver answers

    response = coach_client.get(f"/cases/{case.id}")
    assert response.status_code == 200 and "Casusregie overnemen" in text_of(response)
    [read] = [a for a in _audit(case, "read") if a.user_id == coach.id]
    assert read.authorisation.startswith("handover+consent:")

    response = _answer(coach_client, case, handover, "accept")

    assert response.status_code == 302
    case = _fresh(case)
    assert case.regie_holder_id == coach.id and case.regie_since is not None
    assert _reload(handover).status == HandoverStatus.accepted
    assert _events(case)[-1] == "Casusregie overgenomen door Karim de Coach"
    assert _notes(ib) == [("handover_answer", "Karim de Coach heeft de casusregie overgenomen.")]
    assert len(_audit(case, "regie:accept")) == 1
    page = text_of(ib_client.get(f"/cases/{case.id}"))
    assert "Casusregie Karim de Coach , J&G-coach – sinds" in page
    assert "Overdracht gevraagd" not in page


def test_a_handover_cannot_be_accepted_by_someone_else(school, ib, coach, wijkteam, login):
    case = _held_by(school, coach)
    ConsentFactory(case=case, recipient=wijkteam)
    colleague = user_with_role(Role.school_staff, school)
    handover = RegieHandoverFactory(case=case, to_user_id=colleague.id, requested_by_id=coach.id)

    for client in (login(ib), login(coach)):
        assert _answer(client, case, handover, "accept").status_code == 403
    assert _fresh(case).regie_holder_id == coach.id
    assert _reload(handover).status == HandoverStatus.requested


def test_declining_needs_a_reason_and_leaves_the_holder(school, ib, coach, wijkteam, login):
    case = _held_by(school, ib)
    ConsentFactory(case=case, recipient=wijkteam)
    handover = RegieHandoverFactory(case=case, to_user_id=coach.id, requested_by_id=ib.id)
    coach_client = login(coach)

    response = _answer(coach_client, case, handover, "decline", reason="   ")

    assert response.status_code == 422
    assert "Schrijf waarom u de casusregie niet overneemt." in text_of(response)
    assert _reload(handover).status == HandoverStatus.requested

    response = _answer(coach_client, case, handover, "decline",
                       reason="Geen ruimte in mijn caseload tot de zomer.")

    assert response.status_code == 302
    handover = _reload(handover)
    assert handover.status == HandoverStatus.declined and handover.answered_at is not None
    assert handover.answer_note == "Geen ruimte in mijn caseload tot de zomer."
    assert _fresh(case).regie_holder_id == ib.id
    assert _events(case) == ["Overdracht afgewezen"]
    assert _notes(ib) == [("handover_answer", "Karim de Coach heeft uw verzoek om de "
                                              "casusregie over te nemen afgewezen.")]
    assert len(_audit(case, "regie:decline")) == 1
    page = text_of(login(ib).get(f"/cases/{case.id}"))
    assert "Karim de Coach heeft het verzoek van" in page
    assert "afgewezen: Geen ruimte in mijn caseload tot de zomer." in page
    assert coach_client.get(f"/cases/{case.id}").status_code == 404  # the relation ended


def test_the_requester_may_withdraw_and_the_receiver_loses_sight(school, ib, coach, wijkteam,
                                                                  login):
    case = _held_by(school, ib)
    ConsentFactory(case=case, recipient=wijkteam)
    handover = RegieHandoverFactory(case=case, to_user_id=coach.id, requested_by_id=ib.id)
    coach_client = login(coach)
    assert _answer(coach_client, case, handover, "withdraw").status_code == 403

    response = _answer(login(ib), case, handover, "withdraw")

    assert response.status_code == 302
    assert _reload(handover).status == HandoverStatus.withdrawn
    assert _events(case) == ["Verzoek om overdracht van de casusregie ingetrokken"]
    assert [kind for kind, _ in _notes(coach)] == ["handover_withdrawn"]
    assert coach_client.get(f"/cases/{case.id}").status_code == 404


def test_a_second_open_handover_is_refused(school, ib, coach, wijkteam, login):
    case = _held_by(school, ib)
    ConsentFactory(case=case, recipient=wijkteam)
    RegieHandoverFactory(case=case, to_user_id=coach.id, requested_by_id=ib.id)
    colleague = user_with_role(Role.school_staff, school, name="Collega Cor")

    response = _request(login(ib), case, colleague)

    assert response.status_code == 422
    assert "Er loopt al een verzoek om de casusregie over te dragen." in text_of(response)
    assert len(_handovers(case)) == 1 and _fresh(case).regie_holder_id == ib.id


def test_the_database_keeps_one_open_handover_when_two_ask_at_once(school, ib, coach, wijkteam):
    case = _held_by(school, ib)
    ConsentFactory(case=case, recipient=wijkteam)
    colleague = user_with_role(Role.school_staff, school)
    db.session.commit()  # a refusal rolls the session back: the setup must survive that
    assert case.regie_handovers == []  # this request has read "no open handover"
    db.session.execute(sa.insert(RegieHandover).values(  # a concurrent request got in first
        case_id=case.id, from_user_id=ib.id, to_user_id=colleague.id, requested_by_id=ib.id,
        requested_at=utcnow(), status="requested"))

    with pytest.raises(CaseError, match="Er loopt al een verzoek"):
        regie.request_handover(ib, case, case.version, coach)

    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegieHandover)) == 0
    assert _events(case) == []


def test_taking_regie_oneself_is_immediate(school, ib, login):
    case = _case(school)  # in MDO, nobody holds regie
    client = login(ib)
    assert "Niemand heeft casusregie." in text_of(client.get(f"/cases/{case.id}"))

    response = _request(client, case, ib, note="")

    assert response.status_code == 302
    case = _fresh(case)
    assert case.regie_holder_id == ib.id and case.regie_since is not None
    [handover] = _handovers(case)
    assert (handover.status, handover.from_user_id, handover.requested_by_id) == (
        HandoverStatus.accepted, None, ib.id)
    assert _events(case) == ["Casusregie overgenomen door Ilse Begeleider"]
    assert [a.fields for a in _audit(case, "regie:take")] == ["regie_holder"]
    assert "U heeft nu de casusregie van deze casus." in text_of(client.get(f"/cases/{case.id}"))


def test_taking_regie_from_someone_tells_them(school, ib, coach, wijkteam, login):
    case = _held_by(school, coach)
    ConsentFactory(case=case, recipient=wijkteam)

    assert _request(login(ib), case, ib).status_code == 302

    assert _fresh(case).regie_holder_id == ib.id
    assert _notes(coach) == [("handover_answer", "Ilse Begeleider heeft de casusregie van een "
                                                 "casus van u overgenomen.")]


def test_a_receiver_without_consent_for_their_organisation_is_refused(school, ib, coach, login):
    case = _held_by(school, ib)  # no consent for the wijkteam

    response = _request(login(ib), case, coach)

    assert response.status_code == 422
    assert ("Karim de Coach kan deze casus niet inzien: er is geen geldige toestemming"
            in text_of(response))
    assert _handovers(case) == [] and _notifications_count() == 0


def _notifications_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification))


def test_only_case_team_users_of_the_school_or_region_can_receive(school, ib, login):
    case = _held_by(school, ib)
    far_coach = user_with_role(Role.youth_professional, OrganisationFactory())
    coordinator = user_with_role(Role.coordinator, OrganisationFactory(region=school.region))
    other_ib = user_with_role(Role.school_staff, SchoolFactory())
    client = login(ib)

    for stranger in (far_coach, coordinator, other_ib):
        response = _request(client, case, stranger)
        assert response.status_code == 422
        assert "Kies een van de mogelijkheden uit de lijst." in text_of(response)
    assert _handovers(case) == []


def test_who_may_ask_for_a_handover(school, ib, coach, wijkteam, login):
    case = _held_by(school, ib, state=CaseState.arrangement)
    ConsentFactory(case=case, recipient=wijkteam)
    ReferralFactory(case=case, to_user=coach, to_organisation=wijkteam)  # sees it, no regie
    participant = user_with_role(Role.participant, OrganisationFactory(region=school.region))
    meeting = MdoMeetingFactory(case=case)
    MdoParticipantFactory(meeting=meeting, user=participant,
                          organisation=participant.memberships[0].organisation)
    ConsentFactory(case=case, recipient=participant.memberships[0].organisation)
    foreign = user_with_role(Role.school_staff, SchoolFactory())

    assert _request(login(coach), case, coach).status_code == 403
    assert _request(login(participant), case, ib).status_code == 403
    assert _request(login(foreign), case, foreign).status_code == 404
    assert _handovers(case) == []
    assert {a.detail for a in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.outcome == "denied"))} >= {"regie:request"}


def test_the_holder_may_hand_over_and_sees_who_knows_the_case(school, ib, coach, wijkteam,
                                                              login):
    case = _held_by(school, coach)
    ConsentFactory(case=case, recipient=wijkteam)
    colleague = user_with_role(Role.youth_professional, wijkteam, name="Anna Andere")
    ReferralFactory(case=case, to_user=colleague, to_organisation=wijkteam)
    client = login(coach)

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="regie-to_user_id".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="(\d+)">([^<]*)</option>', select)
    names = [html.unescape(label) for _, label in options]
    assert names[0].startswith("Anna Andere") and "al betrokken bij deze casus" in names[0]
    assert any(n.startswith("Ilse Begeleider") for n in names)
    assert not any(n.startswith("Karim de Coach") for n in names)  # the holder himself

    assert _request(client, case, colleague).status_code == 302
    assert _handovers(case)[0].to_user_id == colleague.id


def test_a_stale_answer_is_a_409_that_changes_nothing(school, ib, coach, wijkteam, login):
    case = _held_by(school, ib)
    ConsentFactory(case=case, recipient=wijkteam)
    handover = RegieHandoverFactory(case=case, to_user_id=coach.id, requested_by_id=ib.id)
    old = _fresh(case).version
    case.description = "Intussen aangevuld."
    db.session.flush()

    response = _answer(login(coach), case, handover, "accept", version=str(old))

    assert response.status_code == 409
    assert "Deze casus is intussen gewijzigd" in text_of(response)
    assert _fresh(case).regie_holder_id == ib.id
    assert _reload(handover).status == HandoverStatus.requested


def test_a_handover_of_another_case_is_not_found(school, ib, coach, login):
    case, other = _held_by(school, ib), _case(school, pupil__reference="LL-78")
    handover = RegieHandoverFactory(case=other, to_user_id=ib.id, requested_by_id=coach.id)

    assert _answer(login(ib), case, handover, "accept").status_code == 404


# --- my open requests --------------------------------------------------------------------------


def test_my_open_requests_are_listed(school, ib, coach, wijkteam, login):
    mine = _held_by(school, ib)
    ConsentFactory(case=mine, recipient=wijkteam)
    RegieHandoverFactory(case=mine, to_user_id=coach.id, requested_by_id=ib.id)
    answered = _held_by(school, ib, pupil__reference="LL-79")
    RegieHandoverFactory(case=answered, to_user_id=coach.id, requested_by_id=ib.id,
                         status=HandoverStatus.declined)
    someone_elses = _held_by(school, ib, pupil__reference="LL-80")
    RegieHandoverFactory(case=someone_elses, requested_by_id=ib.id)

    response = login(coach).get("/cases/regie")

    assert response.status_code == 200
    assert [int(i) for i in CASE_LINK.findall(response.get_data(as_text=True))] == [mine.id]
    text = text_of(response)
    assert "1 open verzoek." in text and "Ilse Begeleider" in text
    assert "LL-77" not in text  # no pupil reference before the receiver opens the case


def test_the_request_list_is_for_the_case_team(login):
    participant = user_with_role(Role.participant, OrganisationFactory())
    assert login(participant).get("/cases/regie").status_code == 403


# --- caseload ----------------------------------------------------------------------------------


def test_the_caseload_flags_and_filters_cases_without_a_regie_holder(school, ib, login):
    held = _held_by(school, ib, pupil__reference="HELD-1")
    orphan = _case(school, pupil__reference="ORPHAN-1", state=CaseState.evaluation)
    fresh = _case(school, pupil__reference="FRESH-1", state=CaseState.signalering)
    client = login(ib)

    everything = client.get("/cases/")
    assert text_of(everything).count("Geen regiehouder") == 1
    row = re.search(r"ORPHAN-1.*?</tr>", everything.get_data(as_text=True), re.S).group(0)
    assert "Geen regiehouder" in row

    response = client.get("/cases/?zonder_regie=1")

    listed = [int(i) for i in CASE_LINK.findall(response.get_data(as_text=True))]
    assert listed == [orphan.id]
    assert held.id not in listed and fresh.id not in listed
    assert "1 casus zonder regiehouder." in text_of(response)
    assert 'id="zonder_regie" name="zonder_regie" type="checkbox" value="1" checked' in (
        response.get_data(as_text=True))


def test_the_caseload_query_count_does_not_grow_with_the_cases(school, ib, login):
    client = login(ib)

    def caseload_queries(url):
        with statements_run() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    _held_by(school, ib, pupil__reference="A-1")
    _case(school, pupil__reference="A-2")
    few = caseload_queries("/cases/"), caseload_queries("/cases/?zonder_regie=1")
    for n in range(5):
        coach = user_with_role(Role.youth_professional, OrganisationFactory(region=school.region))
        _held_by(school, coach, pupil__reference=f"B-{n}")
        _case(school, pupil__reference=f"C-{n}", state=CaseState.escalation)
    assert (caseload_queries("/cases/"), caseload_queries("/cases/?zonder_regie=1")) == few
