"""Concurrent requests that really commit, each on its own connection: the guarantees hold
whatever the interleaving."""

import asyncio

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.races import fifty_reserves_against_125_hours, twenty_requests_with_one_key
from tests.support import assert_ledger_consistent, grant, make_ssin, post_txn, qty


async def test_50_concurrent_reserves_against_125_hours(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    _, body = await fifty_reserves_against_125_hours(committing_client)
    last = await post_txn(committing_client, body | {"amount": qty("5", "HOUR")})
    assert last.json()["balanceAfter"]["available"] == "0.00"
    assert last.json()["balanceAfter"]["reserved"] == "125.00"
    async with AsyncSession(engine) as session:
        await assert_ledger_consistent(session)


async def test_20_concurrent_requests_with_one_key_post_once(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await twenty_requests_with_one_key(committing_client)
    async with AsyncSession(engine) as session:
        await assert_ledger_consistent(session)


async def test_concurrent_capture_and_release_resolve_a_hold_once(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    ssin = make_ssin()
    await grant(committing_client, ssin, "vov", "40", "HOUR")
    hold = (
        await post_txn(
            committing_client,
            {"type": "reserve", "ssin": ssin, "incentive": "vov", "amount": qty("40", "HOUR")},
        )
    ).json()
    attempts = [
        {"type": "capture", "reservationId": hold["id"]},
        {"type": "release", "reservationId": hold["id"]},
    ] * 5
    responses = await asyncio.gather(*(post_txn(committing_client, a) for a in attempts))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    async with AsyncSession(engine) as session:
        await assert_ledger_consistent(session)
