"""Failover: the primary is SIGKILLed in the middle of a stream of postings and its synchronous
replica promoted (``pg_ctl promote``). The service, on a multi-host DATABASE_URL with
``target_session_attrs=read-write``, answers 503 problem+json while there is no primary and
reconnects to the promoted one without a restart; no posting it acknowledged is lost, and a
client retrying with the same Idempotency-Key posts it once."""

import asyncio
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from app.topology import multi_host_url
from app.topology.postgres import PgNode
from tests.auth_support import TestIssuer
from tests.faults.live import REQUEST_TIMEOUT, LiveServer, start_pair
from tests.support import grant, make_ssin, qty

pytestmark = pytest.mark.faults

CITIZENS = 3
STREAMS = 4
KILL_AFTER = 20
RETRIES = 200


@dataclass
class Attempt:
    key: str
    body: dict[str, Any]
    statuses: list[int] = field(default_factory=list)
    answer: dict[str, Any] | None = None


@dataclass
class Failover:
    primary: PgNode
    replica: PgNode
    server: LiveServer


@pytest.fixture
def failover(issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Failover]:
    primary, replica = start_pair(tmp_path_factory.mktemp("failover"), synchronous=True)
    server = LiveServer(multi_host_url(primary, replica), issuer, primary.data_dir.parent)
    try:
        server.start()
        yield Failover(primary, replica, server)
    finally:
        server.stop()
        replica.stop()
        primary.stop()


async def _post(http: httpx.AsyncClient, attempt: Attempt, unavailable: asyncio.Event) -> None:
    for _ in range(RETRIES):
        # the service itself stays up: every request is answered (no transport error)
        response = await http.post(
            "/transactions", json=attempt.body, headers={"Idempotency-Key": attempt.key}
        )
        attempt.statuses.append(response.status_code)
        if response.status_code == 503:
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "urn:problem-type:belgif:serviceUnavailable"
            unavailable.set()
            await asyncio.sleep(0.1)  # a client's back-off, not a wait for an outcome
            continue
        assert response.status_code in (201, 409), response.text
        if response.status_code == 201:
            attempt.answer = response.json()
        return
    raise AssertionError(f"no answer after {RETRIES} tries: {attempt.statuses[-5:]}")


async def _stream(
    http: httpx.AsyncClient,
    rng: random.Random,
    citizens: list[str],
    attempts: list[Attempt],
    answered: list[int],
    events: dict[str, asyncio.Event],
) -> None:
    while not events["done"].is_set():
        body = {
            "type": "redeem",
            "ssin": rng.choice(citizens),
            "incentive": "vov",
            "amount": qty("1", "HOUR"),
            "reference": f"failover-{uuid.uuid4()}",
        }
        attempt = Attempt(str(uuid.uuid4()), body)
        attempts.append(attempt)
        await _post(http, attempt, events["unavailable"])
        answered[0] += 1
        if answered[0] >= KILL_AFTER:
            events["enough"].set()


async def test_primary_killed_replica_promoted_no_acknowledged_posting_lost(
    failover: Failover, issuer: TestIssuer
) -> None:
    rng = random.Random(20)
    citizens = [make_ssin(rng) for _ in range(CITIZENS)]
    attempts: list[Attempt] = []
    answered = [0]
    events = {name: asyncio.Event() for name in ("enough", "unavailable", "done")}
    async with httpx.AsyncClient(
        base_url=failover.server.base_url,
        headers=issuer.headers("dwse"),
        timeout=REQUEST_TIMEOUT + 10,
    ) as http:
        for ssin in citizens:
            await grant(http, ssin, "vov", "500", "HOUR")
        streams = [
            asyncio.create_task(
                _stream(http, random.Random(i), citizens, attempts, answered, events)
            )
            for i in range(STREAMS)
        ]
        await asyncio.wait_for(events["enough"].wait(), timeout=60)
        await asyncio.to_thread(failover.primary.kill)
        # no primary: the service says so (503) rather than hanging or failing otherwise
        await asyncio.wait_for(events["unavailable"].wait(), timeout=30)
        before_promotion = answered[0]
        await asyncio.to_thread(failover.replica.promote)
        # the service finds the promoted replica by itself: postings are answered again
        while answered[0] < before_promotion + KILL_AFTER:
            await asyncio.sleep(0.05)
            assert all(not s.done() for s in streams), [s.exception() for s in streams if s.done()]
        events["done"].set()
        await asyncio.wait_for(asyncio.gather(*streams), timeout=60)

        posted = [a for a in attempts if a.answer is not None]
        assert len(posted) >= 2 * KILL_AFTER - STREAMS
        assert any(503 in a.statuses for a in attempts)
        for attempt in posted:
            assert attempt.answer is not None
            again = await http.get(f"/transactions/{attempt.answer['id']}")
            assert again.status_code == 200, f"acknowledged, then lost: {attempt.answer['id']}"
            replay = await http.post(
                "/transactions", json=attempt.body, headers={"Idempotency-Key": attempt.key}
            )
            assert replay.status_code == 201
            assert replay.json()["id"] == attempt.answer["id"]
        for ssin in citizens:
            wallet = (await http.get(f"/wallet/{ssin}")).json()
            (right,) = [r for r in wallet["rights"] if r["incentive"] == "vov"]
            mine = [a for a in posted if a.body["ssin"] == ssin]
            assert Decimal(right["used"]) == len(mine)
            assert Decimal(right["available"]) == 500 - len(mine)

    # the promoted replica is the primary now, and it holds every acknowledged posting
    conn = await asyncpg.connect(failover.replica.url())
    try:
        assert await conn.fetchval("SELECT NOT pg_is_in_recovery()")
        found = await conn.fetchval(
            "SELECT count(*) FROM ledger_transactions WHERE id = ANY($1::uuid[])",
            [a.answer["id"] for a in posted if a.answer is not None],
        )
    finally:
        await conn.close()
    assert found == len(posted)
