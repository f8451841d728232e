"""Balances of a citizen right at an instant, from the legs (the record), not from caches.

A hold past its expiry no longer counts as reserved, and a period that has ended holds nothing
available: both are shown so at once, before any sweep posts them, so the answer is the same
before and after ``llr holds expire`` or ``llr rollover`` runs.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ledger.tables import accounts, legs, transactions
from app.domain.quantities import Quantity, Unit


@dataclass(frozen=True, slots=True)
class Balances:
    """All amounts in minor units of ``unit``."""

    unit: Unit
    granted: int = 0
    carried_in: int = 0
    carried_out: int = 0
    used: int = 0
    reserved: int = 0
    expired: int = 0

    @property
    def available(self) -> int:
        return (
            self.granted
            + self.carried_in
            - self.carried_out
            - self.used
            - self.reserved
            - self.expired
        )

    def quantity(self, minor: int) -> Quantity:
        return Quantity.from_minor(minor, self.unit)


async def right_balances(
    session: AsyncSession,
    citizen_key: str,
    incentive: str,
    period_key: str,
    unit: Unit,
    at: datetime | None,
    period_ended: bool = False,
    now: datetime | None = None,
) -> Balances:
    """Balances from the legs posted up to ``at`` (None: all of them), holds judged overdue at
    ``now`` (default ``at``)."""
    rows = await session.execute(
        _nets(citizen_key, at).where(
            accounts.c.incentive == incentive, accounts.c.period_key == period_key
        )
    )
    judged = now or at
    assert judged is not None, "holds are judged at an instant"
    overdue = await overdue_holds(session, citizen_key, incentive, period_key, judged, at)
    nets = [(row.kind, row.category, row.side, int(row.net)) for row in rows]
    return fold(unit, nets, overdue, period_ended)


def _nets(citizen_key: str, at: datetime | None) -> Select[Any]:
    signed = case((legs.c.side == "C", legs.c.amount), else_=-legs.c.amount)
    return (
        select(accounts.c.kind, legs.c.category, legs.c.side, func.sum(signed).label("net"))
        .select_from(legs.join(accounts, legs.c.account_id == accounts.c.id))
        .where(
            accounts.c.citizen_key == citizen_key,
            legs.c.created_at <= at if at is not None else true(),
        )
        .group_by(accounts.c.kind, legs.c.category, legs.c.side)
    )


def fold(
    unit: Unit, nets: list[tuple[str, str, str, int]], overdue: int, period_ended: bool
) -> Balances:
    granted = carried_in = carried_out = use_net = expire_net = held = 0
    for kind, category, side, net in nets:
        if kind == "held":
            held += net
            if category == "use":
                use_net += net
        elif category == "grant":
            granted += net
        elif category == "carry":
            if side == "C":
                carried_in += net
            else:
                carried_out -= net
        elif category == "use":
            use_net += net
        elif category == "expire":
            expire_net += net
    balances = Balances(
        unit=unit,
        granted=granted,
        carried_in=carried_in,
        carried_out=carried_out,
        used=-use_net,
        reserved=held - overdue,
        expired=-expire_net,
    )
    if period_ended and balances.available > 0:
        return Balances(
            unit,
            granted,
            carried_in,
            carried_out,
            balances.used,
            balances.reserved,
            balances.expired + balances.available,
        )
    return balances


async def overdue_holds(
    session: AsyncSession,
    citizen_key: str,
    incentive: str,
    period_key: str,
    now: datetime,
    at: datetime | None = None,
) -> int:
    """What holds made by ``at``, past their expiry at ``now`` and not resolved by ``at``,
    still keep reserved."""
    at = at or datetime.max.replace(tzinfo=UTC)
    resolver = transactions.alias("resolver")
    total = await session.scalar(
        select(func.coalesce(func.sum(transactions.c.amount), 0))
        .select_from(
            transactions.outerjoin(
                resolver,
                and_(resolver.c.resolves == transactions.c.id, resolver.c.created_at <= at),
            )
        )
        .where(
            transactions.c.citizen_key == citizen_key,
            transactions.c.incentive == incentive,
            transactions.c.period_key == period_key,
            transactions.c.type == "reserve",
            transactions.c.created_at <= at,
            transactions.c.expires_at <= now,
            resolver.c.id.is_(None),
        )
    )
    return int(total or 0)
