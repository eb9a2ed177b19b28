"""Bulk loading for the bench region: rows built in Python, written with executemany in chunks.

`Rows` collects the rows of a batch with their primary keys assigned here (the database starts
empty), so children never wait for a parent's generated id. Values are put in the form
SQLAlchemy itself stores: on SQLite the `YYYY-MM-DD HH:MM:SS.ffffff` text of a UTC time, on
PostgreSQL aware datetimes. `Writer` sends each table's rows as one INSERT compiled from Core
`insert()` executed many times by the driver (on PostgreSQL: COPY), without per-value type
processing (which would cost more than the inserts themselves).
"""

import re
from datetime import UTC, date, datetime
from operator import itemgetter

import sqlalchemy as sa

from app.audit.services import GENESIS
from app.extensions import db
from app.monitor import freshness

# The order in which a batch is written: parents before children.
TABLE_ORDER = (
    "region", "municipality", "school", "organisation", "app_user", "membership",
    "school_contact", "escalation_tier", "pupil", "pupil_case", "case_signal", "case_transition",
    "consent", "referral", "referral_note", "mdo_meeting", "mdo_participant", "mdo_action",
    "arrangement", "evaluation", "case_plan", "regie_handover", "escalation",
    "thuiszitter_episode", "case_event", "notification",
)
CHUNK = 20_000
Batch = dict[str, tuple[tuple[str, ...], list[tuple]]]


class Rows:
    """The rows of one batch per table, and the next free id of every table."""

    def __init__(self, sqlite: bool):
        self.sqlite = sqlite
        self.rows: dict[str, list[dict]] = {name: [] for name in TABLE_ORDER}
        self.next_ids: dict[str, int] = dict.fromkeys(TABLE_ORDER, 1)

    def ts(self, value: datetime) -> datetime | str:
        """A naive UTC datetime as the database stores it."""
        if self.sqlite:
            text = value.isoformat(" ")
            return text if value.microsecond else text + ".000000"
        return value.replace(tzinfo=UTC)

    def day(self, value: date) -> date | str:
        return value.isoformat() if self.sqlite else value

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)

    def take(self) -> Batch:
        """The batch so far as (columns, tuples) per table; the buffers start empty again.
        Every row of a table carries the same keys (one function builds them)."""
        batch = {}
        for name, rows in self.rows.items():
            if rows:
                table, given = db.metadata.tables[name], rows[0]
                unknown = set(given) - set(table.c.keys())
                if unknown:
                    raise KeyError(f"{name} has no column(s) {sorted(unknown)}")
                # Columns this module does not know (added later) get their model default.
                defaults = {c.name: c.default.arg for c in table.c if c.name not in given
                            and c.default is not None and c.default.is_scalar}
                columns = (*given, *defaults)
                tail, values = tuple(defaults.values()), itemgetter(*given)
                batch[name] = (columns, [(*values(row), *tail) for row in rows])
                self.rows[name] = []
        return batch


class Writer:
    """Writes batches in dependency order, one transaction per batch."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.counts: dict[str, int] = dict.fromkeys(TABLE_ORDER, 0)
        self._sql: dict[tuple, str] = {}

    def write(self, batch: Batch) -> None:
        with self.engine.begin() as conn:
            for name in TABLE_ORDER:
                if name not in batch:
                    continue
                columns, rows = batch[name]
                if self.sqlite:
                    sql = self._insert_sql(name, columns)
                    for start in range(0, len(rows), CHUNK):
                        conn.exec_driver_sql(sql, rows[start:start + CHUNK])
                else:
                    _copy(conn, name, columns, rows)
                self.counts[name] += len(rows)

    def _insert_sql(self, name: str, columns: tuple[str, ...]) -> str:
        """Core's INSERT of these columns, with positional parameters in their order."""
        key = (name, columns)
        if key not in self._sql:
            statement = sa.insert(sa.table(name, *(sa.column(c) for c in columns)))
            sql = statement.compile(dialect=self.engine.dialect).string
            # psycopg takes positional %s as well as named %(name)s; SQLite's ? already are.
            self._sql[key] = re.sub(r"%\(\w+\)s", "%s", sql)
        return self._sql[key]

    def finish(self) -> None:
        """Sequences past the ids given out here (PostgreSQL), the audit chain head, statistics
        for the query planner."""
        with self.engine.begin() as conn:
            if not self.sqlite:
                for name in (t for t in TABLE_ORDER if "id" in db.metadata.tables[t].c):
                    conn.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608  # nosec B608 (fixed table names)
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"))
            ensure_chain_head(conn)
            freshness.renew(conn, {freshness.EVERY_REGION})  # loaded around the ORM
        # Outside a transaction: SQLite checkpoints only then; PostgreSQL's ANALYZE either way.
        raw = self.engine.raw_connection()
        try:
            if self.sqlite:
                for statement in ("PRAGMA analysis_limit=1000", "ANALYZE",
                                  "PRAGMA wal_checkpoint(TRUNCATE)"):
                    raw.driver_connection.execute(statement)
            else:
                raw.driver_connection.autocommit = True
                raw.driver_connection.execute("ANALYZE")
        finally:
            raw.close()


def _copy(conn: sa.Connection, name: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """PostgreSQL: the same rows through COPY, an order of magnitude faster than executemany."""
    names = ", ".join(columns)
    with conn.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def ensure_chain_head(conn: sa.Connection) -> None:
    """The seeded records carry no access-log rows, but the app appends to the hash chain from
    its head row: it must exist (the migration writes it; a wiped table gets it back)."""
    head = db.metadata.tables["audit_chain_head"]
    if conn.execute(sa.select(head.c.id).where(head.c.id == 1)).first() is None:
        events = db.metadata.tables["audit_event"]
        if conn.execute(sa.select(sa.func.count()).select_from(events)).scalar():
            raise RuntimeError("audit_event has rows but no chain head: not a bench database")
        conn.execute(sa.insert(head).values(id=1, last_seq=0, last_hash=GENESIS))


def bulk_engine(url: str) -> sa.Engine:
    """An engine of its own for the load: on SQLite WAL, no fsync and no foreign-key lookups
    while loading (the rows are written parents first; tests check integrity afterwards). These
    settings hold for this engine's connections only; the app's own keep synchronous=NORMAL
    and foreign_keys=ON."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            for pragma in ("journal_mode=WAL", "synchronous=OFF", "foreign_keys=OFF",
                           "cache_size=-262144", "temp_store=MEMORY"):
                dbapi_connection.execute(f"PRAGMA {pragma}")

        @sa.event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    else:

        @sa.event.listens_for(engine, "connect")
        def _settings(dbapi_connection, _record):
            # The same on PostgreSQL: no waiting for the WAL flush, and (for a superuser) no
            # foreign-key triggers while loading.
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET session_replication_role = replica")
            dbapi_connection.commit()

    return engine
