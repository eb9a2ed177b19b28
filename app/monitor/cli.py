"""`flask monitor thuiszitters` (the quarterly export for the Inspectie), `flask monitor
export` (the monitor's figures as CSV or XLSX) and `flask monitor catalogue`."""

import csv
from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.audit import services as audit
from app.audit.cli import _cell as cell  # the one formula-safe cell writer
from app.extensions import db
from app.monitor import exports, indicators, periods, thuiszitters
from app.monitor.queries import Monitor
from app.monitor.scopes import MUNICIPALITY, REGION, SCHOOL, SECTOR, YOUTH_CARE
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
    monitor = Monitor(region)
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


@monitor_cli.command("catalogue")
def print_catalogue():
    """De indicatorcatalogus als Markdown (de tabellen in docs/monitor.md)."""
    click.echo(indicators.markdown(), nl=False)
