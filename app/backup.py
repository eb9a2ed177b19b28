"""`flask backup` / `flask restore`: consistent copies of a SQLite database while the app runs.

PostgreSQL is backed up with pg_dump or PITR instead (docs/deployment.md).
"""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from app.extensions import db


def _sqlite_path() -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "flask backup werkt alleen voor een SQLite-bestand; gebruik voor PostgreSQL pg_dump."
        )
    return Path(url.database)


def check_database_file(path: Path) -> str:
    """Integrity and schema version of a database file; raises ClickException when unusable."""
    if not path.is_file():
        raise click.ClickException(f"Bestand {path} bestaat niet.")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{path} is geen bruikbare SQLite-database: {exc}") from exc
    if result != "ok":
        raise click.ClickException(f"{path} is beschadigd: {result}")
    if version is None:
        raise click.ClickException(f"{path} heeft geen schemaversie (alembic_version).")
    return version[0]


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent snapshot even while others write."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Doelbestand (standaard instance/backups/schakel-<tijd>.db).")
@with_appcontext
def backup_command(output: Path | None):
    """Maak een consistente kopie van de SQLite-database, ook terwijl Schakel draait."""
    source = _sqlite_path()
    if output is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        output = Path(current_app.instance_path) / "backups" / f"schakel-{stamp}.db"
    if output.exists():
        raise click.ClickException(f"{output} bestaat al; kies een ander doelbestand.")
    output.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, output)
    version = check_database_file(output)
    click.echo(f"Back-up gemaakt: {output} (schemaversie {version}).")


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Bevestig: de huidige database wordt overschreven.")
@with_appcontext
def restore_command(backup_file: Path, yes: bool):
    """Controleer een back-up en zet die terug als de huidige database."""
    version = check_database_file(backup_file)
    target = _sqlite_path()
    if not yes:
        raise click.ClickException(
            f"Terugzetten overschrijft {target}. Stop Schakel eerst en herhaal met --yes."
        )
    db.engine.dispose()
    _copy(backup_file, target)
    click.echo(f"Back-up teruggezet in {target} (schemaversie {version}). "
               "Controleer met: flask db check")
