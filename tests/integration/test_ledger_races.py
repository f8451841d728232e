"""Concurrent requests that really commit, each on its own connection: the guarantees hold
whatever the interleaving."""

import asyncio
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.support import assert_ledger_consistent, grant, make_ssin, post_txn, qty


async def test_50_concurrent_reserves_against_125_hours(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    ssin = make_ssin()
    await grant(committing_client, ssin, "vov", "125", "HOUR")
    body = {"type": "reserve", "ssin": ssin, "incentive": "vov", "amount": qty("10", "HOUR")}
    responses = await asyncio.gather(*(post_txn(committing_client, body) for _ in range(50)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 12
    assert statuses.count(409) == 38
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {
        "urn:problem-type:llr:insufficientBalance"
    }
    listing = await committing_client.get("/transactions", params={"ssin": ssin,
                                                                   "type": "reserve"})  # fmt: skip
    assert len(listing.json()["items"]) == 12
    last = await post_txn(committing_client, body | {"amount": qty("5", "HOUR")})
    assert last.json()["balanceAfter"]["available"] == "0.00"
    assert last.json()["balanceAfter"]["reserved"] == "125.00"
    async with AsyncSession(engine) as session:
        await assert_ledger_consistent(session)


async def test_20_concurrent_requests_with_one_key_post_once(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    ssin = make_ssin()
    await grant(committing_client, ssin, "vov", "125", "HOUR")
    key = str(uuid.uuid4())
    body = {"type": "reserve", "ssin": ssin, "incentive": "vov", "amount": qty("10", "HOUR")}
    responses = await asyncio.gather(*(post_txn(committing_client, body, key) for _ in range(20)))
    created = [r for r in responses if r.status_code == 201]
    in_flight = [r for r in responses if r.status_code == 409]
    assert len(created) + len(in_flight) == 20
    assert {r.json()["type"] for r in in_flight} <= {"urn:problem-type:llr:idempotencyKeyInFlight"}
    assert len({r.json()["id"] for r in created}) == 1
    assert sum(1 for r in created if "Idempotency-Replayed" not in r.headers) == 1
    listing = await committing_client.get("/transactions", params={"ssin": ssin,
                                                                   "type": "reserve"})  # fmt: skip
    assert len(listing.json()["items"]) == 1
    replay = await post_txn(committing_client, body, key)
    assert replay.status_code == 201
    assert replay.headers["Idempotency-Replayed"] == "true"
    async with AsyncSession(engine) as session:
        await assert_ledger_consistent(session)


async def test_concurrent_capture_and_release_resolve_a_hold_once(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    ssin = make_ssin()
    await grant(committing_client, ssin, "vov", "40", "HOUR")
    hold = (await post_txn(committing_client, {"type": "reserve", "ssin": ssin,
                                               "incentive": "vov",
                                               "amount": qty("40", "HOUR")})).json()  # fmt: skip
    attempts = [{"type": "capture", "reservationId": hold["id"]},
                {"type": "release", "reservationId": hold["id"]}] * 5  # fmt: skip
    responses = await asyncio.gather(*(post_txn(committing_client, a) for a in attempts))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    async with AsyncSession(engine) as session:
        await assert_ledger_consistent(session)
