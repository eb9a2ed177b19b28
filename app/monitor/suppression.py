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
from collections.abc import Hashable, Iterable, Mapping
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
    number: dict = {}  # key -> a small int, so the loop below hashes ints only
    ties = [(total, parts) for relation in relations if (parts := relation.parts)
            for total in (relation.total,)]
    relations = [(number.setdefault(total, len(number)),
                  tuple(number.setdefault(p, len(number)) for p in parts))
                 for total, parts in ties]
    for key in sizes:
        number.setdefault(key, len(number))
    keys = list(number)
    size = [sizes.get(key, 0) for key in keys]
    hidden_helpers = {number[k] for k in unpublished if k in number}
    suppressed = {i for i, n in enumerate(size) if n < threshold} | hidden_helpers
    member_of = defaultdict(list)
    for index, (total, parts) in enumerate(relations):
        for key in (total, *parts):
            member_of[key].append(index)
    queue, queued = deque(range(len(relations))), set(range(len(relations)))
    while queue:
        index = queue.popleft()
        queued.discard(index)
        extra = _one_more(*relations[index], size, suppressed, threshold, hidden_helpers, keys)
        if extra is None:
            continue
        suppressed.add(extra)
        for other in [index, *member_of[extra]]:
            if other not in queued:
                queue.append(other)
                queued.add(other)
    return frozenset(keys[i] for i in suppressed - hidden_helpers)


def _at_risk(key: int, size, suppressed, threshold, helpers) -> bool:
    """A hidden cell whose value matters: it has records, and if it is an unpublished helper
    cell, fewer than the threshold."""
    n = size[key]
    return key in suppressed and n > 0 and not (key in helpers and n >= threshold)


def _one_more(total: int, parts: tuple, size, suppressed, threshold, helpers, keys):
    """The next cell to hide so the relation gives nothing away, or None when it is safe."""
    hidden = [p for p in parts if p in suppressed and size[p] > 0]
    at_risk = [p for p in hidden if _at_risk(p, size, suppressed, threshold, helpers)]
    if total in suppressed:
        # An unknown total: the hidden parts cannot be isolated unless the total can be
        # rebuilt from shown parts alone (then it is the one unknown).
        total_alone = not any(p in suppressed for p in parts)
        if not (total_alone and _at_risk(total, size, suppressed, threshold, helpers)):
            return None
    elif not at_risk or (len(hidden) > 1 and sum(size[p] for p in hidden) >= threshold):
        # Nothing that matters is hidden, or the hidden cells (an unpublished helper among
        # them, perhaps) cannot be told apart and hold enough records together.
        return None
    candidates = [p for p in parts if p not in suppressed and size[p] > 0]
    if candidates:
        return min(candidates, key=lambda p: (size[p], repr(keys[p])))
    return None if total in suppressed else total


# --- what a suppressed cell looks like ---------------------------------------------------------

SUPPRESSED_LABEL = "onderdrukt"


def explanation(threshold: int) -> str:
    """The Dutch note beside every table and chart that can hold suppressed cells."""
    return (f"Onderdrukt: gebaseerd op minder dan {threshold} waarnemingen (< {threshold}), of "
            f"afgeschermd zodat zo'n klein aantal niet uit de andere cijfers is terug te "
            f"rekenen.")
