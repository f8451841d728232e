"""A published simulation result as rows (CSV, the terminal) and as JSON-ready data (``llr
simulate --json``): one row per cell (and total) and incentive, suppressed cells empty with the
flag ``c``; amounts are decimal strings in the row's unit (costs in EUR)."""

import csv
import io
from collections.abc import Iterator
from typing import Any

from app.domain.quantities import Quantity
from app.domain.simulation.multi_year import HorizonCell, HorizonPublished, HorizonSide
from app.domain.simulation.results import Cell, Published

TOTAL = "total"
HEADER = (
    "incentive",
    "citizens",
    "unit",
    "baselineBeneficiaries",
    "baselineEntitlement",
    "baselinePublicCost",
    "baselineCitizenShare",
    "reformBeneficiaries",
    "reformEntitlement",
    "reformPublicCost",
    "reformCitizenShare",
    "gainers",
    "gain",
    "losers",
    "loss",
    "flag",
)


def _text(quantity: Quantity | None) -> str:
    return "" if quantity is None else quantity.text()


def _rows(published: Published, cell: Cell) -> Iterator[list[str]]:
    group = [cell.group.get(d.value, TOTAL) for d in published.by]
    if cell.flag:
        yield [*group, "", "", "", *([""] * (len(HEADER) - 4)), cell.flag]
        return
    over = cell.overall
    for f in cell.incentives:
        yield [
            *group,
            f.incentive,
            str(cell.citizens),
            f.baseline.entitlement.unit.value,
            str(f.baseline.beneficiaries),
            f.baseline.entitlement.text(),
            _text(f.baseline.public_cost),
            _text(f.baseline.citizen_share),
            str(f.reform.beneficiaries),
            f.reform.entitlement.text(),
            _text(f.reform.public_cost),
            _text(f.reform.citizen_share),
            str(f.gainers.count),
            f.gainers.amount.text(),
            str(f.losers.count),
            f.losers.amount.text(),
            "",
        ]
    if over is not None:
        yield [
            *group,
            "allCosted",
            str(cell.citizens),
            "EUR",
            "",
            "",
            over.baseline_cost.text(),
            "",
            "",
            "",
            over.reform_cost.text(),
            "",
            str(over.gainers.count),
            over.gainers.amount.text(),
            str(over.losers.count),
            over.losers.amount.text(),
            "",
        ]


def rows(published: Published) -> Iterator[list[str]]:
    yield [*(d.value for d in published.by), *HEADER]
    for cell in [*published.cells, *published.totals, published.total]:
        yield from _rows(published, cell)


def to_csv(published: Published) -> str:
    return table_csv(rows(published))


def to_data(published: Published) -> list[dict[str, Any]]:
    return table_data(rows(published))


SIDE_COLUMNS = (
    "Beneficiaries",
    "Entitlement",
    "ExpectedUse",
    "CarriedOver",
    "Expired",
    "PublicCost",
)
HORIZON_HEADER = (
    "incentive",
    "period",
    "citizens",
    "unit",
    *(f"baseline{c}" for c in SIDE_COLUMNS),
    *(f"reform{c}" for c in SIDE_COLUMNS),
    "gainers",
    "gain",
    "losers",
    "loss",
    "flag",
)


def _side(side: HorizonSide) -> list[str]:
    return [
        str(side.beneficiaries),
        side.entitlement.text(),
        side.expected_use.text(),
        side.carried_over.text(),
        side.expired.text(),
        _text(side.public_cost),
    ]


def _horizon_rows(published: HorizonPublished, cell: HorizonCell) -> Iterator[list[str]]:
    group = [cell.group.get(d.value, TOTAL) for d in published.by]
    if cell.flag:
        yield [*group, *([""] * (len(HORIZON_HEADER) - 1)), cell.flag]
        return
    citizens = str(cell.citizens)
    for f in cell.incentives:
        unit = f.total.baseline.entitlement.unit.value
        for p in f.periods:
            yield [
                *group,
                f.incentive,
                p.period,
                citizens,
                unit,
                *_side(p.baseline),
                *_side(p.reform),
                "",
                "",
                "",
                "",
                "",
            ]
        changes = [
            str(f.gainers.count),
            f.gainers.amount.text(),
            str(f.losers.count),
            f.losers.amount.text(),
        ]
        yield [
            *group,
            f.incentive,
            TOTAL,
            citizens,
            unit,
            *_side(f.total.baseline),
            *_side(f.total.reform),
            *changes,
            "",
        ]
    over = cell.overall
    if over is None:
        return
    blank = [""] * (len(SIDE_COLUMNS) - 1)
    for cost in [*over.periods, over.total]:
        last = cost is over.total
        changes = (
            [
                str(over.gainers.count),
                over.gainers.amount.text(),
                str(over.losers.count),
                over.losers.amount.text(),
            ]
            if last
            else [""] * 4
        )
        yield [
            *group,
            "allCosted",
            cost.period,
            citizens,
            "EUR",
            *blank,
            cost.baseline.text(),
            *blank,
            cost.reform.text(),
            *changes,
            "",
        ]


def horizon_rows(published: HorizonPublished) -> Iterator[list[str]]:
    """A multi-year result: per cell, incentive and period (then ``total``), and the public
    cost over the costed incentives (``allCosted``)."""
    yield [*(d.value for d in published.by), *HORIZON_HEADER]
    for cell in [*published.cells, *published.totals, published.total]:
        yield from _horizon_rows(published, cell)


def table_csv(found: Iterator[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(found)
    return out.getvalue()


def table_data(found: Iterator[list[str]]) -> list[dict[str, Any]]:
    header, *rest = list(found)
    return [dict(zip(header, row, strict=True)) for row in rest]
