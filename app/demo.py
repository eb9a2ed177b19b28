import click


@click.command("seed-demo")
def seed_demo_command():
    """Laad de demoregio (placeholder until the seed lands)."""
    raise click.ClickException("nog niet gebouwd")
