"""The dashboard's charts as data the templates draw in inline SVG: bars with their geometry
and labels, suppressed values drawn as a flagged stub. Pure: figures in, shapes out."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.statistics.formats import amount
from app.domain.statistics.report import TakeUpTable
from app.domain.statistics.service import Matthew

WIDTH = 640
LABEL = 150
BAR = 22
GAP = 8
PLOT = WIDTH - LABEL - 160


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    y: int
    width: int
    text: str
    suppressed: bool = False
    kind: str = "value"


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]
    height: int
    reference_x: int | None = None
    """Where a reference line is drawn (the Matthew index's 1.0: equal take-up)."""
    legend: tuple[str, ...] = ()


def _layout(rows: Sequence[tuple[str, Decimal | None, str, str]], top: Decimal) -> list[Bar]:
    bars = []
    for i, (label, value, text, kind) in enumerate(rows):
        y = GAP + i * (BAR + GAP)
        if value is None:
            bars.append(Bar(label, y, 6, text or "c (suppressed)", True, kind))
        else:
            width = int(PLOT * value / top) if top else 0
            bars.append(Bar(label, y, max(width, 1), text, False, kind))
    return bars


def _height(count: int) -> int:
    return GAP + count * (BAR + GAP) + GAP


def take_up_chart(key: str, title: str, table: TakeUpTable) -> Chart:
    """Take-up rate per cell of a one-way table."""
    dimension = table.by[0].value
    rows = [
        (
            cell.group[dimension],
            cell.take_up_rate,
            f"{cell.take_up_rate:.1%} of {cell.figures.eligible}" if cell.figures else "",
            "value",
        )
        for cell in table.cells
    ]
    rates = [r[1] for r in rows if r[1] is not None]
    return Chart(key, title, _layout(rows, max([Decimal(1), *rates])), _height(len(rows)))


def matthew_chart(found: Matthew) -> Chart:
    rows = [
        (
            p.period.key,
            p.index,
            "no index: a side suppressed or unused" if p.index is None else f"{p.index:.2f}",
            "value",
        )
        for p in found.trend
    ]
    indices = [r[1] for r in rows if r[1] is not None]
    top = max([Decimal(2), *indices]) * Decimal("1.1")
    return Chart(
        "matthew",
        f"Matthew index of {found.incentive}: take-up of high / low + medium educated",
        _layout(rows, top),
        _height(len(rows)),
        reference_x=LABEL + int(PLOT / top),
    )


def expired_chart(incentive: str, tables: Sequence[TakeUpTable]) -> Chart:
    """Per period: granted, used and expired unused (the grand totals)."""
    rows: list[tuple[str, Decimal | None, str, str]] = []
    figures = [t.grand_total.figures for t in tables]
    top = max([Decimal(f.granted) for f in figures if f] or [Decimal(1)])
    for table, f in zip(tables, figures, strict=True):
        amounts = (f.granted, f.used, f.expired_unused) if f else (None, None, None)
        for kind, minor in zip(("granted", "used", "expired"), amounts, strict=True):
            text = f"{amount(table, minor)} {table.unit.value}" if minor is not None else ""
            label = f"{table.period.key} {kind}"
            rows.append((label, None if minor is None else Decimal(minor), text, kind))
    return Chart(
        "expired",
        f"{incentive}: granted, used and expired unused per period",
        _layout(rows, top),
        _height(len(rows)),
        legend=("granted", "used", "expired"),
    )
