"""Monitor periods: school year (1 August – 31 July), calendar year, quarter, the one before,
and the window of five school years the monitor reaches back over."""

from datetime import date

import pytest

from app.monitor.periods import (
    QUARTER,
    SCHOOL_YEAR,
    YEAR,
    Period,
    Window,
    current,
    month_index,
    parse,
)


@pytest.mark.parametrize("text, first, last, kind", [
    ("2025-2026", date(2025, 8, 1), date(2026, 7, 31), SCHOOL_YEAR),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), YEAR),
    ("2026Q1", date(2026, 1, 1), date(2026, 3, 31), QUARTER),
    ("2026q3", date(2026, 7, 1), date(2026, 9, 30), QUARTER),
    (" 2024Q4 ", date(2024, 10, 1), date(2024, 12, 31), QUARTER),
])
def test_parse(text, first, last, kind):
    period = parse(text)
    assert (period.first, period.last, period.kind) == (first, last, kind)


@pytest.mark.parametrize("text, message", [
    ("2025-2027", "twee opeenvolgende jaren"),
    ("2026Q5", "Geef een schooljaar"),
    ("vorig jaar", "Geef een schooljaar"),
    ("", "Geef een schooljaar"),
    ("1850", "Kies een jaar van 2000"),
])
def test_parse_refuses_with_a_dutch_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse(text)


@pytest.mark.parametrize("text, previous", [
    ("2025-2026", "2024-2025"), ("2026", "2025"), ("2026Q1", "2025Q4"), ("2026Q3", "2026Q2"),
])
def test_previous(text, previous):
    assert parse(text).previous().label == previous


def test_shifted_and_titles():
    assert parse("2025Q4").shifted(2).label == "2026Q2"
    assert parse("2025-2026").title == "schooljaar 2025-2026"
    assert parse("2026Q3").title == "2026 kwartaal 3"


@pytest.mark.parametrize("today, school_year, quarter", [
    (date(2026, 7, 31), "2025-2026", "2026Q3"),
    (date(2026, 8, 1), "2026-2027", "2026Q3"),
    (date(2027, 1, 1), "2026-2027", "2027Q1"),
])
def test_current(today, school_year, quarter):
    assert current(SCHOOL_YEAR, today).label == school_year
    assert current(QUARTER, today).label == quarter
    assert current(YEAR, today).label == str(today.year)


def test_reference_date_is_the_last_day_or_today_while_running():
    period = parse("2025-2026")
    assert period.reference_date(date(2026, 10, 1)) == date(2026, 7, 31)
    assert period.reference_date(date(2026, 3, 1)) == date(2026, 3, 1)


def test_months_are_the_atoms_every_period_is_made_of():
    assert list(parse("2025-2026").months) == list(range(month_index(date(2025, 8, 1)),
                                                         month_index(date(2026, 7, 1)) + 1))
    assert len(parse("2026Q2").months) == 3


def test_the_window_holds_five_school_years_and_the_periods_inside_them():
    window = Window.ending(date(2026, 10, 15))
    assert window.first == date(2022, 8, 1) and window.last == date(2026, 10, 31)
    labels = [p.label for p in window.periods()]
    assert labels[:5] == ["2026-2027", "2025-2026", "2024-2025", "2023-2024", "2022-2023"]
    assert "2023" in labels and "2022" not in labels  # 2022 started before the window
    assert "2022Q4" in labels and "2022Q3" not in labels and "2027Q1" not in labels
    assert window.covers(parse("2022-2023")) and not window.covers(parse("2021-2022"))
    assert isinstance(window.periods()[0], Period)
