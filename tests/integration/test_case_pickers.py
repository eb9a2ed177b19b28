"""The bounded pickers of the case page: the regie receiver, the referral's professional, the
consent's organisation and the referral page's redirect offer the people and organisations on
the case and the school's fixed contacts; everyone else of the region is found by a search
(a GET that reloads the page) and can then be chosen. And the timeline shows its latest
entries, with a link to all of them."""

import html
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.cases.models import Case, CaseEvent, Consent, Referral, ReferralStatus, RegieHandover
from app.cases.services.pickers import SEARCH_LIMIT
from app.cases.views.blueprint import TIMELINE_LIMIT
from app.cases.workflow import CaseState
from app.extensions import db
from app.models import utcnow
from tests.conftest import text_of as _raw_text
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    MdoMeetingFactory,
    MdoParticipantFactory,
    OrganisationFactory,
    ReferralFactory,
    SchoolContactFactory,
    SchoolFactory,
    user_with_role,
)


def text_of(response) -> str:
    return html.unescape(_raw_text(response))


@pytest.fixture
def w():
    """A school whose fixed jeugdhulp contact is Coach Carla of Wijkteam Noord, a case with
    consent for that wijkteam, and a region with professionals who are not on the case."""
    school = SchoolFactory(name="Basisschool De Regenboog")
    region = school.region
    noord = OrganisationFactory(region=region, name="Wijkteam Noord")
    ggz = OrganisationFactory(region=region, name="Jeugd-GGZ Kust")
    coach = user_with_role(Role.youth_professional, noord, name="Coach Carla")
    far = user_with_role(Role.youth_professional, ggz, name="Therapeut Tamara")
    elsewhere = user_with_role(Role.youth_professional, OrganisationFactory(name="Wijkteam Ver"),
                               name="Tamara Elders")
    ib = user_with_role(Role.school_staff, school, name="Ilse Begeleider")
    SchoolContactFactory(school=school, user=coach, organisation=noord)
    case = CaseFactory(school=school, pupil__school=school, opened_by=ib, state=CaseState.mdo,
                       regie_holder_id=ib.id, regie_since=utcnow())
    ConsentFactory(case=case, recipient=noord)
    return SimpleNamespace(school=school, region=region, noord=noord, ggz=ggz, coach=coach,
                           far=far, elsewhere=elsewhere, ib=ib, case=case)


