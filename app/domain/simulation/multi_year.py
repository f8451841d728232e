"""A multi-year run's result: what is stored beside the first period's tallies (the periods,
the incentives followed, the behavioural assumption stated), and the result as published per
period and over the horizon, by group, with the one-period result's disclosure control
(``results.entries``)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.domain.quantities import Quantity, Unit
from app.domain.simulation.behaviour import Behaviour
from app.domain.simulation.horizon import followed
from app.domain.simulation.results import COSTED, Change, Row, entries
from app.domain.simulation.tally import OVERALL, STEP, HorizonTally
from app.domain.statistics.dimensions import Dimension
from app.domain.statistics.report import FLAG_CONFIDENTIAL

if TYPE_CHECKING:
    from app.domain.simulation.run import Run

TOTAL = "total"
ASSUMPTIONS = (
    "Expected use: each citizen uses the take-up rate of their group of what they hold in a "
    "period (its right plus what was carried into it), an expected value rounded to the minor "
    "unit per citizen: the result is deterministic.",
    "Take-up rates: monitoring's published take-up by the named dimension, for each "
    "incentive's most recent closed period; a group whose rate is suppressed or absent takes "
    "the incentive's overall rate; an incentive with no observed take-up is assumed fully used "
    "(rate 1, the upper bound of its cost). Baseline and reform use the same rates: the reform "
    "is assumed not to change take-up.",
    "Carry-over: at each period's end what is left moves on by the ledger's own rule (used out "
    "of the oldest first, lapsed past carryOverValidity, capped by carryOverCap youngest "
    "first) under each side's parameters; the rest expires.",
    "The pause (pauseWhenNotEligible) changes nothing here: as in the ledger, a carried "
    "balance stays usable whether or not its holder still qualifies, and the pause only keeps "
    "the period's own grant of a citizen who stops qualifying within the period, which a run "
    "reading each period's facts on one day does not see.",
    "Facts are not projected: each period reads the facts valid on its reference date as "
    "recorded when the simulation started (ages and the age of a POP move on, nothing else); "
    "a citizen keeps the monitoring group of the first period's first day.",
    "Public cost: of the expected use, priced as in a one-period run.",
)


def multi_year_data(run: "Run") -> dict[str, Any]:
    """What is stored of a multi-year run beside its tallies."""
    periods = run.horizon
    codes, left = followed(periods)
    assert run.behaviour is not None or not codes
    return {
        "periods": [p.key for p in periods],
        "followed": list(codes),
        "notFollowed": left,
        "behaviour": run.behaviour.as_json() if run.behaviour else None,
        "assumptions": list(ASSUMPTIONS),
    }


def behaviour_of(data: Mapping[str, Any]) -> Behaviour | None:
    found = data.get("behaviour")
    return Behaviour.from_json(found) if found else None


@dataclass(frozen=True, slots=True)
class HorizonSide:
    beneficiaries: int
    """Citizens with a right above zero (over the horizon: in any period)."""
    entitlement: Quantity
    expected_use: Quantity
    carried_over: Quantity
    """Into the next period (over the horizon: out of the last, still held at its end)."""
    expired: Quantity
    public_cost: Quantity | None
    """EUR the government pays for the expected use; None: not modelled."""


@dataclass(frozen=True, slots=True)
class HorizonPeriod:
    period: str
    """A period key, or ``total`` for the whole horizon."""
    baseline: HorizonSide
    reform: HorizonSide


@dataclass(frozen=True, slots=True)
class HorizonIncentive:
    incentive: str
    periods: list[HorizonPeriod]
    total: HorizonPeriod
    gainers: Change
    """Citizens whose expected use over the horizon goes up, and by how much."""
    losers: Change


@dataclass(frozen=True, slots=True)
class PeriodCost:
    period: str
    baseline: Quantity
    reform: Quantity


@dataclass(frozen=True, slots=True)
class HorizonOverall:
    periods: list[PeriodCost]
    total: PeriodCost
    gainers: Change
    """Citizens on whom public spending over the horizon goes up (EUR)."""
    losers: Change


@dataclass(frozen=True, slots=True)
class HorizonCell:
    group: Mapping[str, str]
    citizens: int | None
    incentives: list[HorizonIncentive]
    overall: HorizonOverall | None
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class HorizonPublished:
    by: tuple[Dimension, ...]
    periods: tuple[str, ...]
    total: HorizonCell
    cells: list[HorizonCell]
    totals: list[HorizonCell]


def _eur(cents: int) -> Quantity:
    return Quantity.from_minor(cents, Unit.EUR)


def _side(code: str, unit: Unit, ever: int, steps: Sequence[Sequence[int]]) -> HorizonSide:
    """The horizon's figures of one side from its per-period ``STEP`` values."""
    summed = [sum(s[k] for s in steps) for k in range(len(STEP))]
    return HorizonSide(
        ever,
        Quantity.from_minor(summed[1], unit),
        Quantity.from_minor(summed[2], unit),
        Quantity.from_minor(steps[-1][3], unit),
        Quantity.from_minor(summed[4], unit),
        _eur(summed[5]) if code in COSTED else None,
    )


