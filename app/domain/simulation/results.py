"""A simulation's result as published: per incentive, baseline and reform side by side, over
all citizens and per group of the monitoring dimensions asked for, with the same disclosure
control as the take-up tables (``statistics.report.suppressed``: a cell of fewer than 10
citizens is suppressed, and more cells as needed so that none can be worked out)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.quantities import Quantity, Unit
from app.domain.simulation.tally import OVERALL, PER_INCENTIVE, SIDE, GroupKey, Tally
from app.domain.statistics.dimensions import Dimension
from app.domain.statistics.report import FLAG_CONFIDENTIAL, ordered_keys, suppressed, totals

COSTED = frozenset({"opleidingscheques", "vov", "vok"})
"""Incentives whose public cost the simulation models (docs/simulation.md)."""


@dataclass(frozen=True, slots=True)
class Row:
    """A tally row (``Tally.groups``' values), summable."""

    values: tuple[int, ...]

    def __add__(self, other: "Row") -> "Row":
        return Row(tuple(a + b for a, b in zip(self.values, other.values, strict=True)))


@dataclass(frozen=True, slots=True)
class SideFigures:
    beneficiaries: int
    entitlement: Quantity
    public_cost: Quantity | None
    citizen_share: Quantity | None


@dataclass(frozen=True, slots=True)
class Change:
    count: int
    amount: Quantity


@dataclass(frozen=True, slots=True)
class IncentiveFigures:
    incentive: str
    baseline: SideFigures
    reform: SideFigures
    gainers: Change
    losers: Change


@dataclass(frozen=True, slots=True)
class Overall:
    baseline_cost: Quantity
    reform_cost: Quantity
    gainers: Change
    losers: Change
    """Citizens on whom public spending goes up or down (EUR), over the costed incentives."""


@dataclass(frozen=True, slots=True)
class Cell:
    group: Mapping[str, str]
    citizens: int | None
    incentives: list[IncentiveFigures]
    overall: Overall | None
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class Published:
    by: tuple[Dimension, ...]
    total: Cell
    cells: list[Cell]
    totals: list[Cell]
    """Row totals, then column totals (two dimensions); the grand total is ``total``."""


def _eur(cents: int) -> Quantity:
    return Quantity.from_minor(cents, Unit.EUR)


def _side(code: str, unit: Unit, values: Sequence[int]) -> SideFigures:
    costed = code in COSTED
    return SideFigures(
        values[0],
        Quantity.from_minor(values[1], unit),
        _eur(values[2]) if costed else None,
        _eur(values[3]) if costed and values[3] else None,
    )


def _cell(tally: Tally, group: Mapping[str, str], row: Row, hidden: bool) -> Cell:
    if hidden:
        return Cell(group, None, [], None, FLAG_CONFIDENTIAL)
    values = row.values
    step, side = len(PER_INCENTIVE), len(SIDE)
    figures = []
    base_cost = reform_cost = 0
    for i, code in enumerate(tally.codes):
        at = 1 + i * step
        unit = Unit(tally.units.get(code, Unit.EUR.value))
        base = _side(code, unit, values[at : at + side])
        new = _side(code, unit, values[at + side : at + 2 * side])
        base_cost += values[at + 2]
        reform_cost += values[at + side + 2]
        change = values[at + 2 * side : at + 2 * side + 4]
        figures.append(
            IncentiveFigures(
                code,
                base,
                new,
                Change(change[0], Quantity.from_minor(change[1], unit)),
                Change(change[2], Quantity.from_minor(change[3], unit)),
            )
        )
    at = 1 + len(tally.codes) * step
    over = values[at : at + len(OVERALL)]
    overall = Overall(
        _eur(base_cost),
        _eur(reform_cost),
        Change(over[0], _eur(over[1])),
        Change(over[2], _eur(over[3])),
    )
    return Cell(group, values[0], figures, overall)


@dataclass(frozen=True, slots=True)
class Entry:
    """A published cell or total before it is read: its group, summed row, suppressed."""

    group: Mapping[str, str]
    row: Row
    hidden: bool


def entries(tally: Tally, by: Sequence[Dimension]) -> tuple[list[Entry], int]:
    """The cells by ``by`` (in order), then the totals (the grand total last), small cells
    suppressed; and how many are cells. The citizens are each row's first value."""
    width = tally.width
    rows: dict[GroupKey, Row] = {}
    for group, values in tally.groups.items():
        key = tuple(group[list(Dimension).index(d)] for d in by)
        rows[key] = rows.get(key, Row((0,) * width)) + Row(tuple(values))
    keys = ordered_keys(rows, by)
    summed = totals(rows, by, Row((0,) * width))
    found = [rows[k] for k in keys] + [r for _, r in summed]
    hidden = suppressed(keys, [r.values[0] for r in found], by)
    names = [d.value for d in by]
    groups = [dict(zip(names, k, strict=True)) for k in keys] + [g for g, _ in summed]
    made = [Entry(g, r, i in hidden) for i, (g, r) in enumerate(zip(groups, found, strict=True))]
    return made, len(keys)


def publish(tally: Tally, by: Sequence[Dimension]) -> Published:
    """The result by ``by`` (none: the totals only), small cells suppressed."""
    found, n = entries(tally, by)
    made = [_cell(tally, e.group, e.row, e.hidden) for e in found]
    return Published(tuple(by), made[-1], made[:n], made[n:-1])
