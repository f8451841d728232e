"""The behavioural assumption of a multi-year run: each citizen uses the expected share of what
they hold, that share being the take-up rate monitoring observed for the citizen's group in
the incentive's most recent closed period (``GET /statistics/takeUp``, the published table:
a suppressed cell is not read). A group without a published rate takes the incentive's
overall rate; an incentive without any observed take-up is assumed fully used (rate 1: the
upper bound of its cost). Read once when the run starts, logged as a statistics read."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ledger.ports import IncentiveCatalog
from app.domain.periods import Period
from app.domain.statistics.dimensions import Dimension
from app.domain.statistics.service import (
    Query,
    Reader,
    known_period,
    record_read,
    refresh,
    take_up,
)
from app.domain.statistics.tables import cells

Source = Literal["observed", "overall", "assumed"]
FULL = Decimal(1)
DEFAULT_BY = Dimension.EDUCATION_LEVEL
"""The groups take-up is read by unless a run names another (the Matthew effect's)."""


@dataclass(frozen=True, slots=True)
class Rate:
    rate: Decimal
    source: Source
    """observed: the group's published rate; overall: the incentive's (the group's was
    suppressed or absent); assumed: no take-up observed at all (full use)."""


@dataclass(frozen=True, slots=True)
class TakeUp:
    """One incentive's rates, per value of the dimension."""

    incentive: str
    period: str | None
    """The closed period the rates were observed in (None: none with take-up figures)."""
    overall: Decimal | None
    groups: Mapping[str, Rate]

    def rate(self, value: str) -> Decimal:
        found = self.groups.get(value)
        return found.rate if found else (self.overall if self.overall is not None else FULL)


@dataclass(frozen=True, slots=True)
class Behaviour:
    by: Dimension
    incentives: Mapping[str, TakeUp]
    pending: int = 0
    """Ledger legs not yet folded into monitoring's aggregates when the rates were read."""

    def rate(self, code: str, group: Sequence[str]) -> Decimal:
        """The rate of a citizen of ``group`` (all dimensions, in ``Dimension`` order)."""
        return self.incentives[code].rate(group[list(Dimension).index(self.by)])

    def as_json(self) -> dict[str, Any]:
        return {
            "by": self.by.value,
            "pending": self.pending,
            "incentives": {
                code: {
                    "period": t.period,
                    "overall": None if t.overall is None else str(t.overall),
                    "groups": {v: [str(r.rate), r.source] for v, r in t.groups.items()},
                }
                for code, t in self.incentives.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Behaviour":
        return cls(
            Dimension(data["by"]),
            {
                code: TakeUp(
                    code,
                    t["period"],
                    None if t["overall"] is None else Decimal(t["overall"]),
                    {v: Rate(Decimal(r), s) for v, (r, s) in t["groups"].items()},
                )
                for code, t in data["incentives"].items()
            },
            int(data["pending"]),
        )


def unobserved(code: str, by: Dimension) -> TakeUp:
    """An incentive no take-up was observed for: every group assumed to use it fully."""
    return TakeUp(code, None, None, {value: Rate(FULL, "assumed") for value in by.values})


def assumed(codes: Sequence[str], by: Dimension) -> Behaviour:
    """Every incentive fully used (no take-up observed)."""
    return Behaviour(by, {code: unobserved(code, by) for code in codes})


async def last_closed_period(
    session: AsyncSession, catalog: IncentiveCatalog, code: str, today: date
) -> Period | None:
    """The incentive's most recent period that ended before ``today`` with take-up figures."""
    keys = await session.scalars(
        select(cells.c.period_key).where(cells.c.incentive == code).distinct()
    )
    closed = [
        p
        for p in (known_period(k) for k in keys)
        if p is not None and p.end < today and catalog.period_for(code, p.start) == p
    ]
    return max(closed, default=None)


async def observed(
    session: AsyncSession,
    catalog: IncentiveCatalog,
    codes: Sequence[str],
    by: Dimension,
    today: date,
    reader: Reader,
) -> Behaviour:
    """The take-up rates of ``codes`` by ``by``, as monitoring publishes them today (the
    aggregates folded first, in bounded steps; the reads logged)."""
    pending = await refresh(session)
    found: dict[str, TakeUp] = {}
    for code in codes:
        period = await last_closed_period(session, catalog, code, today)
        if period is None:
            found[code] = unobserved(code, by)
            continue
        query = Query(code, period, (by,))
        await record_read(
            session, reader.partner, reader.trace_id, "simulation.takeUp", reader.endpoint, query
        )
        table = await take_up(session, catalog, query, today)
        overall = table.grand_total.take_up_rate
        rates = {}
        for value in by.values:
            cell = next((c for c in table.cells if c.group.get(by.value) == value), None)
            if cell is not None and cell.take_up_rate is not None:
                rates[value] = Rate(cell.take_up_rate, "observed")
            elif overall is not None:
                rates[value] = Rate(overall, "overall")
            else:
                rates[value] = Rate(FULL, "assumed")
        found[code] = TakeUp(code, period.key, overall, rates)
    return Behaviour(by, found, pending)