def _select(page: str, name: str) -> str:
    """The visible labels of the options of <select name=...>."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    return html.unescape(" | ".join(re.findall(r"<option[^>]*>([^<]*)</option>", select)))


def _page(client, case, **search) -> str:
    return client.get(f"/cases/{case.id}", query_string=search).get_data(as_text=True)


def _version(case) -> str:
    db.session.expire_all()
    return str(db.session.get(Case, case.id).version)


# --- what the pickers offer without a search ---------------------------------------------------


def test_the_pickers_offer_the_case_and_the_schools_contacts_not_the_whole_region(w, login):
    on_case = user_with_role(Role.youth_professional, w.ggz, name="Gezinscoach Gerda")
    MdoParticipantFactory(meeting=MdoMeetingFactory(case=w.case), user=on_case,
                          organisation=w.ggz)

    page = _page(login(w.ib), w.case)

    regie = _select(page, "regie-to_user_id")
    assert "Gezinscoach Gerda" in regie and "al betrokken bij deze casus" in regie
    assert "Coach Carla" in regie  # the school's fixed contact
    assert "Therapeut Tamara" not in regie and "Tamara Elders" not in regie
    referral = _select(page, "referral-professional")
    assert "Coach Carla – Wijkteam Noord (vaste contactpersoon)" in referral
    assert "Gezinscoach Gerda – Jeugd-GGZ Kust" in referral
    assert "Therapeut Tamara" not in referral
    consent = _select(page, "consent-recipient_organisation_id")
    assert "Wijkteam Noord" in consent and "Jeugd-GGZ Kust" in consent  # contact, MDO seat


def test_an_organisation_not_on_the_case_is_offered_only_when_searched(w, login):
    client = login(w.ib)

    assert "Jeugd-GGZ Kust" not in _select(_page(client, w.case),
                                           "consent-recipient_organisation_id")
    found = _page(client, w.case, toestemming_zoek="ggz")
    assert "Jeugd-GGZ Kust" in _select(found, "consent-recipient_organisation_id")
    assert "1 treffer voor ‘ggz’ in de keuzelijst." in html.unescape(found)


# --- searching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("term", "found"), [("tamara", True), ("TAMARA", True),
                                               ("ggz kust", True), ("carla", False),
                                               ("elders", False), ("%", False), ("_", False)])
def test_the_search_finds_the_regions_professionals_by_name_or_organisation(w, login, term,
                                                                           found):
    page = _page(login(w.ib), w.case, verwijzing_zoek=term)

    assert ("Therapeut Tamara – Jeugd-GGZ Kust" in _select(page, "referral-professional")) == found
    assert "Tamara Elders" not in page  # another region, whatever the search
    assert "Coach Carla – Wijkteam Noord" in _select(page, "referral-professional")
    assert 'id="verwijzing_zoek"' in page and "<details open>" in page


def test_a_search_that_matches_many_shows_the_first_and_asks_for_more_precision(w, login):
    for n in range(SEARCH_LIMIT + 5):
        user_with_role(Role.youth_professional, w.ggz, name=f"Ambulant {n:02d}")

    page = html.unescape(_page(login(w.ib), w.case, regie_zoek="ambulant"))

    regie = _select(page, "regie-to_user_id")
    assert regie.count("Ambulant") == SEARCH_LIMIT
    assert "Ambulant 00" in regie and f"Ambulant {SEARCH_LIMIT:02d}" not in regie
    assert f"Meer dan {SEARCH_LIMIT} treffers voor ‘ambulant’" in page


def test_a_search_without_matches_says_so(w, login):
    page = html.unescape(_page(login(w.ib), w.case, regie_zoek="niemand-heet-zo"))
    assert "Geen treffers voor ‘niemand-heet-zo’." in page


# --- choosing someone found by a search ----------------------------------------------------------


def test_a_professional_found_by_search_can_be_asked_to_take_regie(w, login):
    ConsentFactory(case=w.case, recipient=w.ggz)

    response = login(w.ib).post(f"/cases/{w.case.id}/regie", data={
        "regie-version": _version(w.case), "regie-to_user_id": str(w.far.id), "regie-note": ""})

    assert response.status_code == 302
    handover = db.session.scalars(sa.select(RegieHandover)).one()
    assert handover.to_user_id == w.far.id


def test_a_professional_found_by_search_can_receive_a_referral(w, login):
    ConsentFactory(case=w.case, recipient=w.ggz)

    response = login(w.ib).post(f"/cases/{w.case.id}/referrals", data={
        "referral-version": _version(w.case),
        "referral-professional": str(w.far.memberships[0].id),
        "referral-question": "Kan de GGZ meekijken?"})

    assert response.status_code == 302
    referral = db.session.scalars(sa.select(Referral)).one()
    assert (referral.to_user_id, referral.to_organisation_id) == (w.far.id, w.ggz.id)


def test_an_organisation_found_by_search_can_receive_consent(w, login):
    response = login(w.ib).post(f"/cases/{w.case.id}/consents", data={
        "consent-version": _version(w.case), "consent-recipient_organisation_id": str(w.ggz.id),
        "consent-purpose": "Verwijzing naar jeugdhulp",
        "consent-given_on": date.today().isoformat(), "consent-parties": ["parents"]})

    assert response.status_code == 302
    assert w.ggz.id in db.session.scalars(sa.select(Consent.recipient_organisation_id)).all()


@pytest.mark.parametrize("field", ["regie-to_user_id", "referral-professional",
                                   "consent-recipient_organisation_id"])
def test_a_choice_outside_the_region_or_no_id_stays_refused(w, login, field):
    client = login(w.ib)
    foreign = {"regie-to_user_id": w.elsewhere.id,
               "referral-professional": w.elsewhere.memberships[0].id,
               "consent-recipient_organisation_id": w.elsewhere.memberships[0].organisation_id}
    url = {"regie-to_user_id": "regie", "referral-professional": "referrals",
           "consent-recipient_organisation_id": "consents"}[field]
    prefix = field.split("-")[0]
    base = {f"{prefix}-version": _version(w.case), "referral-question": "Vraag?",
            "consent-purpose": "Verwijzing naar jeugdhulp",
            "consent-given_on": date.today().isoformat(), "consent-parties": ["parents"]}

    for value in (str(foreign[field]), "12abc", "9" * 30):
        response = client.post(f"/cases/{w.case.id}/{url}", data=base | {field: value})
        assert response.status_code == 422, value
        assert "Kies een van de mogelijkheden uit de lijst." in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegieHandover)) == 0


def test_the_redirect_picker_finds_a_colleague_of_the_region(w, login):
    referral = ReferralFactory(case=w.case, to_organisation=w.noord, to_user=w.coach,
                               status=ReferralStatus.sent, sent_by_id=w.ib.id,
                               answer_due_on=date.today() + timedelta(days=7))
    ConsentFactory(case=w.case, recipient=w.ggz)
    client = login(w.coach)
    url = f"/cases/{w.case.id}/referrals/{referral.id}"

    assert "Therapeut Tamara" not in client.get(url).get_data(as_text=True)
    found = client.get(f"{url}?verwijzing_zoek=tamara").get_data(as_text=True)
    assert "Therapeut Tamara – Jeugd-GGZ Kust" in _select(found, "redirect-redirect_to")

    response = client.post(f"{url}/answer/redirect", data={
        "redirect-version": _version(w.case),
        "redirect-redirect_to": str(w.far.memberships[0].id)})
    assert response.status_code == 302
    assert db.session.scalars(sa.select(Referral.to_user_id).order_by(Referral.id)).all() == [
        w.coach.id, w.far.id]


# --- the timeline ------------------------------------------------------------------------------


def test_the_timeline_shows_its_latest_entries_and_links_to_all(w, login):
    start = utcnow() - timedelta(days=200)
    for n in range(TIMELINE_LIMIT + 5):
        db.session.add(CaseEvent(case_id=w.case.id, kind="mdo", summary=f"Gebeurtenis {n:03d}",
                                 at=start + timedelta(days=n)))
    db.session.flush()
    client = login(w.ib)

    page = text_of(client.get(f"/cases/{w.case.id}"))
    whole = text_of(client.get(f"/cases/{w.case.id}?tijdlijn=alles"))

    newest = f"Gebeurtenis {TIMELINE_LIMIT + 4:03d}"
    assert newest in page and "Gebeurtenis 004" not in page and "Gebeurtenis 005" in page
    assert "Toon de hele tijdlijn" in page
    assert "Gebeurtenis 000" in whole and newest in whole
    assert "Toon de hele tijdlijn" not in whole
