"""Monitor periods: a school year (1 August – 31 July, "2025-2026"), a calendar year ("2026")
or a calendar quarter ("2026Q3"), each with the period before it.

Months are the monitor's atoms: every period is a run of whole months, so counts of records
dated in a month add up to the count of any period (what the suppression of overlapping periods
needs, see `queries`).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

SCHOOL_YEAR = "school_year"
YEAR = "year"
QUARTER = "quarter"
KIND_LABELS = {SCHOOL_YEAR: "Schooljaar", YEAR: "Kalenderjaar", QUARTER: "Kwartaal"}

_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
FIRST_YEAR, LAST_YEAR = 2000, 2100
# How far back the monitor reaches: the current school year and the four before it.
HISTORY_SCHOOL_YEARS = 5


def month_index(day: date) -> int:
    """Months since year 0: the same number the database computes (`sql.month_index`)."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    first: date
    last: date
    kind: str
    label: str  # "2025-2026", "2026", "2026Q3"

    @classmethod
    def school_year(cls, start_year: int) -> "Period":
        return cls(date(start_year, 8, 1), date(start_year + 1, 7, 31), SCHOOL_YEAR,
                   f"{start_year}-{start_year + 1}")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), YEAR, str(year))

    @classmethod
    def quarter(cls, year: int, number: int) -> "Period":
        first = date(year, 3 * number - 2, 1)
        following = date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
        return cls(first, following - timedelta(days=1), QUARTER, f"{year}Q{number}")

    @property
    def months(self) -> range:
        return range(month_index(self.first), month_index(self.last) + 1)

    @property
    def title(self) -> str:
        """Dutch, for headings: "schooljaar 2025-2026", "2026", "2026 kwartaal 3"."""
        if self.kind == SCHOOL_YEAR:
            return f"schooljaar {self.label}"
        if self.kind == QUARTER:
            return f"{self.label[:4]} kwartaal {self.label[-1]}"
        return self.label

    def previous(self) -> "Period":
        return self.shifted(-1)

    def shifted(self, steps: int) -> "Period":
        """The period `steps` periods later (earlier when negative) of the same kind."""
        if self.kind == SCHOOL_YEAR:
            return Period.school_year(self.first.year + steps)
        if self.kind == YEAR:
            return Period.year(self.first.year + steps)
        number = self.first.year * 4 + (self.first.month - 1) // 3 + steps
        return Period.quarter(number // 4, number % 4 + 1)

    def reference_date(self, today: date) -> date:
        """The day a snapshot indicator is read on: the last day, or today while it runs."""
        return min(self.last, today)

    def start_at(self) -> datetime:
        return datetime.combine(self.first, time(0), UTC)

    def end_at(self) -> datetime:
        """The first moment after the period (exclusive bound for timestamps)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), UTC)


def parse(text: str) -> Period:
    """A period from its label; ValueError with a Dutch message."""
    text = (text or "").strip().upper()
    if match := _SCHOOL_YEAR.match(text):
        start, end = int(match[1]), int(match[2])
        if end != start + 1:
            raise ValueError("Een schooljaar loopt over twee opeenvolgende jaren, "
                             "bijvoorbeeld 2025-2026.")
        period = Period.school_year(start)
    elif match := _YEAR.match(text):
        period = Period.year(int(match[1]))
    elif match := _QUARTER.match(text):
        period = Period.quarter(int(match[1]), int(match[2]))
    else:
        raise ValueError("Geef een schooljaar (2025-2026), een kalenderjaar (2026) of een "
                         "kwartaal (2026Q3).")
    if not FIRST_YEAR <= period.first.year <= LAST_YEAR:
        raise ValueError(f"Kies een jaar van {FIRST_YEAR} tot en met {LAST_YEAR}.")
    return period


def current(kind: str, today: date) -> Period:
    if kind == SCHOOL_YEAR:
        return Period.school_year(today.year if today.month >= 8 else today.year - 1)
    if kind == YEAR:
        return Period.year(today.year)
    return Period.quarter(today.year, (today.month - 1) // 3 + 1)


@dataclass(frozen=True)
class Window:
    """The months the monitor reaches back over, fixed for a day: every figure shown on that
    day is protected against every other one inside it (see `queries`)."""

    first_month: int
    last_month: int

    @classmethod
    def ending(cls, today: date) -> "Window":
        oldest = current(SCHOOL_YEAR, today).shifted(1 - HISTORY_SCHOOL_YEARS)
        return cls(month_index(oldest.first), month_index(today))

    @property
    def first(self) -> date:
        return month_start(self.first_month)

    @property
    def last(self) -> date:
        return month_start(self.last_month + 1) - timedelta(days=1)

    def covers(self, period: Period) -> bool:
        """The period lies in the window (its months after today are simply empty)."""
        return self.first_month <= month_index(period.first) <= self.last_month

    def periods(self) -> list[Period]:
        """Every period in the window, newest first per kind: the choices the dashboard
        offers."""
        result = []
        for kind in (SCHOOL_YEAR, YEAR, QUARTER):
            period = current(kind, month_start(self.last_month))
            while self.covers(period):
                result.append(period)
                period = period.previous()
        return result
