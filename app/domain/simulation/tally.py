"""What a simulation counts, per group of citizens (the monitoring dimensions): integers only,
so tallies of batches (from worker processes) add up exactly and are stored as JSON.

Per incentive: beneficiaries, entitlement (minor units of the incentive's unit), public cost
and the citizens' own share (EUR cents) on each side, and gainers and losers (citizens whose
entitlement goes up or down, by how much). Over all incentives: gainers and losers of public
spending on them (EUR cents), for the incentives whose cost is modelled."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from app.domain.statistics.dimensions import UNKNOWN, age_band, employer_size

if TYPE_CHECKING:
    from app.domain.simulation.evaluate import Pair

GroupKey = tuple[str, ...]
"""The values of every monitoring dimension, in ``Dimension`` order."""
SIDE = ("beneficiaries", "entitlement", "publicCost", "citizenShare")
PER_INCENTIVE = (
    *(f"baseline.{m}" for m in SIDE),
    *(f"reform.{m}" for m in SIDE),
    "gainers",
    "gain",
    "losers",
    "loss",
)
OVERALL = ("gainers", "gain", "losers", "loss")


@dataclass(slots=True)
class Tally:
    codes: Sequence[str]
    groups: dict[GroupKey, list[int]] = field(default_factory=dict)
    """[citizens, *PER_INCENTIVE per code, *OVERALL] per group."""
    units: dict[str, str] = field(default_factory=dict)
    evaluations: int = 0
    worker: int = 0
    horizon: "HorizonTally | None" = None
    """A multi-year run's tallies (``periods`` > 1), beside the first period's."""

    @property
    def width(self) -> int:
        return 1 + len(self.codes) * len(PER_INCENTIVE) + len(OVERALL)

    def row(self, group: GroupKey) -> list[int]:
        found = self.groups.get(group)
        if found is None:
            found = self.groups[group] = [0] * self.width
        return found

    def add(self, other: "Tally") -> None:
        for group, values in other.groups.items():
            mine = self.row(group)
            for i, v in enumerate(values):
                mine[i] += v
        for code, unit in other.units.items():
            self.units.setdefault(code, unit)
        if other.horizon is not None:
            if self.horizon is None:
                self.horizon = HorizonTally(other.horizon.codes, periods=other.horizon.periods)
            self.horizon.add(other.horizon)

    def as_json(self) -> dict[str, Any]:
        made = {
            "codes": list(self.codes),
            "units": self.units,
            "groups": [[list(k), v] for k, v in sorted(self.groups.items())],
        }
        if self.horizon is not None:
            made["horizon"] = self.horizon.as_json()
        return made

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Tally":
        tally = cls(list(data["codes"]), units=dict(data["units"]))
        tally.groups = {tuple(k): list(v) for k, v in data["groups"]}
        if "horizon" in data:
            tally.horizon = HorizonTally.from_json(data["horizon"])
        return tally


STEP = ("beneficiaries", "entitlement", "expectedUse", "carriedOver", "expired", "publicCost")
"""One side's figures for one period of a multi-year run (amounts in minor units)."""


@dataclass(slots=True)
class HorizonTally(Tally):
    """A multi-year run per group: [citizens, per code (per side: citizens who were a
    beneficiary in any period, then ``STEP`` per period), gainers, gain, losers, loss of
    expected use over the horizon, then ``OVERALL`` of the public cost of expected use]."""

    periods: int = 1

    @property
    def side_width(self) -> int:
        return 1 + self.periods * len(STEP)

    @property
    def code_width(self) -> int:
        return 2 * self.side_width + len(OVERALL)

    @property
    def width(self) -> int:
        return 1 + len(self.codes) * self.code_width + len(OVERALL)

    def as_json(self) -> dict[str, Any]:
        return {**Tally.as_json(self), "periods": self.periods}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "HorizonTally":
        tally = cls(list(data["codes"]), units=dict(data["units"]), periods=int(data["periods"]))
        tally.groups = {tuple(k): list(v) for k, v in data["groups"]}
        return tally


def add_change(row: list[int], at: int, n: int, change: int) -> None:
    """``n`` citizens whose figure changes by ``change``: gainers, gain, losers, loss at
    ``row[at:at + 4]``."""
    if change > 0:
        row[at] += n
        row[at + 1] += n * change
    elif change < 0:
        row[at + 2] += n
        row[at + 3] -= n * change


def add_citizens(tally: Tally, group: GroupKey, pairs: "Sequence[Pair]", n: int) -> None:
    """``n`` citizens of ``group`` with these (baseline, reform) answers, one per code."""
    row = tally.row(group)
    row[0] += n
    step = len(PER_INCENTIVE)
    cost_change = 0
    for i, (code, (base, new)) in enumerate(zip(tally.codes, pairs, strict=True)):
        unit = base.unit or new.unit
        if unit:
            tally.units.setdefault(code, unit)
        at = 1 + i * step
        for j, side in enumerate((base, new)):
            citizen = sum(c for payer, c in side.funding if payer == "citizen")
            values = (int(side.beneficiary), side.amount, side.public_cost, citizen)
            for k, value in enumerate(values):
                row[at + j * len(SIDE) + k] += n * value
        add_change(row, at + 2 * len(SIDE), n, new.amount - base.amount)
        cost_change += new.public_cost - base.public_cost
    add_change(row, 1 + len(tally.codes) * step, n, cost_change)


def group_of_facts(facts: Mapping[str, Any], on: date) -> GroupKey:
    """The monitoring group of a citizen monitoring holds none for, from the facts valid on
    ``on`` (the stored facts name no sex: ``unknown``)."""
    born = facts.get("birthDate")
    fte = facts.get("employerFte")
    try:
        size = employer_size(Decimal(str(fte))) if fte is not None else UNKNOWN
    except InvalidOperation:
        size = UNKNOWN
    return (
        str(facts.get("educationLevel", UNKNOWN)),
        age_band(date.fromisoformat(born), on) if isinstance(born, str) else UNKNOWN,
        UNKNOWN,
        str(facts.get("status", UNKNOWN)),
        str(facts.get("sector", UNKNOWN)),
        str(facts.get("residenceRegion", UNKNOWN)),
        size,
    )
