"""Answers of GET /statistics/takeUp and /statistics/matthew."""

from typing import Literal

from pydantic import Field

from app.domain.quantities import Quantity, Unit
from app.domain.statistics.dimensions import Dimension
from app.domain.statistics.disclosure import THRESHOLD
from app.domain.statistics.report import Cell, TakeUpTable
from app.domain.statistics.service import Matthew, MatthewPoint, Side
from app.schemas.base import ApiModel
from app.schemas.common import PeriodOut, QuantityOut


class CellOut(ApiModel):
    group: dict[str, str] = Field(
        description="The dimension values of the cell; a total leaves out those it sums over"
    )
    eligible: int | None = Field(description="Citizens holding the right in the period")
    users: int | None = Field(description="Citizens who used some of it (captured or redeemed)")
    take_up_rate: str | None = Field(description="users / eligible, 4 decimals")
    granted: QuantityOut | None
    used: QuantityOut | None
    reserved: QuantityOut | None = Field(description="Open holds (0 once the period ended)")
    expired_unused: QuantityOut | None = Field(
        description="Expired unused: booked expiries, or all that was neither used nor carried "
        "over once the period ended"
    )
    representation_index: str | None = Field(
        description="(users here / all users) / (eligible here / all eligible), 4 decimals"
    )
    flag: Literal["c"] | None = Field(
        description="c: suppressed (confidential): fewer than 10 citizens, or a value that "
        "would give a suppressed one away"
    )

    @classmethod
    def of(cls, cell: Cell, unit: Unit) -> "CellOut":
        f = cell.figures

        def qty(minor: int | None) -> QuantityOut | None:
            return None if minor is None else QuantityOut.of(Quantity.from_minor(minor, unit))

        return cls(
            group=dict(cell.group),
            eligible=f.eligible if f else None,
            users=f.users if f else None,
            take_up_rate=None if cell.take_up_rate is None else str(cell.take_up_rate),
            granted=qty(f.granted if f else None),
            used=qty(f.used if f else None),
            reserved=qty(f.reserved if f else None),
            expired_unused=qty(f.expired_unused if f else None),
            representation_index=None
            if cell.representation_index is None
            else str(cell.representation_index),
            flag="c" if cell.suppressed else None,
        )


class TakeUpOut(ApiModel):
    incentive: str
    period: PeriodOut
    unit: Unit
    by: list[Dimension]
    threshold: int = Field(description="Fewest citizens a published cell counts")
    cells: list[CellOut]
    totals: list[CellOut] = Field(
        description="Row totals, column totals (two dimensions), then the grand total (last)"
    )
    pending_legs: int = Field(
        description="Ledger legs posted but not yet in the aggregates (0: the ledger as it "
        "stands; a read folds a bounded number, `llr statistics refresh` all)"
    )

    @classmethod
    def of(cls, table: TakeUpTable) -> "TakeUpOut":
        return cls(
            incentive=table.incentive,
            period=PeriodOut.of(table.period),
            unit=table.unit,
            by=list(table.by),
            threshold=THRESHOLD,
            cells=[CellOut.of(c, table.unit) for c in table.cells],
            totals=[CellOut.of(c, table.unit) for c in table.totals],
            pending_legs=table.pending,
        )


class SideOut(ApiModel):
    eligible: int | None
    users: int | None
    take_up_rate: str | None
    flag: Literal["c"] | None

    @classmethod
    def of(cls, side: Side) -> "SideOut":
        rate = side.rate
        return cls(
            eligible=side.eligible,
            users=side.users,
            take_up_rate=None if rate is None else str(rate),
            flag="c" if side.eligible is None else None,
        )


class MatthewPointOut(ApiModel):
    period: PeriodOut
    index: str | None = Field(
        description="Take-up rate of high / that of low + medium (null: a side suppressed)"
    )
    high: SideOut
    low_medium: SideOut

    @classmethod
    def of(cls, point: MatthewPoint) -> "MatthewPointOut":
        index = point.index
        return cls(
            period=PeriodOut.of(point.period),
            index=None if index is None else str(index),
            high=SideOut.of(point.high),
            low_medium=SideOut.of(point.low_medium),
        )


class MatthewOut(MatthewPointOut):
    incentive: str
    trend: list[MatthewPointOut] = Field(description="The same for earlier periods, oldest first")
    pending_legs: int

    @classmethod
    def of_matthew(cls, found: Matthew) -> "MatthewOut":
        point = MatthewPointOut.of(found.point)
        return cls(
            **point.model_dump(),
            incentive=found.incentive,
            trend=[MatthewPointOut.of(p) for p in found.trend],
            pending_legs=found.pending,
        )
