"""The demo region's survey rounds: one closed round of this school year with a few dozen
invented answers (the pupils' group stays under the demo threshold of 5, so it shows as
suppressed), and one open round that a few have answered. The links are not kept (only their
hashes are): a demo user opens a new round to see links and the questionnaire."""

import random
from datetime import date, timedelta

from app.demo.world import World
from app.monitor.periods import SCHOOL_YEAR, current
from app.monitor.survey import services
from app.monitor.survey.models import DONT_KNOW, Audience, Scale

CLOSED_ANSWERS = {Audience.professionals: 14, Audience.ouders: 8, Audience.jongeren: 3}
OPEN_LINKS = {Audience.professionals: 20, Audience.ouders: 15, Audience.jongeren: 10}
OPEN_ANSWERS = 3


def _choice(rng: random.Random, scale: Scale) -> str:
    """Mostly content, sometimes not, now and then "weet niet"."""
    if scale == Scale.mark:
        return str(rng.choice((5, 6, 6, 7, 7, 7, 7, 8, 8, 9)))
    if scale == Scale.yes_no:
        return rng.choice(("ja", "ja", "ja", "nee", "nee", DONT_KNOW))
    return rng.choice(("2", "3", "3", "4", "4", "4", "5", DONT_KNOW))


def _answer(rng: random.Random, tokens: list[str]) -> None:
    for token in tokens:
        found = services.invitation(token)
        services.submit(token, {q.id: _choice(rng, q.scale) for q in found.questions})


def add_surveys(world: World, today: date, seed: int) -> None:
    # Reproducible invented answers, not security.
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    coordinator = world.users["coordinator"]
    period = current(SCHOOL_YEAR, today).label
    closed = services.create_round(world.region, period, "Najaarsmeting", coordinator)
    tokens = services.open_round(closed, CLOSED_ANSWERS, coordinator,
                                 today - timedelta(days=35))
    for found in tokens.values():
        _answer(rng, found)
    services.close_round(closed, coordinator, today - timedelta(days=7))
    running = services.create_round(world.region, period, "Voorjaarsmeting", coordinator)
    tokens = services.open_round(running, OPEN_LINKS, coordinator, today - timedelta(days=2))
    _answer(rng, tokens[Audience.professionals][:OPEN_ANSWERS])
