"""A closed round as CSV and XLSX, and the links of a round just opened as CSV.

The same suppression as on screen: a suppressed question has one row with suppressed = 1 and no
figures, and no distribution rows. Question texts are the region's own text: CSV cells that
start with = + - @ are neutralised and the workbook writes every text as a string (the
monitor's helpers, app/monitor/exports.py).
"""

import csv
import io

import xlsxwriter

from app.monitor.exports import WORKBOOK_OPTIONS, safe
from app.monitor.indicators import SECTION_TITLES
from app.monitor.survey.models import SurveyRound
from app.monitor.survey.report import Result, RoundReport

CSV_COLUMNS = ("group", "theme", "question", "answer", "count", "n", "value", "suppressed",
               "measured_indicator", "measured_value", "measured_suppressed")
SHEET_COLUMNS = ("Groep", "Onderdeel", "Vraag", "Antwoord", "Aantal", "n", "Uitslag",
                 "Onderdrukt", "Gemeten: indicator", "Gemeten: waarde", "Gemeten: onderdrukt")
HEADLINE = "uitslag"


def _measured(result: Result) -> tuple:
    cell = result.measured
    if cell is None:
        return (None, None, None)
    value = None if cell.suppressed or cell.value is None else round(cell.value, 1)
    return (cell.indicator.key, value, 1 if cell.suppressed else 0)


def rows(found: RoundReport) -> list[tuple]:
    """One headline row per question (value: the mean mark or the percentage), then one row
    per answer option with its count — the latter only for a question that is shown."""
    out = []
    for group in found.groups:
        for result in group.results:
            question = result.question
            lead = (group.label, SECTION_TITLES.get(question.theme, question.theme),
                    question.text)
            value = None if result.value is None else round(result.value, 1)
            out.append(lead + (HEADLINE, None, result.n, value,
                               1 if result.suppressed else 0) + _measured(result))
            for label, count in result.distribution:
                out.append(lead + (label, count, result.n, None, 0, None, None, None))
    return out


def csv_text(found: RoundReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows(found):
        writer.writerow([safe(cell) for cell in row])
    return out.getvalue()


def xlsx_bytes(found: RoundReport) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("Enquête")
    for index, (name, width) in enumerate(zip(SHEET_COLUMNS, (30, 26, 60, 20, 8, 6, 8, 11, 26,
                                                               14, 14), strict=True)):
        sheet.write_string(0, index, name, bold)
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    table = rows(found)
    for number, row in enumerate(table, start=1):
        for index, cell in enumerate(row):
            if cell is None:
                sheet.write_blank(number, index, None)
            elif isinstance(cell, str):
                sheet.write_string(number, index, cell)
            else:
                sheet.write_number(number, index, cell)
    survey_round = found.round
    notes = (f"{survey_round.title}, {survey_round.region.name}, schooljaar "
             f"{survey_round.period}.",
             f"Een vraag met minder dan {found.threshold} antwoorden (zonder 'weet niet') is "
             "onderdrukt: er staat dan geen cijfer.",
             "De vragen zijn gereconstrueerd, niet de officiële AOJ-tekst (tenzij de regio ze "
             "zelf heeft geschreven).")
    for offset, note in enumerate(notes):
        sheet.write_string(len(table) + 2 + offset, 0, note)
    workbook.close()
    return out.getvalue()


def links_csv(links: dict) -> str:
    """The links of a round just opened: one row per link, to send through the region's own
    channels. They are shown this once; only their hashes are kept."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("group", "link"))
    for audience, found in links.items():
        for link in found:
            writer.writerow((audience.value, link))
    return out.getvalue()


def filename(survey_round: SurveyRound, extension: str) -> str:
    region = "".join(ch for ch in survey_round.region.code if ch.isalnum() or ch == "-")
    return f"enquete-{region}-{survey_round.period}-ronde-{survey_round.id}.{extension}"
