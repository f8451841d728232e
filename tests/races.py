"""Races both the in-process and the two-worker suites run: the same requests, the same
guarantees, against whichever client they are given."""

import asyncio
import uuid
from typing import Any

import httpx

from tests.support import grant, make_ssin, post_txn, qty


async def fifty_reserves_against_125_hours(http: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    """50 concurrent 10-hour reserves on 125 hours: exactly 12 pass, 38 are refused for lack of
    balance. Returns the citizen and the request body."""
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
    return ssin, body


async def twenty_requests_with_one_key(
    http: httpx.AsyncClient,
) -> tuple[dict[str, Any], str, httpx.Response]:
    """20 concurrent requests with one Idempotency-Key post once; a later one replays it.
    Returns the body, the key and the replay."""
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
    return body, key, replay
