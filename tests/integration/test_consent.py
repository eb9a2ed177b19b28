"""The consent ledger and the meldcode justification, as the school, the regie holder and the
other professionals on the case use them."""

import html
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cases.models import Case, CaseEvent, Consent, ConsentGiver, Discipline
from app.cases.workflow import GUARDS, CaseState
from app.extensions import db
from app.models import utcnow
from app.org.models import OrganisationKind
from tests.conftest import text_of as _raw_text
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    MdoMeetingFactory,
    MdoParticipantFactory,
    OrganisationFactory,
    ReferralFactory,
    SchoolFactory,
    user_with_role,
)

THIS_YEAR = date.today().year
JUSTIFICATION = ("Signalen van huiselijk geweld; collegiaal overleg en advies van Veilig Thuis: "
                 "delen met het wijkteam is nodig voor de veiligheid van het kind.")


@pytest.fixture
def school():
    return SchoolFactory(name="Basisschool De Regenboog")


@pytest.fixture
def wijkteam(school):
    return OrganisationFactory(region=school.region, name="Wijkteam Noord",
                               kind=OrganisationKind.wijkteam)


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def ib_client(ib, login):
    return login(ib)


def _case(school, born=THIS_YEAR - 12, **kwargs) -> Case:
    return CaseFactory(school=school, pupil__school=school, pupil__birth_year=born, **kwargs)


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


def _consent_data(case, organisation, **overrides) -> dict:
    data = {
        "consent-version": str(case.version),
        "consent-recipient_organisation_id": str(organisation.id),
        "consent-purpose": "Verwijzing naar jeugdhulp",
        "consent-given_on": date.today().isoformat(),
        "consent-expires_on": (date.today() + timedelta(days=365)).isoformat(),
        "consent-covers_progress_notes": "y",
        "consent-parties": ["parents", "pupil"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _count(model, **where) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def _version(case) -> int:
    return db.session.scalar(sa.select(Case.version).where(Case.id == case.id))


def _events(case, kind) -> list[str]:
    return list(db.session.scalars(
        sa.select(CaseEvent.summary).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)
        .order_by(CaseEvent.id)))


def _audited(case) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.case_id == case.id,
                                           AuditEvent.action.not_in(("read", "denied")))
        .order_by(AuditEvent.seq)))


def _coach_on(case, organisation, **kwargs):
    """A youth professional the case was referred to."""
    coach = user_with_role(Role.youth_professional, organisation, **kwargs)
    ReferralFactory(case=case, to_user=coach, to_organisation=organisation)
    return coach


# --- the form asks for exactly the consents the age requires ---------------------------------


@pytest.mark.parametrize(("born", "boxes", "absent"), [
    (THIS_YEAR - 9, ["De ouders met gezag geven toestemming"],
     ["De leerling geeft zelf ook toestemming", "De jongere geeft zelf toestemming"]),
    (THIS_YEAR - 12, ["De ouders met gezag geven toestemming",
                      "De leerling geeft zelf ook toestemming"],
     ["De jongere geeft zelf toestemming"]),
    (THIS_YEAR - 18, ["De jongere geeft zelf toestemming"],
     ["De ouders met gezag geven toestemming"]),
])
def test_the_form_asks_for_exactly_the_consents_the_age_requires(school, ib_client, born, boxes,
                                                                absent):
    case = _case(school, born=born)

    text = text_of(ib_client.get(f"/cases/{case.id}"))

    assert "Toestemming vastleggen" in text
    assert all(box in text for box in boxes)
    assert not [box for box in absent if box in text]


def test_the_form_finds_the_regions_organisations_and_offers_a_year_of_validity(school,
                                                                              wijkteam,
                                                                              ib_client):
    OrganisationFactory(name="Jeugdhulp Elders")  # another region
    case = _case(school)

    page = ib_client.get(f"/cases/{case.id}").get_data(as_text=True)
    found = [ib_client.get(f"/cases/{case.id}?toestemming_zoek={term}").get_data(as_text=True)
             for term in ("noord", "elders")]

    assert "Wijkteam Noord" not in page  # not on the case yet: found by searching
    assert "Wijkteam Noord" in found[0] and "Jeugdhulp Elders" not in found[1]
    next_year = date.today() + timedelta(days=365)
    assert f'value="{next_year.year}-' in page and "Deelname aan het MDO" in page


# --- recording -------------------------------------------------------------------------------


