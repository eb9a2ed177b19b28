"""Suppression on real records: the region's threshold, secondary suppression across sectors,
schools, the youth-care view and overlapping periods, and suppressed cells that carry no
number at all."""

from datetime import UTC, date, datetime

import pytest

from app.cases.models import ParentParticipation, ReferralStatus
from app.monitor.indicators import BY_KEY
from app.monitor.periods import parse
from app.monitor.queries import Monitor
from app.monitor.scopes import ALL_REGION, SCHOOL, SECTOR, YOUTH_CARE_IN, Scope
from app.org.models import Sector
from tests.factories import (
    CaseFactory,
    MdoMeetingFactory,
    ReferralFactory,
    RegionFactory,
    SchoolFactory,
)

TODAY = date(2026, 10, 15)
PERIOD = parse("2025-2026")
PARENTS = BY_KEY["mdo_parent_present"]


def at(year, month, day) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def region():
    return RegionFactory()  # threshold 10, the default


def school(region, sector=Sector.po, **kwargs):
    return SchoolFactory(municipality__region=region, sector=sector, **kwargs)


def mdos(where, count, held=None, parents=ParentParticipation.present, helped=False):
    for _ in range(count):
        case = CaseFactory(pupil__school=where)
        if helped:
            ReferralFactory(case=case, status=ReferralStatus.accepted, answered_at=at(2025, 9, 1))
        MdoMeetingFactory(case=case, planned_at=held or at(2025, 11, 3),
                          held_at=held or at(2025, 11, 3), parents=parents)


def cell(region, scope=ALL_REGION, period=PERIOD, threshold=None):
    return Monitor(region, TODAY, threshold).cell(PARENTS, scope, period)


def test_the_default_threshold_is_ten(region):
    assert region.suppression_threshold == 10
    mdos(school(region), 3)
    mdos(school(region), 1, parents=ParentParticipation.invited_absent)
    hidden = cell(region)
    assert hidden.suppressed
    assert (hidden.numerator, hidden.denominator, hidden.value) == (None, None, None)
    assert cell(region, threshold=4).value == 75.0


def test_the_regions_own_threshold_applies(region):
    region.suppression_threshold = 4
    mdos(school(region), 4)
    assert cell(region).value == 100.0


def test_one_small_sector_hides_the_next_smallest_too(region):
    mdos(school(region, Sector.po), 12)
    mdos(school(region, Sector.so), 3)
    mdos(school(region, Sector.vo), 11)
    shown = {g: cell(region, Scope(SECTOR, g)) for g in ("po", "so", "vo")}
    assert shown["so"].suppressed  # 3 records
    assert shown["vo"].suppressed  # 11, but region − PO − VO would give SO
    assert not shown["po"].suppressed and shown["po"].denominator == 12
    assert cell(region).denominator == 26


def test_a_school_is_shown_only_where_its_own_records_pass(region):
    big, small = school(region), school(region)
    other = school(region, Sector.vo)
    mdos(big, 15)
    mdos(small, 4)
    mdos(other, 20)
    assert cell(region, Scope(SCHOOL, small.id)).suppressed
    # PO = big + small: big shown would give small away; VO has one school: the same cell.
    assert cell(region, Scope(SCHOOL, big.id)).suppressed
    assert cell(region, Scope(SECTOR, "po")).denominator == 19
    assert cell(region, Scope(SCHOOL, other.id)).denominator == 20


def test_the_youth_care_view_is_hidden_when_the_other_cases_are_few(region):
    where = school(region)
    mdos(where, 12, helped=True)
    mdos(where, 3)
    assert cell(region).denominator == 15
    assert cell(region, YOUTH_CARE_IN).suppressed  # 15 − 12 = the 3 other MDOs


def test_a_small_quarter_cannot_be_had_from_its_year(region):
    """School year 2025-2026 = 2025Q4 + 2026Q1 + 2026Q2 here (its other months are empty);
    calendar year 2026 = 2026Q1 + 2026Q2."""
    where = school(region)
    mdos(where, 12, at(2025, 10, 6))  # 2025Q4
    mdos(where, 12, at(2026, 2, 2))  # 2026Q1
    mdos(where, 3, at(2026, 5, 4))  # 2026Q2
    m = Monitor(region, TODAY)
    year = m.cell(PARENTS, ALL_REGION, PERIOD)
    quarters = {label: m.cell(PARENTS, ALL_REGION, parse(label))
                for label in ("2025Q4", "2026Q1", "2026Q2")}
    assert year.denominator == 27
    assert quarters["2026Q2"].suppressed
    shown = [q.denominator for q in quarters.values() if not q.suppressed]
    assert len(shown) <= 1  # the year minus the shown quarters is never one small quarter
    calendar = m.cell(PARENTS, ALL_REGION, parse("2026"))
    assert not calendar.suppressed and calendar.denominator == 15
    assert quarters["2026Q1"].suppressed  # else 2026 − 2026Q1 would give 2026Q2


def test_a_small_count_in_one_year_can_hide_the_next_that_shares_a_calendar_year(region):
    """Calendar year 2025 holds March (previous school year, 2 MDOs) and November (this one,
    12): showing both school years and the calendar year would give the 2 away."""
    where = school(region)
    mdos(where, 12)
    mdos(where, 2, at(2025, 3, 3))
    m = Monitor(region, TODAY)
    cells = [m.cell(PARENTS, ALL_REGION, parse(label)) for label in
             ("2025-2026", "2024-2025", "2025", "2025Q1", "2025Q4")]
    assert cells[1].suppressed and cells[3].suppressed
    this_year, calendar, autumn = cells[0], cells[2], cells[4]
    assert calendar.suppressed or (this_year.suppressed and autumn.suppressed)


def test_no_change_is_shown_beside_a_suppressed_period(region):
    where = school(region)
    mdos(where, 12)
    mdos(where, 2, at(2024, 10, 7))  # previous school year: 2 MDOs
    comparison = Monitor(region, TODAY).compare(PARENTS, ALL_REGION, PERIOD)
    assert comparison.current.value == 100.0
    assert comparison.previous.suppressed and comparison.change is None
