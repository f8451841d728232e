"""The database itself refuses what would break the ledger, whatever code sends it."""

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.support import grant


async def _one_posted(client: httpx.AsyncClient) -> str:
    body = await grant(client, "85073003328", "vov", "10", "HOUR")
    return str(body["id"])


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_legs SET amount = amount + 1",
        "DELETE FROM ledger_legs",
        "UPDATE ledger_transactions SET amount = 1",
        "DELETE FROM ledger_transactions",
        "TRUNCATE ledger_legs CASCADE",
    ],
)
async def test_postings_are_append_only(
    client: httpx.AsyncClient, session: AsyncSession, statement: str
) -> None:
    await _one_posted(client)
    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(text(statement))


async def test_unbalanced_legs_fail_at_commit(engine: AsyncEngine) -> None:
    txn = uuid.uuid4()
    async with engine.connect() as conn:
        await conn.execute(text(
            "INSERT INTO ledger_accounts (kind, incentive, unit) VALUES ('issuer', 't', 'HOUR') "
            "ON CONFLICT DO NOTHING"))  # fmt: skip
        account = await conn.scalar(text(
            "SELECT id FROM ledger_accounts WHERE kind='issuer' AND incentive='t'"))  # fmt: skip
        await conn.commit()
        await conn.execute(
            text(
                "INSERT INTO ledger_transactions (id, type, incentive, unit, amount, "
                "effective_date, caller) "
                "VALUES (:id, 'grant', 't', 'HOUR', 5, current_date, 'test')"
            ),
            {"id": txn},
        )
        for side, amount in (("D", 5), ("C", 4)):
            await conn.execute(text(
                "INSERT INTO ledger_legs (transaction_id, account_id, unit, side, amount, "
                "category, created_at) VALUES (:t, :a, 'HOUR', :s, :m, 'grant', now())"),
                {"t": txn, "a": account, "s": side, "m": amount})  # fmt: skip
        with pytest.raises(DBAPIError, match="does not balance"):
            await conn.commit()


async def test_zero_or_negative_leg_amounts_are_refused(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        with pytest.raises(DBAPIError, match="ck_ledger_legs_amount_positive"):
            await conn.execute(text(
                "INSERT INTO ledger_legs (transaction_id, account_id, unit, side, amount, "
                "category, created_at) VALUES (gen_random_uuid(), 1, 'HOUR', 'C', 0, 'grant', "
                "now())"))  # fmt: skip


async def test_citizen_accounts_cannot_go_negative(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    async with engine.connect() as conn:
        await conn.execute(text(
            "INSERT INTO ledger_accounts (kind, citizen_key, incentive, period_key, unit, balance)"
            " VALUES ('available', repeat('a', 64), 'vov', '2026-27', 'HOUR', 0)"))  # fmt: skip
        with pytest.raises(DBAPIError, match="no_overdraft"):
            await conn.execute(
                text("UPDATE ledger_accounts SET balance = -1 WHERE citizen_key = repeat('a', 64)")
            )
