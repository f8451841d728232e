"""A published simulation result as rows (CSV, the terminal) and as JSON-ready data (``llr
simulate --json``): one row per cell (and total) and incentive, suppressed cells empty with the
flag ``c``; amounts are decimal strings in the row's unit (costs in EUR)."""

import csv
import io
from collections.abc import Iterator
from typing import Any

from app.domain.quantities import Quantity
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
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows(published))
    return out.getvalue()


def to_data(published: Published) -> list[dict[str, Any]]:
    found = list(rows(published))
    return [dict(zip(found[0], row, strict=True)) for row in found[1:]]
