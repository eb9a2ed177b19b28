"""Counting for the monitor: the populations, one GROUP BY per population, the counts added
up into every scope and period, how those cells hang together for the suppression, and medians.
"""

from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa

from app.cases.models import CasePlan, PlanKind
from app.extensions import db
from app.monitor import outcomes, populations
from app.monitor.periods import QUARTER, SCHOOL_YEAR, YEAR, Period, month_index
from app.monitor.populations import Population, Span
from app.monitor.scopes import (
    ALL_REGION,
    KINDS,
    MUNICIPALITY,
    REGION,
    SCHOOL,
    SECTOR,
    YOUTH_CARE,
    YOUTH_CARE_IN,
    YOUTH_CARE_OUT,
    Layout,
    Scope,
)
from app.monitor.sql import month_index as sql_month_index

P = Population
POPULATIONS = {p.key: p for p in (
    P("mdo_held", populations.mdo_held, True,
      flags=("parent_present", "pupil_heard", "pupil_present")),
    P("schools", populations.schools, False, flags=("has_contact",), case_level=False),
    P("regie_active", populations.regie_active, False, flags=("has_regie",)),
    P("regie_exits", populations.regie_exits, True, durations=True),
    P("referrals_answered", populations.referrals_answered, True,
      flags=("declined", "redirected"), durations=True),
    P("referrals_started", populations.referrals_started, True, dimensions=("wait_bucket",),
      durations=True),
    P("referrals_due", populations.referrals_due, True, flags=("on_time",)),
    P("arrangements_started", populations.arrangements_started, True, dimensions=("kind",)),
    P("plans_opp", populations.plans(PlanKind.opp, CasePlan.names_home), True,
      flags=("names_home",)),
    P("plans_jgp", populations.plans(PlanKind.jeugd_gezinsplan, CasePlan.names_school), True,
      flags=("names_school",)),
    P("first_mdo", populations.first_mdo, True, durations=True),
    P("evaluations_held", outcomes.evaluations_held, True, flags=("joint", "with_parents")),
    P("evaluations_on_time", outcomes.evaluations_on_time, True, flags=("on_time",)),
    P("goals", outcomes.goals, True, flags=("met",)),
    P("escalations_opened", outcomes.escalations_opened, True, dimensions=("reason", "tier")),
    P("escalations_resolved", outcomes.escalations_resolved, True, durations=True),
    P("escalations_sla", outcomes.escalations_sla, True, flags=("within",)),
    P("thuiszitter_cases", outcomes.thuiszitter_cases, False),
    P("thuiszitter_episodes", outcomes.thuiszitter_episodes, False, durations=True),
)}


class Tally:
    """Record counts and numerator sums of one population per cell, and which cells to hide.

    A cell is (category, scope, time): category None (every record) or (dimension, value), a
    scope, and a period label (or an unpublished remainder). Cells are numbered
    `(category * scopes + scope) * times + time`, so counting and the suppression work on
    list indexes and ints instead of hashing hundreds of thousands of nested tuples.
    """

    def __init__(self, population: Population, layout: Layout, categories: dict[str, list],
                 times: list, seen: dict[str, set]):
        self.population = population
        self.categories = every_category(categories)
        self.scopes = all_scopes(layout, population)
        self.times = times
        self.seen = seen
        self._category_at = {c: i for i, c in enumerate(self.categories)}
        self._scope_at = {s: i for i, s in enumerate(self.scopes)}
        self._time_at = {t: i for i, t in enumerate(times)}
        cells = len(self.categories) * len(self.scopes) * len(times)
        self.sizes = [0] * cells
        self.sums = {name: [0] * (len(self.scopes) * len(times)) for name in population.flags}
        self.suppressed = bytearray(cells)  # 1: a cell with records that is hidden

    def number(self, category: int, scope: int, time: int) -> int:
        return (category * len(self.scopes) + scope) * len(self.times) + time

    def cell(self, category, scope: Scope, time) -> int | None:
        """The number of a cell, None when the population has no such category or scope."""
        c, s = self._category_at.get(category), self._scope_at.get(scope)
        t = self._time_at.get(time)
        return None if c is None or s is None or t is None else self.number(c, s, t)

    def key(self, number: int) -> tuple:
        rest, t = divmod(number, len(self.times))
        c, s = divmod(rest, len(self.scopes))
        return (self.categories[c], self.scopes[s], self.times[t])

    def size(self, category, scope: Scope, time) -> int:
        number = self.cell(category, scope, time)
        return 0 if number is None else self.sizes[number]

    def hidden(self, category, scope: Scope, time) -> bool:
        number = self.cell(category, scope, time)
        return number is None or not self.sizes[number] or self.suppressed[number] == 1

    def total(self, flag: str, scope: Scope, time) -> int:
        """The numerator: the sum of a 0/1 flag over the records of a scope and time."""
        return self.sums[flag][self._scope_at[scope] * len(self.times) + self._time_at[time]]

    def name(self, number: int) -> str:
        """The order of cells of equal size in the suppression (the key's text, as ever)."""
        return repr(self.key(number))


