"""Monitor figures from the case records, with the previous period beside them. No Flask here.

Per population (the records behind one or more indicators, `populations`/`outcomes`) the
database counts the records per school, youth-care flag, category and — for dated records —
month, with one GROUP BY. Python adds those counts up into every scope (region, sectors,
municipalities, schools, the youth-care view) and every period of the window (school years,
calendar years, quarters), then suppresses small cells once for all of them together
(`suppression.protect_numbered`): so the figure of a school, a sector or a quarter is hidden
the same way whichever screen or export shows it, and no two of them subtract to a small cell.
Medians are not added up from cells: those of dated records come from one histogram per
population (`counting.window_medians`), the others are ranked per period in SQL.

All of this is computed once per region, day and threshold while the region's records stay
unchanged, and shared by every monitor of the process (`freshness`): the first view after a
change reads the snapshot `flask monitor warm` stored (or, until it has, the one before, with
its time: `stale_since`), or counts when there is none; the others read.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.escalation.models import EscalationTier
from app.extensions import db
from app.monitor import counting, freshness
from app.monitor.counting import POPULATIONS, Tally
from app.monitor.indicators import (
    COMPUTED,
    DIMENSIONS,
    MEDIAN_DAYS,
    PER_SCHOOL,
    PERCENTAGE,
    Indicator,
)
from app.monitor.periods import Period, Window
from app.monitor.populations import Population, Span
from app.monitor.scopes import YOUTH_CARE, Layout, Scope
from app.monitor.suppression import protect_numbered
from app.org.models import Region


@dataclass(frozen=True)
class Cell:
    """One figure. A suppressed cell carries no numbers at all: they never leave this module."""

    indicator: Indicator
    category: str | None
    category_label: str | None
    scope: Scope
    scope_label: str
    period: Period
    numerator: int | None
    denominator: int | None
    value: float | None
    suppressed: bool
    applicable: bool = True

    @property
    def key(self) -> str:
        return self.indicator.key + (f".{self.category}" if self.category else "")

    @property
    def title(self) -> str:
        title = self.indicator.title
        return f"{title}: {self.category_label}" if self.category_label else title


@dataclass(frozen=True)
class Comparison:
    current: Cell
    previous: Cell | None  # None: before the monitor's window

    @property
    def change(self) -> float | None:
        """Current minus previous (percentage points, days or a count); only when both are
        shown."""
        if (self.previous is None or self.current.value is None
                or self.previous.value is None):
            return None
        return self.current.value - self.previous.value


class Monitor:
    """The monitor of one region as seen on `today`, with the region's threshold. `exact`:
    never the stored figures of records that have changed since (`stale_since`: their time)."""

    def __init__(self, region: Region, today: date | None = None,
                 threshold: int | None = None, exact: bool = False):
        self.region = region
        self.today = today or date.today()
        self.threshold = max(1, threshold or region.suppression_threshold)
        self._shared, stale = freshness.shared(region.id, self.today, self.threshold, exact)
        self.stale_since = self._shared.computed_at if stale else None
        if self._shared.layout is None:
            loaded = Layout.load(region)
            self._shared.layout = (loaded.schools, loaded.municipalities)
        self.layout = Layout(region, *self._shared.layout)
        self.window = Window.ending(self.today)
        self.periods = self.window.periods()
        self._tallies = self._shared.tallies
        self._medians = self._shared.medians

    # --- the figures -----------------------------------------------------------------------

    def cell(self, indicator: Indicator, scope: Scope, period: Period,
             category: str | None = None) -> Cell:
        category = category or indicator.category
        label = dict(self.categories(indicator.dimension)).get(category) if (
            indicator.dimension and not indicator.category) else None
        base = {"indicator": indicator, "category": None if indicator.category else category,
                "category_label": label, "scope": scope, "scope_label": self.layout.label(scope),
                "period": period, "numerator": None, "denominator": None, "value": None}
        if indicator.school_level and scope.kind == YOUTH_CARE:
            return Cell(**base, suppressed=False, applicable=False)
        population = POPULATIONS[indicator.population]
        tally = self._tally(population, period)
        key = ((indicator.dimension, category) if category else None, scope, period.label)
        n = tally.size(*key)
        if n < self.threshold or tally.hidden(*key):
            return Cell(**base, suppressed=True)
        return Cell(**base | self._numbers(indicator, population, tally, scope, period, n),
                    suppressed=False)

    def _numbers(self, indicator, population, tally, scope, period, n) -> dict:
        if indicator.kind == PERCENTAGE:
            numerator = tally.total(indicator.flag, scope, period.label)
            return {"numerator": numerator, "denominator": n, "value": 100 * numerator / n}
        if indicator.kind == MEDIAN_DAYS:
            return {"denominator": n, "value": self._median(population, period, scope)}
        if indicator.kind == PER_SCHOOL:
            schools = self.layout.school_count(scope)
            return {"numerator": n, "denominator": schools,
                    "value": n / schools if schools else None}
        return {"numerator": n, "value": float(n)}

    def compare(self, indicator: Indicator, scope: Scope, period: Period,
                category: str | None = None) -> Comparison:
        previous = period.previous()
        return Comparison(
            self.cell(indicator, scope, period, category),
            self.cell(indicator, scope, previous, category) if self.covers(previous) else None)

    def trend(self, indicator: Indicator, scope: Scope, period: Period,
              count: int = 4, category: str | None = None) -> list[Cell]:
        """The last `count` periods up to `period` that the window holds, oldest first."""
        periods = [period.shifted(-steps) for steps in range(count - 1, -1, -1)]
        return [self.cell(indicator, scope, p, category) for p in periods if self.covers(p)]

    def cells(self, indicator: Indicator, scope: Scope, period: Period) -> list[Cell]:
        """The indicator's cells: one, or one per category of a count table."""
        if not indicator.dimension or indicator.category:
            return [self.cell(indicator, scope, period)]
        return [self.cell(indicator, scope, period, value)
                for value, _label in self.categories(indicator.dimension)]

    def rows(self, scopes: list[Scope], period: Period) -> list[Cell]:
        """Every computed indicator for each scope, in catalogue order (the exports)."""
        return [cell for indicator in COMPUTED for scope in scopes
                for cell in self.cells(indicator, scope, period) if cell.applicable]

    def covers(self, period: Period) -> bool:
        return self.window.covers(period)

    def categories(self, dimension: str | None) -> list[tuple[str, str]]:
        """(value, Dutch label) of a count table's rows. Tiers: the region's ladder, any level
        escalations still sit at that the ladder no longer has, and "no tier"."""
        if dimension != "tier":
            return list(DIMENSIONS.get(dimension, ()))
        ladder = self._ladder()
        seen = self._tally(POPULATIONS["escalations_opened"], self.periods[0]).seen["tier"]
        levels = sorted(set(ladder) | {int(v) for v in seen} - {0})
        return [(str(level), ladder.get(level, f"Trede {level}")) for level in levels] + [
            ("0", "Zonder trede")]

    def _ladder(self) -> dict[int, str]:
        if self._shared.tiers is None:
            self._shared.tiers = dict(db.session.execute(
                sa.select(EscalationTier.level, EscalationTier.name)
                .where(EscalationTier.region_id == self.region.id)).all())
        return self._shared.tiers

    # --- counting ------------------------------------------------------------------------------

    def _tally(self, population: Population, period: Period) -> Tally:
        if not self.covers(period):
            raise ValueError(f"De monitor reikt terug tot {self.window.first:%d-%m-%Y}.")
        key = population.key if population.event else (population.key, period.label)
        if key not in self._tallies:
            self._tallies[key] = (self._count_window(population) if population.event
                                  else self._count_period(population, period))
        return self._tallies[key]

    def _count_window(self, population: Population) -> Tally:
        """Dated records of the whole window by month, added up into every period, and
        suppressed together: across scopes, categories and overlapping periods."""
        span = Span(self.region.id, self.window.first, self.window.last, self.today)
        rests = counting.remainders(self.periods)
        labels = [p.label for p in self.periods]
        rows = counting.grid(population, span, by_month=True).all()
        tally = self._new_tally(population, rows, labels + list(rests))
        times = defaultdict(list)
        for key, months in [(p.label, p.months) for p in self.periods] + list(rests.items()):
            for month in months:
                times[month].append(tally.times.index(key))
        counting.count(tally, self.layout, rows, lambda row: times.get(row.month, ()))
        relations = counting.scope_relations(tally, self.layout, labels)
        relations += counting.time_relations(tally, self.periods)
        unpublished = {tally.cell(c, s, rest) for rest in rests for c in tally.categories
                       for s in tally.scopes}
        tally.suppressed = protect_numbered(tally.sizes, relations, self.threshold,
                                            unpublished, tally.name)
        return tally

    def _count_period(self, population: Population, period: Period) -> Tally:
        """Snapshot records (read on a day, or open during the period): one period alone."""
        span = Span(self.region.id, period.first, period.last, self.today)
        rows = counting.grid(population, span, by_month=False).all()
        tally = self._new_tally(population, rows, [period.label])
        counting.count(tally, self.layout, rows, lambda row: (0,))
        relations = counting.scope_relations(tally, self.layout, [period.label])
        tally.suppressed = protect_numbered(tally.sizes, relations, self.threshold, set(),
                                            tally.name)
        return tally

    def _new_tally(self, population: Population, rows, times: list) -> Tally:
        seen = counting.seen_values(population, rows)
        return Tally(population, self.layout, self._categories(population, seen), times, seen)

    def _categories(self, population: Population, seen: dict[str, set]) -> dict[str, list]:
        """Every value of each dimension: the catalogue's (or the ladder's) and those seen."""
        known = {d: ({str(level) for level in self._ladder()} | {"0"} if d == "tier"
                     else {v for v, _ in DIMENSIONS[d]}) for d in population.dimensions}
        return {d: sorted(known[d] | seen[d]) for d in population.dimensions}

    def _median(self, population: Population, period: Period, scope: Scope) -> float | None:
        key = (population.key, period.label, scope.kind)
        if key not in self._medians and population.event:
            # Dated records: every period and scope kind of the window at once.
            span = Span(self.region.id, self.window.first, self.window.last, self.today)
            found = counting.window_medians(population, span, self.layout, self.periods)
            self._medians.update(((population.key, label, kind), medians)
                                 for (label, kind), medians in found.items())
        if key not in self._medians:
            # Snapshot records, read per period (and any period not in the window's list).
            last = min(period.last, self.window.last) if population.event else period.last
            span = Span(self.region.id, period.first, last, self.today)
            self._medians[key] = counting.medians(population.records(span), scope.kind)
        return self._medians[key].get(scope)


def indicator_values(region_id: int, scope: Scope, period: Period,
                     today: date | None = None) -> list[Comparison]:
    """Every computed indicator (each category of a count table) of one scope and period,
    with the previous period beside it."""
    monitor = Monitor(db.session.get(Region, region_id), today)
    return [monitor.compare(indicator, scope, period, cell.category)
            for indicator in COMPUTED
            for cell in monitor.cells(indicator, scope, period) if cell.applicable]
