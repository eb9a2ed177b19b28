"""Small-cell suppression for every monitor output (screen, CSV, XLSX, charts). Pure functions.

Primary: a cell built on fewer than `threshold` records (the denominator of a percentage, the
population of a median, the count itself) is suppressed. A cell of 0 records is suppressed as
well, but it protects nobody, so it never forces another cell to be hidden.

Secondary: cells are tied together by *relations*: a total and the parts that add up to it (a
region and its sectors, a sector and its schools, a school year and its months, a count and
its categories). Where the shown cells of a relation would let someone subtract their way to a
hidden cell, another cell is hidden too, so that in every relation

* no hidden cell with records stands alone (a single unknown is one subtraction away), and
* the hidden cells together hold no fewer than `threshold` records (or none at all).

The extra cell is the smallest one that can still be hidden (fewest records, then its key, so
the same figures always give the same pattern); when every part is hidden already the total
goes. Hiding one cell can upset another relation it belongs to, so the check runs until nothing
changes. *Unpublished* cells (e.g. "August, September and next July" of a school year, never
shown on their own) only need protecting while they are small.
"""

from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 10


@dataclass(frozen=True)
class Relation:
    total: Hashable
    parts: tuple[Hashable, ...]


def protect(sizes: Mapping[Hashable, int], relations: Iterable[Relation], threshold: int,
            unpublished: frozenset = frozenset()) -> frozenset:
    """The keys of `sizes` to suppress (primary and secondary). Relations may name keys
    missing from `sizes`; those count as cells of 0 records."""
    number: dict = {}  # key -> a small int, so the search hashes ints only
    ties = [(total, parts) for relation in relations if (parts := relation.parts)
            for total in (relation.total,)]
    numbered = [(number.setdefault(total, len(number)),
                 tuple(number.setdefault(p, len(number)) for p in parts))
                for total, parts in ties]
    for key in sizes:
        number.setdefault(key, len(number))
    keys = list(number)
    size = [sizes.get(key, 0) for key in keys]
    helpers = {number[k] for k in unpublished if k in number}
    flags = protect_numbered(size, numbered, threshold, helpers, lambda i: repr(keys[i]))
    hidden = {i for i, flag in enumerate(flags) if flag}
    empty = {i for i, n in enumerate(size) if n == 0} - helpers
    return frozenset(keys[i] for i in hidden | empty)


def protect_numbered(size: Sequence[int], relations: Sequence[tuple[int, tuple[int, ...]]],
                     threshold: int, helpers: set[int],
                     name: Callable[[int], str]) -> bytearray:
    """`protect` on cells numbered 0 … len(size) - 1, for callers that number their cells
    themselves (the monitor: hundreds of thousands of them). Relations with no parts are
    skipped; `name(i)` orders cells of equal size, so the same figures give the same pattern.
    Returns one flag per cell, 1 where a cell that holds records is suppressed (a cell of 0
    records is always hidden and not flagged), unpublished helpers left out."""
    relations = [r for r in relations if r[1]]
    helper = bytearray(len(size))
    for i in helpers:
        helper[i] = 1
    hidden = _Hidden(size, bytearray(0 < n < threshold or h
                                     for n, h in zip(size, helper, strict=True)))
    member_of = _memberships(size, relations)
    queue, queued = deque(range(len(relations))), bytearray(b"\x01") * len(relations)
    while queue:
        index = queue.popleft()
        queued[index] = 0
        extra = _one_more(*relations[index], size, hidden, threshold, helper, name)
        if extra is None:
            continue
        hidden.flags[extra] = 1
        for other in [index, *member_of[extra]]:
            if not queued[other]:
                queue.append(other)
                queued[other] = 1
    for i in helpers:
        hidden.flags[i] = 0
    return hidden.flags


def _memberships(size: Sequence[int], relations) -> dict[int, list[int]]:
    """The relations each cell with records is in: only those cells are ever hidden extra."""
    member_of = defaultdict(list)
    for index, (total, parts) in enumerate(relations):
        for key in (total, *parts):
            if size[key]:
                member_of[key].append(index)
    return member_of


class _Hidden:
    """The hidden cells: those of 0 records, and those flagged (one byte per cell: a large
    region has millions of cells, most of them empty)."""

    def __init__(self, size: Sequence[int], flags: bytearray):
        self.size, self.flags = size, flags

    def __contains__(self, key: int) -> bool:
        return not self.size[key] or self.flags[key] == 1


def _at_risk(key: int, size, suppressed, threshold, helper) -> bool:
    """A hidden cell whose value matters: it has records, and if it is an unpublished helper
    cell, fewer than the threshold."""
    n = size[key]
    return key in suppressed and n > 0 and not (helper[key] and n >= threshold)


def _one_more(total: int, parts: tuple, size, suppressed, threshold, helper, name):
    """The next cell to hide so the relation gives nothing away, or None when it is safe."""
    hidden = [p for p in parts if size[p] > 0 and p in suppressed]
    at_risk = [p for p in hidden if _at_risk(p, size, suppressed, threshold, helper)]
    if total in suppressed:
        # An unknown total: the hidden parts cannot be isolated unless the total can be
        # rebuilt from shown parts alone (then it is the one unknown).
        total_alone = not any(p in suppressed for p in parts)
        if not (total_alone and _at_risk(total, size, suppressed, threshold, helper)):
            return None
    elif not at_risk or (len(hidden) > 1 and sum(size[p] for p in hidden) >= threshold):
        # Nothing that matters is hidden, or the hidden cells (an unpublished helper among
        # them, perhaps) cannot be told apart and hold enough records together.
        return None
    candidates = [p for p in parts if p not in suppressed and size[p] > 0]
    if candidates:
        return min(candidates, key=lambda p: (size[p], name(p)))
    return None if total in suppressed else total


# --- what a suppressed cell looks like ---------------------------------------------------------

SUPPRESSED_LABEL = "onderdrukt"


def explanation(threshold: int) -> str:
    """The Dutch note beside every table and chart that can hold suppressed cells."""
    return (f"Onderdrukt: gebaseerd op minder dan {threshold} waarnemingen (< {threshold}), of "
            f"afgeschermd zodat zo'n klein aantal niet uit de andere cijfers is terug te "
            f"rekenen.")
