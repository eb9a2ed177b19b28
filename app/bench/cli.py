"""`flask bench seed`: the bench region in bulk; refused in production."""

import os

import click
from flask import current_app
from flask.cli import AppGroup

from app.bench import seed as seeding
from app.bench.world import BENCH_PASSWORD

PRODUCTION = ("`flask bench` is niet beschikbaar in productie (SCHAKEL_ENV=production): het "
              "vult een database met verzonnen casussen en vaste inloggegevens.")

bench_cli = AppGroup("bench", help="Benchmark: een regio met veel verzonnen casussen.")


def _refuse_production() -> None:
    if (os.environ.get("SCHAKEL_ENV") == "production"
            or current_app.config.get("ENV_NAME") == "production"):
        raise click.ClickException(PRODUCTION)


@bench_cli.command("seed")
@click.option("--cases", type=click.IntRange(min=50), required=True,
              help="Aantal casussen, bijvoorbeeld 100000.")
@click.option("--database-url", default=None,
              help="Database om te vullen (standaard die van de app, DATABASE_URL).")
@click.option("--seed", "rng_seed", type=int, default=2026, show_default=True,
              help="Startwaarde van het toeval: dezelfde waarde geeft dezelfde regio.")
def seed_command(cases: int, database_url: str | None, rng_seed: int):
    """Vul een lege, gemigreerde database met een benchregio van CASES casussen."""
    _refuse_production()
    url = database_url or current_app.config["SQLALCHEMY_DATABASE_URI"]

    def progress(done: int, seconds: float) -> None:
        click.echo(f"  {done:>9,} casussen  {seconds:6.1f} s", err=True)

    try:
        result = seeding.seed(url, cases, rng_seed=rng_seed, progress=progress)
    except seeding.NotEmpty as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(result.counts.values())
    click.echo(f"Benchregio geladen: {result.counts['pupil_case']:,} casussen, {rows:,} rijen "
               f"in {result.seconds:.1f} s ({rows / result.seconds:,.0f} rijen/s).")
    for table, count in result.counts.items():
        click.echo(f"  {table:<22} {count:>12,}")
    click.echo(f"\nBench-logins (wachtwoord {BENCH_PASSWORD}):")
    for email, title, secret in result.world.logins:
        click.echo(f"  {email:<36} {title:<40} TOTP {secret}")
    w = result.world
    click.echo(f"\nBenchschool: id {w.bench_school.id}; schrijfschool: id {w.write_school.id}.")
