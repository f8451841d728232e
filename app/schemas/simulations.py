"""Bodies of POST /simulations and GET /simulations/{id}."""

from typing import Any, Literal

from pydantic import Field

from app.domain.periods import parse_key
from app.domain.simulation import results
from app.domain.simulation.horizon import MAX_PERIODS
from app.domain.simulation.service import Simulation
from app.domain.statistics.dimensions import Dimension
from app.schemas.base import ApiModel
from app.schemas.common import PeriodOut, QuantityOut
from app.schemas.simulations_multi_year import ChangeOut, MultiYearOut, PublishedCellOut


class SimulationIn(ApiModel):
    name: str = Field(min_length=1, max_length=200, examples=["VOV from 50% again"])
    period: str | None = Field(
        default=None,
        max_length=30,
        description="The period simulated, e.g. 2027-28 (a named reform has its own default)",
    )
    reform: dict[str, Any] | None = Field(
        default=None,
        description='{"parameters": {"<incentive>.<parameter>": [{"effectiveFrom", "value"}]}, '
        '"baseline": {"parameters": {...}}, "description"}: dated values that replace the '
        "law's from their first effectiveFrom on (baseline: the rules the reform is compared "
        "with; default the law)",
        examples=[
            {
                "parameters": {
                    "vov.minEmploymentFraction": [{"effectiveFrom": "2027-09-01", "value": "0.50"}]
                }
            }
        ],
    )
    reform_name: str | None = Field(
        default=None, max_length=80, description="One of the named example reforms instead"
    )
    periods: int = Field(
        default=1,
        ge=1,
        le=MAX_PERIODS,
        description="Periods simulated one after the other from `period` (school or calendar "
        "years); more than one: a multi-year run with carry-over and observed take-up",
    )
    take_up_by: str | None = Field(
        default=None,
        max_length=30,
        description="The monitoring dimension whose groups' take-up rates a multi-year run "
        "uses (default educationLevel)",
    )


class SimulationCreated(ApiModel):
    id: str
    status: Literal["running"]


class SimulationSideOut(ApiModel):
    beneficiaries: int = Field(description="Citizens eligible with a right above zero")
    entitlement: QuantityOut = Field(description="Their rights summed (a month for vok)")
    public_cost: QuantityOut | None = Field(
        description="EUR the government pays; null: not modelled"
    )
    citizen_share: QuantityOut | None = Field(description="EUR the citizens pay (co-financing)")

    @classmethod
    def of(cls, side: results.SideFigures) -> "SimulationSideOut":
        return cls(
            beneficiaries=side.beneficiaries,
            entitlement=QuantityOut.of(side.entitlement),
            public_cost=QuantityOut.of(side.public_cost) if side.public_cost else None,
            citizen_share=QuantityOut.of(side.citizen_share) if side.citizen_share else None,
        )


class SimulationIncentiveOut(ApiModel):
    incentive: str
    baseline: SimulationSideOut
    reform: SimulationSideOut
    gainers: ChangeOut = Field(description="Citizens whose entitlement goes up")
    losers: ChangeOut = Field(description="Citizens whose entitlement goes down")


class OverallOut(ApiModel):
    baseline_public_cost: QuantityOut
    reform_public_cost: QuantityOut
    gainers: ChangeOut = Field(description="Citizens on whom public spending goes up (EUR)")
    losers: ChangeOut = Field(description="Citizens on whom public spending goes down (EUR)")


class SimulationCellOut(PublishedCellOut):
    incentives: list[SimulationIncentiveOut]
    overall: OverallOut | None

    @classmethod
    def of(cls, cell: results.Cell) -> "SimulationCellOut":
        over = cell.overall
        return cls(
            group=dict(cell.group),
            citizens=cell.citizens,
            incentives=[
                SimulationIncentiveOut(
                    incentive=f.incentive,
                    baseline=SimulationSideOut.of(f.baseline),
                    reform=SimulationSideOut.of(f.reform),
                    gainers=ChangeOut.of(f.gainers),
                    losers=ChangeOut.of(f.losers),
                )
                for f in cell.incentives
            ],
            overall=None
            if over is None
            else OverallOut(
                baseline_public_cost=QuantityOut.of(over.baseline_cost),
                reform_public_cost=QuantityOut.of(over.reform_cost),
                gainers=ChangeOut.of(over.gainers),
                losers=ChangeOut.of(over.losers),
            ),
            flag="c" if cell.flag else None,
        )


class SimulationResultOut(ApiModel):
    by: list[Dimension]
    total: SimulationCellOut = Field(description="All citizens simulated")
    cells: list[SimulationCellOut]
    totals: list[SimulationCellOut] = Field(description="Row then column totals (two dimensions)")
    reference_dates: dict[str, str] = Field(description="The day whose facts each incentive read")
    rules_evaluations: int = Field(description="Distinct evaluations the rules made")
    assumptions: list[str]
    multi_year: MultiYearOut | None = Field(
        default=None, description="A run of more than one period: its periods and horizon"
    )


class ProgressOut(ApiModel):
    done: int = Field(description="Citizens simulated so far")
    total: int = Field(description="Citizens with facts")


class SimulationOut(ApiModel):
    id: str
    name: str
    period: PeriodOut
    periods: int = Field(description="Periods simulated (1: one period)")
    status: Literal["running", "done", "failed"]
    progress: ProgressOut
    reform: dict[str, Any]
    created_at: str
    finished_at: str | None
    error: str | None
    result: SimulationResultOut | None

    @classmethod
    def of(cls, sim: Simulation, by: tuple[Dimension, ...]) -> "SimulationOut":
        result = None
        tally = sim.tally
        if tally is not None and sim.result is not None:
            published = results.publish(tally, by)
            result = SimulationResultOut(
                by=list(by),
                total=SimulationCellOut.of(published.total),
                cells=[SimulationCellOut.of(c) for c in published.cells] if by else [],
                totals=[SimulationCellOut.of(c) for c in published.totals],
                reference_dates=dict(sim.result["referenceDates"]),
                rules_evaluations=int(sim.result["evaluations"]),
                assumptions=list(sim.result["assumptions"]),
                multi_year=MultiYearOut.of(tally.horizon, sim.result["multiYear"], by)
                if tally.horizon is not None
                else None,
            )
        return cls(
            id=str(sim.id),
            name=sim.name,
            period=PeriodOut.of(parse_key(sim.period_key)),
            periods=sim.periods,
            status=sim.status,
            progress=ProgressOut(done=sim.done, total=sim.total),
            reform=dict(sim.reform),
            created_at=sim.created_at.isoformat(),
            finished_at=sim.finished_at.isoformat() if sim.finished_at else None,
            error=sim.error,
            result=result,
        )
