"""The J&G-coach's journey in a real browser, as README "De route uitproberen" step 2 tells it, by
the demo coach of Wijkteam Alkmaar-Noord: the referral inbox, accept a referral, the waiting list
with an expected start, the help started, a progress note, and casusregie taken over by
accepting the school's request. The school's side (the case, its consent, the referral and the
request) is seeded through the services, as the IB would have left it."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser import seeds
from tests.browser.screens import check_screen

pytestmark = pytest.mark.browser

REFERENCE = "BR-0207"


def flashed(page: Page, message: str) -> None:
    expect(page.get_by_role("status").filter(has_text=message)).to_be_visible()


def answer(page: Page, step: str, **fields: str) -> None:
    """One answer to the referral: open the step, fill it in, send it."""
    page.get_by_text(step, exact=True).first.click()
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name=step).click()
    flashed(page, "De school krijgt deze terugkoppeling.")


def test_the_coach_answers_a_referral_and_takes_over_casusregie(open_as, demo):
    case_id = demo.seed(lambda: seeds.referred_with_handover(REFERENCE))
    page = open_as("coach_noord")
    page.goto(demo.url)
    page.get_by_role("link", name="Verwijzingen").click()
    waiting = page.get_by_role("region", name="Te beantwoorden")
    expect(waiting).to_contain_text("OBS De Regenboog")
    check_screen(page, "verwijzingen")

    waiting.get_by_role("link", name=REFERENCE).click()
    expect(page.get_by_text(seeds.QUESTION)).to_be_visible()
    check_screen(page, "verwijzing")
    answer(page, "Accepteren")
    expected = date.today() + timedelta(days=14)
    answer(page, "Wachtlijst: verwachte startdatum", **{
        "Verwachte startdatum": expected.isoformat(),
        "Overbruggingsplan (optioneel): wat doen school en gezin in de tussentijd?":
            "Elke ochtend een check-in bij de IB tot de hulp start."})
    answer(page, "Hulp gestart", **{"Startdatum van de hulp": date.today().isoformat()})
    page.get_by_text("Voortgang melden", exact=True).click()
    page.get_by_label("Voortgangsnotitie").fill("Eerste gesprek met moeder gevoerd.")
    page.get_by_role("button", name="Notitie toevoegen").click()
    flashed(page, "De voortgangsnotitie is toegevoegd.")
    expect(page.get_by_role("region", name="Verloop (terugkoppeling aan school)")).to_contain_text(
        "Hulp gestart op")
    check_screen(page, "verwijzing-hulp-gestart")

    # the school's request to take over casusregie waits in the inbox
    page.get_by_role("link", name="Berichten").click()
    check_screen(page, "berichten")
    page.get_by_role("link", name="vraagt u de casusregie van een casus over te nemen").first \
        .click()
    expect(page).to_have_url(f"{demo.url}/cases/{case_id}#kop-regie")
    regie = page.get_by_role("region", name="Casusregie")
    regie.get_by_role("link", name="Alle verzoeken om casusregie aan mij").click()
    check_screen(page, "casusregie-verzoeken")
    page.get_by_role("link", name=f"Casus {case_id} bekijken").click()
    check_screen(page, "casus-jeugdprofessional")
    regie.get_by_role("button", name="Casusregie overnemen").click()
    flashed(page, "U heeft nu de casusregie van deze casus.")
    expect(regie).to_contain_text("Sanne Dijkgraaf")

    page.get_by_role("link", name="Mijn taken").click()
    expect(page.get_by_role("heading", name="Mijn taken")).to_be_visible()
    check_screen(page, "mijn-taken")
