"""`flask monitor warm` and the stored snapshot (app/monitor/snapshots.py): the timer stores a
region's whole computation under its token; a view after a change shows the stored figures
with their time until the timer has stored the new ones; a snapshot read back gives exactly
the figures counted; and it holds no pupil."""

import zlib
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.cases.models import MdoMeeting, ParentParticipation, Pupil
from app.extensions import db
from app.monitor import freshness, snapshots
from app.monitor.cli import warm
from app.monitor.exports import CSV_COLUMNS
from app.monitor.indicators import BY_KEY
from app.monitor.periods import SCHOOL_YEAR, current
from app.monitor.queries import Monitor
from app.monitor.scopes import ALL_REGION, KINDS
from app.monitor.snapshots import MonitorSnapshot
from app.org.models import Region, School, Sector
from tests.conftest import statements_run as statements
from tests.conftest import text_of
from tests.factories import (
    CaseFactory,
    MdoMeetingFactory,
    OrganisationFactory,
    RegionFactory,
    SchoolFactory,
    user_with_role,
)

PERIOD = current(SCHOOL_YEAR, date.today()).previous()
HELD = datetime.combine(PERIOD.first + timedelta(days=90), time(10), UTC)
PARENTS = BY_KEY["mdo_parent_present"]


def committed():
    """Commit as a request does. The tests run inside one outer transaction, so what the end
    of a real transaction does to the connection (forget its own changes) is played here."""
    db.session.commit()
    db.session.connection().info.pop(freshness.CHANGED, None)


@pytest.fixture(autouse=True)
def new_worker():
    """Each test starts as a worker process that has computed nothing yet."""
    freshness._kept.clear()
    yield
    freshness._kept.clear()


def mdos(school, count, parents=ParentParticipation.present):
    for _ in range(count):
        MdoMeetingFactory(case=CaseFactory(pupil__school=school), planned_at=HELD,
                          held_at=HELD, parents=parents)


@pytest.fixture
def region():
    region = RegionFactory(code="NK", name="Noord-Kennemerland")
    school = SchoolFactory(municipality__region=region, sector=Sector.po)
    mdos(school, 20)
    mdos(school, 6, ParentParticipation.invited_absent)  # 20 of 26
    committed()
    return region


@pytest.fixture
def coordinator(region):
    user = user_with_role(Role.coordinator, OrganisationFactory(region=region))
    committed()
    return user


def school_of(region) -> School:
    return db.session.scalars(sa.select(School).where(School.region_id == region.id)).one()


def snapshot(region) -> MonitorSnapshot | None:
    return db.session.scalar(sa.select(MonitorSnapshot)
                             .where(MonitorSnapshot.region_id == region.id))


def token(region) -> str:
    return db.session.scalar(sa.select(freshness.MonitorFreshness.token)
                             .where(freshness.MonitorFreshness.region_id == region.id))


def dashboard(client) -> str:
    response = client.get(f"/monitor/?periode={PERIOD.label}")
    assert response.status_code == 200
    return text_of(response)


