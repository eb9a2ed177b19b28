"""The monitor's exports: CSV (one row per figure) and XLSX (a sheet per section and a
"Definities" sheet from the catalogue).

Suppressed figures carry no numbers (numerator, denominator and value empty, suppressed = 1).
Figures of records that have changed since (`Monitor.stale_since`) carry their time in the
file name (the CSV keeps its eight columns); the workbook also says so under every sheet.
Text never becomes a formula: CSV cells that start with = + - @ are neutralised as in the
audit export, and the workbook writes every text as a string (xlsxwriter with
strings_to_formulas off). No pupil reference is in any row: the cells are aggregates.
"""

import csv
import io
from datetime import datetime

import xlsxwriter

from app.audit.cli import _cell as safe  # the one formula-safe CSV cell writer
from app.filters import AMSTERDAM
from app.monitor.indicators import (
    COUNT,
    INDICATORS,
    KIND_LABELS,
    PER_SCHOOL,
    SECTIONS,
    SURVEY,
)
from app.monitor.queries import Cell
from app.monitor.suppression import explanation

CSV_COLUMNS = ("section", "indicator", "scope", "period", "numerator", "denominator", "value",
               "suppressed")
SHEET_COLUMNS = ("Indicator", "Sleutel", "Bereik", "Periode", "Teller", "Noemer", "Waarde",
                 "Onderdrukt")
DEFINITION_COLUMNS = ("Sleutel", "Titel", "Onderdeel", "Soort", "Teller",
                      "Noemer of populatie", "Bronvelden", "Periode (welke datum telt)",
                      "Vergelijking (domain.md §6)")
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}


def value_of(cell: Cell) -> float | int | None:
    """The figure as exported: a count whole, a median or percentage to one decimal."""
    if cell.suppressed or cell.value is None:
        return None
    if cell.indicator.kind == COUNT:
        return int(cell.value)
    return round(cell.value, 2 if cell.indicator.kind == PER_SCHOOL else 1)


def record(cell: Cell) -> dict:
    hidden = cell.suppressed
    return {
        "section": cell.indicator.section_title, "indicator": cell.key,
        "scope": cell.scope_label, "period": cell.period.label,
        "numerator": None if hidden else cell.numerator,
        "denominator": None if hidden else cell.denominator,
        "value": value_of(cell), "suppressed": 1 if hidden else 0,
    }


def csv_text(cells: list[Cell]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for cell in cells:
        row = record(cell)
        writer.writerow([safe(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def xlsx_bytes(cells: list[Cell], threshold: int, title: str) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for section in SECTIONS:
        sheet = workbook.add_worksheet(section.title[:31])
        _header(sheet, SHEET_COLUMNS, bold, (48, 34, 36, 12, 10, 10, 10, 11))
        rows = [c for c in cells if c.indicator.section == section.key]
        for number, cell in enumerate(rows, start=1):
            _figure_row(sheet, number, cell)
        note_row = len(rows) + 2
        if any(i.kind == SURVEY for i in INDICATORS if i.section == section.key) and not rows:
            sheet.write_string(note_row, 0, "Alleen uit de enquête: volgt met de "
                                            "enquêterondes.")
            note_row += 1
        sheet.write_string(note_row, 0, explanation(threshold))
        sheet.write_string(note_row + 1, 0, title)
    _definitions(workbook.add_worksheet("Definities"), bold, wrap)
    workbook.close()
    return out.getvalue()


def _header(sheet, columns, bold, widths) -> None:
    for index, (name, width) in enumerate(zip(columns, widths, strict=True)):
        sheet.write_string(0, index, name, bold)
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)


def _figure_row(sheet, number: int, cell: Cell) -> None:
    row = record(cell)
    for index, text in enumerate((cell.title, cell.key, cell.scope_label, cell.period.label)):
        sheet.write_string(number, index, text)
    for index, name in enumerate(("numerator", "denominator", "value"), start=4):
        if row[name] is None:
            sheet.write_blank(number, index, None)
        else:
            sheet.write_number(number, index, row[name])
    sheet.write_string(number, 7, "ja" if row["suppressed"] else "nee")


def _definitions(sheet, bold, wrap) -> None:
    _header(sheet, DEFINITION_COLUMNS, bold, (28, 40, 26, 14, 40, 40, 36, 32, 40))
    for number, indicator in enumerate(INDICATORS, start=1):
        texts = (indicator.key, indicator.title, indicator.section_title,
                 KIND_LABELS[indicator.kind], indicator.numerator, indicator.denominator,
                 indicator.sources, indicator.period_rule, indicator.seed)
        for index, text in enumerate(texts):
            sheet.write_string(number, index, text, wrap)


def filename(region_code: str, period_label: str, scope_token: str, extension: str,
             stale_since: datetime | None = None) -> str:
    """monitor-NK-2025-2026-regio.csv: organisation codes and labels only; figures of records
    that have changed since say of when they are: monitor-NK-…-regio-cijfers-van-20261202-0854.csv
    (Dutch time)."""
    scope = "".join(ch if ch.isalnum() else "-" for ch in scope_token)
    region = "".join(ch for ch in region_code if ch.isalnum() or ch == "-")
    when = (f"-cijfers-van-{stale_since.astimezone(AMSTERDAM):%Y%m%d-%H%M}" if stale_since
            else "")
    return f"monitor-{region}-{period_label}-{scope}{when}.{extension}"

