"""The latest stored computation of a region's monitor, so that a view after a change need
not count the region again (`flask monitor warm` stores it, `freshness.shared` reads it).

A snapshot is what `freshness.Shared` holds after every figure was asked for: per population
the counts and numerator sums of every cell, which cells are suppressed, the medians per scope
kind, and the region's schools, municipalities and tiers. It is stored as one JSON header and
arrays of 64-bit ints and floats (a median's scope as its place among the layout's scopes of
its kind), compressed with zlib: no pickle, so reading a row runs no code from the database;
about 1 MB at 100k cases.
"""

import gc
import json
import struct
import sys
import zlib
from array import array
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.filters import AMSTERDAM
from app.models import UTCDateTime
from app.monitor.counting import POPULATIONS, Tally
from app.monitor.scopes import KINDS, Layout, SchoolInfo, Scope

FORMAT = 1
_LENGTH = struct.Struct("<I")


class OtherFormat(ValueError):
    """A snapshot stored by a version of the app that encoded it differently: views count
    anew, and a change of FORMAT deletes the stored rows in its migration (warm replaces a
    row only when the token or day has changed)."""


class MonitorSnapshot(db.Model):
    """A region's monitor figures for one threshold, computed on `day` from the records as they
    were at `computed_at`, under the region's token of that moment. Aggregates only: record
    counts and sums per school, sector, municipality and period, medians of durations, the
    suppression pattern, and the names of schools, municipalities and tiers. No pupil, case or
    record of any kind, and no reference to one."""

    __tablename__ = "monitor_snapshot"

    region_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("region.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    threshold: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    token: so.Mapped[str] = so.mapped_column(sa.String(32))
    day: so.Mapped[date]
    computed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    payload: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary())


def stale_note(computed_at: datetime) -> str:
    """The line every output shows with figures of records that have changed since."""
    return (f"Cijfers van {computed_at.astimezone(AMSTERDAM):%d-%m-%Y %H:%M}; nieuwe "
            "wijzigingen volgen binnen enkele minuten.")


def latest(region_id: int, threshold: int):
    """The stored snapshot's token, day and time (not its payload), or None."""
    table = MonitorSnapshot.__table__
    return db.session.execute(
        sa.select(table.c.token, table.c.day, table.c.computed_at)
        .where(table.c.region_id == region_id, table.c.threshold == threshold)).first()


def is_current(stored, token: str | None, day: date) -> bool:
    """Whether the stored snapshot (a `latest` row, or None) holds the figures of this token
    and day: views take it as exact, and the warm run leaves it in place."""
    return stored is not None and stored.token == token and stored.day == day


def payload(region_id: int, threshold: int, token: str) -> bytes | None:
    return db.session.scalar(
        sa.select(MonitorSnapshot.payload).where(MonitorSnapshot.region_id == region_id,
                                                 MonitorSnapshot.threshold == threshold,
                                                 MonitorSnapshot.token == token))


def store(region_id: int, threshold: int, token: str, day: date, computed_at: datetime,
          body: bytes) -> None:
    """Replace the region's snapshot for this threshold, unless a newer one is there already
    (two timers that overlap: the one that read the records last wins)."""
    table = MonitorSnapshot.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    values = {"region_id": region_id, "threshold": threshold, "token": token, "day": day,
              "computed_at": computed_at, "payload": body}
    insert = dialect.insert(table).values(values)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=[table.c.region_id, table.c.threshold],
        set_={name: insert.excluded[name] for name in ("token", "day", "computed_at",
                                                        "payload")},
        where=table.c.computed_at < insert.excluded.computed_at))


# --- encoding -----------------------------------------------------------------------------------


def encode(tallies: dict, medians: dict, layout: tuple, tiers: dict) -> bytes:
    """A complete computation (every figure asked for) as bytes."""
    schools, municipalities = layout
    arrays: list[array] = []
    header = {
        "format": FORMAT,
        "schools": [[s.id, s.name, s.brin, s.municipality_id, s.group]
                    for s in schools.values()],
        "municipalities": list(municipalities.items()),
        "tiers": list(tiers.items()),
        "tallies": [_tally_header(key, tally, arrays) for key, tally in tallies.items()],
        "medians": _medians_header(medians, _scopes(Layout(None, *layout)), arrays),
        "arrays": [[a.typecode, len(a)] for a in arrays],
    }
    text = json.dumps(header, separators=(",", ":")).encode()
    return zlib.compress(_LENGTH.pack(len(text)) + text + b"".join(map(_little, arrays)))


