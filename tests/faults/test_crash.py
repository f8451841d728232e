"""SIGKILL in the middle of a stream of transactions: after a restart, every transaction that
was answered 201 is there as answered, nothing is half-applied, and retrying what was in flight
(same Idempotency-Key, same body) posts it at most once."""

import asyncio
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.domain.identity import CitizenKeyer, parse_ssin
from app.embedded_pg import EmbeddedPostgres
from tests.auth_support import TestIssuer
from tests.faults.live import REQUEST_TIMEOUT, TEST_SECRET, LiveServer
from tests.support import assert_ledger_consistent, grant, make_ssin, qty

pytestmark = pytest.mark.faults

CITIZENS = 4
STREAMS = 6
KILL_AFTER = 40
"""Responses received before the server is killed."""


@dataclass
class Attempt:
    key: str
    body: dict[str, Any]
    response: httpx.Response | None = None
    error: Exception | None = None


@pytest.fixture
def crash_server(
    fault_pg: EmbeddedPostgres, issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    server = LiveServer(fault_pg.url("llr"), issuer, tmp_path_factory.mktemp("crash"), workers=2)
    server.start()
    yield server
    server.stop()


def _client(server: LiveServer, issuer: TestIssuer) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=server.base_url, headers=issuer.headers("dwse"), timeout=REQUEST_TIMEOUT + 10
    )


async def _stream(
    http: httpx.AsyncClient,
    rng: random.Random,
    citizens: list[str],
    attempts: list[Attempt],
    answered: list[int],
    enough: asyncio.Event,
) -> None:
    """Reserves, redeems, captures and releases until the server stops answering."""
    holds: list[str] = []
    while True:
        ssin = rng.choice(citizens)
        booking = {
            "ssin": ssin,
            "incentive": "vov",
            "amount": qty(str(rng.randint(1, 3)), "HOUR"),
            "reference": f"crash-{uuid.uuid4()}",
        }
        roll = rng.random()
        if holds and roll < 0.25:
            body: dict[str, Any] = {"type": "capture", "reservationId": holds.pop()}
        elif holds and roll < 0.35:
            body = {"type": "release", "reservationId": holds.pop()}
        elif roll < 0.7:
            body = {"type": "reserve", **booking}
        else:
            body = {"type": "redeem", **booking}
        attempt = Attempt(str(uuid.uuid4()), body)
        attempts.append(attempt)
        try:
            attempt.response = await http.post(
                "/transactions", json=body, headers={"Idempotency-Key": attempt.key}
            )
        except httpx.TransportError as exc:
            attempt.error = exc
            return
        assert attempt.response.status_code in (201, 409), attempt.response.text
        if attempt.response.status_code == 201 and body["type"] == "reserve":
            holds.append(attempt.response.json()["id"])
        answered[0] += 1
        if answered[0] >= KILL_AFTER:
            enough.set()


def _stable(transaction: dict[str, Any]) -> dict[str, Any]:
    """What a later read must repeat: all but the status a later capture, release or reverse
    moves on."""
    return {k: v for k, v in transaction.items() if k not in ("status", "reversedBy")}


async def test_sigkill_mid_stream_loses_nothing_answered_and_half_applies_nothing(
    crash_server: LiveServer, issuer: TestIssuer, live_db: AsyncEngine
) -> None:
    rng = random.Random(6)
    citizens = [make_ssin(rng) for _ in range(CITIZENS)]
    attempts: list[Attempt] = []
    answered = [0]
    enough = asyncio.Event()
    async with _client(crash_server, issuer) as http:
        for ssin in citizens:
            await grant(http, ssin, "vov", "100", "HOUR")
        streams = [
            asyncio.create_task(
                _stream(http, random.Random(i), citizens, attempts, answered, enough)
            )
            for i in range(STREAMS)
        ]
        await asyncio.wait_for(enough.wait(), timeout=60)
        await asyncio.to_thread(crash_server.kill)
        await asyncio.wait_for(asyncio.gather(*streams), timeout=30)

    posted = [a for a in attempts if a.response is not None and a.response.status_code == 201]
    unknown = [a for a in attempts if a.response is None]
    assert len(posted) >= KILL_AFTER // 2
    assert len(unknown) == STREAMS  # every stream ended on the kill, with a request unanswered

    crash_server.restart()
    async with _client(crash_server, issuer) as http:
        for attempt in posted:
            assert attempt.response is not None
            answer = attempt.response.json()
            again = await http.get(f"/transactions/{answer['id']}")
            assert again.status_code == 200
            assert _stable(again.json()) == _stable(answer)

        retried: list[dict[str, Any]] = []
        for attempt in unknown:
            headers = {"Idempotency-Key": attempt.key}
            first = await http.post("/transactions", json=attempt.body, headers=headers)
            assert first.status_code in (201, 409), first.text
            if first.status_code == 409:
                # it never ran (or ran and was refused): refused again, never stuck in flight
                assert first.json()["type"] in (
                    "urn:problem-type:llr:insufficientBalance",
                    "urn:problem-type:llr:holdNotPending",
                )
                continue
            second = await http.post("/transactions", json=attempt.body, headers=headers)
            assert second.status_code == 201
            assert second.headers["Idempotency-Replayed"] == "true"
            assert second.json()["id"] == first.json()["id"]
            retried.append(first.json())

        # exactly once: every booking's reference appears once if it was answered 201, never twice
        references: dict[str, int] = {}
        for ssin in citizens:
            page = (await http.get("/transactions", params={"ssin": ssin, "pageSize": 200})).json()
            assert page["next"] is None
            for item in page["items"]:
                if item["type"] in ("reserve", "redeem"):  # a capture repeats its hold's
                    references[item["reference"]] = references.get(item["reference"], 0) + 1
            wallet = (await http.get(f"/wallet/{ssin}")).json()
            (right,) = [r for r in wallet["rights"] if r["incentive"] == "vov"]
            spent = sum(Decimal(right[k]) for k in ("reserved", "used", "available"))
            assert spent == Decimal(right["granted"]) == Decimal(100)
        assert set(references.values()) <= {1}
        for done in [a.response.json() for a in posted if a.response is not None] + retried:
            if done["type"] in ("reserve", "redeem"):
                assert references[done["reference"]] == 1

    keyer = CitizenKeyer(TEST_SECRET.encode())
    keys = [keyer.key(parse_ssin(ssin)) for ssin in citizens]
    async with AsyncSession(live_db) as session:
        await assert_ledger_consistent(session)
        # every transaction of these citizens has its stored response, and every stored
        # response its transaction: the two were committed together or not at all
        orphans = (
            await session.execute(
                text(
                    "SELECT t.id FROM ledger_transactions t LEFT JOIN idempotency_keys k "
                    "ON k.transaction_id = t.id WHERE t.citizen_key = ANY(:keys) AND k.key IS NULL "
                    "UNION ALL SELECT k.transaction_id FROM idempotency_keys k LEFT JOIN "
                    "ledger_transactions t ON t.id = k.transaction_id "
                    "WHERE k.transaction_id IS NOT NULL AND t.id IS NULL"
                ),
                {"keys": keys},
            )
        ).all()
        assert orphans == []
    logs = "".join(p.read_text(errors="replace") for p in crash_server.work_dir.glob("llr-*.log"))
    assert "POST /transactions 201" in logs
    assert not [ssin for ssin in citizens if ssin in logs]
