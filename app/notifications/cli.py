"""Cron commands: `flask outbox send` (every minute), `flask outbox status`,
`flask outbox purge` and `flask notifications remind` (daily)."""

import click
from flask.cli import AppGroup

from app.filters import nl_datetime
from app.notifications import queries, services
from app.notifications.mailer import MailConfigError

outbox_cli = AppGroup("outbox", help="De e-mail-outbox.")
notifications_cli = AppGroup("notifications", help="Berichten en herinneringen.")


@outbox_cli.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Hoogstens zoveel berichten in deze ronde.")
def send(limit: int):
    """Verstuur de e-mails die klaarstaan, over één SMTP-verbinding; mislukte later opnieuw."""
    try:
        report = services.send_due(limit)
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    for message_id, reason in report.failed:
        click.echo(f"Bericht {message_id} niet verstuurd: {reason}", err=True)
    line = f"Outbox: {report.sent} verstuurd, {len(report.failed)} mislukt"
    if report.released:
        line += f", {report.released} naar de volgende ronde"
    click.echo(line + ".")


@outbox_cli.command("status")
def status():
    """Tel de e-mails: wachtend, mislukt (wacht op een nieuwe poging) en verstuurd."""
    s = queries.outbox_status()
    line = (f"Outbox: {s.pending} wachtend, {s.failed} mislukt (volgt nieuwe poging), "
            f"{s.sent} verstuurd.")
    if s.oldest_unsent_at is not None:
        line += f" Oudste onverstuurde bericht: {nl_datetime(s.oldest_unsent_at)}."
    click.echo(line)


@outbox_cli.command("purge")
@click.option("--days", type=click.IntRange(min=1, max=3650), default=30, show_default=True,
              help="Verstuurde berichten ouder dan zoveel dagen worden verwijderd.")
def purge(days: int):
    """Verwijder verstuurde e-mails (met het adres) na de bewaartermijn; wachtende blijven."""
    deleted = services.purge_sent(days)
    click.echo(f"Outbox: {deleted} verstuurde berichten van meer dan {days} dagen geleden "
               "verwijderd.")


@notifications_cli.command("remind")
def remind():
    """Herinner aan MDO-acties en evaluaties die eraan komen of over de datum zijn (dagelijks;
    twee keer op een dag draaien geeft geen dubbele herinneringen)."""
    report = services.remind()
    click.echo(f"Herinneringen: {report.actions} voor acties, "
               f"{report.evaluations} voor evaluaties.")