def _stored(arrays: list, typecode: str, values) -> int:
    arrays.append(array(typecode, values))
    return len(arrays) - 1


def _scopes(layout: Layout) -> dict[str, list[Scope]]:
    """The scopes of each kind in the layout's order: a median's scope is stored as its
    place in that list."""
    return {kind: layout.scopes(kind) for kind in KINDS}


def _medians_header(medians: dict, scopes: dict, arrays: list) -> list:
    """Medians of the layout's scopes (no screen can ask for another)."""
    entries = []
    for (population, label, kind), found in medians.items():
        at = {scope: i for i, scope in enumerate(scopes[kind])}
        kept = [(at[scope], value) for scope, value in found.items() if scope in at]
        entries.append([population, label, kind,
                        _stored(arrays, "q", (place for place, _ in kept)),
                        _stored(arrays, "d", (value for _, value in kept))])
    return entries


def _tally_header(key, tally: Tally, arrays: list) -> dict:
    def stored(values) -> int:
        return _stored(arrays, "q", values)

    return {"key": [key, None] if isinstance(key, str) else list(key),
            "categories": tally.categories[1:], "times": tally.times,
            "seen": {d: sorted(values) for d, values in tally.seen.items()},
            "scopes": len(tally.scopes), "sizes": stored(tally.sizes),
            "sums": {name: stored(values) for name, values in tally.sums.items()},
            "suppressed": stored(i for i, flag in enumerate(tally.suppressed) if flag)}


def decode(body: bytes) -> dict:
    """The fields of `freshness.Shared` from `encode`'s bytes. Without the cyclic garbage
    collector: the tens of thousands of tuples made here all live as long as the token, and
    collections triggered by making them would scan the whole process again and again (at
    100k cases 110 of 170 ms)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _decode(body)
    finally:
        if enabled:
            gc.enable()


def _decode(body: bytes) -> dict:
    raw = zlib.decompress(body)
    (length,) = _LENGTH.unpack_from(raw)
    header = json.loads(raw[_LENGTH.size:_LENGTH.size + length])
    if header["format"] != FORMAT:
        raise OtherFormat(header["format"])
    arrays, offset = [], _LENGTH.size + length
    for typecode, count in header["arrays"]:
        arrays.append(_from_little(typecode, raw[offset:offset + 8 * count]))
        offset += 8 * count
    schools = {row[0]: SchoolInfo(*row) for row in header["schools"]}
    municipalities = {m: name for m, name in header["municipalities"]}
    layout = _MadeOnce(None, schools, municipalities)
    scopes = _scopes(layout)
    return {"tallies": dict(_tally(entry, layout, arrays) for entry in header["tallies"]),
            "medians": {(population, label, kind): dict(zip(
                [scopes[kind][i] for i in arrays[places]], arrays[values], strict=True))
                for population, label, kind, places, values in header["medians"]},
            "layout": (schools, municipalities),
            "tiers": {level: name for level, name in header["tiers"]}}


class _MadeOnce(Layout):
    """A layout that makes each kind's scopes once: every tally asks for them (119 tallies of
    about 4,700 schools at 1M cases)."""

    def scopes(self, kind: str) -> list[Scope]:
        made = self.__dict__.setdefault("_made", {})
        if kind not in made:
            made[kind] = super().scopes(kind)
        return made[kind]


def _tally(entry: dict, layout: Layout, arrays: list) -> tuple:
    population_key, label = entry["key"]
    categories: dict[str, list] = {}
    for dimension, value in entry["categories"]:
        categories.setdefault(dimension, []).append(value)
    times = [tuple(t) if isinstance(t, list) else t for t in entry["times"]]
    seen = {d: set(values) for d, values in entry["seen"].items()}
    tally = Tally(POPULATIONS[population_key], layout, categories, times, seen)
    if len(tally.scopes) != entry["scopes"]:
        raise ValueError("monitor snapshot: the region's scopes do not match")
    tally.sizes = arrays[entry["sizes"]]
    tally.sums = {name: arrays[index] for name, index in entry["sums"].items()}
    for number in arrays[entry["suppressed"]]:
        tally.suppressed[number] = 1
    return (population_key if label is None else (population_key, label)), tally


def _little(values: array) -> bytes:
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_little(typecode: str, raw: bytes) -> array:
    """An array, not a list: a quarter of the memory for a large region's millions of cells,
    and read by index all the same."""
    values = array(typecode)
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values
