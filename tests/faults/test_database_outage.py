"""PostgreSQL stops under load: every request is answered 503 problem+json in time (not 500, no
hang past the request timeout), /health says DOWN; PostgreSQL starts again: the same server
process recovers by itself, and nothing answered 201 is lost."""

import asyncio
import contextlib
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from app.db import async_url
from app.embedded_pg import EmbeddedPostgres
from tests.auth_support import TestIssuer
from tests.faults.live import REQUEST_TIMEOUT, LiveServer, start_postgres
from tests.support import assert_ledger_consistent, grant, make_ssin, qty

pytestmark = pytest.mark.faults

MARGIN = 2.0
UNAVAILABLE = "urn:problem-type:belgif:serviceUnavailable"


@dataclass
class Outcome:
    phase: str
    method: str
    status: int
    content_type: str
    problem_type: str | None
    seconds: float
    key: str | None = None


@pytest.fixture
def outage(
    issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EmbeddedPostgres, LiveServer]]:
    """A PostgreSQL of this test alone (it stops it) and a server on it."""
    work = tmp_path_factory.mktemp("outage")
    pg = start_postgres(work / "data", crash_safe=True)
    server = LiveServer(pg.url("llr"), issuer, work, workers=1)
    try:
        server.start()
        yield pg, server
    finally:
        server.stop()
        pg.stop()


class Load:
    """A few clients reserving one hour and reading the wallet, over and over."""

    def __init__(self, http: httpx.AsyncClient, ssin: str) -> None:
        self.http, self.ssin = http, ssin
        self.phase = "before"
        self.outcomes: list[Outcome] = []
        self.running = True

    async def client(self) -> None:
        while self.running:
            await self.one("POST")
            await self.one("GET")

    async def one(self, method: str) -> Outcome:
        phase, key = self.phase, str(uuid.uuid4())
        started = time.monotonic()
        if method == "POST":
            body = {
                "type": "reserve",
                "ssin": self.ssin,
                "incentive": "vov",
                "amount": qty("1", "HOUR"),
            }
            response = await self.http.post(
                "/transactions", json=body, headers={"Idempotency-Key": key}
            )
        else:
            response = await self.http.get(f"/wallet/{self.ssin}")
        seconds = time.monotonic() - started
        content_type = response.headers.get("content-type", "")
        problem = response.json().get("type") if "problem+json" in content_type else None
        outcome = Outcome(
            phase,
            method,
            response.status_code,
            content_type,
            problem,
            seconds,
            key if method == "POST" else None,
        )
        self.outcomes.append(outcome)
        return outcome

    def count(self, phase: str, status: int | None = None) -> int:
        return sum(
            1 for o in self.outcomes if o.phase == phase and (status is None or o.status == status)
        )


async def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {seconds}s"
        await asyncio.sleep(0.05)


