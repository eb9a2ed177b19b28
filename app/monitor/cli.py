"""`flask monitor thuiszitters`: the quarterly export for the Inspectie."""

import csv
from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.audit import services as audit
from app.audit.cli import _cell as cell  # the one formula-safe cell writer
from app.extensions import db
from app.monitor import thuiszitters
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
