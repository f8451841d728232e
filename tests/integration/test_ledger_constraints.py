"""The database itself refuses what would break the ledger, whatever code sends it."""

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

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
    ],
)
async def test_postings_are_append_only(
    client: httpx.AsyncClient, session: AsyncSession, statement: str
) -> None:
    await _one_posted(client)
    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(text(statement))


@pytest.mark.parametrize("table", ["ledger_legs", "ledger_transactions"])
async def test_the_record_cannot_be_truncated(engine: AsyncEngine, table: str) -> None:
    async with engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(text(f"TRUNCATE {table} CASCADE"))


async def _issuer(conn: AsyncConnection) -> int:
    await conn.execute(
        text(
            "INSERT INTO ledger_accounts (kind, incentive, unit) VALUES ('issuer', 't', 'HOUR') "
            "ON CONFLICT DO NOTHING"
        )
    )
    account = await conn.scalar(
        text("SELECT id FROM ledger_accounts WHERE kind='issuer' AND incentive='t'")
    )
    await conn.commit()
    return int(account)


async def _legs(
    conn: AsyncConnection, txn: uuid.UUID, account: int, legs: list[tuple[str, int]]
) -> None:
    for side, amount in legs:
        await conn.execute(
            text(
                "INSERT INTO ledger_legs (transaction_id, account_id, unit, side, amount, "
                "category, created_at) VALUES (:t, :a, 'HOUR', :s, :m, 'grant', now())"
            ),
            {"t": txn, "a": account, "s": side, "m": amount},
        )


async def _transaction(conn: AsyncConnection, txn: uuid.UUID) -> None:
    await conn.execute(
        text(
            "INSERT INTO ledger_transactions (id, type, incentive, unit, amount, effective_date, "
            "caller) VALUES (:id, 'grant', 't', 'HOUR', 5, current_date, 'test')"
        ),
        {"id": txn},
    )


@pytest.mark.parametrize(
    ("legs", "why"),
    [
        ([("D", 5), ("C", 4)], "does not balance"),
        ([("C", 5)], "does not balance"),
        ([], "does not balance"),
    ],
)
async def test_an_unbalanced_transaction_is_refused(
    engine: AsyncEngine, legs: list[tuple[str, int]], why: str
) -> None:
    txn = uuid.uuid4()
    async with engine.connect() as conn:
        account = await _issuer(conn)
        await _legs(conn, txn, account, legs)
        with pytest.raises(DBAPIError, match=why):
            await _transaction(conn, txn)


async def test_a_posted_transaction_cannot_gain_legs(engine: AsyncEngine) -> None:
    txn = uuid.uuid4()
    async with engine.connect() as conn:
        account = await _issuer(conn)
        await _legs(conn, txn, account, [("D", 5), ("C", 5)])
        await _transaction(conn, txn)
        with pytest.raises(DBAPIError, match="cannot gain legs"):
            await _legs(conn, txn, account, [("D", 1)])


async def test_legs_without_their_transaction_fail_at_commit(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        account = await _issuer(conn)
        await _legs(conn, uuid.uuid4(), account, [("D", 5), ("C", 5)])
        with pytest.raises(DBAPIError, match="fk_ledger_legs_transaction"):
            await conn.commit()


async def test_zero_or_negative_leg_amounts_are_refused(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        with pytest.raises(DBAPIError, match="ck_ledger_legs_amount_positive"):
            await conn.execute(
                text(
                    "INSERT INTO ledger_legs (transaction_id, account_id, unit, side, amount, "
                    "category, created_at) VALUES (gen_random_uuid(), 1, 'HOUR', 'C', 0, 'grant', "
                    "now())"
                )
            )


async def test_citizen_accounts_cannot_go_negative(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    async with engine.connect() as conn:
        await conn.execute(
            text(
                "INSERT INTO ledger_accounts "
                "(kind, citizen_key, incentive, period_key, unit, balance)"
                " VALUES ('available', repeat('a', 64), 'vov', '2026-27', 'HOUR', 0)"
            )
        )
        with pytest.raises(DBAPIError, match="no_overdraft"):
            await conn.execute(
                text("UPDATE ledger_accounts SET balance = -1 WHERE citizen_key = repeat('a', 64)")
            )
