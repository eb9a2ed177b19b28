"""The intern begeleider's journey in a real browser, clicked as README "De route uitproberen"
tells it, by the demo IB of De Regenboog: log in with password and code, a new signalering, the
parents' consent, a referral to the school's J&G-coach, an MDO planned and held with a parent
present, casusregie, an OZA 2 arrangement, the joint evaluation, and the case closed.

Time passes twice: the MDO day comes, and later the evaluation date. A browser cannot wait weeks
and the live server's clock is not moved under it; the test lets the days pass for this case
instead (`demo.days_pass`: its recorded dates move back, as they would stand after those days).
Every main screen on the way is checked by axe-core and for its abbreviations, and photographed.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO
from tests.browser.screens import check_screen

pytestmark = pytest.mark.browser

IB = DEMO["regenboog"]
REFERENCE = "BR-0142"


def flashed(page: Page, message: str) -> None:
    expect(page.get_by_role("status").filter(has_text=message)).to_be_visible()


def step(page: Page, label: str) -> None:
    """Take a workflow step from the case page's 'Volgende stap' panel."""
    panel = page.get_by_role("complementary", name="Volgende stap")
    panel.get_by_text(label, exact=True).first.click()  # the summary: opens the step's form
    panel.get_by_role("button", name=label).click()
    flashed(page, f"{label}: gelukt.")


def log_in(page: Page, demo) -> None:
    page.goto(demo.url)
    flashed(page, "Log in om verder te gaan.")
    check_screen(page, "inloggen")
    page.get_by_label("E-mailadres").fill(IB.email)
    page.get_by_label("Wachtwoord").fill(demo.password)
    page.get_by_role("button", name="Inloggen").click()
    check_screen(page, "inloggen-code")
    page.get_by_label("Code uit uw authenticator-app").fill(demo.code(IB.email))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Caseload", exact=True)).to_be_visible()
    check_screen(page, "caseload")


def new_signalering(page: Page) -> int:
    page.get_by_role("link", name="Nieuwe signalering").first.click()
    check_screen(page, "nieuwe-signalering")
    page.get_by_label("Leerlingreferentie").fill(REFERENCE)
    page.get_by_label("Initialen").fill("S.J.")
    page.get_by_label("Geboortejaar").fill(str(date.today().year - 9))
    page.get_by_label("Groep of klas").fill("groep 5")
    page.get_by_label("Sociaal-emotioneel").check()
    page.get_by_label("Verzuim of spijbelen").check()
    page.get_by_label("Wat ziet u?").fill("Sam komt vaak te laat, is moe en trekt zich terug.")
    page.get_by_label("Hulpvraag").fill("Wat heeft Sam thuis en op school nodig om weer op tijd "
                                        "en uitgerust te komen?")
    page.get_by_label("De zorg is met de ouders (en de leerling) besproken").check()
    page.get_by_role("button", name="Signalering vastleggen").click()
    flashed(page, f"Signalering voor {REFERENCE} is vastgelegd.")
    check_screen(page, "casus-signalering")
    return int(re.search(r"/cases/(\d+)$", page.url).group(1))


def consent_and_referral(page: Page) -> None:
    consent = page.get_by_role("region", name="Toestemming")
    consent.get_by_text("Toestemming vastleggen", exact=True).first.click()
    consent.get_by_label("Organisatie", exact=True).select_option(label="Wijkteam Alkmaar-Noord")
    consent.get_by_label("Doel").select_option(label="Verwijzing naar jeugdhulp")
    consent.get_by_label("De ouders met gezag geven toestemming").check()
    consent.get_by_label("inhoudelijke voortgang met school").check()
    check_screen(page, "casus-toestemming")
    consent.get_by_role("button", name="Toestemming vastleggen").click()
    flashed(page, "De toestemming voor Wijkteam Alkmaar-Noord is vastgelegd.")

    referrals = page.get_by_role("region", name="Verwijzingen")
    referrals.get_by_text("Verwijzen naar een jeugdprofessional", exact=True).first.click()
    # the school's vaste contactpersoon jeugdhulp is chosen already
    chosen = referrals.get_by_label("Jeugdprofessional", exact=True).locator("option:checked")
    expect(chosen).to_have_text("Sanne Dijkgraaf – Wijkteam Alkmaar-Noord (vaste contactpersoon)")
    referrals.get_by_label("Wat vraagt de school van de jeugdprofessional?").fill(
        "Kan de J&G-coach met ouders kijken naar de spanning thuis en de ochtenden?")
    referrals.get_by_role("button", name="Verwijzing versturen").click()
    flashed(page, "De verwijzing naar Wijkteam Alkmaar-Noord is verstuurd.")


