"""The case screens as the school, the youth professional and the coordinator see them."""

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.cases.models import Case, CaseTransition, Pupil
from app.cases.workflow import GUARDS, CaseState
from app.extensions import db
from app.models import utcnow
from tests.conftest import text_of as _raw_text
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    EscalationFactory,
    OrganisationFactory,
    ReferralFactory,
    SchoolFactory,
    UserFactory,
    user_with_role,
)

FORM_ACTION = re.compile(r'action="/cases/\d+/transitions/(\w+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)"')


@pytest.fixture
def school():
    return SchoolFactory(name="Basisschool De Regenboog")


@pytest.fixture
def ib(school):
    return user_with_role(Role.school_staff, school, name="Ilse Begeleider")


@pytest.fixture
def ib_client(ib, login):
    return login(ib)


def _case(school, **kwargs) -> Case:
    kwargs.setdefault("pupil__school", school)
    return CaseFactory(school=school, **kwargs)


def text_of(response) -> str:
    """The visible text, entities decoded ("J&amp;G" reads "J&G")."""
    return html.unescape(_raw_text(response))


def _forms(response) -> set[str]:
    """The workflow steps the page offers a form for."""
    return set(FORM_ACTION.findall(response.get_data(as_text=True)))


def _listed(response) -> list[int]:
    return [int(i) for i in CASE_LINK.findall(response.get_data(as_text=True))]


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _state(case) -> CaseState:
    db.session.expire_all()
    return db.session.get(Case, case.id).state


# --- caseload ----------------------------------------------------------------------------------


def test_caseload_lists_only_the_cases_of_my_school(school, ib_client):
    mine = _case(school, pupil__reference="EIGEN-1")
    other = _case(SchoolFactory(), pupil__reference="ANDER-1")

    response = ib_client.get("/cases/")

    assert response.status_code == 200
    assert _listed(response) == [mine.id]
    assert "EIGEN-1" in text_of(response) and "ANDER-1" not in text_of(response)
    assert other.id not in _listed(response)


def test_caseload_pages_by_fifty(school, ib, ib_client):
    cases = [_case(school, opened_by=ib) for _ in range(55)]

    first, second = ib_client.get("/cases/"), ib_client.get("/cases/?page=2")

    assert len(_listed(first)) == 50 and len(_listed(second)) == 5
    assert set(_listed(first)) | set(_listed(second)) == {c.id for c in cases}
    assert "55 casussen" in text_of(first) and "Pagina 1 van 2" in text_of(first)
    assert 'href="/cases/?page=2"' in first.get_data(as_text=True)
    assert _listed(ib_client.get("/cases/?page=3")) == []


def test_caseload_is_sorted_by_last_activity(school, ib_client):
    now = utcnow()
    old = _case(school, last_activity_at=now - timedelta(days=30))
    new = _case(school, last_activity_at=now - timedelta(hours=1))
    middle = _case(school, last_activity_at=now - timedelta(days=2))

    assert _listed(ib_client.get("/cases/")) == [new.id, middle.id, old.id]


def test_caseload_filters_by_state(school, ib_client):
    in_mdo = _case(school, state=CaseState.mdo)
    _case(school, state=CaseState.signalering)

    response = ib_client.get("/cases/?state=mdo")

    assert response.status_code == 200
    assert _listed(response) == [in_mdo.id]
    assert "in fase MDO" in text_of(response)


def test_an_unknown_state_filter_is_a_bad_request(ib_client):
    assert ib_client.get("/cases/?state=gesloten").status_code == 400


def test_search_by_reference_is_a_post_and_the_reference_stays_out_of_urls(school, ib_client):
    hits = {_case(school, pupil__reference=ref).id for ref in ("ABC-101", "ABC-102")}
    _case(school, pupil__reference="XYZ-900")

    response = ib_client.post("/cases/search", data={"reference": "abc-10", "state": ""})

    assert response.status_code == 302
    assert "abc" not in response.location.lower()
    page = ib_client.get(response.location)
    assert set(_listed(page)) == hits
    urls = re.findall(r'(?:href|action)="([^"]*)"', page.get_data(as_text=True))
    assert urls and not [u for u in urls if "abc" in u.lower()]
    assert ib_client.get("/cases/search?reference=ABC").status_code == 405


