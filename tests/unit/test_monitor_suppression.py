"""Small-cell suppression (app/monitor/suppression.py): primary and secondary, built by hand.

`assert_safe` is the promise: in every relation whose total is shown, the hidden cells that
matter are at least two and hold at least `threshold` records together, so no subtraction
gives away a small cell."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.monitor.suppression import Relation, explanation, protect

T = 10


def assert_safe(sizes, relations, hidden, threshold=T, unpublished=frozenset()):
    hidden = set(hidden) | set(unpublished)
    for key, n in sizes.items():
        if n < threshold:
            assert key in hidden, f"{key} ({n}) is below the threshold but shown"
    for relation in relations:
        if relation.total in hidden:
            if not any(p in hidden for p in relation.parts):
                assert sizes.get(relation.total, 0) == 0 or relation.total in unpublished, (
                    f"hidden total {relation.total} equals its shown parts")
            continue
        parts = [p for p in relation.parts if p in hidden and sizes.get(p, 0) > 0]
        matters = [p for p in parts if not (p in unpublished and sizes[p] >= threshold)]
        if matters:
            assert len(parts) > 1, f"{parts} is one subtraction away in {relation}"
            assert sum(sizes[p] for p in parts) >= threshold, f"{parts} hold too few records"


def table(**sizes):
    """A one-way table: the parts and their total `region`."""
    parts = {k: v for k, v in sizes.items()}
    return parts | {"region": sum(parts.values())}, [Relation("region", tuple(parts))]


def test_a_cell_below_the_threshold_is_suppressed_and_the_rest_shown():
    sizes, relations = table(po=40, vo=30)
    sizes["small"] = 9
    assert protect(sizes, relations, T) == {"small"}


def test_exactly_one_suppressed_row_takes_the_next_smallest_with_it():
    sizes, relations = table(po=40, so=12, vo=3, mbo=25)
    hidden = protect(sizes, relations, T)
    assert hidden == {"vo", "so"}  # so (12) is the smallest shown row; region 80 stays
    assert_safe(sizes, relations, hidden)


def test_two_small_rows_together_below_the_threshold_take_a_third():
    sizes, relations = table(po=40, so=4, vo=3, mbo=25)
    hidden = protect(sizes, relations, T)
    assert hidden == {"so", "vo", "mbo"}
    assert_safe(sizes, relations, hidden)


def test_two_small_rows_holding_enough_together_need_nothing_more():
    sizes, relations = table(po=40, so=6, vo=5, mbo=25)
    assert protect(sizes, relations, T) == {"so", "vo"}


def test_an_empty_row_is_hidden_but_protects_nobody():
    sizes, relations = table(po=40, mbo=0, vo=25)
    assert protect(sizes, relations, T) == {"mbo"}


def test_a_region_below_the_threshold_hides_every_part():
    sizes, relations = table(po=5, vo=3)
    assert protect(sizes, relations, T) == {"po", "vo", "region"}


def test_when_every_part_is_hidden_the_shown_total_goes_too():
    # The one school of a sector: hiding the school (secondary) must not leave the sector
    # showing the same number.
    sizes = {"region": 50, "po": 20, "vo": 30, "school_a": 20, "school_b": 22, "school_c": 8}
    relations = [Relation("region", ("po", "vo")), Relation("po", ("school_a",)),
                 Relation("vo", ("school_b", "school_c"))]
    hidden = protect(sizes, relations, T)
    assert {"school_c", "school_b"} <= hidden
    assert_safe(sizes, relations, hidden)


def test_a_secondary_cell_gets_a_partner_in_every_table_it_is_in():
    # Two-way table (rows a, b; columns x, y) with margins: the classic pattern needs four.
    sizes = {("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 30, ("b", "y"): 50,
             "a": 43, "b": 80, "x": 33, "y": 90, "all": 123}
    relations = [Relation("a", (("a", "x"), ("a", "y"))), Relation("b", (("b", "x"), ("b", "y"))),
                 Relation("x", (("a", "x"), ("b", "x"))), Relation("y", (("a", "y"), ("b", "y"))),
                 Relation("all", ("a", "b")), Relation("all", ("x", "y"))]
    hidden = protect(sizes, relations, T)
    assert hidden == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    assert_safe(sizes, relations, hidden)


def test_a_small_unpublished_remainder_hides_a_quarter():
    # A school year = its remainder (Aug, Sep, next Jul; never shown) + three quarters: if the
    # remainder is small, the year minus the quarters would give it away.
    sizes = {"sy": 37, "rest": 3, "q4": 10, "q1": 12, "q2": 12}
    relations = [Relation("sy", ("rest", "q4", "q1", "q2"))]
    hidden = protect(sizes, relations, T, unpublished=frozenset({"rest"}))
    assert hidden == {"q4"}  # the smallest quarter: rest + q4 (13) cannot be told apart
    assert_safe(sizes, relations, hidden, unpublished={"rest"})


def test_a_large_unpublished_remainder_needs_no_protection_but_shields_a_hidden_part():
    sizes = {"sy": 60, "rest": 20, "q4": 14, "q1": 12, "q2": 14}
    relations = [Relation("sy", ("rest", "q4", "q1", "q2"))]
    assert protect(sizes, relations, T, unpublished=frozenset({"rest"})) == frozenset()
    sizes["q2"] = 4
    sizes["sy"] = 50
    hidden = protect(sizes, relations, T, unpublished=frozenset({"rest"}))
    assert hidden == {"q2"}  # q2 + rest (24) cannot be told apart
    assert_safe(sizes, relations, hidden, unpublished={"rest"})


def test_the_same_figures_always_give_the_same_pattern():
    sizes, relations = table(a=3, b=12, c=12, d=30)
    assert protect(sizes, relations, T) == protect(dict(reversed(sizes.items())), relations, T)
    assert protect(sizes, relations, T) == {"a", "b"}  # tie broken by the key


def test_the_explanation_names_the_threshold():
    assert "minder dan 5" in explanation(5) and "terug te rekenen" in explanation(5)


# --- property: whatever the figures, a two-way table with margins gives nothing away ----------

sizes_strategy = st.lists(st.lists(st.integers(0, 30), min_size=2, max_size=4), min_size=2,
                          max_size=4).filter(lambda rows: len({len(r) for r in rows}) == 1)


@settings(max_examples=150, deadline=None)
@given(sizes_strategy, st.integers(2, 12))
def test_two_way_tables_are_always_safe(rows, threshold):
    sizes, relations = {}, []
    columns = range(len(rows[0]))
    for r, row in enumerate(rows):
        for c, n in enumerate(row):
            sizes[(r, c)] = n
        sizes[("row", r)] = sum(row)
        relations.append(Relation(("row", r), tuple((r, c) for c in columns)))
    for c in columns:
        sizes[("col", c)] = sum(row[c] for row in rows)
        relations.append(Relation(("col", c), tuple((r, c) for r in range(len(rows)))))
    sizes["all"] = sum(map(sum, rows))
    relations += [Relation("all", tuple(("row", r) for r in range(len(rows)))),
                  Relation("all", tuple(("col", c) for c in columns))]
    assert_safe(sizes, relations, protect(sizes, relations, threshold), threshold)