def plain(value) -> str:
    return str(getattr(value, "value", value))


def grid_statement(population: Population, span: Span, by_month: bool) -> sa.Select:
    """Record counts and numerator sums per school, youth-care flag, category (and month)."""
    records = population.records(span).subquery()
    keys = [records.c.school_id.label("school_id"), records.c.jh.label("jh")]
    if by_month:
        keys.append(sql_month_index(records.c.at).label("month"))
    keys += [records.c[d].label(d) for d in population.dimensions]
    sums = [sa.func.sum(records.c[f]).label(f) for f in population.flags]
    return (sa.select(*keys, sa.func.count().label("n"), *sums)
            .group_by(*[k.element for k in keys]))


def grid(population: Population, span: Span, by_month: bool):
    return db.session.execute(grid_statement(population, span, by_month))


def seen_values(population: Population, rows) -> dict[str, set]:
    """Every value each dimension takes in the grid rows."""
    seen = {d: set() for d in population.dimensions}
    for row in rows:
        for dimension in population.dimensions:
            seen[dimension].add(plain(getattr(row, dimension)))
    return seen


def count(tally: Tally, layout: Layout, rows, times_of) -> None:
    """Count the grid rows in every scope, category and time they belong to. The rows are
    first added up per school and youth-care flag ("place"), category and time (`times_of(row)`:
    the time numbers of its month), then each of those sums goes to the place's scopes."""
    population = tally.population
    dimensions, flags = population.dimensions, population.flags
    category_at, places = tally._category_at, {}
    width = len(tally.categories) * len(tally.times)
    per_place: list[int] = []
    flag_sums: list[list[int]] = []
    for row in rows:
        place = (row.school_id, bool(row.jh) if population.case_level else None)
        if place not in places:
            places[place] = len(places)
            per_place += [0] * width
            flag_sums.append([0] * len(flags) * len(tally.times))
        at, sums = places[place] * width, flag_sums[places[place]]
        categories = [0] + [category_at[(d, plain(getattr(row, d)))] for d in dimensions]
        values = [getattr(row, name) or 0 for name in flags]
        for t in times_of(row):
            for c in categories:
                per_place[at + c * len(tally.times) + t] += row.n
            for f, value in enumerate(values):
                sums[f * len(tally.times) + t] += value
    _spread(tally, layout, places, per_place, flag_sums)


def _spread(tally: Tally, layout: Layout, places: dict, per_place: list[int],
            flag_sums: list[list[int]]) -> None:
    """Add each place's counts and sums to every scope the place belongs to."""
    times, scopes_in_all = len(tally.times), len(tally.scopes)
    width = len(tally.categories) * times
    for place, index in places.items():
        scopes = [tally._scope_at[s] for s in layout.scopes_of(*place) if s in tally._scope_at]
        counts = per_place[index * width:(index + 1) * width]
        for i, n in enumerate(counts):
            if n:
                c, t = divmod(i, times)
                for s in scopes:
                    tally.sizes[(c * scopes_in_all + s) * times + t] += n
        for f, name in enumerate(tally.population.flags):
            total = tally.sums[name]
            for t, n in enumerate(flag_sums[index][f * times:(f + 1) * times]):
                if n:
                    for s in scopes:
                        total[s * times + t] += n


