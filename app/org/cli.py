import click
from flask.cli import AppGroup

from app.org import services

org_cli = AppGroup("org", help="Regio's en organisaties.")


@org_cli.command("create-region")
@click.option("--code", required=True, help="Korte code, bijvoorbeeld NK.")
@click.option("--name", required=True, help='Naam, bijvoorbeeld "Noord-Kennemerland".')
@click.option("--swv", "swv_name", help="Maak ook het samenwerkingsverband van de regio aan "
                                        "(de organisatie waar een beheerder bij hoort).")
def create_region(code, name, swv_name):
    """Maak een regio aan; de beheerders van de regio doen daarna de rest in het scherm."""
    try:
        region = services.create_region(code, name, swv_name)
    except services.OrgError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Regio {region.code} ({region.name}) aangemaakt.")
    if swv_name:
        click.echo(f"Samenwerkingsverband {swv_name.strip()} aangemaakt. Maak een beheerder aan "
                   f"met: flask users create --role admin --organisation \"{swv_name.strip()}\" …")
