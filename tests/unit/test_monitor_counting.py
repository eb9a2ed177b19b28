"""The monitor leaves relations out of the suppression that can never hide anything (a total
of 0 records) and keeps one empty part of a relation where it had several
(app/monitor/counting.py, `Ties`). The pattern must stay exactly the one of all relations."""

import statistics
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from app.monitor.counting import _tie, middle
from app.monitor.suppression import Relation, protect, protect_numbered

T = 10


def two_way_table(grid: list[list[int]]):
    """Cells (r, c), row and column totals and the grand total, with the relations the monitor
    builds for such a table: total = rows, total = columns, each row and each column = its
    cells."""
    rows, cols = range(len(grid)), range(len(grid[0]))
    sizes = {(r, c): grid[r][c] for r in rows for c in cols}
    sizes |= {("row", r): sum(grid[r]) for r in rows}
    sizes |= {("col", c): sum(grid[r][c] for r in rows) for c in cols}
    sizes["all"] = sum(map(sum, grid))
    relations = [Relation("all", tuple(("row", r) for r in rows)),
                 Relation("all", tuple(("col", c) for c in cols))]
    relations += [Relation(("row", r), tuple((r, c) for c in cols)) for r in rows]
    relations += [Relation(("col", c), tuple((r, c) for r in rows)) for c in cols]
    return sizes, relations


def as_the_monitor_does(sizes, relations, threshold):
    keys = list(sizes)
    number = {k: i for i, k in enumerate(keys)}
    size = [sizes[k] for k in keys]
    ties = [_tie(size, number[r.total], [number[p] for p in r.parts]) for r in relations
            if size[number[r.total]]]
    flags = protect_numbered(size, ties, threshold, set(), lambda i: repr(keys[i]))
    return {k for k, flag in zip(keys, flags, strict=True) if flag} | {
        k for k in keys if sizes[k] == 0}


cell = st.one_of(st.just(0), st.just(0), st.integers(1, 30))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cell, min_size=4, max_size=4), min_size=1, max_size=6),
       st.integers(1, 12))
def test_leaving_out_what_cannot_hide_anything_gives_the_same_pattern(grid, threshold):
    sizes, relations = two_way_table(grid)
    assert as_the_monitor_does(sizes, relations, threshold) == protect(sizes, relations,
                                                                      threshold)


def test_an_empty_total_and_its_empty_parts_are_left_out():
    sizes, relations = two_way_table([[0, 0, 0], [12, 0, 3]])
    size = list(sizes.values())
    number = {k: i for i, k in enumerate(sizes)}
    row = relations[3]  # row 1 = 12 + 0 + 3
    total, parts = _tie(size, number[row.total], [number[p] for p in row.parts])
    assert [list(sizes)[p] for p in parts] == [(1, 0), (1, 2), (1, 1)]
    assert as_the_monitor_does(sizes, relations, T) == protect(sizes, relations, T)
    assert {(1, 0), (1, 2)} <= protect(sizes, relations, T)  # 3 is small, 12 goes with it


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_the_median_of_a_histogram_is_the_median_of_its_values(days):
    """`middle` reads the median off counted durations (the medians of dated records)."""
    assert middle(Counter(days)) == statistics.median(days)


def test_the_median_of_two_middle_values_is_their_mean():
    assert middle(Counter({3: 1, 8: 1})) == 5.5
    assert middle(Counter({2: 2, 9: 2})) == 5.5
    assert middle(Counter({4: 3})) == 4