def _change(values: Sequence[int], unit: Unit) -> tuple[Change, Change]:
    return (
        Change(values[0], Quantity.from_minor(values[1], unit)),
        Change(values[2], Quantity.from_minor(values[3], unit)),
    )


def _cell(
    tally: HorizonTally, keys: Sequence[str], group: Mapping[str, str], row: Row, hidden: bool
) -> HorizonCell:
    if hidden:
        return HorizonCell(group, None, [], None, FLAG_CONFIDENTIAL)
    values, n, width = row.values, len(keys), len(STEP)
    figures = []
    costs = [[0, 0] for _ in keys]
    for i, code in enumerate(tally.codes):
        unit = Unit(tally.units.get(code, Unit.EUR.value))
        at = 1 + i * tally.code_width
        per_side = []
        for side in (0, 1):
            start = at + side * tally.side_width
            steps = [values[start + 1 + p * width : start + 1 + (p + 1) * width] for p in range(n)]
            for p, step in enumerate(steps):
                costs[p][side] += step[5]
            per_side.append(
                (
                    [_side(code, unit, s[0], [s]) for s in steps],
                    _side(code, unit, values[start], steps),
                )
            )
        (base_periods, base_total), (new_periods, new_total) = per_side
        gainers, losers = _change(values[at + 2 * tally.side_width :], unit)
        figures.append(
            HorizonIncentive(
                code,
                [
                    HorizonPeriod(k, b, r)
                    for k, b, r in zip(keys, base_periods, new_periods, strict=True)
                ],
                HorizonPeriod(TOTAL, base_total, new_total),
                gainers,
                losers,
            )
        )
    over = values[1 + len(tally.codes) * tally.code_width :][: len(OVERALL)]
    gainers, losers = _change(over, Unit.EUR)
    per_period = [PeriodCost(k, _eur(b), _eur(r)) for k, (b, r) in zip(keys, costs, strict=True)]
    total = PeriodCost(TOTAL, _eur(sum(c[0] for c in costs)), _eur(sum(c[1] for c in costs)))
    return HorizonCell(
        group, values[0], figures, HorizonOverall(per_period, total, gainers, losers)
    )


def publish_horizon(
    tally: HorizonTally, periods: Sequence[str], by: Sequence[Dimension]
) -> HorizonPublished:
    """The multi-year result by ``by``, small cells suppressed as in the one-period result."""
    found, n = entries(tally, by)
    made = [_cell(tally, periods, e.group, e.row, e.hidden) for e in found]
    cells = made[:n] if by else []  # by nothing: the one cell is the total
    return HorizonPublished(tuple(by), tuple(periods), made[-1], cells, made[n:-1])
