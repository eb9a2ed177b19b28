"""Counting for the monitor: the populations, one GROUP BY per population, the counts added
up into every scope and period, how those cells hang together for the suppression, and medians.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.cases.models import CasePlan, PlanKind
from app.extensions import db
from app.monitor import outcomes, populations
from app.monitor.periods import QUARTER, SCHOOL_YEAR, YEAR, Period, month_index
from app.monitor.populations import Population, Span
from app.monitor.scopes import (
    ALL_REGION,
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
from app.monitor.suppression import Relation

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


@dataclass
class Tally:
    """Record counts (and numerator sums) per (category, scope, period), and what to hide."""

    sizes: dict = field(default_factory=lambda: defaultdict(int))
    sums: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    seen: dict = field(default_factory=lambda: defaultdict(set))
    suppressed: frozenset = frozenset()


def _plain(value) -> str:
    return str(getattr(value, "value", value))


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


def add(tally: Tally, population: Population, layout: Layout, row, times) -> None:
    """Count one grid row in every scope, category and period it belongs to."""
    youth_care = bool(row.jh) if population.case_level else None
    scopes = layout.scopes_of(row.school_id, youth_care)
    categories = [None]
    for dimension in population.dimensions:
        value = plain(getattr(row, dimension))
        tally.seen[dimension].add(value)
        categories.append((dimension, value))
    for time in times:
        for scope in scopes:
            for category in categories:
                tally.sizes[(category, scope, time)] += row.n
            for name in population.flags:
                tally.sums[(scope, time)][name] += getattr(row, name) or 0


def all_scopes(layout: Layout, population: Population) -> list[Scope]:
    scopes = [ALL_REGION] + [s for kind in (SECTOR, MUNICIPALITY, SCHOOL)
                             for s in layout.scopes(kind)]
    return scopes + ([YOUTH_CARE_IN, YOUTH_CARE_OUT] if population.case_level else [])


def every_category(categories: dict[str, list]) -> list:
    """None (the total) and each (dimension, value)."""
    return [None] + [(d, v) for d, values in categories.items() for v in values]


def scope_relations(layout: Layout, population: Population, categories: dict[str, list],
                    times) -> list[Relation]:
    """Scopes add up (region = sectors = municipalities, sector = its schools, …) for every
    category; categories add up to the total for every scope."""
    nesting = layout.nesting(population.case_level)
    relations = [Relation((c, total, t), tuple((c, p, t) for p in parts))
                 for t in times for c in every_category(categories) for total, parts in nesting]
    relations += [Relation((None, s, t), tuple(((d, v), s, t) for v in values))
                  for t in times for s in all_scopes(layout, population)
                  for d, values in categories.items()]
    return relations


def remainders(periods: list[Period]) -> dict[tuple, list[int]]:
    """Per school year, the months no quarter inside it covers (August, September and the next
    July): never shown, but a school year minus its quarters would give them."""
    result = {}
    for period in periods:
        if period.kind == SCHOOL_YEAR:
            august = month_index(period.first)
            result[("rest", period.label)] = [august, august + 1, august + 11]
    return result


def time_relations(layout: Layout, population: Population, categories: dict[str, list],
                   periods: list[Period]) -> list[Relation]:
    """A calendar year is its four quarters; a school year is its remainder plus the three
    quarters inside it (quarters after today are empty and left out)."""
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
        pairs.append((period.label, [p for p in parts if p is not None]))
    return [Relation((c, s, total), tuple((c, s, p) for p in parts))
            for c in every_category(categories) for s in all_scopes(layout, population)
            for total, parts in pairs]


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
