"""`flask bench seed`: a region of N cases for the benchmark, written in bulk.

The cases are generated in order of opening (so ids grow with time, as in a real database),
spread over the schools by school size, in batches of BATCH cases. Generating the rows and
writing them each take one core: a forked process generates batch n+1 while this one writes
batch n, each batch in one transaction.
"""

import multiprocessing
import queue
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.bench.journeys import Journeys, state_plan
from app.bench.loader import Rows, Writer, bulk_engine
from app.bench.world import World, WorldBuilder

BATCH = 10_000
NOTIFICATIONS_PER_LOGIN = 25
QUEUE_DEPTH = 3  # batches generated ahead of the writer: bounds the memory


@dataclass
class SeedResult:
    world: World
    counts: dict[str, int]
    seconds: float


class NotEmpty(Exception):
    pass


def write_pool_size(cases: int) -> int:
    """Fresh signaleringen at the write school, cycled through close and reopen by the write
    benchmark: enough that eight writers never queue on the same case."""
    return min(400, max(16, cases // 50))


def seed(url: str, cases: int, *, rng_seed: int = 2026, parallel: bool = True,
         progress: Callable[[int, float], None] | None = None) -> SeedResult:
    started = time.perf_counter()
    engine = bulk_engine(url)
    try:
        _check_empty(engine)
        writer = Writer(engine)
        args = (writer.sqlite, cases, rng_seed)
        produced = _forked(args) if parallel else generate(*args)
        world = None
        for item in produced:
            if isinstance(item, World):
                world = item
                continue
            batch, done = item
            writer.write(batch)
            if progress and done:
                progress(done, time.perf_counter() - started)
        writer.finish()
        return SeedResult(world, writer.counts, time.perf_counter() - started)
    finally:
        engine.dispose()


def generate(sqlite: bool, cases: int, rng_seed: int) -> Iterator:
    """(batch, cases so far) per BATCH cases, then the World (ids, bench logins)."""
    rows, rng = Rows(sqlite), random.Random(rng_seed)  # noqa: S311  # nosec B311 (test data)
    now = datetime.now(UTC).replace(tzinfo=None)
    world = WorldBuilder(rows, cases, now).build()
    yield rows.take(), 0
    journeys = Journeys(rows, world, rng)
    pool = write_pool_size(cases)
    plan = _plan(world, journeys, cases - pool, rng)
    plan += [(now - timedelta(minutes=rng.uniform(10, 600)), "signalering", world.write_school)
             for _ in range(pool)]
    plan.sort(key=lambda item: item[0])
    for done, (opened, state, school) in enumerate(plan, 1):
        journeys.case(school, state, opened, fresh=school is world.write_school)
        if done % BATCH == 0:
            yield rows.take(), done
    _notifications(rows, world, rng)
    yield rows.take(), len(plan)
    yield world


def _forked(args: tuple) -> Iterator:
    """`generate` in a forked process, its output through a bounded queue."""
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=QUEUE_DEPTH)
    process = context.Process(target=_produce, args=(channel, args), daemon=True)
    process.start()
    try:
        while True:
            try:
                item = channel.get(timeout=5)
            except queue.Empty:
                if not process.is_alive():
                    raise RuntimeError("the generating process stopped without a result") \
                        from None
                continue
            if item is None:
                return
            if isinstance(item, str):
                raise RuntimeError(f"generating the bench region failed:\n{item}")
            yield item
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


def _produce(channel, args: tuple) -> None:
    import traceback

    try:
        for item in generate(*args):
            channel.put(item)
        channel.put(None)
    except Exception:  # reported to the writer, which raises it
        channel.put(traceback.format_exc())


def _check_empty(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        try:
            taken = conn.execute(sa.text("SELECT COUNT(*) FROM region")).scalar()
            taken += conn.execute(sa.text("SELECT COUNT(*) FROM app_user")).scalar()
        except sa.exc.DBAPIError as exc:
            raise NotEmpty("De database heeft nog geen schema; draai eerst `flask db upgrade`.") \
                from exc
    if taken:
        raise NotEmpty("De database is niet leeg; de benchregio wordt alleen in een lege "
                       "database geladen.")


def _plan(world: World, journeys: Journeys, count: int, rng: random.Random) -> list[tuple]:
    """(opened, state, school) for `count` cases: states in the mix, schools by size."""
    schools = world.schools
    picks = rng.choices(schools, weights=[s.weight for s in schools], k=count)
    return [(journeys.opened(state), state, school)
            for state, school in zip(state_plan(count, rng), picks, strict=True)]


def _notifications(rows: Rows, world: World, rng: random.Random) -> None:
    """Every bench login has an inbox: some read, some not (the header counts the unread)."""
    kinds = ("new_referral", "referral_answer", "mdo_invitation", "action_assigned",
             "escalation")
    for user_id in world.bench_user_ids:
        for k in range(NOTIFICATIONS_PER_LOGIN):
            at = world.now - timedelta(days=rng.uniform(0, 60))
            rows.add("notification", {
                "id": rows.new_id("notification"), "user_id": user_id,
                "kind": rng.choice(kinds), "case_id": None,
                "text": "Er staat iets voor u klaar in Schakel.", "link": "/berichten/",
                "created_at": rows.ts(at),
                "read_at": rows.ts(at + timedelta(hours=2)) if k % 3 else None})
