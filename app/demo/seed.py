"""Load the whole demo region: the organisation side, then about 200 replayed case histories."""

import random
from datetime import UTC, date, datetime, time, timedelta

from app.demo import escalations, surveys
from app.demo.inbox import fill_inboxes
from app.demo.phases import play
from app.demo.story import Story
from app.demo.world import World, build_world
from app.escalation.scan import scan
from app.escalation.services import QUIET
from app.extensions import db

SEED = 2026
HISTORY_DAYS = 548  # cases opened over the last eighteen months
# Most cases sit with the demo IB's and ZC's schools, so their caseloads are rich.
CASES_PER_SCHOOL = {
    "regenboog": 62, "berkenhout": 46, "wegwijzer": 20, "kompas": 12, "vlieger": 10,
    "brug": 10, "windroos": 6, "zandloper": 12, "klaverblad": 10, "zeeduin": 12,
}


def seed_demo(today: date | None = None, seed: int = SEED) -> World:
    """Add the region and its cases and commit once. The same seed gives the same region,
    relative to `today`; nothing is dated after the start of `today`."""
    today = today or date.today()
    until = datetime.combine(today, time(0), UTC)
    # Reproducible invented data, not security.
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    world = build_world(today)
    escalations.add_ladder(world)
    # Replayed history: escalation rows are completed (tier, deadline) but nobody is notified.
    db.session.info[QUIET] = True
    links: list = []
    for school_key, count in CASES_PER_SCHOOL.items():
        for number in sorted(rng.sample(range(1000, 10000), count)):
            story = Story(rng, world, school_key, until, links)
            opened = today - timedelta(days=_age_in_days(rng))
            db.session.add(story.open(number, opened))
            play(story)
    db.session.flush()
    for evaluation, arrangement in links:
        evaluation.arrangement_id = arrangement.id if arrangement is not None else None
    escalations.add_thuiszitters(today, seed + 1)
    fill_inboxes(world, until)
    db.session.commit()
    db.session.info.pop(QUIET, None)
    scan(today, world.region.code)  # the rules escalate a few more, as cron would have done
    surveys.add_surveys(world, today, seed + 2)
    return world


def _age_in_days(rng: random.Random) -> int:
    """Skewed to recent: the region's use of Schakel grew over the eighteen months."""
    return 1 + int((HISTORY_DAYS - 1) * rng.random() ** 1.5)
