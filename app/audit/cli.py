import csv
import sys
from datetime import UTC, date, datetime, timedelta

import click
from flask.cli import AppGroup

from app.audit import queries, services

audit_cli = AppGroup("audit", help="Het toegangslogboek (NEN 7513).")

EXPORT_COLUMNS = ("seq", "at", "action", "outcome", "user_id", "role", "organisation",
                  "on_behalf_of_user_id", "source_ip", "case_id", "subject_ref", "object_type",
                  "object_id", "fields", "authorisation", "emergency", "detail", "request_id",
                  "row_hash")


@audit_cli.command("verify")
def verify():
    """Controleer de hashketen van het logboek; exit 1 als er geknoeid is."""
    report = queries.verify_chain()
    if report.ok:
        click.echo(f"Logboek in orde: {report.checked} rijen gecontroleerd.")
        return
    click.echo(f"Logboek NIET in orde bij volgnummer {report.broken_at}: {report.problem} "
               f"({report.checked} rijen ervoor in orde).", err=True)
    sys.exit(1)


@audit_cli.command("export")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Tot en met deze datum.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-")
def export(start: datetime, end: datetime, output):
    """Exporteer het logboek over een periode als CSV (het exporteren wordt zelf gelogd)."""
    start_at = datetime.combine(start.date(), datetime.min.time(), UTC)
    end_at = datetime.combine(end.date() + timedelta(days=1), datetime.min.time(), UTC)
    if end_at <= start_at:
        raise click.UsageError("--to ligt voor --from.")
    writer = csv.writer(output)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for event in queries.events_between(start_at, end_at):
        writer.writerow([_cell(getattr(event, c)) for c in EXPORT_COLUMNS])
        count += 1
    services.record_access("log_export", detail=f"{start:%Y-%m-%d}..{end:%Y-%m-%d}: {count}")
    click.echo(f"{count} rijen geëxporteerd.", err=True)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Plain text for spreadsheets: a leading = + - @ would otherwise start a formula."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value
