"""When the monitor may reuse its figures: a token per region, renewed in the same transaction
as every change to the records the monitor counts, and the figures computed under a token,
kept in the process.

Computing a region's monitor means counting every record of the window and suppressing all
its cells together (`queries`), seconds of work for a large region; a dashboard page then
reads a few hundred of those cells. Under an unchanged token every page, export and report of
the region reads the same computation, so they also show the same suppression pattern.

* Any flush that adds, changes or deletes a watched record notes its region on the
  connection; at commit the region gets a new random token (`monitor_freshness`). Bulk
  statements on a watched table renew every region.
* Until that transaction ends, the monitor on its own connection computes afresh: it sees
  figures its token does not describe yet.
* A region without a token row (its records were written around the ORM, e.g. by a bulk
  loader) is computed afresh on every view until its first change through the app.
* A view under a token that this process has not computed yet reads the stored snapshot of
  that token (`snapshots`, stored by `flask monitor warm`); before the timer has stored it,
  the latest stored snapshot of the same day, shown with its time; only without either does
  the view count the region itself.
"""

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from app.cases.models import (
    Arrangement,
    Case,
    CasePlan,
    CaseTransition,
    Evaluation,
    MdoMeeting,
    Referral,
    RegieHandover,
)
from app.escalation.models import Escalation, EscalationTier, ThuiszitterEpisode
from app.extensions import db
from app.models import UTCDateTime, utcnow
from app.monitor import snapshots
from app.monitor.periods import Window
from app.org.models import Municipality, Region, School, SchoolContact

# Every table the monitor's queries read (a test compiles them all and compares).
BY_REGION = {Region: "id", Municipality: "region_id", School: "region_id",
             EscalationTier: "region_id"}
BY_SCHOOL = {SchoolContact: "school_id", Case: "school_id"}
BY_CASE = {Referral: "case_id", MdoMeeting: "case_id", CaseTransition: "case_id",
           RegieHandover: "case_id", Arrangement: "case_id", CasePlan: "case_id",
           Evaluation: "case_id", Escalation: "case_id", ThuiszitterEpisode: "case_id"}
WATCHED = tuple(chain(BY_REGION, BY_SCHOOL, BY_CASE))
WATCHED_TABLES = frozenset(model.__table__.name for model in WATCHED)

EVERY_REGION = "*"
CHANGED = "monitor_changed_regions"  # key in Session.info and the connection's info
KEPT = 4  # computations kept per process: the current token's, per threshold or day


class MonitorFreshness(db.Model):
    """The current token of a region's monitor figures. No personal data."""

    __tablename__ = "monitor_freshness"

    region_id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    token: so.Mapped[str] = so.mapped_column(sa.String(32))
    changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())


# --- noting changes -----------------------------------------------------------------------------


@sa.event.listens_for(so.Session, "after_flush")
def _note_flushed(session, _flush_context) -> None:
    changed = [o for o in chain(session.new, session.dirty, session.deleted)
               if isinstance(o, WATCHED)]
    if changed:
        _note(session, _regions_of(session, changed))


@sa.event.listens_for(so.Session, "do_orm_execute")
def _note_bulk(state) -> None:
    """A bulk statement on a watched table: which regions it touched is unknown."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in WATCHED_TABLES:
        _note(state.session, {EVERY_REGION})


def _note(session, regions: set) -> None:
    session.info.setdefault(CHANGED, set()).update(regions)
    session.connection().info.setdefault(CHANGED, set()).update(regions)


def _regions_of(session, objects) -> set:
    regions, schools, cases = set(), set(), set()
    for obj in objects:
        for models, found in ((BY_REGION, regions), (BY_SCHOOL, schools), (BY_CASE, cases)):
            name = models.get(type(obj))
            if name is not None:
                values = _values(obj, name) or _stored(session, obj, name)
                (found if values else regions).update(values or {EVERY_REGION})
    schools |= _look_up(session, Case, "school_id", cases)
    regions |= _look_up(session, School, "region_id", schools)
    return regions or {EVERY_REGION}  # a record whose case or school is gone with it


def _look_up(session, model, name: str, ids: set) -> set:
    """The column's values for these rows: from the session where it holds them (a use case
    has loaded its case and school), else from the database (a row deleted by this flush is
    not found)."""
    found, missing = set(), set()
    for ident in ids:
        obj = session.identity_map.get(session.identity_key(model, ident))
        if obj is None or name not in obj.__dict__:
            missing.add(ident)
        else:
            found.add(obj.__dict__[name])
    if missing:
        found |= set(session.connection().scalars(
            sa.select(getattr(model, name)).where(model.id.in_(missing))))
    return found - {None}


def _stored(session, obj, name: str) -> set:
    """The attribute's value in the database, for an object the session had not loaded."""
    identity = sa.inspect(obj).identity
    return _look_up(session, type(obj), name, {identity[0]}) if identity else set()


