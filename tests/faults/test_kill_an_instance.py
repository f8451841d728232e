"""Two ``llr serve`` instances behind HAProxy, both on PostgreSQL through PgBouncer in
transaction mode (the topology of ``llr topology start``): postings stream through the balancer
while one instance is SIGKILLed. Every posting answered 201 is there as answered, a client that
lost its answer retries with the same Idempotency-Key and the posting exists once, and the
ledger's invariants hold (its SQL functions and transaction-scoped advisory locks work through
PgBouncer: no session state is needed)."""

import asyncio
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.embedded_pg import EmbeddedPostgres, free_port
from app.topology.proxies import Process, start_haproxy, start_pgbouncer
from tests.auth_support import TestIssuer
from tests.faults.live import REQUEST_TIMEOUT, LiveServer, wait_until
from tests.support import assert_ledger_consistent, grant, make_ssin, qty

pytestmark = pytest.mark.faults

CITIZENS = 4
STREAMS = 6
KILL_AFTER = 30
"""201s before one instance is killed."""
RETRIES = 40
RETRIED_STATUSES = (502, 503, 504)


@dataclass
class Balanced:
    bouncer: Process
    balancer: Process
    instances: list[LiveServer]
    port: int
    folder: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def balanced(
    fault_pg: EmbeddedPostgres, issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Balanced]:
    folder = tmp_path_factory.mktemp("balanced")
    bouncer_port, port = free_port(), free_port()
    bouncer = start_pgbouncer(folder / "pgbouncer", bouncer_port, fault_pg.port)
    url = f"postgresql://postgres@127.0.0.1:{bouncer_port}/llr"
    instances = [
        LiveServer(url, issuer, folder, workers=1, extra_env={"LLR_DB_PGBOUNCER": "true"})
        for _ in range(2)
    ]
    try:
        for instance in instances:
            instance.start()
        balancer = start_haproxy(folder / "haproxy", port, [i.port for i in instances])
        yield Balanced(bouncer, balancer, instances, port, folder)
        balancer.stop()
    finally:
        for instance in instances:
            instance.stop()
        bouncer.stop()


@dataclass
class Attempt:
    key: str
    body: dict[str, Any]
    answers: list[httpx.Response] = field(default_factory=list)
    failures: int = 0
    """Tries without an answer of the service (connection lost, the balancer's 502/503)."""


async def _post(http: httpx.AsyncClient, attempt: Attempt) -> httpx.Response:
    """Posts until the service answers, always with the same key and body."""
    for _ in range(RETRIES):
        try:
            response = await http.post(
                "/transactions", json=attempt.body, headers={"Idempotency-Key": attempt.key}
            )
        except httpx.TransportError:
            attempt.failures += 1
            continue
        if response.status_code in RETRIED_STATUSES:
            attempt.failures += 1
            await asyncio.sleep(0.05)  # a client's back-off, not a wait for an outcome
            continue
        attempt.answers.append(response)
        return response
    raise AssertionError(f"no answer after {RETRIES} tries")


async def _stream(
    http: httpx.AsyncClient,
    rng: random.Random,
    citizens: list[str],
    attempts: list[Attempt],
    answered: list[int],
    enough: asyncio.Event,
    done: asyncio.Event,
) -> None:
    while not done.is_set():
        body = {
            "type": rng.choice(["reserve", "redeem"]),
            "ssin": rng.choice(citizens),
            "incentive": "vov",
            "amount": qty(str(rng.randint(1, 2)), "HOUR"),
            "reference": f"kill-{uuid.uuid4()}",
        }
        attempt = Attempt(str(uuid.uuid4()), body)
        attempts.append(attempt)
        response = await _post(http, attempt)
        assert response.status_code in (201, 409), response.text
        answered[0] += 1
        if answered[0] >= KILL_AFTER:
            enough.set()


async def test_killing_an_instance_behind_the_balancer_loses_no_acknowledged_posting(
    balanced: Balanced, issuer: TestIssuer, live_db: AsyncEngine
) -> None:
    rng = random.Random(18)
    citizens = [make_ssin(rng) for _ in range(CITIZENS)]
    attempts: list[Attempt] = []
    answered = [0]
    enough, done = asyncio.Event(), asyncio.Event()
    victim, survivor = balanced.instances
    async with httpx.AsyncClient(
        base_url=balanced.base_url, headers=issuer.headers("dwse"), timeout=REQUEST_TIMEOUT + 10
    ) as http:
        for ssin in citizens:
            await grant(http, ssin, "vov", "200", "HOUR")
        streams = [
            asyncio.create_task(
                _stream(http, random.Random(i), citizens, attempts, answered, enough, done)
            )
            for i in range(STREAMS)
        ]
        await asyncio.wait_for(enough.wait(), timeout=90)
        before_kill = answered[0]
        await asyncio.to_thread(victim.kill)
        # the streams go on through the survivor until as many answers again came back
        while answered[0] < 2 * before_kill:
            await asyncio.sleep(0.05)
            assert all(not s.done() for s in streams), [s.exception() for s in streams if s.done()]
        done.set()
        await asyncio.wait_for(asyncio.gather(*streams), timeout=60)

        posted = [a for a in attempts if a.answers[-1].status_code == 201]
        assert len(posted) >= KILL_AFTER
        for attempt in posted:
            answer = attempt.answers[-1].json()
            again = await http.get(f"/transactions/{answer['id']}")
            assert again.status_code == 200
            assert again.json()["reference"] == answer["reference"]
            # the same key once more: the stored answer, never a second posting
            replay = await http.post(
                "/transactions", json=attempt.body, headers={"Idempotency-Key": attempt.key}
            )
            assert replay.status_code == 201
            assert replay.headers["Idempotency-Replayed"] == "true"
            assert replay.json()["id"] == answer["id"]

        references: dict[str, int] = {}
        for ssin in citizens:
            page = (await http.get("/transactions", params={"ssin": ssin, "pageSize": 200})).json()
            assert page["next"] is None
            for item in page["items"]:
                if item["type"] in ("reserve", "redeem"):
                    references[item["reference"]] = references.get(item["reference"], 0) + 1
            wallet = (await http.get(f"/wallet/{ssin}")).json()
            (right,) = [r for r in wallet["rights"] if r["incentive"] == "vov"]
            spent = sum(Decimal(right[k]) for k in ("reserved", "used", "available"))
            assert spent == Decimal(right["granted"]) == Decimal(200)
        assert set(references.values()) == {1}
        assert {a.answers[-1].json()["reference"] for a in posted} <= set(references)

    async with AsyncSession(live_db) as session:
        await assert_ledger_consistent(session)
    # both instances answered postings; after the kill only the survivor did
    assert "POST /transactions 201" in victim.log_path.read_text(errors="replace")
    assert "POST /transactions 201" in survivor.log_tail(200)
    assert victim.process is None
    assert survivor.process is not None
    assert survivor.process.poll() is None

    # no instance left: the balancer answers the service's own 503 problem+json
    survivor.kill()
    answer = await asyncio.to_thread(_when_none_is_up, balanced.base_url, issuer)
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["type"] == "urn:problem-type:belgif:serviceUnavailable"


def _when_none_is_up(base_url: str, issuer: TestIssuer) -> httpx.Response:
    """A posting once the balancer has seen every instance down."""
    with httpx.Client(base_url=base_url, timeout=5) as client:
        wait_until(lambda: client.get("/health").status_code == 503, 10, "HAProxy's 503")
        return client.post("/transactions", json={}, headers=issuer.headers("dwse"))