def test_recording_a_consent_stores_it_with_event_and_audit_row(school, wijkteam, ib_client):
    case = _case(school)
    version = case.version

    response = ib_client.post(f"/cases/{case.id}/consents", data=_consent_data(case, wijkteam))

    assert response.status_code == 302
    consent = db.session.scalars(sa.select(Consent).where(Consent.case_id == case.id)).one()
    assert consent.recipient_organisation_id == wijkteam.id
    assert consent.given_by == ConsentGiver.pupil_and_parents
    assert consent.purpose == "Verwijzing naar jeugdhulp"
    assert consent.covers_progress_notes is True and consent.withdrawn_at is None
    assert _events(case, "consent") == ["Toestemming vastgelegd voor Wijkteam Noord"]
    assert _audited(case) == ["consent:record"]
    assert _version(case) == version + 1
    text = text_of(ib_client.get(response.location))
    assert "De toestemming voor Wijkteam Noord is vastgelegd." in text
    assert "De leerling en de ouders met gezag" in text and "Geldig" in text


@pytest.mark.parametrize(("born", "ticked", "message"), [
    (THIS_YEAR - 12, ["parents"], "Nog niet aangevinkt: de leerling moet nog toestemming geven "
                                  "(de leerling is 11 of 12 jaar)."),
    (THIS_YEAR - 12, None, "de ouders met gezag en de leerling moeten nog toestemming geven"),
    (THIS_YEAR - 9, None, "Nog niet aangevinkt: de ouders met gezag moet"),
    (THIS_YEAR - 18, ["parents"], "Nog niet aangevinkt: de jongere moet nog toestemming geven "
                                  "(de jongere is 17 of 18 jaar)."),
])
def test_a_party_the_age_requires_must_agree(school, wijkteam, ib_client, born, ticked,
                                             message):
    case = _case(school, born=born)
    version = case.version

    response = ib_client.post(f"/cases/{case.id}/consents",
                              data=_consent_data(case, wijkteam, **{"consent-parties": ticked}))

    assert response.status_code == 422
    assert message in text_of(response)
    assert _count(Consent) == 0 and _count(CaseEvent) == 0
    assert _version(case) == version and _audited(case) == []


def test_the_age_is_taken_on_the_day_the_consent_was_given(school, wijkteam, ib_client):
    # Born 16 years before this year: 15 or 16 today, 14 or 15 a year ago.
    case = _case(school, born=THIS_YEAR - 16)
    last_year = date.today() - timedelta(days=366)

    response = ib_client.post(f"/cases/{case.id}/consents", data=_consent_data(
        case, wijkteam, **{"consent-given_on": last_year.isoformat(),
                           "consent-expires_on": None}))

    assert response.status_code == 302
    consent = db.session.scalars(sa.select(Consent)).one()
    assert consent.given_by == ConsentGiver.pupil_and_parents
    assert consent.given_on == last_year and consent.expires_on is None


@pytest.mark.parametrize(("overrides", "message"), [
    ({"consent-given_on": (date.today() + timedelta(days=1)).isoformat()},
     "De datum van de toestemming mag niet in de toekomst liggen."),
    ({"consent-expires_on": (date.today() - timedelta(days=1)).isoformat()},
     "De einddatum ligt vóór de datum van de toestemming."),
    ({"consent-given_on": "1999-05-01"}, "De datum ligt vóór het geboortejaar van de leerling"),
    ({"consent-given_on": "gisteren"}, "Vul een geldige datum in"),
    ({"consent-given_on": None}, "Vul in op welke dag de toestemming is gegeven."),
    ({"consent-purpose": ""}, "Kies waarvoor de toestemming geldt."),
    ({"consent-purpose": "Alles met iedereen delen"}, "Kies een van de mogelijkheden"),
    ({"consent-recipient_organisation_id": ""}, "Kies de organisatie die toestemming krijgt."),
])
def test_bad_input_is_refused_in_dutch_and_nothing_is_stored(school, wijkteam, ib_client,
                                                             overrides, message):
    case = _case(school)

    response = ib_client.post(f"/cases/{case.id}/consents",
                              data=_consent_data(case, wijkteam, **overrides))

    assert response.status_code == 422
    assert message in text_of(response)
    assert _count(Consent) == 0 and _count(CaseEvent) == 0


def test_an_organisation_of_another_region_cannot_receive_consent(school, ib_client):
    case = _case(school)
    elsewhere = OrganisationFactory(name="Jeugdhulp Elders")

    response = ib_client.post(f"/cases/{case.id}/consents", data=_consent_data(case, elsewhere))

    assert response.status_code == 422
    assert _count(Consent) == 0


