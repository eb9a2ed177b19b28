"""`flask monitor thuiszitters` (the quarterly export for the Inspectie), `flask monitor
export` (the monitor's figures as CSV or XLSX), `flask monitor warm` (the timer that stores
each changed region's figures) and `flask monitor catalogue`."""

import csv
import time
from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.audit import services as audit
from app.audit.cli import _cell as cell  # the one formula-safe cell writer
from app.extensions import db
from app.models import utcnow
from app.monitor import exports, freshness, indicators, periods, snapshots, thuiszitters
from app.monitor.indicators import COMPUTED, MEDIAN_DAYS
from app.monitor.queries import Monitor
from app.monitor.scopes import (
    ALL_REGION,
    KINDS,
    MUNICIPALITY,
    REGION,
    SCHOOL,
    SECTOR,
    YOUTH_CARE,
)
from app.org.models import Region

monitor_cli = AppGroup("monitor", help="De monitor en zijn exports.")


@monitor_cli.command("thuiszitters")
@click.option("--region", "region_code", required=True, help="Code van de regio.")
@click.option("--quarter", required=True, help="Het kwartaal, bijvoorbeeld 2026Q3.")
@click.option("--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="CSV-bestand (standaard: het scherm).")
def export_thuiszitters(region_code: str, quarter: str, output):
    """Thuiszitters van een kwartaal als CSV, in de vorm van de thuiszittersregistratie van de
    Inspectie: alleen leerlingreferentie en geboortejaar, geen namen."""
    region = db.session.scalar(sa.select(Region).where(Region.code == region_code))
    if region is None:
        raise click.BadParameter(f"Er is geen regio met code {region_code}.",
                                 param_hint="--region")
    try:
        period = thuiszitters.Quarter.parse(quarter)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--quarter") from exc
    records = thuiszitters.rows(region, period, date.today())
    writer = csv.writer(output)
    writer.writerow(thuiszitters.COLUMNS)
    for record in records:
        writer.writerow([cell(record[c]) for c in thuiszitters.COLUMNS])
    audit.record_access("export", object_type="thuiszitters",
                        detail=f"{region.code} {quarter.upper()}: {len(records)} rijen")
    click.echo(f"{len(records)} thuiszitters geëxporteerd ({region.name}, {quarter.upper()}).",
               err=True)


@monitor_cli.command("export")
@click.option("--region", "region_code", required=True, help="Code van de regio.")
@click.option("--period", "period_label", required=True,
              help="Schooljaar (2025-2026), kalenderjaar (2026) of kwartaal (2026Q3).")
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)
@click.option("--scope", default="region", show_default=True,
              help="region, sector, municipality, school of jeugdhulp (alle onderdelen), of "
                   "één: sector:po, school:BRIN, gemeente:Naam.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              default="-", help="Bestand (standaard: het scherm).")
def export_monitor(region_code: str, period_label: str, kind: str, scope: str, output: str):
    """De monitorcijfers van een regio en periode als CSV of Excel: alleen geaggregeerde,
    onderdrukte cijfers, nooit een leerling."""
    region = db.session.scalar(sa.select(Region).where(Region.code == region_code))
    if region is None:
        raise click.BadParameter(f"Er is geen regio met code {region_code}.",
                                 param_hint="--region")
    monitor = Monitor(region, exact=True)
    try:
        period = periods.parse(period_label)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    if not monitor.covers(period):
        raise click.BadParameter(f"De monitor reikt terug tot {monitor.window.first:%d-%m-%Y}.",
                                 param_hint="--period")
    try:
        scopes = _scopes(monitor, scope)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scope") from exc
    cells = monitor.rows(scopes, period)
    title = f"Schakel-monitor, {region.name}, {period.title}"
    body = (exports.csv_text(cells).encode("utf-8") if kind == "csv"
            else exports.xlsx_bytes(cells, monitor.threshold, title))
    with click.open_file(output, "wb") as stream:
        stream.write(body)
    audit.record_access("export", object_type="monitor",
                        detail=f"{region.code} {period.label} {scope} {kind}: {len(cells)} rijen")
    click.echo(f"{len(cells)} cijfers geëxporteerd ({region.name}, {period.title}).", err=True)


def _scopes(monitor: Monitor, text: str) -> list:
    """A scope kind means all of its scopes (the region with --scope region)."""
    kinds = {"region": REGION, "regio": REGION, "sector": SECTOR, "municipality": MUNICIPALITY,
             "gemeente": MUNICIPALITY, "school": SCHOOL, "jeugdhulp": YOUTH_CARE}
    if text.strip().lower() in kinds:
        return monitor.layout.scopes(kinds[text.strip().lower()])
    return [monitor.layout.parse(text)]


@monitor_cli.command("warm")
@click.option("--region", "region_code", default=None, help="Code van één regio (standaard: "
              "alle regio's).")
def warm_regions(region_code: str | None):
    """Bereken de monitor van elke regio waarvan de cijfers sinds de vorige keer veranderd zijn,
    en bewaar ze: het scherm toont dan de bewaarde cijfers in plaats van te tellen. Bedoeld
    voor een timer, elke minuut."""
    query = sa.select(Region).order_by(Region.code)
    if region_code is not None:
        query = query.where(Region.code == region_code)
    regions = list(db.session.scalars(query))
    if region_code is not None and not regions:
        raise click.BadParameter(f"Er is geen regio met code {region_code}.",
                                 param_hint="--region")
    for region in regions:
        seconds = warm(region.id, date.today())
        state = "al bijgewerkt" if seconds is None else f"{seconds:.1f} s"
        click.echo(f"{region.code}: {state}")


def warm(region_id: int, today: date) -> float | None:
    """Compute and store the region's monitor for `today` unless its current token has a
    snapshot already; the seconds it took. The token is read before any count: a change
    committed meanwhile renews it, so a snapshot stored under the current token is exact."""
    _give_a_token(region_id)
    _read_one_moment()
    region = db.session.get(Region, region_id)
    threshold = max(1, region.suppression_threshold)
    current = freshness.token(region_id)
    stored = snapshots.latest(region_id, threshold)
    if current is None or snapshots.is_current(stored, current, today):
        db.session.rollback()
        return None
    started, read_at = time.perf_counter(), utcnow()
    monitor = Monitor(region, today, threshold, exact=True)
    complete(monitor)
    shared = monitor._shared
    body = snapshots.encode(shared.tallies, shared.medians, shared.layout, shared.tiers)
    db.session.rollback()
    snapshots.store(region_id, threshold, current, today, read_at, body)
    db.session.commit()
    return time.perf_counter() - started


def _give_a_token(region_id: int) -> None:
    """A region whose records were written around the app (a bulk loader) has no token yet."""
    db.session.rollback()
    if freshness.token(region_id) is None:
        freshness.renew(db.session.connection(), {region_id})
        db.session.commit()
    db.session.rollback()


def _read_one_moment() -> None:
    """The token and every count from one transaction (SQLite's read transaction is one
    snapshot; PostgreSQL needs repeatable read, set when the session has its own connection),
    so even a snapshot outdated at once shows one moment's records."""
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql" and isinstance(bind, sa.Engine):
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def complete(monitor: Monitor) -> None:
    """Ask the monitor for every figure a screen, export or report can show: every
    population of every period, and the medians of every scope that shows one."""
    every_scope = [s for kind in KINDS for s in monitor.layout.scopes(kind)]
    for period in monitor.periods:
        for indicator in COMPUTED:
            for scope in every_scope if indicator.kind == MEDIAN_DAYS else [ALL_REGION]:
                monitor.cells(indicator, scope, period)
    monitor.categories("tier")


@monitor_cli.command("catalogue")
def print_catalogue():
    """De indicatorcatalogus als Markdown (de tabellen in docs/monitor.md)."""
    click.echo(indicators.markdown(), nl=False)
