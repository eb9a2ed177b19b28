"""Jinja filters for Dutch dates and labels (no Babel needed for one locale)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


def nl_date(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM).date() if value.tzinfo else value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def nl_datetime(value: datetime | None) -> str:
    if value is None:
        return "–"
    local = value.astimezone(AMSTERDAM) if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{nl_date(local)} {local:%H:%M}"


def iso_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).date().isoformat()
    return value.isoformat()


FILTERS = {"nl_date": nl_date, "nl_datetime": nl_datetime, "iso_date": iso_date}
