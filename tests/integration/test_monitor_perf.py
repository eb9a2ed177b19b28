"""Reusing the monitor's computation (app/monitor/freshness.py): a second view reads the same
figures without counting again, and every change to the records the monitor counts, committed
or still in the viewer's own transaction, gives the new figures — including a change that
moves a case's past records into the youth-care view."""

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import Role, User
from app.cases import services
from app.cases.models import Case, MdoMeeting, ParentParticipation, ReferralStatus
from app.extensions import db
from app.monitor import counting, freshness
from app.monitor.counting import POPULATIONS
from app.monitor.indicators import BY_KEY
from app.monitor.periods import Window, parse
from app.monitor.populations import Span
from app.monitor.queries import Monitor
from app.monitor.scopes import ALL_REGION, REGION, SCHOOL, SECTOR, YOUTH_CARE, YOUTH_CARE_IN
from app.org.models import Municipality, School
from tests.conftest import own_postgres_app
from tests.conftest import statements_run as statements
from tests.factories import (
    CaseFactory,
    MdoMeetingFactory,
    ReferralFactory,
    RegionFactory,
    SchoolFactory,
    UserFactory,
    user_with_role,
)

TODAY = date(2026, 10, 15)
PERIOD = parse("2025-2026")
PARENTS = BY_KEY["mdo_parent_present"]
HELD = datetime(2025, 11, 3, 10, tzinfo=UTC)


@pytest.fixture
def region():
    return RegionFactory()


def mdos(region, count, parents=ParentParticipation.present):
    where = SchoolFactory(municipality__region=region)
    return [MdoMeetingFactory(case=CaseFactory(pupil__school=where), planned_at=HELD,
                              held_at=HELD, parents=parents) for _ in range(count)]


def committed():
    """Commit as a request does. The tests run inside one outer transaction, so what the end
    of a real transaction does to the connection (forget its own changes) is played here."""
    db.session.commit()
    db.session.connection().info.pop(freshness.CHANGED, None)


def parents(region, scope=ALL_REGION, threshold=None):
    cell = Monitor(region, TODAY, threshold).cell(PARENTS, scope, PERIOD)
    return None if cell.suppressed else (cell.numerator, cell.denominator)


def token(region):
    return token_of(region.id)


def token_of(region_id):
    return db.session.scalar(sa.select(freshness.MonitorFreshness.token)
                             .where(freshness.MonitorFreshness.region_id == region_id))


def test_a_second_view_reads_the_same_figures_without_counting_again(region):
    mdos(region, 12)
    committed()
    assert parents(region) == (12, 12)
    with statements() as seen:
        assert parents(region) == (12, 12)
    assert len(seen) == 1, seen  # the region's token


def test_a_committed_change_gives_the_new_figures(region):
    mdos(region, 12)
    committed()
    before = token(region)
    assert parents(region) == (12, 12)
    mdos(region, 2, ParentParticipation.invited_absent)
    committed()
    assert token(region) != before
    assert parents(region) == (12, 14)
    # the worker keeps no figures of records that have changed since (memory)
    assert {key[1] for key in freshness._kept if key[0] == region.id} == {token(region)}


def test_a_change_in_the_viewers_own_transaction_is_counted_at_once(region):
    mdos(region, 12)
    committed()
    assert parents(region) == (12, 12)
    meeting = db.session.scalars(sa.select(MdoMeeting)).first()
    meeting.parents = ParentParticipation.invited_absent
    db.session.flush()
    assert parents(region) == (11, 12)


def test_an_accepted_referral_moves_the_cases_past_mdos_into_the_youth_care_view(region):
    """The youth-care flag of a case changes the class of its earlier records: the referral
    is a change of the case's region, whatever year its MDOs were held."""
    meetings = mdos(region, 12)
    committed()
    assert parents(region, YOUTH_CARE_IN, threshold=1) is None  # no case with youth care
    for meeting in meetings[:10]:
        ReferralFactory(case=meeting.case, status=ReferralStatus.accepted,
                        answered_at=datetime(2026, 9, 1, tzinfo=UTC))
    committed()
    assert parents(region, YOUTH_CARE_IN, threshold=1) == (10, 10)


def test_a_school_moved_to_another_municipality_changes_both_scopes(region):
    where = mdos(region, 12)[0].case.school
    committed()
    Monitor(region, TODAY).cell(PARENTS, ALL_REGION, PERIOD)
    other = Municipality(region=region, name="Bergen")
    db.session.add(other)
    db.session.get(School, where.id).municipality = other
    committed()
    monitor = Monitor(region, TODAY)
    assert monitor.layout.schools[where.id].municipality_id == other.id
    assert not monitor.cell(PARENTS, monitor.layout.parse(f"gemeente:{other.id}"),
                            PERIOD).suppressed


def test_a_change_in_another_region_keeps_this_regions_figures(region):
    mdos(region, 12)
    elsewhere = RegionFactory()
    mdos(elsewhere, 12)
    committed()
    mine = token(region)
    assert parents(region) == (12, 12)
    mdos(elsewhere, 3)
    committed()
    assert token(region) == mine
    with statements() as seen:
        assert parents(region) == (12, 12)
    assert len(seen) == 1