def _crash(pg: EmbeddedPostgres) -> None:
    """SIGKILL to every PostgreSQL process: the next start replays the write-ahead log."""
    for pid in reversed(_postgres_processes(pg)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    pg.kill()


@pytest.mark.parametrize("how", ["stop", "crash"])
async def test_database_outage_is_503_and_the_service_recovers_without_restart(
    outage: tuple[EmbeddedPostgres, LiveServer], issuer: TestIssuer, how: str
) -> None:
    pg, server = outage
    ssin = make_ssin()
    async with httpx.AsyncClient(
        base_url=server.base_url, headers=issuer.headers("dwse"), timeout=REQUEST_TIMEOUT + 30
    ) as http:
        await grant(http, ssin, "vov", "1000", "HOUR")
        load = Load(http, ssin)
        clients = [asyncio.create_task(load.client()) for _ in range(3)]
        await until(lambda: load.count("before", 201) >= 5, 30, "load before the outage")

        await asyncio.to_thread(pg.stop if how == "stop" else lambda: _crash(pg))
        load.phase = "down"
        await until(lambda: load.count("down") >= 12, 60, "answers during the outage")
        health = await http.get("/health")
        assert (health.status_code, health.json()["status"]) == (503, "DOWN")

        load.phase = "restarting"
        await asyncio.to_thread(pg.start)
        load.phase = "after"
        await until(
            lambda: load.count("after", 201) >= 5,
            60,
            f"recovery after the outage {load.outcomes[-5:]}",
        )
        load.running = False
        await asyncio.gather(*clients)
        health = await http.get("/health")
        assert (health.status_code, health.json()["status"]) == (200, "UP")

        # a 503 that may have been a commit whose answer was lost: retried, it posts once
        for outcome in load.outcomes:
            if outcome.method == "POST" and outcome.status == 503:
                body = {
                    "type": "reserve",
                    "ssin": ssin,
                    "incentive": "vov",
                    "amount": qty("1", "HOUR"),
                }
                retry = await http.post(
                    "/transactions", json=body, headers={"Idempotency-Key": outcome.key or ""}
                )
                assert retry.status_code == 201
        wallet = (await http.get(f"/wallet/{ssin}")).json()

    assert {o.status for o in load.outcomes} <= {200, 201, 503}
    down = [o for o in load.outcomes if o.phase == "down"]
    assert {o.status for o in down} == {503}
    for outcome in load.outcomes:
        assert outcome.seconds < REQUEST_TIMEOUT + MARGIN, outcome
        if outcome.status == 503:
            assert outcome.content_type == "application/problem+json"
            assert outcome.problem_type == UNAVAILABLE
    (right,) = [r for r in wallet["rights"] if r["incentive"] == "vov"]
    reserves = sum(1 for o in load.outcomes if o.method == "POST")
    assert right["reserved"] == f"{reserves}.00"

    engine = create_async_engine(async_url(pg.url("llr")))
    try:
        async with AsyncSession(engine) as session:
            await assert_ledger_consistent(session)
    finally:
        await engine.dispose()


def _postgres_processes(pg: EmbeddedPostgres) -> list[int]:
    """The postmaster and every process it started."""
    assert pg.process is not None
    root = pg.process.pid
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == root:
                children.append(int(entry.name))
    return [root, *children]


async def test_a_hung_database_is_503_within_the_request_timeout(
    outage: tuple[EmbeddedPostgres, LiveServer], issuer: TestIssuer
) -> None:
    """PostgreSQL frozen (SIGSTOP): connections neither fail nor answer. Every request still
    ends, as 503, before the request timeout has long passed; thawed, the service goes on."""
    pg, server = outage
    ssin = make_ssin()
    async with httpx.AsyncClient(
        base_url=server.base_url, headers=issuer.headers("dwse"), timeout=REQUEST_TIMEOUT + 30
    ) as http:
        await grant(http, ssin, "vov", "100", "HOUR")
        load = Load(http, ssin)
        frozen = _postgres_processes(pg)
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        try:
            load.phase = "down"
            outcomes = await asyncio.gather(*(load.one(m) for m in ("POST", "GET") * 3))
            started = time.monotonic()
            health = await http.get("/health")
            health_seconds = time.monotonic() - started
        finally:
            for pid in frozen:
                os.kill(pid, signal.SIGCONT)
        assert (health.status_code, health.json()["status"]) == (503, "DOWN")
        assert health_seconds < 3 + MARGIN
        for outcome in outcomes:
            assert outcome.status == 503, outcome
            assert outcome.problem_type == UNAVAILABLE
            assert outcome.seconds < REQUEST_TIMEOUT + MARGIN, outcome

        await until_up(http)
        load.phase = "after"
        assert (await load.one("POST")).status == 201
        assert (await load.one("GET")).status == 200


async def until_up(http: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 30
    while (await http.get("/health")).status_code != 200:
        assert time.monotonic() < deadline, "/health not UP again within 30s"
        await asyncio.sleep(0.05)
