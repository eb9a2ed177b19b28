import json
from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.audit import services as audit
from app.cases.models import Case, Pupil
from app.extensions import db
from app.org.models import School
from app.privacy import services

privacy_cli = AppGroup("privacy", help="Bewaartermijnen en inzageverzoeken.")


@privacy_cli.command("export-pupil")
@click.option("--school", "brin", required=True, help="BRIN van de school.")
@click.option("--reference", required=True, help="Leerlingreferentie van de school.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-")
def export_pupil(brin: str, reference: str, output):
    """Alles wat Schakel over één leerling bewaart, als JSON (voor een inzageverzoek)."""
    pupil = db.session.scalar(
        sa.select(Pupil).join(School).where(School.brin == brin.strip().upper(),
                                            Pupil.reference == reference.strip().upper()))
    if pupil is None:
        raise click.ClickException("Geen leerling met die school en referentie.")
    data = services.export_pupil(pupil)
    for case in db.session.scalars(sa.select(Case).where(Case.pupil_id == pupil.id)):
        audit.record_access("export", case, audit.Access("data_subject_request"),
                            detail="inzageverzoek (AVG art. 15)")
    json.dump(data, output, ensure_ascii=False, indent=2)
    output.write("\n")


retention_cli = AppGroup("retention", help="Bewaartermijnen toepassen.")


@retention_cli.command("run")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Peildatum (standaard vandaag).")
def retention_run(today):
    """Anonimiseer gesloten casussen waarvan de bewaartermijn voorbij is."""
    report = services.run_retention(today.date() if today else date.today())
    click.echo(f"{report.checked} gesloten casussen bekeken, {report.anonymised} geanonimiseerd.")
