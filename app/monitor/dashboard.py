"""What the dashboard shows: per section the figures of one scope and period beside the
previous period and the change, and the charts with their figures as tables. Figures are
written the Dutch way ("58%", "20,5 dagen"); a suppressed one is "onderdrukt", never a number.
"""

from dataclasses import dataclass, field

from markupsafe import Markup

from app.monitor import charts
from app.monitor.indicators import (
    BARS,
    COUNT,
    MEDIAN_DAYS,
    PER_SCHOOL,
    PERCENTAGE,
    SECTIONS,
    SECTORS,
    SURVEY,
    TREND,
    Indicator,
    Section,
    in_section,
)
from app.monitor.periods import SCHOOL_YEAR, Period
from app.monitor.queries import Cell, Monitor
from app.monitor.scopes import ALL_REGION, SECTOR, Scope
from app.monitor.suppression import SUPPRESSED_LABEL
from app.monitor.survey import report as survey_report

MINUS = "\u2212"
ORDERED_DIMENSIONS = {"wait_bucket"}  # classes in their own order: columns, not bars
SHORT_LABELS = {"0-7": "≤ 1 wk", "8-14": "1–2 wk", "15-28": "2–4 wk", "29-42": "4–6 wk",
                "43-56": "6–8 wk", "57+": "> 8 wk"}


def number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _days(value: float) -> str:
    amount = number(value, 0 if float(value).is_integer() else 1)
    return f"{amount} {'dag' if value == 1 else 'dagen'}"


def figure(cell: Cell | None) -> str:
    if cell is None:
        return "–"
    if not cell.applicable:
        return "n.v.t."
    if cell.suppressed:
        return SUPPRESSED_LABEL
    if cell.value is None:
        return "–"
    kind = cell.indicator.kind
    if kind == PERCENTAGE:
        return f"{number(cell.value)}%"
    if kind == MEDIAN_DAYS:
        return _days(cell.value)
    if kind == PER_SCHOOL:
        return f"{number(cell.value, 1)} per school"
    return number(cell.value)


def basis(cell: Cell | None) -> str:
    """What the figure rests on: "33 van 56", "n = 73" (always shown, domain.md M8)."""
    if cell is None or cell.suppressed or not cell.applicable:
        return ""
    kind = cell.indicator.kind
    if kind == PERCENTAGE:
        return f"{cell.numerator} van {cell.denominator}"
    if kind == MEDIAN_DAYS:
        return f"n = {cell.denominator}"
    if kind == PER_SCHOOL:
        return f"{cell.numerator} bij {cell.denominator} scholen"
    return ""


def change_text(indicator: Indicator, change: float | None) -> str:
    if change is None:
        return "–"
    if round(change, 1) == 0:
        return "gelijk"
    sign = "+" if change > 0 else MINUS
    if indicator.kind == PERCENTAGE:
        return f"{sign}{number(abs(change))} procentpunt"
    if indicator.kind == MEDIAN_DAYS:
        return f"{sign}{_days(abs(change))}"
    return f"{sign}{number(abs(change), 1 if indicator.kind == PER_SCHOOL else 0)}"


@dataclass(frozen=True)
class Line:
    indicator: Indicator
    title: str
    current: str = ""
    basis: str = ""
    previous: str = ""
    change: str = ""
    group: bool = False  # the heading row of a count table (its categories follow)
    category: bool = False  # one category of a count table

    @property
    def defined(self) -> bool:
        """The row that carries the definition and the seed figure."""
        return not self.category


@dataclass(frozen=True)
class Chart:
    id: str
    heading: str
    svg: Markup
    rows: list[tuple[str, str]]  # the chart's figures as a table


@dataclass(frozen=True)
class Crosstab:
    heading: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass
class Panel:
    section: Section
    lines: list[Line] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    crosstabs: list[Crosstab] = field(default_factory=list)
    survey: list[Indicator] = field(default_factory=list)  # asked in the survey rounds
    survey_report: "survey_report.RoundReport | None" = None  # the latest closed round
    survey_note: str = ""  # why there is no round to show


def panels(monitor: Monitor, scope: Scope, period: Period) -> list[Panel]:
    result = []
    for section in SECTIONS:
        panel = Panel(section)
        for indicator in in_section(section.key):
            if indicator.kind == SURVEY:
                panel.survey.append(indicator)
                continue
            panel.lines += _lines(monitor, indicator, scope, period)
            panel.charts += _charts(monitor, indicator, scope, period)
            if indicator.dimension == "kind" and not indicator.category and scope == ALL_REGION:
                panel.crosstabs.append(_by_sector(monitor, indicator, period))
        if panel.survey:
            _add_survey(panel, monitor, scope, period)
        result.append(panel)
    return result


