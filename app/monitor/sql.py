"""The three date functions the monitor's SQL needs, compiled for SQLite and PostgreSQL.

Timestamps are stored in UTC (app.models.UTCDateTime), dates as plain dates; a record's day is
its UTC day. Everything else in the monitor's queries is plain portable SQL (CASE, EXISTS,
window functions), so these are the only dialect-specific pieces.
"""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_date(FunctionElement):  # noqa: N801 (SQL function names are lower case)
    """The UTC calendar day of a timestamp column."""

    type = sa.Date()
    name = "utc_date"
    inherit_cache = True


class days_between(FunctionElement):  # noqa: N801
    """Whole days from the second date to the first (later, earlier)."""

    type = sa.Integer()
    name = "days_between"
    inherit_cache = True


class month_index(FunctionElement):  # noqa: N801
    """year * 12 + month - 1 of a date: the monitor's month number (periods.month_index)."""

    type = sa.Integer()
    name = "month_index"
    inherit_cache = True


def _args(compiler, element, **kw) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses.clauses]


@compiles(utc_date)
def _utc_date_sqlite(element, compiler, **kw):
    # SQLite keeps the UTC timestamp as text 'YYYY-MM-DD HH:MM:SS.ffffff'.
    (moment,) = _args(compiler, element, **kw)
    return f"date({moment})"


@compiles(utc_date, "postgresql")
def _utc_date_postgresql(element, compiler, **kw):
    (moment,) = _args(compiler, element, **kw)
    return f"CAST(({moment} AT TIME ZONE 'UTC') AS DATE)"


@compiles(days_between)
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = _args(compiler, element, **kw)
    return f"CAST(ROUND(julianday({later}) - julianday({earlier})) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    later, earlier = _args(compiler, element, **kw)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


@compiles(month_index)
def _month_index_sqlite(element, compiler, **kw):
    (day,) = _args(compiler, element, **kw)
    return (f"(CAST(strftime('%Y', {day}) AS INTEGER) * 12 "
            f"+ CAST(strftime('%m', {day}) AS INTEGER) - 1)")


@compiles(month_index, "postgresql")
def _month_index_postgresql(element, compiler, **kw):
    (day,) = _args(compiler, element, **kw)
    return (f"(CAST(EXTRACT(YEAR FROM {day}) AS INTEGER) * 12 "
            f"+ CAST(EXTRACT(MONTH FROM {day}) AS INTEGER) - 1)")


def flag(condition) -> sa.Case:
    """1 where the condition holds, else 0: summed into a numerator."""
    return sa.case((condition, 1), else_=0)


def not_negative(expression) -> sa.Case:
    return sa.case((expression < 0, 0), else_=expression)
