"""The monitor's SQL compiles for both databases: every population's records, its GROUP BY and
its median, with the dialect's own date functions and nothing of the other's."""

from datetime import date

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from app.monitor.counting import POPULATIONS, grid_statement, median_statement
from app.monitor.populations import Span
from app.monitor.scopes import KINDS

SPAN = Span(region_id=1, first=date(2025, 8, 1), last=date(2026, 7, 31), today=date(2026, 9, 1))
SQLITE_ONLY = ("julianday", "strftime", "date(")
POSTGRES_ONLY = ("AT TIME ZONE", "EXTRACT(")


def compiled(statement, dialect) -> str:
    return str(statement.compile(dialect=dialect))


@pytest.mark.parametrize("key", sorted(POPULATIONS))
def test_grid_compiles_for_both_databases(key):
    population = POPULATIONS[key]
    statement = grid_statement(population, SPAN, by_month=population.event)
    on_sqlite = compiled(statement, sqlite.dialect())
    on_postgres = compiled(statement, postgresql.dialect())
    assert "GROUP BY" in on_sqlite and "GROUP BY" in on_postgres
    assert not any(word in on_postgres for word in SQLITE_ONLY), on_postgres
    assert not any(word in on_sqlite for word in POSTGRES_ONLY), on_sqlite
    # the pupil table (reference, initials) is never read
    assert "JOIN pupil " not in on_postgres and "FROM pupil " not in on_postgres


@pytest.mark.parametrize("key", sorted(k for k, p in POPULATIONS.items() if p.durations))
@pytest.mark.parametrize("kind", KINDS)
def test_medians_use_window_functions_on_both_databases(key, kind):
    statement = median_statement(POPULATIONS[key].records(SPAN), kind)
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql = compiled(statement, dialect)
        assert "row_number() OVER" in sql and "count(*) OVER" in sql
        assert "percentile" not in sql


def test_dates_are_utc_days_on_postgresql_and_text_days_on_sqlite():
    statement = POPULATIONS["referrals_answered"].records(SPAN)
    assert "CAST((referral.answered_at AT TIME ZONE 'UTC') AS DATE)" in compiled(
        statement, postgresql.dialect())
    assert "julianday(date(referral.answered_at))" in compiled(statement, sqlite.dialect())


def test_period_filters_use_the_raw_indexed_columns():
    """`held_at >= :start` (index range), never a function of the column in the WHERE."""
    sql = compiled(POPULATIONS["mdo_held"].records(SPAN), postgresql.dialect())
    where = sql.rsplit("WHERE", 1)[1]  # the outer WHERE (an inner one checks the referrals)
    assert "mdo_meeting.held_at >= " in where and "mdo_meeting.held_at < " in where
    assert "AT TIME ZONE" not in where
