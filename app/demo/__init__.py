"""`flask seed-demo`: the invented demo region, only in demo mode and only in an empty database."""

import time

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app.auth.models import User
from app.cases.models import Case
from app.demo.seed import seed_demo
from app.demo.world import DEMO_PASSWORD, PEOPLE
from app.extensions import db
from app.org.models import Region, School

NOT_DEMO = ("De demomodus staat uit (SCHAKEL_DEMO=1): de demoregio wordt alleen in demomodus "
            "geladen, nooit in een productieconfiguratie.")
NOT_EMPTY = "De database is niet leeg; de demo wordt alleen in een lege database geladen."


def database_is_empty() -> bool:
    """No region and no user: the demo never mixes with (or overwrites) real data."""
    try:
        has_region = db.session.scalar(sa.select(sa.exists(sa.select(Region.id))))
        has_user = db.session.scalar(sa.select(sa.exists(sa.select(User.id))))
    except sa.exc.DBAPIError as exc:
        raise click.ClickException(
            "De database heeft nog geen schema; draai eerst `flask db upgrade`."
        ) from exc
    return not has_region and not has_user


def login_table() -> str:
    """The demo accounts as a plain-text table for the terminal."""
    rows = [("Rol", "Naam", "E-mail", "Wachtwoord", "TOTP-geheim")]
    rows += [(p.job_title, p.name, p.email, DEMO_PASSWORD, p.totp_secret) for p in PEOPLE]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Sla het laden over (exitcode 0) als de database al gegevens bevat.")
@with_appcontext
def seed_demo_command(if_empty: bool):
    """Laad de verzonnen demoregio (alleen in demomodus, alleen in een lege database)."""
    if not current_app.config.get("DEMO_MODE"):
        raise click.ClickException(NOT_DEMO)
    if not database_is_empty():
        if if_empty:
            click.echo("De database bevat al gegevens; de demoregio wordt niet geladen.")
            return
        raise click.ClickException(NOT_EMPTY)
    started = time.perf_counter()
    seed_demo()
    schools = db.session.scalar(sa.select(sa.func.count(School.id)))
    cases = db.session.scalar(sa.select(sa.func.count(Case.id)))
    click.echo(f"Demoregio geladen: {schools} scholen, {cases} casussen "
               f"({time.perf_counter() - started:.1f} s). Alle namen zijn verzonnen.\n")
    click.echo("Demo-accounts (alleen in demomodus):")
    click.echo(login_table())
    click.echo("\nEen code bij een TOTP-geheim: voeg het toe aan een authenticator-app, of "
               "python -c \"import pyotp; print(pyotp.TOTP('<geheim>').now())\"")