def test_the_regie_holder_may_record_consent(school, wijkteam, login):
    coach = user_with_role(Role.youth_professional, wijkteam)
    case = _case(school, state=CaseState.mdo, regie_holder_id=coach.id)
    ConsentFactory(case=case, recipient=wijkteam)
    jgz = OrganisationFactory(region=school.region, name="GGD Jeugd", kind=OrganisationKind.jgz)

    response = login(coach).post(f"/cases/{case.id}/consents",
                                 data=_consent_data(case, jgz))

    assert response.status_code == 302
    assert _count(Consent, recipient_organisation_id=jgz.id) == 1


# --- withdrawing -----------------------------------------------------------------------------


def test_withdrawing_ends_the_professionals_access_on_the_next_request(school, wijkteam, ib,
                                                                       ib_client, login):
    case = _case(school)
    coach = _coach_on(case, wijkteam)
    consent = ConsentFactory(case=case, recipient=wijkteam)
    coach_client = login(coach)
    assert coach_client.get(f"/cases/{case.id}").status_code == 200

    response = ib_client.post(f"/cases/{case.id}/consents/{consent.id}/withdraw",
                              data={"withdraw-version": str(case.version)})

    assert response.status_code == 302
    assert coach_client.get(f"/cases/{case.id}").status_code == 404
    db.session.expire_all()
    withdrawn = db.session.get(Consent, consent.id)
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_by_id == ib.id
    assert _events(case, "consent") == ["Toestemming ingetrokken voor Wijkteam Noord"]
    assert _audited(case) == ["consent:withdraw"]
    text = text_of(ib_client.get(f"/cases/{case.id}"))
    assert "Ingetrokken op" in text


def test_a_withdrawn_consent_cannot_be_withdrawn_again(school, wijkteam, ib_client):
    case = _case(school)
    consent = ConsentFactory(case=case, recipient=wijkteam, withdrawn_at=utcnow())

    response = ib_client.post(f"/cases/{case.id}/consents/{consent.id}/withdraw",
                              data={"withdraw-version": str(case.version)})

    assert response.status_code == 422
    assert "Deze toestemming is al ingetrokken." in text_of(response)
    assert _count(CaseEvent) == 0


def test_a_consent_of_another_case_is_not_found(school, wijkteam, ib_client):
    case, other = _case(school), _case(school, born=THIS_YEAR - 9)
    consent = ConsentFactory(case=other, recipient=wijkteam)

    response = ib_client.post(f"/cases/{case.id}/consents/{consent.id}/withdraw",
                              data={"withdraw-version": str(case.version)})

    assert response.status_code == 404
    assert db.session.get(Consent, consent.id).withdrawn_at is None


# --- the list as the other professionals see it ----------------------------------------------


def test_the_list_shows_given_by_period_status_and_progress_notes(school, wijkteam, ib_client):
    case = _case(school)
    today = date.today()
    ConsentFactory(case=case, recipient=wijkteam, purpose="Deelname aan het MDO",
                   given_on=today - timedelta(days=400), expires_on=today - timedelta(days=35))
    ConsentFactory(case=case, recipient=OrganisationFactory(region=school.region, name="GGD"),
                   given_by=ConsentGiver.pupil_and_parents, covers_progress_notes=True,
                   withdrawn_at=utcnow())

    text = text_of(ib_client.get(f"/cases/{case.id}"))

    assert "Wijkteam Noord Deelname aan het MDO De ouders met gezag" in text
    assert "Verlopen" in text and "Ingetrokken op" in text
    assert "De leerling en de ouders met gezag" in text