def all_scopes(layout: Layout, population: Population) -> list[Scope]:
    scopes = [ALL_REGION] + [s for kind in (SECTOR, MUNICIPALITY, SCHOOL)
                             for s in layout.scopes(kind)]
    return scopes + ([YOUTH_CARE_IN, YOUTH_CARE_OUT] if population.case_level else [])


def every_category(categories: dict[str, list]) -> list:
    """None (the total) and each (dimension, value)."""
    return [None] + [(d, v) for d, values in categories.items() for v in values]


Ties = list[tuple[int, tuple[int, ...]]]  # (total, parts) as cell numbers

# Every part of a relation is a subset of its total, so a total of 0 records has parts of 0
# records only: all hidden from the start, never at risk, never a candidate. Such a relation
# can never hide anything, and leaving it out changes neither the pattern nor the order in
# which the others are checked. In a large region most (category, school, quarter) cells are
# empty: this drops most relations.


def scope_relations(tally: Tally, layout: Layout, labels: list) -> Ties:
    """Scopes add up (region = sectors = municipalities, sector = its schools, …) for every
    category; categories add up to the total for every scope. `labels`: the times concerned.
    A relation whose total has no records is left out (see `Ties`)."""
    scope_at, category_at, n = tally._scope_at, tally._category_at, tally.number
    nesting = [(scope_at[total], [scope_at[p] for p in parts])
               for total, parts in layout.nesting(tally.population.case_level)]
    times = [tally._time_at[label] for label in labels]
    categories = range(len(tally.categories))
    by_dimension = [[category_at[(d, v)] for v in values]
                    for d, values in _dimensions(tally).items()]
    sizes = tally.sizes
    relations = [_tie(sizes, n(c, total, t), [n(c, p, t) for p in parts])
                 for t in times for c in categories for total, parts in nesting
                 if sizes[n(c, total, t)]]
    relations += [_tie(sizes, n(0, s, t), [n(c, s, t) for c in values])
                  for t in times for s in range(len(tally.scopes)) for values in by_dimension
                  if sizes[n(0, s, t)]]
    return relations


def _tie(sizes: list[int], total: int, parts: list[int]) -> tuple[int, tuple[int, ...]]:
    """The relation with its empty parts but one left out: an empty part only ever tells the
    suppression that not every part is shown, and one says that as well as many."""
    kept = [p for p in parts if sizes[p]]
    empty = next((p for p in parts if not sizes[p]), None)
    return total, tuple(kept if empty is None else [*kept, empty])


def _dimensions(tally: Tally) -> dict[str, list]:
    values = defaultdict(list)
    for category in tally.categories[1:]:
        values[category[0]].append(category[1])
    return values


def remainders(periods: list[Period]) -> dict[tuple, list[int]]:
    """Per school year, the months no quarter inside it covers (August, September and the next
    July): never shown, but a school year minus its quarters would give them."""
    result = {}
    for period in periods:
        if period.kind == SCHOOL_YEAR:
            august = month_index(period.first)
            result[("rest", period.label)] = [august, august + 1, august + 11]
    return result


def time_relations(tally: Tally, periods: list[Period]) -> Ties:
    """A calendar year is its four quarters; a school year is its remainder plus the three
    quarters inside it (quarters after today are empty and left out). Totals without records
    are left out, as in `scope_relations`."""
    quarters = {p.first: p.label for p in periods if p.kind == QUARTER}
    pairs = []
    for period in periods:
        y = period.first.year
        if period.kind == YEAR:
            parts = [quarters.get(date(y, m, 1)) for m in (1, 4, 7, 10)]
        elif period.kind == SCHOOL_YEAR:
            parts = [("rest", period.label)] + [quarters.get(d) for d in (
                date(y, 10, 1), date(y + 1, 1, 1), date(y + 1, 4, 1))]
        else:
            continue
        time_at = tally._time_at
        pairs.append((time_at[period.label], [time_at[p] for p in parts if p is not None]))
    n, sizes = tally.number, tally.sizes
    return [_tie(sizes, n(c, s, total), [n(c, s, p) for p in parts])
            for c in range(len(tally.categories)) for s in range(len(tally.scopes))
            for total, parts in pairs if sizes[n(c, s, total)]]


