"""The multi-year part of GET /simulations/{id} (a run of ``periods`` > 1): the behavioural
assumption stated, then per incentive and period (and over the horizon) for baseline and
reform, over all citizens and by group with the one-period result's suppression."""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from app.domain.periods import parse_key
from app.domain.simulation import multi_year
from app.domain.simulation.behaviour import Behaviour
from app.domain.simulation.results import Change
from app.domain.simulation.tally import HorizonTally
from app.domain.statistics.dimensions import Dimension
from app.schemas.base import ApiModel
from app.schemas.common import PeriodOut, QuantityOut


class ChangeOut(ApiModel):
    count: int = Field(description="Citizens")
    amount: QuantityOut = Field(description="By how much in all")

    @classmethod
    def of(cls, change: Change) -> "ChangeOut":
        return cls(count=change.count, amount=QuantityOut.of(change.amount))


class TakeUpRateOut(ApiModel):
    group: str = Field(description="A value of the take-up dimension")
    rate: str = Field(description="Decimal string, 0 to 1", examples=["0.2500"])
    source: Literal["observed", "overall", "assumed"] = Field(
        description="observed: the group's published rate; overall: the incentive's (the "
        "group's suppressed or absent); assumed: no take-up observed, full use"
    )


class IncentiveTakeUpOut(ApiModel):
    incentive: str
    source_period: str | None = Field(
        description="The closed period the rates were observed in; null: none had take-up"
    )
    overall_rate: str | None = Field(description="The incentive's overall rate (null: none)")
    rates: list[TakeUpRateOut]


class BehaviourOut(ApiModel):
    take_up_by: Dimension
    incentives: list[IncentiveTakeUpOut]
    pending_legs: int = Field(description="Ledger legs not yet in monitoring when read")
    not_followed: dict[str, str] = Field(
        description="Incentives the multi-year run leaves out, and why"
    )
    assumptions: list[str]

    @classmethod
    def of(cls, behaviour: Behaviour | None, data: Mapping[str, Any]) -> "BehaviourOut":
        made = behaviour.incentives.values() if behaviour else []
        return cls(
            take_up_by=behaviour.by if behaviour else Dimension.EDUCATION_LEVEL,
            incentives=[
                IncentiveTakeUpOut(
                    incentive=t.incentive,
                    source_period=t.period,
                    overall_rate=None if t.overall is None else str(t.overall),
                    rates=[
                        TakeUpRateOut(group=v, rate=str(r.rate), source=r.source)
                        for v, r in t.groups.items()
                    ],
                )
                for t in made
            ],
            pending_legs=behaviour.pending if behaviour else 0,
            not_followed=dict(data["notFollowed"]),
            assumptions=list(data["assumptions"]),
        )


class HorizonSideOut(ApiModel):
    beneficiaries: int = Field(
        description="Citizens with a right (over the horizon: in any period)"
    )
    entitlement: QuantityOut
    expected_use: QuantityOut = Field(description="Take-up rate x what the citizens held")
    carried_over: QuantityOut = Field(
        description="Into the next period (horizon total: out of the last one, still held)"
    )
    expired: QuantityOut
    public_cost: QuantityOut | None = Field(
        description="EUR the government pays for the expected use; null: not modelled"
    )

    @classmethod
    def of(cls, side: multi_year.HorizonSide) -> "HorizonSideOut":
        return cls(
            beneficiaries=side.beneficiaries,
            entitlement=QuantityOut.of(side.entitlement),
            expected_use=QuantityOut.of(side.expected_use),
            carried_over=QuantityOut.of(side.carried_over),
            expired=QuantityOut.of(side.expired),
            public_cost=QuantityOut.optional(side.public_cost),
        )


class HorizonPeriodOut(ApiModel):
    period: str = Field(description="A period key, or total (the whole horizon)")
    baseline: HorizonSideOut
    reform: HorizonSideOut

    @classmethod
    def of(cls, found: multi_year.HorizonPeriod) -> "HorizonPeriodOut":
        return cls(
            period=found.period,
            baseline=HorizonSideOut.of(found.baseline),
            reform=HorizonSideOut.of(found.reform),
        )


class HorizonIncentiveOut(ApiModel):
    incentive: str
    periods: list[HorizonPeriodOut]
    total: HorizonPeriodOut
    gainers: ChangeOut = Field(description="Citizens whose expected use over the horizon rises")
    losers: ChangeOut = Field(description="Citizens whose expected use over the horizon falls")


class PeriodCostOut(ApiModel):
    period: str
    baseline_public_cost: QuantityOut
    reform_public_cost: QuantityOut

    @classmethod
    def of(cls, cost: multi_year.PeriodCost) -> "PeriodCostOut":
        return cls(
            period=cost.period,
            baseline_public_cost=QuantityOut.of(cost.baseline),
            reform_public_cost=QuantityOut.of(cost.reform),
        )


class HorizonOverallOut(ApiModel):
    periods: list[PeriodCostOut]
    total: PeriodCostOut
    gainers: ChangeOut = Field(description="Citizens on whom spending over the horizon rises")
    losers: ChangeOut = Field(description="Citizens on whom spending over the horizon falls")


class PublishedCellOut(ApiModel):
    """A group's cell (or a total) of a simulation's result, suppressed or not."""

    group: dict[str, str]
    citizens: int | None
    flag: Literal["c"] | None = Field(
        description="c: suppressed (fewer than 10 citizens, or it would give one away)"
    )


class HorizonCellOut(PublishedCellOut):
    incentives: list[HorizonIncentiveOut]
    overall: HorizonOverallOut | None

    @classmethod
    def of(cls, cell: multi_year.HorizonCell) -> "HorizonCellOut":
        over = cell.overall
        return cls(
            group=dict(cell.group),
            citizens=cell.citizens,
            incentives=[
                HorizonIncentiveOut(
                    incentive=f.incentive,
                    periods=[HorizonPeriodOut.of(p) for p in f.periods],
                    total=HorizonPeriodOut.of(f.total),
                    gainers=ChangeOut.of(f.gainers),
                    losers=ChangeOut.of(f.losers),
                )
                for f in cell.incentives
            ],
            overall=None
            if over is None
            else HorizonOverallOut(
                periods=[PeriodCostOut.of(p) for p in over.periods],
                total=PeriodCostOut.of(over.total),
                gainers=ChangeOut.of(over.gainers),
                losers=ChangeOut.of(over.losers),
            ),
            flag="c" if cell.flag else None,
        )


class MultiYearOut(ApiModel):
    periods: list[PeriodOut]
    behaviour: BehaviourOut = Field(description="The behavioural assumption, stated")
    total: HorizonCellOut = Field(description="All citizens simulated")
    cells: list[HorizonCellOut]
    totals: list[HorizonCellOut] = Field(description="Row then column totals (two dimensions)")

    @classmethod
    def of(
        cls, tally: HorizonTally, data: Mapping[str, Any], by: tuple[Dimension, ...]
    ) -> "MultiYearOut":
        keys = list(data["periods"])
        published = multi_year.publish_horizon(tally, keys, by)
        return cls(
            periods=[PeriodOut.of(parse_key(k)) for k in keys],
            behaviour=BehaviourOut.of(multi_year.behaviour_of(data), data),
            total=HorizonCellOut.of(published.total),
            cells=[HorizonCellOut.of(c) for c in published.cells],
            totals=[HorizonCellOut.of(c) for c in published.totals],
        )
