"""Disclosure control for published tables: primary suppression of small cells and secondary
suppression until no suppressed value can be worked out from what is published.

A table is a list of entries (cells, their row and column totals, the grand total) and the
additions that tie them (``total = sum of parts``). An attacker knows every published entry and
every addition, so the suppressed entries are the unknowns of a linear system; an unknown is
exposed when that system fixes its value. ``protect`` suppresses every entry under the
threshold, then, as long as an exposed one remains, also the smallest published entry it may
suppress that shares an addition with it: for a row with one suppressed cell, the next
smallest cell of that row. The check is exact (rational arithmetic on the system), so it also
catches values that only a combination of rows and columns gives away."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

THRESHOLD = 10
"""Fewest citizens a published cell may count."""


@dataclass(frozen=True, slots=True)
class Addition:
    """``entries[total] == sum(entries[p] for p in parts)``."""

    total: int
    parts: tuple[int, ...]


def exposed(suppressed: Iterable[int], additions: Sequence[Addition]) -> set[int]:
    """The suppressed entries whose value the published entries and the additions fix."""
    unknowns = sorted(set(suppressed))
    column = {entry: i for i, entry in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for addition in additions:
        row = [Fraction(0)] * len(unknowns)
        for part in addition.parts:
            if part in column:
                row[column[part]] += 1
        if addition.total in column:
            row[column[addition.total]] -= 1
        if any(row):
            rows.append(row)
    pivots = _reduce(rows, len(unknowns))
    free = set(range(len(unknowns))) - set(pivots.values())
    return {
        unknowns[col] for row, col in pivots.items() if all(rows[row][other] == 0 for other in free)
    }


def _reduce(rows: list[list[Fraction]], width: int) -> dict[int, int]:
    """Brings ``rows`` to reduced row echelon form in place; {pivot row: its column}."""
    pivots: dict[int, int] = {}
    top = 0
    for col in range(width):
        found = next((r for r in range(top, len(rows)) if rows[r][col] != 0), None)
        if found is None:
            continue
        rows[top], rows[found] = rows[found], rows[top]
        lead = rows[top][col]
        rows[top] = [value / lead for value in rows[top]]
        for r in range(len(rows)):
            if r != top and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[top], strict=True)]
        pivots[top] = col
        top += 1
    return pivots


def protect(
    counts: Sequence[int],
    additions: Sequence[Addition],
    suppressible: Iterable[int],
    already: Iterable[int] = (),
    threshold: int = THRESHOLD,
) -> set[int]:
    """The entries to suppress: those counting fewer than ``threshold`` citizens, those in
    ``already`` (suppressed by another published table), and as many more of ``suppressible``
    as it takes for none to be exposed. When every suppressible entry is suppressed and some
    entry is still exposed, it is given away by published totals alone: left so if it counts
    enough citizens, otherwise the whole table is suppressed."""
    allowed = set(suppressible)
    hidden = {i for i, count in enumerate(counts) if count < threshold} | set(already)
    while found := exposed(hidden, additions):
        target = min(found)
        near = {
            entry
            for addition in additions
            if target == addition.total or target in addition.parts
            for entry in (addition.total, *addition.parts)
        }
        candidates = (near & allowed) - hidden or allowed - hidden
        if not candidates:
            # what is still exposed follows from published totals alone: harmless unless small
            if any(counts[i] < threshold for i in exposed(hidden, additions)):
                return set(range(len(counts)))
            return hidden
        hidden.add(min(candidates, key=lambda i: (counts[i], i)))
    return hidden
