"""The statistics as the service answers them: the aggregates brought up to the ledger (the
queue of posted legs folded, in bounded steps), read per incentive, period and group, and
published as tables with disclosure control. Every read is put on the statistics' own log."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import InvalidInput
from app.domain.ledger.ports import IncentiveCatalog
from app.domain.periods import Period, parse_key
from app.domain.statistics.dimensions import Dimension
from app.domain.statistics.report import Cell, Figures, TakeUpTable, build_table, ratio
from app.domain.statistics.tables import cells, groups, pending_legs, reads

FOLD_STEP = 50_000
"""Legs (or regrouped citizens) one fold statement takes."""
READ_FOLD_STEPS = 4
"""Steps a read folds before it answers: bounded work per request; ``llr statistics
refresh`` (or the next read) folds the rest, and the answer says how much is left."""
MAX_BY = 2
TREND_PERIODS = 10


async def refresh(session: AsyncSession, steps: int | None = READ_FOLD_STEPS) -> int:
    """Folds the queued legs into the aggregates, at most ``steps`` steps (None: all); returns
    how many legs are still queued."""
    done = 0
    while steps is None or done < steps:
        folded = await session.scalar(select(func.statistics_fold(FOLD_STEP)))
        done += 1
        if not folded:
            return 0
    return await queued(session)


async def queued(session: AsyncSession) -> int:
    found = await session.scalar(select(func.count()).select_from(pending_legs))
    return int(found or 0)


@dataclass(frozen=True, slots=True)
class Query:
    incentive: str
    period: Period
    by: tuple[Dimension, ...]


def parse_query(
    catalog: IncentiveCatalog,
    incentive: str,
    period_key: str | None,
    by: Sequence[str],
    today: date,
) -> Query:
    """The query a request names, or a precise ``InvalidInput`` naming the parameter."""
    if not catalog.knows(incentive):
        raise InvalidInput("incentive", incentive, "no such incentive", location="query")
    if period_key is None:
        period = catalog.period_for(incentive, today)
    else:
        try:
            period = parse_key(period_key)
        except ValueError as exc:
            raise InvalidInput("period", period_key, str(exc), location="query") from exc
        if catalog.period_for(incentive, period.start) != period:
            raise InvalidInput(
                "period", period_key, f"not a period {incentive} is counted in", location="query"
            )
    return Query(incentive, period, parse_by(by))


def parse_by(by: Sequence[str]) -> tuple[Dimension, ...]:
    """Up to ``MAX_BY`` dimensions (repeated, or comma separated), or a precise 400."""
    names = [part.strip() for item in by for part in item.split(",") if part.strip()]
    if len(names) > MAX_BY:
        raise InvalidInput("by", ",".join(names), f"at most {MAX_BY} dimensions", location="query")
    dimensions: list[Dimension] = []
    for name in names:
        try:
            dimension = Dimension(name)
        except ValueError:
            known = ", ".join(d.value for d in Dimension)
            raise InvalidInput(
                "by", name, f"not a dimension (one of {known})", location="query"
            ) from None
        if dimension in dimensions:
            raise InvalidInput("by", name, "each dimension once", location="query")
        dimensions.append(dimension)
    return tuple(dimensions)


async def _figures(
    session: AsyncSession, query: Query, today: date
) -> dict[tuple[str, ...], Figures]:
    columns = [groups.c[d.column] for d in query.by]
    sums = [
        func.sum(cells.c[name]).label(name)
        for name in ("eligible", "users", "granted", "carried_in", "carried_out", "used")
    ] + [func.sum(cells.c.held).label("held"), func.sum(cells.c.expired).label("expired")]
    rows = await session.execute(
        select(*columns, *sums)
        .select_from(cells.join(groups, groups.c.id == cells.c.group_id))
        .where(cells.c.incentive == query.incentive, cells.c.period_key == query.period.key)
        .group_by(*columns)
    )
    ended = query.period.end < today
    found: dict[tuple[str, ...], Figures] = {}
    for row in rows:
        key = tuple(row[: len(columns)])
        eligible, users, granted, carried_in, carried_out, used, held, expired = (
            int(v or 0)
            for v in row[len(columns) :]  # no cell at all: one row of NULLs
        )
        if not eligible and not users:
            continue
        unused = granted + carried_in - carried_out - used
        found[key] = Figures(
            eligible=eligible,
            users=users,
            granted=granted,
            used=used,
            reserved=0 if ended else held,
            expired_unused=unused if ended else expired,
        )
    return found


async def take_up(
    session: AsyncSession, catalog: IncentiveCatalog, query: Query, today: date, left: int = 0
) -> TakeUpTable:
    """The published take-up table of ``query`` from the aggregates as they are now."""
    unit = catalog.unit(query.incentive, query.period.start)
    figures = await _figures(session, query, today)
    table = build_table(query.incentive, query.period, unit, query.by, figures)
    return TakeUpTable(
        table.incentive, table.period, table.unit, table.by, table.cells, table.totals, left
    )


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the Matthew comparison: its published cell (None when suppressed)."""

    label: str
    eligible: int | None
    users: int | None

    @property
    def rate(self) -> Decimal | None:
        return (
            None
            if self.eligible is None or self.users is None
            else ratio(self.users, self.eligible)
        )


