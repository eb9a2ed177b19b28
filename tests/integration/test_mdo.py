"""The MDO: planning it with invitees (and their consent), recording how it went with parents,
pupil and decisions as actions, and the printable minutes for the parents."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases import workflow
from app.cases.models import (
    Case,
    CaseEvent,
    Discipline,
    MdoAction,
    MdoMeeting,
    MdoParticipant,
    ParentParticipation,
    PupilVoice,
)
from app.cases.services import CaseError
from app.cases.services import mdo as mdo_services
from app.cases.workflow import CaseState
from app.extensions import db
from app.models import utcnow
from app.notifications.models import Notification
from app.org.models import OrganisationKind, PartnerType
from tests.conftest import text_of as _raw_text
from tests.factories import (
    ArrangementFactory,
    CaseFactory,
    ConsentFactory,
    MdoMeetingFactory,
    MdoParticipantFactory,
    OrganisationFactory,
    SchoolContactFactory,
    SchoolFactory,
    user_with_role,
)

NEXT_WEEK = date.today() + timedelta(days=7)
YESTERDAY = date.today() - timedelta(days=1)


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


@pytest.fixture
def school():
    return SchoolFactory(name="Basisschool De Regenboog")


@pytest.fixture
def wijkteam(school):
    return OrganisationFactory(region=school.region, name="Wijkteam Noord",
                               kind=OrganisationKind.wijkteam)


@pytest.fixture
def leerplicht(school):
    return OrganisationFactory(region=school.region, name="Leerplicht Stad",
                               kind=OrganisationKind.leerplicht)


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def coach(school, wijkteam):
    coach = user_with_role(Role.youth_professional, wijkteam, name="Coen Coach")
    SchoolContactFactory(school=school, user=coach, organisation=wijkteam,
                         partner_type=PartnerType.jeugdhulp)
    return coach


@pytest.fixture
def lpa(school, leerplicht):
    lpa = user_with_role(Role.participant, leerplicht, name="Lotte Leerplicht")
    SchoolContactFactory(school=school, user=lpa, organisation=leerplicht,
                         partner_type=PartnerType.leerplicht)
    return lpa


@pytest.fixture
def ib_client(ib, login):
    return login(ib)


def _case(school, ib, **kwargs) -> Case:
    kwargs.setdefault("pupil__school", school)
    return CaseFactory(school=school, opened_by=ib, **kwargs)


def _key(user, organisation) -> str:
    return f"p{user.id}-{organisation.id}"


def _plan(case, *invitees, on=NEXT_WEEK, at="14:00", chair=None, **changes):
    data = {"version": case.version, "planned_on": on.isoformat(), "planned_time": at,
            "chair_id": str(chair.id if chair else case.opened_by_id), "invitees": list(invitees)}
    data.update(changes)
    return data


def _meetings(case) -> list[MdoMeeting]:
    db.session.expire_all()
    return db.session.scalars(sa.select(MdoMeeting).where(MdoMeeting.case_id == case.id)).all()


def _notes(kind: str) -> list[tuple[int, str]]:
    return db.session.execute(sa.select(Notification.user_id, Notification.text)
                              .where(Notification.kind == kind)
                              .order_by(Notification.id)).all()


def _events(case) -> list[str]:
    return db.session.scalars(sa.select(CaseEvent.summary).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.id)).all()


def _audit(case) -> list[tuple[str, str | None]]:
    return db.session.execute(sa.select(AuditEvent.action, AuditEvent.object_type)
                              .where(AuditEvent.case_id == case.id)
                              .order_by(AuditEvent.seq)).all()


# --- planning ------------------------------------------------------------------------------------


def test_the_plan_page_offers_the_partners_and_shows_whose_consent_is_missing(
        school, ib, coach, lpa, wijkteam, leerplicht, ib_client):
    case = _case(school, ib)
    ConsentFactory(case=case, recipient=wijkteam)

    response = ib_client.get(f"/cases/{case.id}/mdo/plan")

    assert response.status_code == 200
    page = text_of(response)
    assert "Coen Coach – Wijkteam Noord – toestemming vastgelegd" in page
    assert "Lotte Leerplicht – Leerplicht Stad – nog geen toestemming" in page
    assert "Leerplicht Stad (zonder vaste persoon)" in page
    assert ("read", None) in _audit(case)


def test_the_school_plans_an_mdo_the_invitees_are_told_and_the_timeline_shows_it(
        school, ib, coach, lpa, wijkteam, leerplicht, ib_client):
    case = _case(school, ib)

    response = ib_client.post(f"/cases/{case.id}/mdo/plan", data=_plan(
        case, _key(coach, wijkteam), _key(lpa, leerplicht), f"o{leerplicht.id}"))

    assert response.status_code == 302
    [meeting] = _meetings(case)
    local = datetime.combine(NEXT_WEEK, datetime.min.time().replace(hour=14),
                             tzinfo=mdo_services.AMSTERDAM)
    assert meeting.planned_at == local.astimezone(UTC) and meeting.held_at is None
    assert meeting.chair_id == ib.id
    assert {(p.discipline, p.user_id, p.organisation_id) for p in meeting.participants} == {
        (Discipline.school, ib.id, None), (Discipline.jeugdhulp, coach.id, wijkteam.id),
        (Discipline.leerplicht, lpa.id, leerplicht.id),
        (Discipline.leerplicht, None, leerplicht.id)}
    when = mdo_services.when_text(meeting.planned_at)
    assert when.endswith("om 14:00")
    assert _notes("mdo_invitation") == [
        (coach.id, f"U bent uitgenodigd voor een MDO op {when}."),
        (lpa.id, f"U bent uitgenodigd voor een MDO op {when}.")]
    assert _events(case) == [f"MDO gepland op {when}"]
    assert ("mdo_plan", None) in _audit(case)
    page = text_of(ib_client.get(f"/cases/{case.id}"))
    assert "Gepland MDO" in page and "Het MDO is gepland en de genodigden hebben bericht" in page
    assert "Zet nu de stap MDO plannen onder Volgende stap" in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"planned_on": YESTERDAY.isoformat()}, "Kies een datum en tijd in de toekomst."),
    ({"planned_on": ""}, "Vul de datum van het MDO in."),
    ({"planned_on": "31-02-2027"}, "Vul de datum in als dd-mm-jjjj"),
    ({"planned_time": "twee uur"}, "Vul de tijd in als uu:mm"),
    ({"chair_id": ""}, "Kies een voorzitter."),
    ({"invitees": []}, "Nodig minstens één partner uit naast de school"),
], ids=["past", "no-date", "bad-date", "bad-time", "no-chair", "no-invitee"])
def test_a_bad_plan_is_refused_in_dutch_and_nothing_is_stored(
        school, ib, coach, wijkteam, ib_client, changes, message):
    case = _case(school, ib)

    response = ib_client.post(f"/cases/{case.id}/mdo/plan",
                              data=_plan(case, _key(coach, wijkteam), **changes))

    assert response.status_code == 422
    assert message in text_of(response)
    assert "Het MDO is niet opgeslagen." in text_of(response)
    assert _meetings(case) == [] and _notes("mdo_invitation") == [] and _events(case) == []


def test_a_chair_from_outside_the_case_team_is_refused(school, ib, coach, wijkteam, ib_client):
    case = _case(school, ib)
    stranger = user_with_role(Role.school_staff, SchoolFactory())

    response = ib_client.post(f"/cases/{case.id}/mdo/plan",
                              data=_plan(case, _key(coach, wijkteam), chair=stranger))

    assert response.status_code == 422 and _meetings(case) == []


def test_a_second_planned_mdo_is_refused_change_the_planned_one_instead(
        school, ib, coach, wijkteam):
    case = _case(school, ib)
    options = {o.key: o for o in mdo_services.invitee_options(case, date.today())}
    plan = mdo_services.MdoPlan(utcnow() + timedelta(days=3), ib.id,
                                [options[_key(coach, wijkteam)]])
    mdo_services.schedule_mdo(ib, case, case.version, plan)

    with pytest.raises(CaseError, match="Er is al een MDO gepland. Wijzig dat MDO"):
        mdo_services.schedule_mdo(ib, case, case.version, plan)
    assert len(_meetings(case)) == 1


def test_planning_again_changes_the_planned_mdo_and_tells_who_is_new_or_moved(
        school, ib, coach, lpa, wijkteam, leerplicht, ib_client):
    case = _case(school, ib)
    ib_client.post(f"/cases/{case.id}/mdo/plan", data=_plan(case, _key(coach, wijkteam)))
    form = ib_client.get(f"/cases/{case.id}/mdo/plan").get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*value="{_key(coach, wijkteam)}"', form)
    db.session.expire_all()

    later = NEXT_WEEK + timedelta(days=2)
    response = ib_client.post(f"/cases/{case.id}/mdo/plan", data=_plan(
        db.session.get(Case, case.id), _key(lpa, leerplicht), on=later, at="09:30"))

    assert response.status_code == 302
    [meeting] = _meetings(case)
    when = mdo_services.when_text(meeting.planned_at)
    assert when.endswith("om 09:30")
    # the coach is no longer invited, the attendance officer is new: the school row stays
    assert [p.user_id for p in meeting.participants] == [ib.id, lpa.id]
    assert _notes("mdo_invitation")[-1] == (lpa.id, f"U bent uitgenodigd voor een MDO op {when}.")
    assert _events(case)[-1] == f"MDO-planning gewijzigd: {when}"


def test_moving_the_mdo_tells_the_invitees_who_stay(
        school, ib, coach, lpa, wijkteam, leerplicht, ib_client):
    case = _case(school, ib)
    invitees = (_key(coach, wijkteam), _key(lpa, leerplicht))
    ib_client.post(f"/cases/{case.id}/mdo/plan", data=_plan(case, *invitees))
    db.session.expire_all()

    ib_client.post(f"/cases/{case.id}/mdo/plan", data=_plan(
        db.session.get(Case, case.id), *invitees, on=NEXT_WEEK + timedelta(days=1)))

    when = mdo_services.when_text(_meetings(case)[0].planned_at)
    moved = f"Een MDO waarvoor u bent uitgenodigd is verplaatst naar {when}."
    assert _notes("mdo_invitation")[-2:] == [(coach.id, moved), (lpa.id, moved)]


def test_invited_professionals_see_the_case_while_invited_and_consent_covers_them(
        school, ib, coach, lpa, wijkteam, leerplicht, ib_client, login):
    case = _case(school, ib)
    ConsentFactory(case=case, recipient=wijkteam)
    url = f"/cases/{case.id}"
    coach_client, lpa_client = login(coach), login(lpa)
    assert coach_client.get(url).status_code == 404  # a contact person, not yet invited

    ib_client.post(f"/cases/{case.id}/mdo/plan",
                   data=_plan(case, _key(coach, wijkteam), _key(lpa, leerplicht)))

    assert coach_client.get(url).status_code == 200
    # invited, but no consent for the attendance office yet: the case stays closed to them
    assert lpa_client.get(url).status_code == 404
    ConsentFactory(case=case, recipient=leerplicht)
    page = lpa_client.get(url)
    assert page.status_code == 200 and "Gepland MDO" in text_of(page)
    assert "Planning wijzigen" not in text_of(page)  # invited, but the school runs the MDO


def test_the_plan_mdo_step_waits_for_consent_for_every_external_invitee(
        school, ib, coach, wijkteam, ib_client):
    case = _case(school, ib)
    ib_client.post(f"/cases/{case.id}/mdo/plan", data=_plan(case, _key(coach, wijkteam)))
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    consent_message = workflow.GUARDS["consent_covers_invitees"].message

    assert workflow.unmet_conditions(case, "plan_mdo") == [consent_message]
    page = text_of(ib_client.get(f"/cases/{case.id}"))
    assert "nog geen toestemming van ouders/leerling" in page and consent_message in page

    ConsentFactory(case=case, recipient=wijkteam)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert workflow.unmet_conditions(case, "plan_mdo") == []
    response = ib_client.post(f"/cases/{case.id}/transitions/plan_mdo",
                              data={"plan_mdo-version": case.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == CaseState.mdo


def test_the_regie_holder_may_plan_outsiders_and_other_phases_may_not(
        school, ib, coach, lpa, wijkteam, leerplicht, login):
    case = _case(school, ib, regie_holder_id=coach.id)
    for organisation in (wijkteam, leerplicht):
        ConsentFactory(case=case, recipient=organisation)
    MdoParticipantFactory(meeting=MdoMeetingFactory(case=case, planned_at=utcnow()
                                                    - timedelta(days=90), held_at=utcnow()
                                                    - timedelta(days=90)),
                          user=lpa, organisation=leerplicht, discipline=Discipline.leerplicht)
    in_care = _case(school, ib, state=CaseState.arrangement)
    foreign = _case(SchoolFactory(), user_with_role(Role.school_staff, SchoolFactory()))

    coach_client, lpa_client, ib_client = login(coach), login(lpa), login(ib)

    assert coach_client.get(f"/cases/{case.id}/mdo/plan").status_code == 200
    assert lpa_client.get(f"/cases/{case.id}/mdo/plan").status_code == 403
    assert lpa_client.post(f"/cases/{case.id}/mdo/plan",
                           data=_plan(case, _key(coach, wijkteam))).status_code == 403
    assert ib_client.get(f"/cases/{in_care.id}/mdo/plan").status_code == 403
    assert ib_client.get(f"/cases/{foreign.id}/mdo/plan").status_code == 404
    assert _meetings(case)[0].held_at is not None and len(_meetings(case)) == 1


def test_a_plan_on_a_stale_version_is_a_conflict_and_stores_nothing(
        school, ib, coach, wijkteam, ib_client):
    case = _case(school, ib)
    data = _plan(case, _key(coach, wijkteam))
    case.hulpvraag = "Gewijzigd door een collega."
    db.session.flush()  # the colleague's change steps the version

    response = ib_client.post(f"/cases/{case.id}/mdo/plan", data=data)

    assert response.status_code == 409
    assert "Deze casus is intussen gewijzigd" in text_of(response)
    assert _meetings(case) == []


# --- holding -------------------------------------------------------------------------------------


@pytest.fixture
def in_mdo(school, ib, coach, lpa, wijkteam, leerplicht):
    """A case in the MDO phase since three days, with its MDO planned for the day before
    yesterday: the school, the coach (wijkteam) and the attendance officer invited."""
    case = _case(school, ib, state=CaseState.mdo, state_since=utcnow() - timedelta(days=3))
    for organisation in (wijkteam, leerplicht):
        ConsentFactory(case=case, recipient=organisation)
    meeting = MdoMeetingFactory(case=case, planned_at=utcnow() - timedelta(days=2),
                                chair_id=ib.id)
    for user, organisation, discipline in ((ib, None, Discipline.school),
                                           (coach, wijkteam, Discipline.jeugdhulp),
                                           (lpa, leerplicht, Discipline.leerplicht)):
        MdoParticipantFactory(meeting=meeting, user=user, organisation=organisation,
                              discipline=discipline)
    db.session.refresh(meeting)
    return case, meeting


def _hold(case, meeting, present=None, **changes):
    ids = [str(p.id) for p in meeting.participants]
    data = {"version": case.version, "held_on": YESTERDAY.isoformat(), "held_time": "10:00",
            "present": present if present is not None else ids[:2], "parents": "present",
            "parents_reason": "", "pupil_voice": "heard_beforehand", "pupil_reason": "",
            "minutes": "We hebben afgesproken dat Sam extra hulp krijgt bij rekenen.",
            "action1_description": "Gesprek met Sam over de pauzes",
            "action1_owner": str(meeting.participants[1].user_id),
            "action1_due": (date.today() + timedelta(days=14)).isoformat()}
    data.update(changes)
    return data


def _stored(case):
    db.session.expire_all()
    meeting = _meetings(case)[0]
    actions = db.session.scalars(sa.select(MdoAction).where(MdoAction.case_id == case.id)).all()
    return meeting, actions


def test_the_hold_page_lists_the_invitees_to_tick(in_mdo, ib_client):
    case, meeting = in_mdo

    response = ib_client.get(f"/cases/{case.id}/mdo/{meeting.id}/hold")

    assert response.status_code == 200
    page = text_of(response)
    assert "Coen Coach – Wijkteam Noord (Jeugdhulp)" in page
    assert "Lotte Leerplicht – Leerplicht Stad (Leerplicht)" in page
    assert page.count("Kies wie") == 5


def test_holding_the_mdo_records_it_and_lets_the_arrangement_be_agreed(
        in_mdo, ib, coach, ib_client):
    case, meeting = in_mdo
    case.regie_holder_id = coach.id
    ArrangementFactory(case=case)
    db.session.flush()
    before = workflow.unmet_conditions(db.session.get(Case, case.id), "agree_arrangement")
    assert workflow.GUARDS["mdo_held_with_two_disciplines"].message in before

    response = ib_client.post(f"/cases/{case.id}/mdo/{meeting.id}/hold", data=_hold(
        case, meeting, action2_description="Rekenhulp inplannen",
        action2_owner=str(ib.id), action2_due=(date.today() + timedelta(days=7)).isoformat()))

    assert response.status_code == 302
    meeting, actions = _stored(case)
    assert meeting.held_at is not None and mdo_services.when_text(meeting.held_at).endswith("10:00")
    assert [p.present for p in meeting.participants] == [True, True, False]
    assert (meeting.parents, meeting.pupil_voice) == (ParentParticipation.present,
                                                      PupilVoice.heard_beforehand)
    assert meeting.minutes.startswith("We hebben afgesproken")
    assert [(a.description, a.owner_id, a.done_at) for a in actions] == [
        ("Gesprek met Sam over de pauzes", coach.id, None), ("Rekenhulp inplannen", ib.id, None)]
    # the owner is told, the one who recorded it is not told about their own action
    assert [user for user, _ in _notes("action_assigned")] == [coach.id]
    assert "uiterlijk" in _notes("action_assigned")[0][1]
    assert _events(case)[-1] == "MDO gehouden (ouders aanwezig; leerling vooraf gehoord)"
    assert ("mdo_record", None) in _audit(case)
    case = db.session.get(Case, case.id)
    assert workflow.unmet_conditions(case, "agree_arrangement") == []
    assert "agree_arrangement" in workflow.available_triggers(case)


def test_one_discipline_present_is_not_yet_a_multidisciplinary_meeting(in_mdo, ib_client):
    case, meeting = in_mdo
    school_only = [str(meeting.participants[0].id)]

    ib_client.post(f"/cases/{case.id}/mdo/{meeting.id}/hold",
                   data=_hold(case, meeting, present=school_only))

    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.held_mdo is not None
    assert workflow.GUARDS["mdo_held_with_two_disciplines"].message in (
        workflow.unmet_conditions(case, "agree_arrangement"))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"parents": "not_invited"}, "parents_reason",
     "Schrijf op waarom de ouders niet zijn uitgenodigd."),
    ({"parents": ""}, "parents", "Kies of de ouders erbij waren."),
    ({"pupil_voice": "not_heard", "pupil_reason": "  "}, "pupil_reason",
     "Schrijf op waarom de leerling niet is gehoord."),
    ({"pupil_voice": "vergeten"}, "pupil_voice", "Kies hoe de leerling is gehoord."),
    ({"minutes": ""}, "minutes", "Schrijf een kort verslag in gewone taal"),
    ({"held_on": (date.today() + timedelta(days=1)).isoformat()}, "held_on",
     "Het MDO kan niet in de toekomst gehouden zijn."),
    ({"held_on": (date.today() - timedelta(days=10)).isoformat()}, "held_on",
     "Het MDO kan niet gehouden zijn voordat de casus in de fase MDO kwam"),
    ({"action1_due": ""}, "action1_due", "Vul bij actie 1 ook in uiterlijk wanneer."),
    ({"action1_owner": "", "action1_due": ""}, "action1_owner",
     "Vul bij actie 1 ook in wie het doet."),
    ({"action3_owner": "99999"}, "action3_owner", "Ongeldige keuze."),
    ({"action1_description": ""}, "action1_description",
     "Vul bij actie 1 ook in wat er gedaan wordt."),
    ({"action1_due": (date.today() - timedelta(days=2)).isoformat()}, "action1_due",
     "Actie 1: kies een datum op of na de dag van het MDO."),
], ids=["parents-no-reason", "parents-missing", "pupil-no-reason", "pupil-unknown",
        "no-minutes", "future", "before-mdo-phase", "row-no-due", "row-only-text",
        "row-foreign-owner", "row-no-text", "due-before-meeting"])
def test_a_bad_record_is_refused_at_its_field_and_nothing_is_stored(
        in_mdo, ib_client, changes, field, message):
    case, meeting = in_mdo

    response = ib_client.post(f"/cases/{case.id}/mdo/{meeting.id}/hold",
                              data=_hold(case, meeting, **changes))

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in text_of(response)
    assert f'id="{field}-error"' in body
    meeting, actions = _stored(case)
    assert meeting.held_at is None and meeting.parents is None and actions == []
    assert all(p.present is None for p in meeting.participants)
    assert _notes("action_assigned") == [] and _events(case) == []


def test_blank_action_rows_are_skipped(in_mdo, ib_client):
    case, meeting = in_mdo

    response = ib_client.post(f"/cases/{case.id}/mdo/{meeting.id}/hold", data=_hold(
        case, meeting, action1_description="", action1_owner="", action1_due=""))

    assert response.status_code == 302
    meeting, actions = _stored(case)
    assert meeting.held_at is not None and actions == []


def test_who_may_record_the_mdo(in_mdo, coach, lpa, login):
    case, meeting = in_mdo
    url = f"/cases/{case.id}/mdo/{meeting.id}/hold"

    # the attendance officer takes part but does not run the case; the coach is no regie holder
    assert login(lpa).post(url, data=_hold(case, meeting)).status_code == 403
    assert login(coach).get(url).status_code == 403
    outsider = user_with_role(Role.school_staff, SchoolFactory())
    assert login(outsider).get(url).status_code == 404
    assert _stored(case)[0].held_at is None


def test_a_meeting_of_another_case_is_not_found(in_mdo, school, ib, ib_client):
    case, meeting = in_mdo
    other = _case(school, ib, state=CaseState.mdo)

    assert ib_client.get(f"/cases/{other.id}/mdo/{meeting.id}/hold").status_code == 404


def test_a_record_on_a_stale_version_is_a_conflict_and_stores_nothing(in_mdo, ib_client):
    case, meeting = in_mdo
    data = _hold(case, meeting, version=case.version - 1 if case.version > 1 else 0)

    response = ib_client.post(f"/cases/{case.id}/mdo/{meeting.id}/hold", data=data)

    assert response.status_code == 409
    assert "Gesprek met Sam over de pauzes" in text_of(response)  # the user's input is kept
    assert _stored(case)[0].held_at is None


# --- the case page and the minutes ---------------------------------------------------------------


@pytest.fixture
def held(in_mdo, ib_client):
    case, meeting = in_mdo
    response = ib_client.post(f"/cases/{case.id}/mdo/{meeting.id}/hold", data=_hold(
        case, meeting, parents="not_invited", parents_reason="Moeder was op reis.",
        pupil_voice="present"))
    assert response.status_code == 302
    return case, meeting


def test_the_case_page_shows_the_held_mdo_with_its_actions(held, ib_client):
    case, meeting = held

    page = text_of(ib_client.get(f"/cases/{case.id}"))

    assert f"MDO van {mdo_services.when_text(_stored(case)[0].held_at).replace(' om', '')}" in page
    assert "Niet uitgenodigd: Moeder was op reis." in page
    assert "Gesprek met Sam over de pauzes Coen Coach" in page
    assert "Verslag voor ouders en leerling (om af te drukken)" in page
    assert "MDO gehouden (ouders niet uitgenodigd; leerling aanwezig)" in page


def test_the_minutes_print_for_the_parents_and_the_print_is_logged(held, lpa, login, ib_client):
    case, meeting = held
    url = f"/cases/{case.id}/mdo/{meeting.id}/verslag"

    response = ib_client.get(url)

    assert response.status_code == 200
    page = text_of(response)
    assert "Verslag van het overleg over A.B." in page
    assert "Ilse Begeleider, Basisschool De Regenboog" in page
    assert "Coen Coach, Wijkteam Noord" in page
    assert "Ook uitgenodigd, maar niet aanwezig: Lotte Leerplicht, Leerplicht Stad." in page
    assert "De ouders waren niet uitgenodigd. Reden: Moeder was op reis." in page
    assert "De leerling was zelf bij het overleg." in page
    assert "We hebben afgesproken dat Sam extra hulp krijgt bij rekenen." in page
    assert "Druk af via het menu van uw browser" in page
    assert 'class="site-nav"' not in response.get_data(as_text=True)
    assert "<script" not in response.get_data(as_text=True)
    printed = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == "print")).all()
    assert printed == [("print", "mdo_meeting", meeting.id)]
    # the invited attendance officer sees the case (consent for leerplicht), so the minutes too
    assert login(lpa).get(url).status_code == 200


def test_the_minutes_are_refused_to_outsiders_and_exist_only_once_held(
        in_mdo, school, login, ib_client):
    case, meeting = in_mdo
    url = f"/cases/{case.id}/mdo/{meeting.id}/verslag"
    assert ib_client.get(url).status_code == 404  # not held yet

    outsider = user_with_role(Role.school_staff, SchoolFactory())
    stranger = user_with_role(Role.youth_professional, OrganisationFactory(region=school.region))
    meeting.held_at = utcnow() - timedelta(days=1)
    db.session.flush()

    for client in (login(outsider), login(stranger)):
        assert client.get(url).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "print")) == 0


def test_participants_are_kept_in_order_and_the_school_takes_part_by_default(
        school, ib, coach, wijkteam):
    case = _case(school, ib)
    option = next(o for o in mdo_services.invitee_options(case, date.today())
                  if o.user_id == coach.id)
    meeting = mdo_services.schedule_mdo(
        ib, case, case.version, mdo_services.MdoPlan(utcnow() + timedelta(days=1), ib.id,
                                                     [option]))
    rows = db.session.scalars(sa.select(MdoParticipant)
                              .where(MdoParticipant.meeting_id == meeting.id)
                              .order_by(MdoParticipant.id)).all()
    assert [r.discipline for r in rows] == [Discipline.school, Discipline.jeugdhulp]