def test_warm_stores_the_regions_figures_under_its_token_once(region, runner):
    result = runner.invoke(args=["monitor", "warm", "--region", "NK"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("NK: ") and result.output.endswith(" s\n")
    stored = snapshot(region)
    assert (stored.token, stored.day, stored.threshold) == (token(region), date.today(), 10)
    again = runner.invoke(args=["monitor", "warm", "--region", "NK"])
    assert again.output == "NK: al bijgewerkt\n"
    assert snapshot(region).computed_at == stored.computed_at


def test_warm_gives_a_region_loaded_around_the_app_its_first_token(region):
    db.session.execute(sa.delete(freshness.MonitorFreshness)
                       .where(freshness.MonitorFreshness.region_id == region.id))
    committed()
    assert warm(region.id, date.today()) is not None
    assert token(region) is not None and snapshot(region).token == token(region)


def test_warm_refuses_an_unknown_region(runner):
    result = runner.invoke(args=["monitor", "warm", "--region", "XX"])
    assert result.exit_code != 0 and "Er is geen regio met code XX." in result.output


def test_a_view_after_a_change_shows_the_stored_figures_with_their_time_until_warmed(
        region, coordinator, login):
    warm(region.id, date.today())
    stored_at = snapshot(region).computed_at
    mdos(school_of(region), 4)  # 24 of 30
    committed()
    freshness._kept.clear()
    client = login(coordinator)

    before = dashboard(client)
    assert "77% 20 van 26" in before and "24 van 30" not in before
    note = (f"Cijfers van {stored_at.astimezone(snapshots.AMSTERDAM):%d-%m-%Y %H:%M}; "
            "nieuwe wijzigingen volgen binnen enkele minuten.")
    assert note in before
    assert note in text_of(client.get(f"/monitor/rapport?periode={PERIOD.label}"))
    export = client.get(f"/monitor/export?formaat=csv&periode={PERIOD.label}")
    assert export.get_data(as_text=True).splitlines()[0] == ",".join(CSV_COLUMNS)
    assert (f"-cijfers-van-{stored_at.astimezone(snapshots.AMSTERDAM):%Y%m%d-%H%M}.csv"
            in export.headers["Content-Disposition"])

    warm(region.id, date.today())
    after = dashboard(client)
    assert "80% 24 van 30" in after and "Cijfers van" not in after
    assert Monitor(region).stale_since is None


def test_figures_this_worker_counted_before_the_change_are_not_shown_as_stale(region):
    """The worker counted part of the figures under the old token; the stale figures it shows
    after the change are the stored snapshot's, complete and with their time."""
    Monitor(region).cell(PARENTS, ALL_REGION, PERIOD)
    worker = dict(freshness._kept)
    freshness._kept.clear()
    warm(region.id, date.today())  # the timer, in another process
    freshness._kept.clear()
    freshness._kept.update(worker)
    mdos(school_of(region), 4)
    committed()
    monitor = Monitor(region)
    assert monitor.stale_since == snapshot(region).computed_at
    with statements() as seen:
        cell = monitor.cell(BY_KEY["referral_answer_days"], ALL_REGION, PERIOD.previous())
    assert seen == [] and cell.suppressed  # from the snapshot: no referrals, nothing counted


def test_exact_figures_and_the_viewers_own_change_are_counted_at_once(region):
    warm(region.id, date.today())
    mdos(school_of(region), 4)
    committed()
    freshness._kept.clear()
    assert Monitor(region).stale_since is not None
    exact = Monitor(region, exact=True).cell(PARENTS, ALL_REGION, PERIOD)
    assert (exact.numerator, exact.denominator) == (24, 30)

    freshness._kept.clear()
    meeting = db.session.scalars(sa.select(MdoMeeting)).first()
    meeting.parents = ParentParticipation.invited_absent
    db.session.flush()  # not committed: this viewer's own transaction changed the region
    own = Monitor(region)
    assert own.stale_since is None
    cell = own.cell(PARENTS, ALL_REGION, PERIOD)
    assert (cell.numerator, cell.denominator) == (23, 30)


def two_days_of_one_month() -> tuple[date, date]:
    first = date.today().replace(day=1)
    return first, first + timedelta(days=1)


def test_the_first_views_of_a_day_show_yesterdays_figures_until_warmed(region):
    """Before the timer's first run of the day a view reads the day before's snapshot, with
    its time, instead of counting the region (minutes at 1M): the window is the same."""
    yesterday, today = two_days_of_one_month()
    warm(region.id, yesterday)
    stored_at = snapshot(region).computed_at
    freshness._kept.clear()
    unchanged = Monitor(region, today)  # no change overnight: still yesterday's figures
    assert unchanged.stale_since == stored_at
    mdos(school_of(region), 4)
    committed()
    freshness._kept.clear()

    monitor = Monitor(region, today)
    with statements() as seen:
        cell = monitor.cell(PARENTS, ALL_REGION, PERIOD)
    assert seen == [] and (cell.numerator, cell.denominator) == (20, 26)
    assert monitor.stale_since == stored_at
    exact = Monitor(region, today, exact=True).cell(PARENTS, ALL_REGION, PERIOD)
    assert (exact.numerator, exact.denominator) == (24, 30)

    warm(region.id, today)
    fresh = Monitor(region, today)
    cell = fresh.cell(PARENTS, ALL_REGION, PERIOD)
    assert fresh.stale_since is None and (cell.numerator, cell.denominator) == (24, 30)


def test_a_snapshot_of_last_month_is_not_shown(region):
    """A new month moves the window (another set of periods): its first views count."""
    first_of_month, _ = two_days_of_one_month()
    warm(region.id, first_of_month - timedelta(days=1))
    mdos(school_of(region), 4)
    committed()
    freshness._kept.clear()
    monitor = Monitor(region, first_of_month)
    cell = monitor.cell(PARENTS, ALL_REGION, PERIOD)
    assert monitor.stale_since is None and (cell.numerator, cell.denominator) == (24, 30)


# --- the demo region ----------------------------------------------------------------------------


@pytest.fixture
def demo(app, runner):
    with mock.patch.dict(app.config, {"DEMO_MODE": True}):
        result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.connection().info.pop(freshness.CHANGED, None)
    return db.session.scalar(sa.select(Region).where(Region.code == "NK"))


def every_cell(monitor: Monitor) -> list:
    scopes = [s for kind in KINDS for s in monitor.layout.scopes(kind)]
    return [monitor.rows(scopes, period) for period in monitor.periods]


def test_a_loaded_snapshot_gives_exactly_the_cells_counted(demo):
    today = date.today()
    warm(demo.id, today)
    freshness._kept.clear()
    loaded = Monitor(demo, today)
    assert loaded._shared.computed_at is not None  # read from the snapshot, not counted
    with statements() as seen:
        tiers, cells = loaded.categories("tier"), every_cell(loaded)
    assert seen == []  # the snapshot holds every figure: nothing is counted on top of it

    db.session.execute(sa.delete(MonitorSnapshot))
    committed()
    freshness._kept.clear()
    counted = Monitor(demo, today)
    assert counted._shared.computed_at is None
    assert counted.categories("tier") == tiers
    assert every_cell(counted) == cells
    shown = [c for rows in cells for c in rows if not c.suppressed and c.value is not None]
    assert len(shown) > 1000 and any(c.indicator.kind == "median_days" for c in shown)


def test_the_snapshot_holds_no_pupil(demo):
    warm(demo.id, date.today())
    raw = zlib.decompress(snapshot(demo).payload)
    references = set(db.session.scalars(sa.select(Pupil.reference)))
    assert len(references) >= 100
    assert not any(reference.encode() in raw for reference in references)
