"""`flask escalation scan`: the periodic command (cron or a systemd timer, every few minutes)."""

from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.escalation.scan import scan as run_scan
from app.extensions import db
from app.org.models import Region

escalation_cli = AppGroup("escalation", help="Escalaties en de automatische escalatieregels.")


@escalation_cli.command("scan")
@click.option("--region", "region_code", help="Alleen deze regio (code), anders alle regio's.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="Rekenen alsof het deze dag is (JJJJ-MM-DD); standaard vandaag.")
def scan(region_code: str | None, today):
    """Escaleer casussen waarvoor een regel van de regio geldt; veilig om vaak te draaien."""
    if region_code and db.session.scalar(
            sa.select(Region.id).where(Region.code == region_code)) is None:
        raise click.BadParameter(f"Er is geen regio met code {region_code}.",
                                 param_hint="--region")
    report = run_scan(today.date() if today else date.today(), region_code)
    for line in report.lines():
        click.echo(line)
    click.echo(f"Totaal: {sum(report.escalated.values())} geëscaleerd.")
