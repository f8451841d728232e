"""The book: accounts, row locks in a fixed order, and posting balanced legs.

Citizen rights are two accounts each: ``available`` and ``held`` (open holds), with a cached
balance PostgreSQL keeps non-negative. System accounts (``issuer``, ``used:<payer>``,
``expired``) carry no cached balance: nothing ever updates them, so no posting waits on a hot row;
their balances are sums of legs.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ledger.tables import accounts, transactions
from app.domain.quantities import Unit

Side = Literal["D", "C"]
Category = Literal["grant", "hold", "use", "expire", "carry"]


@dataclass(frozen=True, slots=True)
class RightAccounts:
    """The two accounts of one citizen right (citizen, incentive, period)."""

    available_id: int
    held_id: int
    incentive: str
    period_key: str
    unit: Unit


@dataclass(frozen=True, slots=True)
class Leg:
    account_id: int
    side: Side
    amount: int
    category: Category

    @property
    def signed(self) -> int:
        return self.amount if self.side == "C" else -self.amount


@dataclass(slots=True)
class NewTransaction:
    type: str
    incentive: str
    unit: Unit
    amount: int
    effective_date: date
    caller: str
    citizen_key: str | None = None
    period_key: str | None = None
    ssin_ciphertext: bytes | None = None
    ssin_key_id: str | None = None
    reference: str | None = None
    training: dict[str, Any] | None = None
    funding: dict[str, str] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    resolves: uuid.UUID | None = None
    reverses: uuid.UUID | None = None
    decision_id: uuid.UUID | None = None
    unique_token: str | None = None
    trace_id: str | None = None
    created_at: datetime | None = None
    """The request's instant (the database stamps the later of it and its own clock)."""
    id: uuid.UUID = field(default_factory=uuid.uuid4)


async def _account_ids(
    session: AsyncSession, citizen_key: str, incentive: str, period_key: str
) -> dict[str, int]:
    result = await session.execute(
        select(accounts.c.kind, accounts.c.id).where(
            accounts.c.citizen_key == citizen_key,
            accounts.c.incentive == incentive,
            accounts.c.period_key == period_key,
        )
    )
    return {row.kind: row.id for row in result}


async def right_accounts(
    session: AsyncSession, citizen_key: str, incentive: str, period_key: str, unit: Unit
) -> RightAccounts:
    """The right's accounts, opened on first use (concurrent openers meet on the unique key)."""
    rows = [
        {"kind": kind, "citizen_key": citizen_key, "incentive": incentive,
         "period_key": period_key, "unit": unit.value, "balance": 0}
        for kind in ("available", "held")
    ]  # fmt: skip
    await session.execute(insert(accounts).values(rows).on_conflict_do_nothing())
    ids = await _account_ids(session, citizen_key, incentive, period_key)
    return RightAccounts(ids["available"], ids["held"], incentive, period_key, unit)


async def find_right_accounts(
    session: AsyncSession, citizen_key: str, incentive: str, period_key: str, unit: Unit
) -> RightAccounts | None:
    """The right's accounts if it was ever opened. (A batch grant opens only the available
    account; the held one is opened on first need.)"""
    ids = await _account_ids(session, citizen_key, incentive, period_key)
    if "available" not in ids:
        return None
    if "held" not in ids:
        return await right_accounts(session, citizen_key, incentive, period_key, unit)
    return RightAccounts(ids["available"], ids["held"], incentive, period_key, unit)


async def system_account(session: AsyncSession, kind: str, incentive: str, unit: Unit) -> int:
    """The system account's id, opened on first use (it exists nearly always: one read)."""
    query = select(accounts.c.id).where(
        accounts.c.kind == kind,
        accounts.c.incentive == incentive,
        accounts.c.citizen_key.is_(None),
        accounts.c.period_key.is_(None),
    )
    found = await session.scalar(query)
    if found is None:
        await session.execute(
            insert(accounts)
            .values(kind=kind, incentive=incentive, unit=unit.value)
            .on_conflict_do_nothing()
        )
        found = await session.scalar(query)
    assert found is not None
    return int(found)


async def lock(session: AsyncSession, account_ids: Iterable[int]) -> dict[int, int]:
    """Locks citizen accounts in ascending id order (one order for everyone: no deadlocks) and
    returns their balances."""
    ids = sorted(set(account_ids))
    result = await session.execute(
        select(accounts.c.id, accounts.c.balance)
        .where(accounts.c.id.in_(ids))
        .order_by(accounts.c.id)
        .with_for_update()
    )
    return {row.id: row.balance for row in result}


async def post(session: AsyncSession, txn: NewTransaction, entries: Sequence[Leg]) -> datetime:
    """Writes one balanced transaction and moves the cached balances of citizen accounts.

    The caller holds the locks of the citizen accounts involved. The legs go first, then the
    transaction; PostgreSQL refuses the transaction unless its legs balance, and refuses any
    overdraft. The instant is the later of the request's and the database's, taken under the
    lock, so one right's postings are stamped in the order they were made."""
    stamped = await session.execute(text("""
        INSERT INTO ledger_legs (transaction_id, account_id, unit, side, amount, category,
            created_at)
        SELECT :txn, l.account, :unit, l.side, l.amount, l.category,
            GREATEST(CAST(:now AS timestamptz), statement_timestamp())
        FROM unnest(CAST(:accounts AS bigint[]), CAST(:sides AS text[]),
            CAST(:amounts AS bigint[]), CAST(:categories AS text[]))
            AS l(account, side, amount, category)
        RETURNING created_at
    """), {
        "txn": txn.id, "unit": txn.unit.value, "now": txn.created_at,
        "accounts": [leg.account_id for leg in entries], "sides": [leg.side for leg in entries],
        "amounts": [leg.amount for leg in entries],
        "categories": [leg.category for leg in entries],
    })  # fmt: skip
    created_at: datetime = stamped.scalars().first()  # type: ignore[assignment]
    values = {key: getattr(txn, key) for key in NewTransaction.__dataclass_fields__}
    values["unit"], values["created_at"] = txn.unit.value, created_at
    await session.execute(insert(transactions).values(values))
    deltas: dict[int, int] = defaultdict(int)
    for leg in entries:
        deltas[leg.account_id] += leg.signed
    moved = [(account_id, delta) for account_id, delta in sorted(deltas.items()) if delta]
    if moved:
        await move_balances(session, moved)
    return created_at


async def move_balances(session: AsyncSession, moved: Sequence[tuple[int, int]]) -> None:
    """Adds each delta to its citizen account's cached balance (system accounts keep none)."""
    await session.execute(
        text(
            "UPDATE ledger_accounts a SET balance = a.balance + d.delta "
            "FROM unnest(CAST(:ids AS bigint[]), CAST(:deltas AS bigint[])) AS d(id, delta) "
            "WHERE a.id = d.id AND a.balance IS NOT NULL"
        ),
        {"ids": [m[0] for m in moved], "deltas": [m[1] for m in moved]},
    )
