"""A published table as rows: for CSV downloads (API, dashboard) and the terminal (``llr
statistics``). Suppressed values are empty with the flag ``c``; quantities are decimal strings
in the table's unit."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from app.domain.quantities import Quantity
from app.domain.statistics.report import Cell, TakeUpTable

TOTAL = "total"
MEASURES = (
    "eligible",
    "users",
    "takeUpRate",
    "granted",
    "used",
    "reserved",
    "expiredUnused",
    "unit",
    "representationIndex",
    "flag",
)


def amount(table: TakeUpTable, minor: int) -> str:
    return Quantity.from_minor(minor, table.unit).text()


def _text(value: Decimal | int | None) -> str:
    return "" if value is None else str(value)


def _row(table: TakeUpTable, cell: Cell) -> list[str]:
    group = [cell.group.get(d.value, TOTAL) for d in table.by]
    f = cell.figures
    if f is None:
        return [*group, *([""] * (len(MEASURES) - 3)), table.unit.value, "", cell.flag or ""]
    quantities = (f.granted, f.used, f.reserved, f.expired_unused)
    return [
        *group,
        str(f.eligible),
        str(f.users),
        _text(cell.take_up_rate),
        *(amount(table, q) for q in quantities),
        table.unit.value,
        _text(cell.representation_index),
        "",
    ]


def rows(table: TakeUpTable) -> Iterator[list[str]]:
    """A header, the cells, then the totals (``total`` where a total sums over a dimension)."""
    yield [*(d.value for d in table.by), *MEASURES]
    for cell in [*table.cells, *table.totals]:
        yield _row(table, cell)


def to_csv(table: TakeUpTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows(table))
    return out.getvalue()


def to_text(table: TakeUpTable) -> str:
    """An aligned table for the terminal."""
    found = list(rows(table))
    widths = [max(len(r[i]) for r in found) for i in range(len(found[0]))]
    lines = ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in found]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
