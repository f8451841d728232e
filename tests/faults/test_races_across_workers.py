"""The ledger's race guarantees hold across processes: ``llr serve --workers 2``, each request
on whichever worker the kernel hands it to, each worker with its own pool."""

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.faults.live import LiveServer
from tests.support import assert_ledger_consistent, grant, make_ssin, post_txn, qty

pytestmark = pytest.mark.faults


def test_the_server_runs_two_worker_processes(live: LiveServer) -> None:
    # uvicorn's supervisor, its two workers and multiprocessing's resource tracker
    assert len(live.processes()) >= 3


async def test_50_concurrent_reserves_against_125_hours(
    http: httpx.AsyncClient, live_db: AsyncEngine
) -> None:
    ssin = make_ssin()
    await grant(http, ssin, "vov", "125", "HOUR")
    body = {"type": "reserve", "ssin": ssin, "incentive": "vov", "amount": qty("10", "HOUR")}
    responses = await asyncio.gather(*(post_txn(http, body) for _ in range(50)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 12
    assert statuses.count(409) == 38
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {
        "urn:problem-type:llr:insufficientBalance"
    }
    listing = await http.get("/transactions", params={"ssin": ssin, "type": "reserve"})
    assert len(listing.json()["items"]) == 12
    wallet = (await http.get(f"/wallet/{ssin}")).json()
    (right,) = [r for r in wallet["rights"] if r["incentive"] == "vov"]
    assert (right["reserved"], right["available"]) == ("120.00", "5.00")
    async with AsyncSession(live_db) as session:
        await assert_ledger_consistent(session)


async def test_20_concurrent_requests_with_one_key_post_once(
    http: httpx.AsyncClient, live_db: AsyncEngine
) -> None:
    ssin = make_ssin()
    await grant(http, ssin, "vov", "125", "HOUR")
    key = str(uuid.uuid4())
    body = {"type": "reserve", "ssin": ssin, "incentive": "vov", "amount": qty("10", "HOUR")}
    responses = await asyncio.gather(*(post_txn(http, body, key) for _ in range(20)))
    created = [r for r in responses if r.status_code == 201]
    in_flight = [r for r in responses if r.status_code == 409]
    assert len(created) + len(in_flight) == 20
    assert {r.json()["type"] for r in in_flight} <= {"urn:problem-type:llr:idempotencyKeyInFlight"}
    assert len({r.json()["id"] for r in created}) == 1
    assert sum(1 for r in created if "Idempotency-Replayed" not in r.headers) == 1
    listing = await http.get("/transactions", params={"ssin": ssin, "type": "reserve"})
    assert len(listing.json()["items"]) == 1
    replay = await post_txn(http, body, key)
    assert replay.status_code == 201
    assert replay.headers["Idempotency-Replayed"] == "true"
    assert replay.json()["id"] == created[0].json()["id"]
    async with AsyncSession(live_db) as session:
        await assert_ledger_consistent(session)