def plan_mdo(page: Page) -> None:
    page.get_by_role("region", name="MDO").get_by_role("link", name="MDO plannen").click()
    page.get_by_label("Datum").fill((date.today() + timedelta(days=1)).isoformat())
    page.get_by_label("Begintijd").fill("14:00")
    expect(page.get_by_label("Voorzitter")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Sanne Dijkgraaf – Wijkteam Alkmaar-Noord").check()
    check_screen(page, "mdo-plannen")
    page.get_by_role("button", name="MDO plannen en genodigden uitnodigen").click()
    flashed(page, "Het MDO is gepland en de genodigden hebben bericht gekregen.")
    step(page, "MDO plannen")
    check_screen(page, "casus-mdo")


def hold_mdo(page: Page) -> None:
    page.get_by_role("link", name="Vastleggen hoe het MDO is gegaan").click()
    yesterday = date.today() - timedelta(days=1)
    expect(page.get_by_label("Datum")).to_have_value(yesterday.isoformat())  # as planned
    page.get_by_label(f"{IB.name} (School)").check()
    page.get_by_label("Sanne Dijkgraaf – Wijkteam Alkmaar-Noord (Jeugdhulp)").check()
    page.get_by_role("group", name="De ouders").get_by_label("Aanwezig", exact=True).check()
    page.get_by_label("Vooraf gehoord (de mening is meegenomen)").check()
    page.get_by_label("Verslag voor ouders en leerling").fill(
        "We hebben samen met moeder besproken hoe het met Sam gaat. Sam krijgt hulp thuis en op "
        "school een vaste plek om even tot rust te komen.")
    page.get_by_label("Actie 1: wat wordt er gedaan?").fill(
        "Gesprek met Sam en moeder over de ochtendroutine")
    page.get_by_label("Actie 1: wie doet het?").select_option(label="Sanne Dijkgraaf")
    page.get_by_label("Actie 1: uiterlijk op").fill((date.today() + timedelta(days=7)).isoformat())
    check_screen(page, "mdo-vastleggen")
    page.get_by_role("button", name="MDO vastleggen").click()
    flashed(page, "Het MDO is vastgelegd.")

    page.get_by_role("link", name="Verslag voor ouders en leerling (om af te drukken)").click()
    expect(page.get_by_text("De ouders waren bij het overleg.")).to_be_visible()
    check_screen(page, "mdo-verslag")
    page.get_by_role("link", name="Terug naar de casus").click()


def take_regie(page: Page) -> None:
    regie = page.get_by_role("region", name="Casusregie")
    regie.get_by_text("Casusregie toewijzen", exact=True).first.click()
    choice = regie.get_by_label("Wie krijgt de casusregie?")
    me = choice.locator("option", has_text=IB.name).get_attribute("value")
    choice.select_option(me)
    regie.get_by_role("button", name="Verzoek versturen").click()
    flashed(page, "U heeft nu de casusregie van deze casus.")


def agree_arrangement(page: Page) -> None:
    page.get_by_role("link", name="Arrangement vastleggen").click()
    page.get_by_label("Soort hulp").select_option(
        label="OZA 2 – intensieve of langdurige hulp op school")
    page.get_by_label("Aanbieder (optioneel)").select_option(label="Wijkteam Alkmaar-Noord")
    page.get_by_label("Financiering").select_option("integraal")
    page.get_by_label("Doel op school").fill("Sam is elke ochtend op tijd en doet mee in de klas.")
    page.get_by_label("Doel thuis").fill("Een vaste ochtendroutine met moeder.")
    expect(page.get_by_label("Startdatum")).to_have_value(date.today().isoformat())
    page.get_by_label("Evaluatiedatum").fill((date.today() + timedelta(weeks=8)).isoformat())
    check_screen(page, "arrangement-vastleggen")
    page.get_by_role("button", name="Arrangement vastleggen").click()
    flashed(page, "Het arrangement is vastgelegd.")
    step(page, "Arrangement afspreken")
    check_screen(page, "casus-arrangement")


def evaluate_and_close(page: Page) -> None:
    step(page, "Evaluatie starten")
    evaluation = page.get_by_role("region", name="Evaluatie")
    evaluation.get_by_label("Datum van de evaluatie").fill(date.today().isoformat())
    for party in ("School", "Jeugdhulp", "Ouders"):
        evaluation.get_by_label(party, exact=True).check()
    for domain in ("School", "Thuis"):
        evaluation.get_by_role("group", name=f"{domain}: in hoeverre is het doel behaald?") \
            .get_by_label("Behaald", exact=True).check()
    evaluation.get_by_label("Wat ziet de school nu?").fill(
        "Sam is sinds zes weken elke dag op tijd; geen verzuim meer.")
    evaluation.get_by_label("Toelichting", exact=True).fill("Iedereen tevreden.")
    evaluation.get_by_role("group", name="Besluit").get_by_label("Casus sluiten").check()
    evaluation.get_by_label("Reden voor het sluiten").select_option("goals_met")
    check_screen(page, "casus-evaluatie")
    evaluation.get_by_role("button", name="Evaluatie vastleggen").click()
    flashed(page, "De evaluatie is vastgelegd en de casus is gesloten.")
    expect(page.get_by_text("Gesloten", exact=True).first).to_be_visible()
    check_screen(page, "casus-gesloten")


def test_the_intern_begeleider_takes_a_case_from_signalering_to_closed(page, demo):
    log_in(page, demo)
    case_id = new_signalering(page)
    consent_and_referral(page)
    plan_mdo(page)

    demo.days_pass(case_id, 2)  # the day after the MDO
    page.reload()
    hold_mdo(page)
    take_regie(page)
    agree_arrangement(page)

    demo.days_pass(case_id, 8 * 7 + 1)  # the day after the evaluation date
    page.reload()
    evaluate_and_close(page)
    timeline = page.get_by_role("region", name="Tijdlijn")
    for line in ("Signalering geopend", "Verwezen naar Wijkteam Alkmaar-Noord",
                 "MDO gehouden (ouders aanwezig; leerling vooraf gehoord)",
                 "Arrangement vastgelegd: OZA 2", "Casus sluiten – van Evaluatie naar Gesloten"):
        expect(timeline).to_contain_text(line)
