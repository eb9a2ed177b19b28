"""Accessibility beyond the journeys (WCAG 2.1 AA): the signalering form filled in and sent with
the keyboard alone, a visible focus, error messages tied to their fields, every main page at a
phone's 375 px without sideways scrolling, and axe-core on the screens no journey passes."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.screens import check_screen, screenshot

pytestmark = pytest.mark.browser

PHONE = 375
# The main pages per demo account; a case and its referral are found from the caseload.
PHONE_PAGES = {
    "regenboog": ["/cases/", "/cases/new", "/berichten/", "/wie-zit-waar/", "/cases/tasks",
                  "/begrippen"],
    "coach_noord": ["/cases/referrals", "/cases/regie"],
    "coordinator": ["/escalaties/"],
    "admin": ["/admin/"],
}


def _focused(page: Page) -> dict:
    return page.evaluate("""() => {
      const e = document.activeElement, s = getComputedStyle(e);
      const label = e.labels && e.labels.length ? e.labels[0].innerText : e.innerText;
      return {tag: e.tagName, type: e.type || '', label: (label || '').trim(),
              visible: e.matches(':focus-visible'), outline: s.outlineStyle,
              width: parseFloat(s.outlineWidth), color: s.outlineColor};
    }""")


def test_the_signalering_form_works_with_the_keyboard_alone(open_as, demo):
    page = open_as("regenboog")
    page.goto(f"{demo.url}/cases/new")
    typed = {"Leerlingreferentie": "KB-0001", "Initialen": "K.B.", "Geboortejaar": "2016",
             "Groep of klas": "groep 4", "Wat ziet u?": "Is vaak stil en eet slecht.",
             "Hulpvraag": "Wat helpt om weer mee te doen?"}
    ticked = {"Gedrag", "De zorg is met de ouders (en de leerling) besproken"}
    page.keyboard.press("Tab")
    assert _focused(page)["label"] == "Naar de inhoud"  # the skip link comes first
    page.keyboard.press("Enter")
    for _ in range(60):
        page.keyboard.press("Tab")
        field = _focused(page)
        if field["label"] in typed:
            page.keyboard.type(typed.pop(field["label"]))
        elif field["label"] in ticked:
            page.keyboard.press("Space")
            ticked.remove(field["label"])
        elif field["tag"] == "BUTTON":
            assert field["label"] == "Signalering vastleggen"
            assert (typed, ticked) == ({}, set()), "Tab passed these fields by"
            page.keyboard.press("Enter")
            break
    expect(page.get_by_role("status").filter(
        has_text="Signalering voor KB-0001 is vastgelegd.")).to_be_visible()
    expect(page.get_by_text("Besproken met ouders")).to_be_visible()
    expect(page.get_by_text("Gedrag", exact=True)).to_be_visible()


def test_the_keyboard_focus_is_clearly_visible(open_as, demo):
    page = open_as("regenboog")
    page.goto(f"{demo.url}/cases/")
    seen = {}
    for _ in range(40):
        page.keyboard.press("Tab")
        field = _focused(page)
        seen.setdefault((field["tag"], field["label"]), field)
        if ("BUTTON", "Filter") in seen:
            break
    for key in (("A", "Caseload"), ("SELECT", "Fase"), ("BUTTON", "Filter")):
        field = seen[key]
        assert field["visible"], key
        assert field["outline"] == "solid" and field["width"] >= 2, (key, field)
        assert field["color"] == "rgb(249, 221, 25)", (key, field)  # yellow on a black ring


def test_form_errors_are_tied_to_their_fields(open_as, demo):
    page = open_as("regenboog")
    page.goto(f"{demo.url}/cases/new")
    page.get_by_label("Geboortejaar").fill("1890")
    page.get_by_role("button", name="Signalering vastleggen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Het formulier is nog niet goed ingevuld.")
    for label, message in {
        "Leerlingreferentie": "Vul de leerlingreferentie van uw school in.",
        "Initialen": "Vul de initialen in.",
        "Geboortejaar": "Vul een geboortejaar in tussen",
        "Wat ziet u?": "Beschrijf kort wat u ziet.",
    }.items():
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))
        # the summary's point leads to the field
        summary.get_by_role("link", name=re.compile(re.escape(label))).click()
        expect(field).to_be_focused()
    signals = page.get_by_role("group", name="Signalen")
    expect(signals).to_have_accessible_description(re.compile("Kies minstens één soort signaal."))
    expect(signals.get_by_role("checkbox").first).to_have_attribute("aria-invalid", "true")
    check_screen(page, "nieuwe-signalering-fouten")


def test_main_pages_fit_a_phone_screen(open_as, demo):
    """375 px wide: nothing scrolls sideways but a wide table inside its own frame."""
    too_wide = []
    for who, urls in PHONE_PAGES.items():
        page = open_as(who, width=PHONE)
        for url in urls:
            page.goto(f"{demo.url}{url}")
            if url == "/cases/":  # and a case, with its first referral
                page.get_by_role("cell").get_by_role("link").first.click()
                _measure(page, too_wide)
                referrals = page.get_by_role("region", name="Verwijzingen").get_by_role("link")
                if referrals.count():
                    referrals.first.click()
                    _measure(page, too_wide)
                page.goto(f"{demo.url}{url}")
                screenshot(page, f"telefoon-caseload-{who}")
            _measure(page, too_wide)
    assert too_wide == []


def _measure(page: Page, too_wide: list) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE:
        too_wide.append((page.url, width))


@pytest.mark.parametrize(("who", "url", "name"), [
    ("regenboog", "/wie-zit-waar/", "wie-zit-waar"),
    ("admin", "/admin/", "beheer"),
    (None, "/begrippen", "begrippen"),
    ("regenboog", "/cases/999999", "niet-gevonden"),
    ("admin", "/cases/", "geen-toegang"),
])
def test_other_main_screens_pass_axe(open_as, page, demo, who, url, name):
    page = open_as(who) if who else page
    page.goto(f"{demo.url}{url}")
    check_screen(page, name)