def test_a_referred_professional_reads_the_list_but_cannot_change_it(school, wijkteam, login):
    case = _case(school)
    coach = _coach_on(case, wijkteam)
    consent = ConsentFactory(case=case, recipient=wijkteam)
    client = login(coach)

    page = client.get(f"/cases/{case.id}")

    assert page.status_code == 200
    text = text_of(page)
    assert "Wijkteam Noord" in text and "Geldig" in text
    assert "Toestemming vastleggen" not in text and "Intrekken" not in text
    assert "Meldcode-afweging vastleggen" not in text
    refused = [
        client.post(f"/cases/{case.id}/consents", data=_consent_data(case, wijkteam)),
        client.post(f"/cases/{case.id}/consents/{consent.id}/withdraw",
                    data={"withdraw-version": str(case.version)}),
        client.post(f"/cases/{case.id}/meldcode",
                    data={"meldcode-version": str(case.version),
                          "meldcode-justification": JUSTIFICATION}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert _count(Consent) == 1 and _count(CaseEvent) == 0


def test_an_mdo_participant_may_not_record_consent(school, login):
    leerplicht = OrganisationFactory(region=school.region, kind=OrganisationKind.leerplicht)
    officer = user_with_role(Role.participant, leerplicht)
    case = _case(school)
    MdoParticipantFactory(meeting=MdoMeetingFactory(case=case), user=officer,
                          organisation=leerplicht, discipline=Discipline.leerplicht)
    ConsentFactory(case=case, recipient=leerplicht)

    response = login(officer).post(f"/cases/{case.id}/consents",
                                   data=_consent_data(case, leerplicht))

    assert response.status_code == 403
    assert _count(Consent) == 1


def test_staff_of_another_school_do_not_find_the_case(school, wijkteam, login):
    case = _case(school)
    consent = ConsentFactory(case=case, recipient=wijkteam)
    other_school = SchoolFactory(municipality=school.municipality)
    stranger = login(user_with_role(Role.school_staff, other_school))

    responses = [
        stranger.post(f"/cases/{case.id}/consents", data=_consent_data(case, wijkteam)),
        stranger.post(f"/cases/{case.id}/consents/{consent.id}/withdraw",
                      data={"withdraw-version": str(case.version)}),
        stranger.post(f"/cases/{case.id}/meldcode",
                      data={"meldcode-version": str(case.version),
                            "meldcode-justification": JUSTIFICATION}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert _count(Consent) == 1 and _count(CaseEvent) == 0


def test_a_closed_case_takes_no_new_consent(school, wijkteam, ib_client):
    case = _case(school, state=CaseState.closed, closed_at=utcnow())

    assert "Toestemming vastleggen" not in text_of(ib_client.get(f"/cases/{case.id}"))
    response = ib_client.post(f"/cases/{case.id}/consents", data=_consent_data(case, wijkteam))

    assert response.status_code == 403
    assert _count(Consent) == 0


# --- a case changed meanwhile ----------------------------------------------------------------


def test_a_consent_on_a_case_changed_meanwhile_is_a_409_that_keeps_my_input(
        school, wijkteam, ib_client):
    case = _case(school)
    stale = case.version
    case.hulpvraag = "Door een collega aangepast."
    db.session.flush()
    assert case.version == stale + 1

    response = ib_client.post(f"/cases/{case.id}/consents",
                              data=_consent_data(case, wijkteam, **{"consent-version": stale}))

    assert response.status_code == 409
    text = text_of(response)
    assert "Deze casus is intussen gewijzigd" in text
    assert "Organisatie Wijkteam Noord" in text and "Doel Verwijzing naar jeugdhulp" in text
    assert _count(Consent) == 0


def test_a_withdrawal_or_meldcode_on_a_changed_case_is_a_409(school, wijkteam, ib_client):
    case = _case(school)
    consent = ConsentFactory(case=case, recipient=wijkteam)
    stale = case.version
    case.hulpvraag = "Door een collega aangepast."
    db.session.flush()

    withdraw = ib_client.post(f"/cases/{case.id}/consents/{consent.id}/withdraw",
                              data={"withdraw-version": stale})
    meldcode = ib_client.post(f"/cases/{case.id}/meldcode", data={
        "meldcode-version": stale, "meldcode-justification": JUSTIFICATION})

    assert (withdraw.status_code, meldcode.status_code) == (409, 409)
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_at is None
    assert db.session.get(Case, case.id).meldcode_justification is None


# --- the meldcode justification --------------------------------------------------------------


@pytest.mark.parametrize("justification", [None, "   ", "Zorgen thuis.", "... ,,, !!! ??? --- ..."])
def test_a_meldcode_justification_needs_real_text(school, ib_client, justification):
    case = _case(school)
    data = {"meldcode-version": str(case.version), "meldcode-justification": justification}

    response = ib_client.post(f"/cases/{case.id}/meldcode",
                              data={k: v for k, v in data.items() if v is not None})

    assert response.status_code == 422
    assert "Schrijf de onderbouwing" in text_of(response) or "minstens 20" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Case, case.id).meldcode_justification is None
    assert _count(CaseEvent) == 0


def test_the_meldcode_justification_is_in_the_history_and_the_consent_section(school, ib,
                                                                             ib_client):
    case = _case(school)

    response = ib_client.post(f"/cases/{case.id}/meldcode", data={
        "meldcode-version": str(case.version), "meldcode-justification": f"  {JUSTIFICATION} "})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).meldcode_justification == JUSTIFICATION
    assert _events(case, "meldcode") == ["Meldcode-afweging vastgelegd: delen zonder toestemming"]
    assert _audited(case) == ["meldcode:record"]
    text = text_of(ib_client.get(f"/cases/{case.id}"))
    assert "De school deelt deze casus zonder toestemming, op grond van de meldcode." in text
    assert "Vastgelegd door Ilse Begeleider op" in text and JUSTIFICATION in text
    assert "Meldcode-afweging vastgelegd: delen zonder toestemming door Ilse Begeleider" in text


def test_replacing_the_meldcode_justification_is_a_new_line_in_the_history(school, ib_client):
    case = _case(school, meldcode_justification="Eerdere afweging na overleg met Veilig Thuis.")

    response = ib_client.post(f"/cases/{case.id}/meldcode", data={
        "meldcode-version": str(case.version), "meldcode-justification": JUSTIFICATION})

    assert response.status_code == 302
    assert _events(case, "meldcode") == ["Meldcode-afweging vervangen: delen zonder toestemming"]


def test_only_the_school_records_the_meldcode_justification(school, wijkteam, login):
    coach = user_with_role(Role.youth_professional, wijkteam)
    case = _case(school, state=CaseState.mdo, regie_holder_id=coach.id)
    ConsentFactory(case=case, recipient=wijkteam)

    response = login(coach).post(f"/cases/{case.id}/meldcode", data={
        "meldcode-version": str(case.version), "meldcode-justification": JUSTIFICATION})

    assert response.status_code == 403
    assert db.session.get(Case, case.id).meldcode_justification is None


def test_with_a_meldcode_justification_the_mdo_can_be_planned_without_consent(
        school, wijkteam, ib_client):
    case = _case(school)
    meeting = MdoMeetingFactory(case=case)
    MdoParticipantFactory(meeting=meeting, organisation=wijkteam, discipline=Discipline.wijkteam)
    blocked = ib_client.post(f"/cases/{case.id}/transitions/plan_mdo",
                             data={"plan_mdo-version": str(case.version)})
    assert blocked.status_code == 422
    assert GUARDS["consent_covers_invitees"].message in text_of(blocked)

    ib_client.post(f"/cases/{case.id}/meldcode", data={
        "meldcode-version": str(case.version), "meldcode-justification": JUSTIFICATION})
    response = ib_client.post(f"/cases/{case.id}/transitions/plan_mdo",
                              data={"plan_mdo-version": str(_version(case))})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == CaseState.mdo
    assert _count(Consent) == 0


# --- hostile input ---------------------------------------------------------------------------


FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
anything = st.one_of(st.text(max_size=80), st.just(""), st.none(), st.integers().map(str),
                     st.sampled_from(["<script>alert(1)</script>", "0001-01-01", "9999-12-31",
                                      "2026-02-30", "A" * 6000, "parents", "pupil"]))


@FUZZ
@given(version=anything, organisation=anything, purpose=anything, given_on=anything,
       expires_on=anything, parties=st.lists(anything, max_size=3), justification=anything)
def test_consent_and_meldcode_forms_never_break(school, wijkteam, ib_client, version, organisation,
                                                purpose, given_on, expires_on, parties,
                                                justification):
    case = _case(school)
    data = {"consent-version": version, "consent-recipient_organisation_id": organisation,
            "consent-purpose": purpose, "consent-given_on": given_on,
            "consent-expires_on": expires_on, "consent-parties": [p for p in parties if p]}
    responses = [
        ib_client.post(f"/cases/{case.id}/consents",
                       data={k: v for k, v in data.items() if v is not None}),
        ib_client.post(f"/cases/{case.id}/meldcode", data={
            k: v for k, v in {"meldcode-version": version,
                              "meldcode-justification": justification}.items() if v is not None}),
    ]
    for response in responses:
        assert response.status_code in (302, 400, 409, 422)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_the_meldcode_grounds_are_read_by_the_school_and_the_regie_holder_only(
        school, wijkteam, login):
    """A professional who shares the case on the meldcode's ground sees that it exists, not the
    signals of possible abuse it names."""
    coach, other = user_with_role(Role.youth_professional, wijkteam), \
        user_with_role(Role.youth_professional, wijkteam)
    case = _case(school, state=CaseState.mdo, regie_holder_id=coach.id,
                 meldcode_justification=JUSTIFICATION)
    ReferralFactory(case=case, to_user=other, to_organisation=wijkteam)

    assert JUSTIFICATION in text_of(login(coach).get(f"/cases/{case.id}"))
    text = text_of(login(other).get(f"/cases/{case.id}"))
    assert "op grond van de meldcode" in text and JUSTIFICATION not in text