@dataclass(frozen=True, slots=True)
class MatthewPoint:
    period: Period
    high: Side
    low_medium: Side

    @property
    def index(self) -> Decimal | None:
        high, low = self.high.rate, self.low_medium.rate
        return None if high is None or not low else ratio(high, low)


@dataclass(frozen=True, slots=True)
class Matthew:
    incentive: str
    point: MatthewPoint
    trend: list[MatthewPoint]
    pending: int = 0


def matthew_point(table: TakeUpTable) -> MatthewPoint:
    """The Matthew comparison read off the published table by education level, so it shows
    nothing that table does not (low + medium only when both are published)."""
    by_level: dict[str, Cell] = {cell.group["educationLevel"]: cell for cell in table.cells}
    high = by_level.get("high")
    high_side = Side(
        "high",
        high.figures.eligible if high and high.figures else None,
        high.figures.users if high and high.figures else None,
    )
    parts = [by_level.get(level) for level in ("low", "medium")]
    present = [p for p in parts if p is not None]
    if present and all(p.figures is not None for p in present):
        low_side = Side(
            "lowMedium",
            sum(p.figures.eligible for p in present if p.figures),
            sum(p.figures.users for p in present if p.figures),
        )
    else:
        low_side = Side("lowMedium", None, None)
    return MatthewPoint(table.period, high_side, low_side)


async def matthew(
    session: AsyncSession, catalog: IncentiveCatalog, query: Query, today: date, left: int = 0
) -> Matthew:
    by_level = Query(query.incentive, query.period, (Dimension.EDUCATION_LEVEL,))
    point = matthew_point(await take_up(session, catalog, by_level, today))
    keys = await session.scalars(
        select(cells.c.period_key).where(cells.c.incentive == query.incentive).distinct()
    )
    periods = sorted(
        p for p in (known_period(k) for k in keys) if p and p.start <= query.period.start
    )
    trend = []
    for period in periods[-TREND_PERIODS:]:
        table = await take_up(session, catalog, Query(query.incentive, period, by_level.by), today)
        trend.append(matthew_point(table))
    return Matthew(query.incentive, point, trend, left)


def known_period(key: str) -> Period | None:
    try:
        return parse_key(key)
    except ValueError:
        return None


class Reader(Protocol):
    """Who reads (a ``Principal``): the partner, the door, the trace."""

    @property
    def partner(self) -> str: ...

    @property
    def endpoint(self) -> str: ...

    @property
    def trace_id(self) -> str | None: ...


async def open_read(
    session: AsyncSession,
    catalog: IncentiveCatalog,
    who: Reader,
    action: str,
    request: tuple[str, str | None, Sequence[str]],
    today: date,
) -> tuple[Query, int]:
    """The query a request names (``incentive``, ``period``, ``by``: 400 when bad), the
    aggregates brought up to the ledger (bounded: how many legs are left), and the read on the
    statistics' log: who, what, when, in the request's transaction."""
    query = parse_query(catalog, *request, today)
    left = await refresh(session)
    await record_read(session, who.partner, who.trace_id, action, who.endpoint, query)
    return query, left


async def record_read(
    session: AsyncSession,
    partner: str,
    trace_id: str | None,
    action: str,
    endpoint: str,
    query: Query,
) -> None:
    await session.execute(
        insert(reads).values(
            partner=partner,
            action=action,
            endpoint=endpoint,
            trace_id=trace_id,
            query={
                "incentive": query.incentive,
                "period": query.period.key,
                "by": [d.value for d in query.by],
            },
        )
    )
