"""A survey round in a real browser: the demo coordinator opens a round for parents and
downloads the links (a data: link, under the app's CSP); a parent without an account answers
on a phone's 375 px, gets the errors at the questions first, then the thanks; the used link
gets the neutral page; the closed round's report shows two answers as suppressed (demo
threshold 5)."""

import csv
import re

import pytest
from playwright.sync_api import expect

from tests.browser.screens import check_screen

pytestmark = pytest.mark.browser
PHONE = 375


def test_a_round_is_opened_answered_on_a_phone_and_reported(open_as, demo, new_context):
    page = open_as("coordinator")
    page.goto(f"{demo.url}/monitor/enquetes/")
    check_screen(page, "enquetes")
    page.get_by_role("link", name="Nieuwe ronde").click()
    page.get_by_label("Naam van de ronde").fill("Meting in de browser")
    page.get_by_role("button", name="Ronde aanmaken").click()
    page.get_by_label("Aantal links: Ouders").fill("2")
    check_screen(page, "enquete-openen")
    page.get_by_role("button", name="Open de ronde en maak de links").click()
    check_screen(page, "enquete-links")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download de links")).click()
    with open(download.value.path(), encoding="utf-8") as file:
        links = [row["link"] for row in csv.DictReader(file)]
    assert len(links) == 2 and all("/enquete/" in link for link in links)

    parent = new_context().new_page()
    parent.set_viewport_size({"width": PHONE, "height": 800})
    parent.goto(links[0])
    expect(parent.get_by_text("Uw antwoorden zijn anoniem.")).to_be_visible()
    parent.get_by_role("button", name="Versturen").click()
    questions = parent.get_by_role("group")
    expect(questions.first).to_have_accessible_description("Kies een antwoord bij deze vraag.")
    check_screen(parent, "enquete-invullen-fouten")
    assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE
    for index in range(questions.count()):
        questions.nth(index).get_by_role("radio").first.check()
    parent.get_by_role("button", name="Versturen").click()
    expect(parent.get_by_role("heading", name="Bedankt voor het invullen")).to_be_visible()
    parent.goto(links[0])
    expect(parent.get_by_role("heading", name="Deze link werkt niet (meer)")).to_be_visible()

    page.get_by_role("link", name="Naar de ronde").click()
    page.get_by_role("button", name="Sluit de ronde").click()
    expect(page.get_by_role("heading", name="Uitslag")).to_be_visible()
    expect(page.get_by_role("cell", name="onderdrukt").first).to_be_visible()
    check_screen(page, "enquete-uitslag")