def _add_survey(panel: Panel, monitor: Monitor, scope: Scope, period: Period) -> None:
    """The region's latest closed survey round of the school year. A round is asked of the
    whole region, so only the region view shows it."""
    if period.kind != SCHOOL_YEAR:
        panel.survey_note = "Enquêterondes horen bij een schooljaar: kies een schooljaar."
    elif scope != ALL_REGION:
        panel.survey_note = "De enquête geldt voor de hele regio: kies bij Bekijk de regio."
    elif found := survey_report.latest_closed(monitor.region.id, period.label):
        panel.survey_report = survey_report.report(found, monitor)


def _lines(monitor: Monitor, indicator: Indicator, scope: Scope, period: Period) -> list[Line]:
    table = bool(indicator.dimension and not indicator.category)
    lines = [Line(indicator, indicator.title, group=True)] if table else []
    for cell in monitor.cells(indicator, scope, period):
        if not cell.applicable:
            continue
        comparison = monitor.compare(indicator, scope, period, cell.category)
        lines.append(Line(indicator, cell.category_label if table else cell.title,
                          figure(cell), basis(cell), figure(comparison.previous),
                          change_text(indicator, comparison.change), category=table))
    return lines


def _bars(cells: list[Cell], labels: list[str], highlight: int | None = None) -> list:
    return [charts.Bar(label, None if c.suppressed else c.value, figure(c), i == highlight)
            for i, (c, label) in enumerate(zip(cells, labels, strict=True))]


def _chart(chart_id: str, heading: str, bars: list, draw, maximum=None,
           labels: list[str] | None = None) -> list[Chart]:
    """The chart, or none when it would show fewer than two figures (nothing to compare)."""
    if sum(b.value is not None for b in bars) < 2:
        return []
    drawn = [charts.Bar(label, b.value, b.text, b.highlight)
             for b, label in zip(bars, labels or [b.label for b in bars], strict=True)]
    svg = draw(chart_id, heading, drawn, maximum, description=charts.describe(bars))
    return [Chart(chart_id, heading, svg, [(b.label, b.text) for b in bars])]


def _charts(monitor: Monitor, indicator: Indicator, scope: Scope, period: Period) -> list:
    maximum = 100 if indicator.kind == PERCENTAGE else None
    found = []
    groups = monitor.layout.scopes(SECTOR)
    if SECTORS in indicator.charts and scope == ALL_REGION and len(groups) > 1:
        cells = [monitor.cell(indicator, s, period) for s in [ALL_REGION, *groups]]
        labels = ["Regio"] + [monitor.layout.label(s).removeprefix("Sector ") for s in groups]
        found += _chart(f"chart-{indicator.key}-sectoren",
                        f"{indicator.title}, per sector ({period.title})",
                        _bars(cells, labels, highlight=0), charts.bar_chart, maximum)
    if TREND in indicator.charts:
        cells = monitor.trend(indicator, scope, period)
        found += _chart(f"chart-{indicator.key}-verloop",
                        f"{indicator.title}: verloop over de laatste perioden",
                        _bars(cells, [c.period.label for c in cells]), charts.column_chart,
                        maximum)
    if BARS in indicator.charts and indicator.kind == COUNT:
        cells = monitor.cells(indicator, scope, period)
        draw = (charts.column_chart if indicator.dimension in ORDERED_DIMENSIONS
                else charts.bar_chart)
        found += _chart(f"chart-{indicator.key}", f"{indicator.title} ({period.title})",
                        _bars(cells, [c.category_label for c in cells]), draw,
                        labels=[SHORT_LABELS.get(c.category, c.category_label) for c in cells])
    return found


def _by_sector(monitor: Monitor, indicator: Indicator, period: Period) -> Crosstab:
    """A count table per category × sector, with the region beside it."""
    groups = monitor.layout.scopes(SECTOR)
    columns = [monitor.layout.label(s).removeprefix("Sector ") for s in groups] + ["Regio"]
    rows = []
    for value, label in monitor.categories(indicator.dimension):
        rows.append((label, [figure(monitor.cell(indicator, s, period, value))
                             for s in [*groups, ALL_REGION]]))
    return Crosstab(f"{indicator.title} per sector ({period.title})", columns, rows)