def test_a_record_loaded_without_its_case_renews_its_own_region_only(region):
    mdos(region, 12)
    theirs = mdos(RegionFactory(), 12)[0]
    meeting_id, elsewhere = theirs.id, theirs.case.school.region_id
    committed()
    mine, other = token(region), token_of(elsewhere)
    db.session.expunge_all()
    meeting = db.session.scalars(sa.select(MdoMeeting).where(MdoMeeting.id == meeting_id)
                                 .options(so.load_only(MdoMeeting.parents))).one()
    meeting.parents = ParentParticipation.invited_absent  # its case_id was never loaded
    committed()
    assert token(region) == mine
    assert token_of(elsewhere) != other


def test_a_change_the_monitor_does_not_count_keeps_the_figures(region):
    mdos(region, 12)
    committed()
    mine = token(region)
    UserFactory(name="Nieuwe collega")
    committed()
    assert token(region) == mine


def test_a_bulk_statement_on_a_counted_table_renews_every_region(region):
    mdos(region, 12)
    elsewhere = RegionFactory()
    mdos(elsewhere, 12)
    committed()
    tokens = token(region), token(elsewhere)
    assert parents(region) == (12, 12)
    db.session.execute(sa.update(MdoMeeting).values(parents=ParentParticipation.not_invited))
    committed()
    assert token(region) not in tokens and token(elsewhere) not in tokens
    assert parents(region) == (0, 12)


def test_each_threshold_and_day_has_its_own_figures(region):
    mdos(region, 3)
    committed()
    assert parents(region) is None  # 3 MDOs under the default threshold of 10
    assert parents(region, threshold=3) == (3, 3)
    assert Monitor(region, date(2027, 10, 15)).covers(PERIOD)
    assert Monitor(region, date(2031, 10, 15)).covers(PERIOD) is False


def test_a_region_without_a_token_is_counted_afresh_every_time(region):
    mdos(region, 12)
    committed()
    db.session.execute(sa.delete(freshness.MonitorFreshness)
                       .where(freshness.MonitorFreshness.region_id == region.id))
    db.session.connection().info.pop(freshness.CHANGED, None)
    assert parents(region) == (12, 12)
    with statements() as seen:
        assert parents(region) == (12, 12)
    assert len(seen) > 1


def test_every_table_the_monitor_counts_renews_the_token():
    """Compile every population, median and layout query and compare their tables with the
    tables whose changes renew a region's token."""
    span = Span(1, Window.ending(TODAY).first, TODAY, TODAY)
    read = set()
    for population in POPULATIONS.values():
        statements_ = [counting.grid_statement(population, span, population.event)]
        if population.durations:
            statements_ += [counting.median_statement(population.records(span), kind)
                            for kind in (REGION, SECTOR, SCHOOL, YOUTH_CARE)]
        for statement in statements_:
            read |= {t.name for t in sa.sql.visitors.iterate(statement)
                     if isinstance(t, sa.Table)}
    read |= {"school", "municipality", "escalation_tier", "region"}  # layout and ladder
    assert read <= freshness.WATCHED_TABLES, read - freshness.WATCHED_TABLES
    assert {"referral", "mdo_meeting", "pupil_case", "school_contact"} <= read


def test_a_bulk_load_gives_every_region_a_token(region):
    """A loader that writes around the ORM (the bench) renews every region when it is done,
    so their figures can be reused from the first view."""
    elsewhere = RegionFactory()
    db.session.execute(sa.delete(freshness.MonitorFreshness))
    freshness.renew(db.session.connection(), {freshness.EVERY_REGION})
    assert token(region) is not None and token(elsewhere) is not None
    assert token(region) == token(elsewhere)


CONCURRENCY_DB = "schakel_monitor_concurrency"


@pytest.fixture
def pg_app(app):
    """An app on a PostgreSQL database of its own: writers in threads commit for real."""
    with own_postgres_app(app, CONCURRENCY_DB, "writers at the same moment: PostgreSQL "
                          "(SQLite serialises writers)") as live:
        yield live


def test_writers_of_one_region_at_the_same_moment_all_commit(pg_app):
    """Every step renews the region's token at its commit, after the audit chain: four
    writers on four cases of one region, each closing and reopening its case, never wait
    for each other crosswise (a deadlock would fail a step)."""
    steps = 6
    with pg_app.app_context():
        school = SchoolFactory()
        work = [(user_with_role(Role.school_staff, school),
                 CaseFactory(school=school, pupil__school=school)) for _ in range(4)]
        db.session.commit()
        work = [(user.id, case.id) for user, case in work]
        region_id = school.region_id
        before = db.session.get(freshness.MonitorFreshness, region_id).token
    start = threading.Barrier(len(work), timeout=10)
    failures = []

    def act(user_id, case_id):
        with pg_app.app_context():
            start.wait()
            for step in range(steps):
                try:
                    case = db.session.get(Case, case_id)
                    trigger, data = (("close", {"reason": "no_concern"}) if step % 2 == 0
                                     else ("reopen", {"note": "Opnieuw zorgen"}))
                    services.advance_case(db.session.get(User, user_id), case, trigger,
                                          case.version, **data)
                except Exception as error:  # noqa: BLE001 (any failure fails the test)
                    failures.append(repr(error))
                    db.session.rollback()
                db.session.remove()

    threads = [threading.Thread(target=act, args=pair) for pair in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    with pg_app.app_context():
        assert db.session.get(freshness.MonitorFreshness, region_id).token != before
        versions = db.session.scalars(sa.select(Case.version).where(
            Case.id.in_([case_id for _, case_id in work]))).all()
        assert len(versions) == len(work) and len(set(versions)) == 1
