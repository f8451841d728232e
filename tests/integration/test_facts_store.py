"""Versioned citizen facts in PostgreSQL: append-only, and concurrent writers never clash."""

import asyncio
import secrets
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.rules import Facts
from app.domain.rules.facts_store import latest_facts, record_facts

DAY = date(2026, 9, 1)


async def test_versions_are_append_only(db: async_sessionmaker[AsyncSession]) -> None:
    key = secrets.token_hex(32)
    async with db() as session:
        stored = await record_facts(session, key, Facts(lives_alone=True), "dmfa", DAY, "test")
        with pytest.raises(DBAPIError, match="append-only"):
            async with session.begin_nested():
                await session.execute(
                    text("UPDATE citizen_facts SET source = 'x' WHERE id = :id"), {"id": stored.id}
                )
        with pytest.raises(DBAPIError, match="append-only"):
            async with session.begin_nested():
                await session.execute(
                    text("DELETE FROM citizen_facts WHERE id = :id"), {"id": stored.id}
                )


async def test_the_database_refuses_an_ssin_as_key(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        with pytest.raises(DBAPIError, match="citizen_key_hex"):
            await record_facts(session, "85.07.30-033.28".ljust(64, "0"), Facts(), "x", DAY, "t")


async def test_latest_as_of_an_instant(db: async_sessionmaker[AsyncSession]) -> None:
    key = secrets.token_hex(32)
    async with db() as session:
        first = await record_facts(session, key, Facts(lives_alone=True), "a", DAY, "t")
        await record_facts(session, key, Facts(lives_alone=False), "b", DAY, "t")
        latest = await latest_facts(session, key)
        then = await latest_facts(session, key, first.recorded_at)
    assert latest is not None
    assert then is not None
    assert (latest.version, latest.facts.lives_alone) == (2, False)
    assert (then.version, then.facts.lives_alone) == (1, True)


async def test_concurrent_writers_get_consecutive_versions(engine: AsyncEngine) -> None:
    # Real concurrent transactions (not the rolled-back test connection): the rows stay, under a
    # random citizen key nobody else uses; the table is append-only by design.
    key = secrets.token_hex(32)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def write(n: int) -> int:
        async with sessions() as session, session.begin():
            stored = await record_facts(session, key, Facts(career_vouchers_used=n), "s", DAY, "t")
            return stored.version

    versions = await asyncio.gather(*(write(n) for n in range(8)))
    assert sorted(versions) == list(range(1, 9))
