"""The regional coordinator's journey in a real browser, as README "De route uitproberen" step 4
tells it, by the demo coordinator: the escalation queue, take an escalation, record the decision
and resolve it back into the workflow. The escalated case is seeded through the services (the IB
escalated it: school and wijkteam disagree about casusregie). Then the monitor: the region's
panels, another period, the Excel export, which holds figures and no pupil, and the report to
print for the OOGO (A4, a section per page, no menu on paper)."""

import re
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, expect

from app.monitor.indicators import SECTIONS
from app.monitor.periods import SCHOOL_YEAR, current
from tests.browser import seeds
from tests.browser.screens import check_screen

pytestmark = pytest.mark.browser

REFERENCE = "BR-0311"
# A pupil's reference as the demo schools write them (app/demo/story.py): "RB-0042".
PUPIL_REFERENCE = re.compile(r"(?<![A-Za-z])[A-Z]{2}-\d{4}(?!\d)")
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def flashed(page: Page, message: str) -> None:
    expect(page.get_by_role("status").filter(has_text=message)).to_be_visible()


def test_the_coordinator_takes_decides_and_resolves_an_escalation(open_as, demo):
    demo.seed(lambda: seeds.escalated(REFERENCE))
    page = open_as("coordinator")
    page.goto(demo.url)
    page.get_by_role("link", name="Escalaties").click()
    check_screen(page, "escalaties")
    page.get_by_label("School").select_option(label="OBS De Regenboog")
    page.get_by_label("Toegewezen aan").select_option(label="Niemand")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=REFERENCE).click()
    expect(page.get_by_role("heading", name=f"Escalatie: casus {REFERENCE}")).to_be_visible()
    expect(page.get_by_text("Casusregie onduidelijk of partners oneens")).to_be_visible()
    check_screen(page, "escalatie")

    page.get_by_role("button", name="Aan mij toewijzen").click()
    flashed(page, "De escalatie staat nu op uw naam.")
    page.get_by_label("Besluit", exact=True).fill(
        "De J&G-coach neemt de casusregie; de school blijft aanspreekpunt voor ouders.")
    page.get_by_label("Garantstelling").check()
    page.get_by_role("button", name="Besluit vastleggen").click()
    flashed(page, "Het besluit is vastgelegd.")
    page.get_by_label("Terug naar").select_option(label="MDO")
    page.get_by_label("Toelichting (optioneel)").fill("Terug naar het MDO met het besluit.")
    check_screen(page, "escalatie-besluit")
    page.get_by_role("button", name="Escalatie afronden").click()
    flashed(page, f"De escalatie is afgerond. De casus {REFERENCE} staat weer in 'MDO'.")
    expect(page.get_by_role("link", name=REFERENCE)).to_have_count(0)  # left the queue


# --- the monitor ---------------------------------------------------------------------------------


def _sheets_and_texts(path: Path) -> tuple[list[str], str]:
    """The sheet names of a workbook and every text in it: with openpyxl when it is installed
    (it is not a dependency), else read as what the file is, a zip of XML parts (xlsxwriter
    writes the texts into xl/sharedStrings.xml, the numbers into the sheets)."""
    assert zipfile.is_zipfile(path), "the export is not an XLSX (zip) file"
    try:
        import openpyxl
    except ImportError:
        openpyxl = None
    if openpyxl is not None:
        workbook = openpyxl.load_workbook(path, read_only=True)
        texts = "\n".join(str(value) for sheet in workbook.worksheets
                          for row in sheet.iter_rows(values_only=True)
                          for value in row if value is not None)
        return workbook.sheetnames, texts
    with zipfile.ZipFile(path) as workbook:
        names = workbook.namelist()
        assert "xl/workbook.xml" in names
        # our own server's file, just downloaded in this test
        parts = {name: ElementTree.fromstring(workbook.read(name))  # noqa: S314
                 for name in names if name.endswith(".xml")}
    sheets = [sheet.get("name") for sheet in parts["xl/workbook.xml"].iter(f"{SHEET_NS}sheet")]
    return sheets, "\n".join("".join(part.itertext()) for part in parts.values())


def test_the_coordinator_reads_the_monitor_and_downloads_it(open_as, demo, tmp_path):
    this_year = current(SCHOOL_YEAR, date.today())
    last_year = this_year.previous()
    page = open_as("coordinator")
    page.goto(demo.url)
    page.get_by_role("link", name="Monitor", exact=True).click()
    expect(page.get_by_role("heading", name="Monitor", level=1)).to_be_visible()
    lead = page.locator(".monitor-lead")
    expect(lead).to_contain_text(f"{this_year.title}, naast {last_year.title}")
    for section in SECTIONS:  # the region's panels, each with its own heading
        expect(page.get_by_role("heading", name=section.title, level=2)).to_be_visible()
    check_screen(page, "monitor")

    page.get_by_label("Periode", exact=True).select_option(label=last_year.title)
    page.get_by_role("button", name="Toon").click()
    expect(lead).to_contain_text(f"{last_year.title}, naast {last_year.previous().title}")
    expect(page.get_by_label("Periode", exact=True)).to_have_value(last_year.label)
    expect(page).to_have_url(re.compile(f"periode={last_year.label}"))
    expect(page.get_by_role("heading", name=SECTIONS[0].title, level=2)).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheets, texts = _sheets_and_texts(path)
    assert sheets == [section.title[:31] for section in SECTIONS] + ["Definities"]
    assert last_year.label in texts
    assert PUPIL_REFERENCE.fullmatch(REFERENCE)  # the pattern does find a pupil
    assert PUPIL_REFERENCE.findall(texts) == []  # aggregates only, no pupil in the file

    page.get_by_role("link", name="Afdrukken / opslaan als PDF").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(last_year.title)
    for section in SECTIONS:
        expect(page.get_by_role("heading", name=section.title, level=2)).to_be_visible()
    check_screen(page, "monitor-rapport")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Terug naar de monitor")).to_be_hidden()
    pages = len(re.findall(rb"/Type\s*/Page\b", page.pdf(prefer_css_page_size=True)))
    assert pages > len(SECTIONS)  # A4, every section on a page of its own
