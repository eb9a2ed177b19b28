import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import Role
from app.extensions import db
from app.org.models import Organisation, School

users_cli = AppGroup("users", help="Gebruikers beheren.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--school", "brin", help="BRIN van de school (voor school_staff).")
@click.option("--organisation", "organisation_name", help="Naam van de organisatie.")
@click.password_option(help="Minstens 12 tekens.")
def create(email, name, role, brin, organisation_name, password):
    """Maak een gebruiker aan met één rol bij een school of organisatie."""
    role = Role(role)
    if brin:
        home = db.session.scalar(sa.select(School).where(School.brin == brin.upper()))
    elif organisation_name:
        home = db.session.scalar(
            sa.select(Organisation).where(Organisation.name == organisation_name)
        )
    else:
        raise click.UsageError("Geef --school of --organisation.")
    if home is None:
        raise click.UsageError("Die school of organisatie bestaat niet.")
    try:
        user = services.create_user(email, name, password, role, home)
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Gebruiker {user.email} aangemaakt ({role.value} bij {home}).")


@users_cli.command("reset-2fa")
@click.option("--email", required=True)
def reset_2fa(email):
    """Zet de tweestapsverificatie terug (telefoon kwijt): bij de volgende login stelt de
    gebruiker een nieuwe app in. Alle open sessies van de gebruiker eindigen."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException("Er is geen account met dat e-mailadres.")
    services.reset_second_factor(user)
    click.echo(f"Tweestapsverificatie van {user.email} teruggezet; de gebruiker stelt bij de "
               "volgende login een nieuwe authenticator-app in.")