def window_medians(population: Population, span: Span, layout: Layout,
                   periods: list[Period]) -> dict[tuple[str, str], dict[Scope, float]]:
    """{(period label, scope kind): {scope: median}} of a dated population, every period and
    scope at once: its durations counted per school, youth-care flag, month and number of days
    in one GROUP BY (a histogram), added up per period and scope, and read off in the middle.
    The same medians as `median_statement` per period, without ranking every record per scope
    kind and period (ten times the work)."""
    by_month = _durations_by_month(population, span)
    found = {}
    for period in periods:
        per_place = defaultdict(Counter)
        for month in period.months:
            for school_id, jh, days, n in by_month.get(month, ()):
                per_place[(school_id, jh)][days] += n
        per_scope = defaultdict(Counter)
        for place, histogram in per_place.items():
            for scope in layout.scopes_of(*place):
                if scope != YOUTH_CARE_OUT:  # as the statement: the youth-care view only
                    per_scope[scope].update(histogram)
        found |= {(period.label, kind): {} for kind in KINDS}
        for scope, histogram in per_scope.items():
            found[(period.label, scope.kind)][scope] = middle(histogram)
    return found


def _durations_by_month(population: Population, span: Span) -> dict[int, list[tuple]]:
    """{month: [(school, youth care, days, records)]}: the histogram's GROUP BY."""
    r = population.records(span).subquery()
    keys = [r.c.school_id, r.c.jh, sql_month_index(r.c.at), r.c.days]
    by_month = defaultdict(list)
    for school_id, jh, month, days, n in db.session.execute(
            sa.select(*keys, sa.func.count()).group_by(*keys)):
        if days is not None:
            by_month[month].append((school_id, bool(jh), days, n))
    return by_month


def middle(histogram: Counter) -> float:
    """The median of a histogram {value: count}: the middle value, or the mean of the two."""
    total = sum(histogram.values())
    low_rank, high_rank = (total + 1) // 2, total // 2 + 1
    seen, low = 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if low is None and seen >= low_rank:
            low = value
        if seen >= high_rank:
            return (low + value) / 2
    raise ValueError("an empty histogram has no median")


def median_statement(records: sa.Select, kind: str) -> sa.Select:
    """The median of `days` per scope of one kind: rank the durations per scope with window
    functions and average the middle one or two (SQLite ≥ 3.25 and PostgreSQL alike)."""
    r = records.subquery()
    column = {REGION: None, SECTOR: r.c.sector, MUNICIPALITY: r.c.municipality_id,
              SCHOOL: r.c.school_id, YOUTH_CARE: r.c.jh}[kind]
    partition = {"partition_by": column} if column is not None else {}
    ranked = sa.select(
        (column if column is not None else sa.literal(0)).label("k"), r.c.days.label("d"),
        sa.func.row_number().over(order_by=r.c.days, **partition).label("rn"),
        sa.func.count().over(**partition).label("cnt"),
    ).subquery()
    middle = (2 * ranked.c.rn >= ranked.c.cnt) & (2 * ranked.c.rn <= ranked.c.cnt + 2)
    if column is None:
        return sa.select(sa.func.avg(ranked.c.d)).where(middle)
    return sa.select(ranked.c.k, sa.func.avg(ranked.c.d)).where(middle).group_by(ranked.c.k)


def medians(records: sa.Select, kind: str) -> dict[Scope, float]:
    statement = median_statement(records, kind)
    if kind == REGION:
        value = db.session.scalar(statement)
        return {} if value is None else {ALL_REGION: float(value)}
    rows = db.session.execute(statement)
    if kind == YOUTH_CARE:
        return {YOUTH_CARE_IN: float(v) for k, v in rows if k}  # noqa: B035 (one row at most)
    return {Scope(kind, k): float(v) for k, v in rows}