def _values(obj, name: str) -> set:
    """The attribute's value now and, when this flush changed it, before, as far as the
    session holds them (nothing is loaded inside a flush)."""
    attribute = sa.inspect(obj).attrs[name]
    values = {attribute.loaded_value, *attribute.history.deleted}
    return {v for v in values if v is not None and v is not so.NO_VALUE}


@sa.event.listens_for(so.Session, "before_commit")
def _renew_tokens(session) -> None:
    session.flush()
    regions = session.info.pop(CHANGED, None)
    if regions:
        renew(session.connection(), regions)


def renew(connection: sa.Connection, regions: set) -> None:
    """New tokens for these regions (ids, or EVERY_REGION), in the caller's transaction. In
    region order, so two transactions never wait for each other's rows crosswise. A bulk
    loader that writes around the ORM calls it with EVERY_REGION when it is done."""
    table, token = MonitorFreshness.__table__, secrets.token_hex(16)
    if EVERY_REGION in regions:
        regions = set(connection.scalars(sa.select(Region.id)))
        if not regions:
            return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table).values(
        [{"region_id": r, "token": token, "changed_at": utcnow()} for r in sorted(regions)])
    connection.execute(insert.on_conflict_do_update(
        index_elements=[table.c.region_id],
        set_={"token": insert.excluded.token, "changed_at": insert.excluded.changed_at}))


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _forget_rolled_back(session, _previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(CHANGED, None)


@sa.event.listens_for(sa.Engine, "commit")
@sa.event.listens_for(sa.Engine, "rollback")
def _transaction_ended(connection) -> None:
    connection.info.pop(CHANGED, None)


# --- reading ------------------------------------------------------------------------------------


def token(region_id: int) -> str | None:
    """The region's token, or None when figures computed now must not be shared: the region
    has none yet, or this connection's open transaction changed its records."""
    connection = db.session.connection()
    changed = connection.info.get(CHANGED, ())
    if region_id in changed or EVERY_REGION in changed:
        return None
    return db.session.scalar(sa.select(MonitorFreshness.token)
                             .where(MonitorFreshness.region_id == region_id))


@dataclass
class Shared:
    """What one computation of a region's monitor has found so far (filled as pages ask), or
    a stored snapshot of it (complete; `computed_at`: when its records were read)."""

    tallies: dict = field(default_factory=dict)
    medians: dict = field(default_factory=dict)
    layout: tuple | None = None  # (schools, municipalities) of scopes.Layout
    tiers: dict | None = None
    computed_at: datetime | None = None


_kept: OrderedDict = OrderedDict()
_keeping = threading.Lock()


def shared(region_id: int, today: date, threshold: int,
           exact: bool = False) -> tuple[Shared, bool]:
    """The computation to use for a monitor of this region, day and threshold, and whether it
    describes records that have changed since (stale). In order: the one kept under the
    region's current token, the stored snapshot of that token and day, unless `exact` the
    stored snapshot of an older token or an earlier day with the same window (stale: the
    first views of a day, before the timer's first run, show yesterday's figures with their
    time), or a new one (kept when there is a token)."""
    current = token(region_id)
    if current is None:
        return Shared(), False
    found = _kept_under((region_id, current, today, threshold))
    if found is not None:
        return found, False
    stored = snapshots.latest(region_id, threshold)
    if stored is not None:
        fresh = snapshots.is_current(stored, current, today)
        if fresh or (not exact and Window.ending(stored.day) == Window.ending(today)):
            loaded = _load(region_id, stored, threshold)
            if loaded is not None:
                return loaded, not fresh
    return _keep((region_id, current, today, threshold), Shared()), False


def _load(region_id: int, stored, threshold: int) -> Shared | None:
    """A stored snapshot, read once per process, token and day (None: replaced meanwhile, or
    stored by a version of the app that encoded it differently). Kept under its own day: one
    of yesterday is never taken for today's computation."""
    key = (region_id, stored.token, stored.day, threshold)
    found = _kept_under(key)
    if found is not None and found.computed_at is not None:
        return found
    body = snapshots.payload(region_id, threshold, stored.token)
    if body is None:
        return None
    try:
        fields = snapshots.decode(body)
    except snapshots.OtherFormat:
        return None
    return _keep(key, Shared(**fields, computed_at=stored.computed_at))


def _kept_under(key: tuple) -> Shared | None:
    with _keeping:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
        return None


def _keep(key: tuple, computation: Shared) -> Shared:
    """Keep it (at most KEPT), dropping the region's computations under other tokens: figures
    of records that have changed since. A stored snapshot replaces what this process counted
    under the same token: that may lack figures, which must not be counted now from records
    that have changed since."""
    with _keeping:
        if key in _kept and not (computation.computed_at and not _kept[key].computed_at):
            return _kept[key]
        for old in [k for k in _kept if k[0] == key[0] and k[1] != key[1]]:
            del _kept[old]
        _kept[key] = computation
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
        return _kept[key]