def test_search_keeps_the_state_filter_and_can_be_cleared(school, ib_client):
    _case(school, pupil__reference="ABC-1", state=CaseState.mdo)
    _case(school, pupil__reference="ABC-2")

    response = ib_client.post("/cases/search", data={"reference": "ABC", "state": "mdo"})
    assert response.location == "/cases/?state=mdo"
    assert len(_listed(ib_client.get(response.location))) == 1

    ib_client.post("/cases/search", data={"reference": "ABC", "clear": "1"})
    assert len(_listed(ib_client.get("/cases/"))) == 2


def test_a_search_term_is_not_a_wildcard(school, ib_client):
    _case(school, pupil__reference="A1B")
    ib_client.post("/cases/search", data={"reference": "A_B"})
    assert _listed(ib_client.get("/cases/")) == []


def test_without_a_school_there_is_no_caseload(login):
    coach = user_with_role(Role.youth_professional, OrganisationFactory())
    client = login(coach)
    assert client.get("/cases/").status_code == 403
    assert client.get("/cases/new").status_code == 403


# --- new signalering ---------------------------------------------------------------------------


def _signalering(school, **changes):
    data = {
        "school_id": school.id, "reference": "LL-2024/17", "initials": "J.B.",
        "birth_year": date.today().year - 10, "group_name": "groep 6",
        "signals": ["gedrag", "verzuim"], "description": "Komt vaak te laat en is stil.",
        "hulpvraag": "Hoe krijgen we hem weer op tijd?", "discussed_with_parents": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_new_signalering_is_stored_and_shows_in_the_caseload(school, ib_client):
    assert ib_client.get("/cases/new").status_code == 200

    response = ib_client.post("/cases/new", data=_signalering(school))

    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert response.location == f"/cases/{case.id}"
    assert case.pupil.reference == "LL-2024/17"
    assert "Signalering voor LL-2024/17 is vastgelegd." in text_of(ib_client.get(response.location))
    assert _listed(ib_client.get("/cases/")) == [case.id]


this_year = date.today().year


@pytest.mark.parametrize(("changes", "message"), [
    ({"signals": None}, "Kies minstens één soort signaal."),
    ({"description": "   "}, "Beschrijf kort wat u ziet."),
    ({"birth_year": this_year - 1}, f"Vul een geboortejaar in tussen {this_year - 25} en"),
    ({"birth_year": this_year - 26}, "Vul een geboortejaar in tussen"),
    ({"birth_year": ""}, "Vul het geboortejaar in, bijvoorbeeld 2014."),
    ({"birth_year": "tien"}, "Vul een geboortejaar in tussen"),
    ({"reference": "L 17<b>"}, "Gebruik alleen letters, cijfers, punt, streepje of schuine"),
    ({"reference": ""}, "Vul de leerlingreferentie van uw school in."),
    ({"initials": "12"}, "Alleen letters en punten, bijvoorbeeld J.B."),
    ({"description": "x" * 5001}, "Gebruik hoogstens 5000 tekens."),
], ids=["no-signal", "empty-description", "born-last-year", "too-old", "no-year",
        "year-in-words", "bad-reference", "no-reference", "digit-initials", "too-long"])
def test_an_invalid_signalering_is_refused_in_dutch_and_nothing_is_stored(
        school, ib_client, changes, message):
    response = ib_client.post("/cases/new", data=_signalering(school, **changes))

    assert response.status_code == 422
    assert message in text_of(response)
    assert "Het formulier is nog niet goed ingevuld." in text_of(response)
    assert not re.search(r"\b(field|required|valid|characters)\b", text_of(response))
    assert (_count(Case), _count(Pupil)) == (0, 0)


def test_a_second_signalering_for_the_same_pupil_is_refused(school, ib_client):
    ib_client.post("/cases/new", data=_signalering(school))

    response = ib_client.post("/cases/new", data=_signalering(school, initials="X.Y."))

    assert response.status_code == 422
    assert "Er loopt al een casus voor leerling LL-2024/17" in text_of(response)
    assert _count(Case) == 1
    assert db.session.scalar(sa.select(Pupil.initials)) == "J.B."


def test_a_signalering_for_another_school_is_refused(school, ib_client):
    other = SchoolFactory()
    response = ib_client.post("/cases/new", data=_signalering(other))
    assert response.status_code in (403, 422)
    assert _count(Case) == 0


def test_html_in_the_description_is_shown_as_text(school, ib_client):
    script = "<script>alert('x')</script> & <b>vet</b>"
    response = ib_client.post("/cases/new", data=_signalering(school, description=script))

    html = ib_client.get(response.location).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<b>vet</b>" not in html


# --- detail --------------------------------------------------------------------------------------


def test_detail_shows_the_timeline_newest_first(school, ib_client):
    created = ib_client.post("/cases/new", data=_signalering(school))
    ib_client.post(f"{created.location}/transitions/close",
                   data={"close-version": "1", "close-reason": "no_concern",
                         "close-note": "Moeder belde: het gaat weer goed."})

    text = text_of(ib_client.get(created.location))

    closed = text.index("Casus sluiten – van Signalering naar Gesloten door Ilse Begeleider")
    assert closed < text.index("Signalering geopend door Ilse Begeleider")
    assert "Reden: Geen zorg (meer) na gesprek" in text
    assert "Moeder belde: het gaat weer goed." in text


def test_detail_names_the_regie_holder(school, ib_client):
    coach = UserFactory(name="Karim de Coach", job_title="J&G-coach")
    case = _case(school, state=CaseState.mdo, regie_holder=coach, regie_since=utcnow())

    text = text_of(ib_client.get(f"/cases/{case.id}"))

    assert "Casusregie Karim de Coach , J&G-coach – sinds" in text
    assert "Niemand heeft casusregie" not in text


def test_detail_flags_a_case_in_mdo_that_nobody_holds_regie_for(school, ib_client):
    case = _case(school, state=CaseState.mdo)
    assert "Niemand heeft casusregie." in text_of(ib_client.get(f"/cases/{case.id}"))


def test_a_fresh_signalering_needs_no_regie_holder_yet(school, ib_client):
    text = text_of(ib_client.get(f"/cases/{_case(school).id}"))
    assert "Nog niet toegewezen" in text and "Niemand heeft casusregie" not in text


def test_detail_offers_exactly_the_steps_that_are_possible_now(school, ib_client):
    case = _case(school)  # discussed with parents, hulpvraag written, no MDO planned yet

    response = ib_client.get(f"/cases/{case.id}")
    text = text_of(response)

    assert _forms(response) == {"close", "escalate"}
    assert "MDO plannen kan nog niet:" in text
    assert GUARDS["has_planned_mdo"].message in text
    assert GUARDS["discussed_with_parents"].message not in text
    assert "Lichte hulp starten zonder MDO kan nog niet:" in text
    assert GUARDS["has_accepted_referral"].message in text
    assert "Signalering wijzigen" in text


def _escalated_case(school):
    region = school.region
    coordinator = user_with_role(Role.coordinator, OrganisationFactory(region=region),
                                 name="Carla Coördinator")
    case = _case(school, state=CaseState.escalation)
    EscalationFactory(case=case, decision="Terug naar het MDO met leerplicht erbij.",
                      decided_by_id=coordinator.id)
    return case, coordinator


def test_the_coordinator_gets_resolve_and_close_on_an_escalated_case(school, login):
    case, coordinator = _escalated_case(school)

    response = login(coordinator).get(f"/cases/{case.id}")

    assert response.status_code == 200
    assert _forms(response) == {"resolve_escalation", "close"}
    assert "Escaleren" not in text_of(response)
    assert "Signalering wijzigen" not in text_of(response)


def test_a_coordinator_who_closes_an_escalated_case_lands_on_the_queue(school, login):
    """Closed, the case is out of the coordinator's sight: back to the queue, not a 404."""
    case, coordinator = _escalated_case(school)
    client = login(coordinator)

    response = client.post(f"/cases/{case.id}/transitions/close", data={
        "close-version": str(case.version), "close-reason": "handed_over",
        "close-note": "Overgedragen aan de school in de nieuwe woonplaats."})

    assert response.status_code == 302
    assert response.location.endswith("/escalaties/")
    assert "Casus sluiten: gelukt" in text_of(client.get(response.location))
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_the_school_sees_an_escalated_case_without_buttons(school, ib_client):
    case, _ = _escalated_case(school)

    response = ib_client.get(f"/cases/{case.id}")

    assert _forms(response) == set()
    assert "Er is nu geen stap die u kunt zetten." in text_of(response)


def test_a_referred_professional_reads_but_gets_no_buttons(school, login):
    coach = user_with_role(Role.youth_professional, OrganisationFactory(region=school.region))
    case = _case(school)
    ReferralFactory(case=case, to_user=coach, to_organisation=coach.memberships[0].organisation)
    ConsentFactory(case=case, recipient=coach.memberships[0].organisation)

    response = login(coach).get(f"/cases/{case.id}")

    assert response.status_code == 200
    assert _forms(response) == set() and "Signalering wijzigen" not in text_of(response)


# --- firing a step -------------------------------------------------------------------------------


def test_firing_a_step_moves_the_case_and_says_so(school, ib_client):
    case = _case(school)

    response = ib_client.post(f"/cases/{case.id}/transitions/escalate", data={
        "escalate-version": "1", "escalate-reason": "thuiszitter",
        "escalate-note": "Al vijf weken thuis.",
    })

    assert response.status_code == 302 and response.location == f"/cases/{case.id}"
    assert _state(case) == CaseState.escalation
    assert "De casus staat nu in 'Escalatie'." in text_of(ib_client.get(response.location))


def test_a_step_on_a_case_changed_meanwhile_is_a_409_that_keeps_my_input(
        school, ib, ib_client, login):
    case = _case(school)
    colleague = login(user_with_role(Role.school_staff, school, name="Collega Cor"))
    page = ib_client.get(f"/cases/{case.id}")
    version = re.search(r'name="escalate-version" type="hidden" value="(\d+)"',
                        page.get_data(as_text=True)).group(1)
    colleague.post(f"/cases/{case.id}/transitions/close", data={
        "close-version": version, "close-reason": "no_concern"})

    response = ib_client.post(f"/cases/{case.id}/transitions/escalate", data={
        "escalate-version": version, "escalate-reason": "thuiszitter",
        "escalate-note": "Mijn eigen notitie over het gesprek."})

    assert response.status_code == 409
    text = text_of(response)
    assert "Deze casus is intussen gewijzigd" in text
    assert "Gesloten sinds" in text and "Casus sluiten door Collega Cor" in text
    assert "Reden (Dreigende) thuiszitter Onderbouwing Mijn eigen notitie over het gesprek." in text
    assert _state(case) == CaseState.closed
    assert [t.trigger for t in db.session.get(Case, case.id).history] == ["close"]


def test_an_unknown_step_is_not_found(school, ib_client):
    case = _case(school)
    for trigger in ("fly", "to_closed", "open"):
        response = ib_client.post(f"/cases/{case.id}/transitions/{trigger}",
                                  data={f"{trigger}-version": "1"})
        assert response.status_code == 404
    assert _state(case) == CaseState.signalering


def test_a_step_the_user_may_not_take_is_forbidden(school, login):
    case, _ = _escalated_case(school)
    ib = user_with_role(Role.school_staff, school)

    response = login(ib).post(f"/cases/{case.id}/transitions/resolve_escalation", data={
        "resolve_escalation-version": "1", "resolve_escalation-dest": "mdo"})

    assert response.status_code == 403
    assert _state(case) == CaseState.escalation


def test_a_referred_professional_cannot_close_the_case(school, login):
    coach = user_with_role(Role.youth_professional, OrganisationFactory(region=school.region))
    case = _case(school)
    ReferralFactory(case=case, to_user=coach, to_organisation=coach.memberships[0].organisation)
    ConsentFactory(case=case, recipient=coach.memberships[0].organisation)

    response = login(coach).post(f"/cases/{case.id}/transitions/close", data={
        "close-version": "1", "close-reason": "no_concern"})

    assert response.status_code == 403
    assert _state(case) == CaseState.signalering


def test_a_step_whose_conditions_are_not_met_lists_them(school, ib_client):
    case = _case(school, discussed_with_parents=False)

    response = ib_client.post(f"/cases/{case.id}/transitions/plan_mdo",
                              data={"plan_mdo-version": "1"})

    assert response.status_code == 422
    text = text_of(response)
    assert GUARDS["discussed_with_parents"].message in text
    assert GUARDS["has_planned_mdo"].message in text
    assert _state(case) == CaseState.signalering
    assert _count(CaseTransition) == 0


def test_escalating_without_reason_or_rationale_says_what_is_missing(school, ib_client):
    case = _case(school)

    response = ib_client.post(f"/cases/{case.id}/transitions/escalate",
                              data={"escalate-version": "1", "escalate-note": "  "})

    assert response.status_code == 422
    text = text_of(response)
    assert "Kies een reden voor de escalatie." in text and "Schrijf een toelichting." in text
    assert _state(case) == CaseState.signalering


def test_a_step_without_version_is_refused(school, ib_client):
    case = _case(school)
    response = ib_client.post(f"/cases/{case.id}/transitions/close",
                              data={"close-reason": "no_concern"})
    assert response.status_code == 422
    assert _state(case) == CaseState.signalering


def test_a_step_that_is_not_possible_now_says_why_whatever_was_filled_in(school, ib_client):
    """Found by the route fuzzer: a step from another phase, posted without a version, gave a
    422 whose message belonged to a form the page does not show."""
    case = _case(school)

    response = ib_client.post(f"/cases/{case.id}/transitions/reopen",
                              data={"reopen-note": "Toch weer zorgen."})

    assert response.status_code == 422
    assert ("Casus heropenen is niet gelukt: 'Casus heropenen' kan niet vanuit deze fase."
            in text_of(response))
    assert _state(case) == CaseState.signalering


# --- editing the signalering -----------------------------------------------------------------


def test_editing_the_signalering(school, ib_client):
    case = _case(school, description="Oud.")
    response = ib_client.post(f"/cases/{case.id}/edit", data={
        "version": "1", "signals": ["gedrag"], "description": "Nieuw: ook ruzie op het plein."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).description == "Nieuw: ook ruzie op het plein."


def test_an_edit_of_a_case_changed_meanwhile_keeps_my_text(school, ib_client):
    case = _case(school, description="Oud.")
    ib_client.post(f"/cases/{case.id}/transitions/escalate", data={
        "escalate-version": "1", "escalate-reason": "thuiszitter", "escalate-note": "Thuis."})

    response = ib_client.post(f"/cases/{case.id}/edit", data={
        "version": "1", "signals": ["gedrag"], "description": "Mijn nieuwe beschrijving."})

    assert response.status_code == 409
    assert "Signalen Gedrag Wat ziet u? Mijn nieuwe beschrijving." in text_of(response)
    db.session.expire_all()
    assert db.session.get(Case, case.id).description == "Oud."


def test_a_step_on_a_case_escalated_meanwhile_is_a_409_not_a_403(school, ib_client):
    """The case left the school's hands while the page was open: explain, don't just refuse."""
    case = _case(school)
    page_version = case.version
    case.state = CaseState.escalation
    db.session.flush()

    response = ib_client.post(f"/cases/{case.id}/transitions/close", data={
        "close-version": str(page_version), "close-reason": "no_concern"})

    assert response.status_code == 409
    assert "Deze casus is intussen gewijzigd" in text_of(response)
    assert "Escalatie" in text_of(response)
