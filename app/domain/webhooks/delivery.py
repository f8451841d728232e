"""Delivering the outbox: each pending delivery sent at least once, signed per Standard Webhooks.

A worker claims due deliveries with ``FOR UPDATE SKIP LOCKED`` and a lease (so several workers,
in one process or many, never send one concurrently, and a killed worker's claim is taken over
when its lease runs out), commits, sends them outside any database transaction (a slow receiver
holds no lock and never slows a posting), then records each attempt: delivered on a 2xx, else
retried after the next wait of the schedule (with jitter), and failed after the last."""

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from app.domain.vault import SsinVault

LOG = logging.getLogger("llr.webhooks")

CLAIM = text(
    "UPDATE webhook_deliveries d SET attempts = d.attempts + 1, "
    "lease_until = clock_timestamp() + make_interval(secs => :lease) "
    "FROM webhook_events e, webhook_subscriptions s "
    "WHERE d.id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' "
    "AND next_attempt_at <= clock_timestamp() "
    "AND (lease_until IS NULL OR lease_until <= clock_timestamp()) "
    "ORDER BY next_attempt_at, id LIMIT :n FOR UPDATE SKIP LOCKED) "
    "AND e.id = d.event_id AND s.id = d.subscription_id "
    "RETURNING d.id, d.attempts, e.event_id, e.type, e.data, e.created_at, s.url, "
    "s.secret_ciphertext, s.secret_key_id, "
    "(SELECT c.ssin_ciphertext FROM citizens c WHERE c.citizen_key = e.citizen_key) AS sealed, "
    "(SELECT c.ssin_key_id FROM citizens c WHERE c.citizen_key = e.citizen_key) AS sealed_key"
)

DELIVERED = text(
    "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = clock_timestamp(), "
    "lease_until = NULL, last_status = :status, last_error = NULL "
    "WHERE id = :id AND attempts = :attempts"
)

RETRY = text(
    "UPDATE webhook_deliveries SET status = CASE WHEN CAST(:wait AS float8) IS NULL THEN 'failed' "
    "ELSE 'pending' END, next_attempt_at = clock_timestamp() "
    "+ make_interval(secs => coalesce(CAST(:wait AS float8), 0)), lease_until = NULL, "
    "last_status = :status, last_error = :error WHERE id = :id AND attempts = :attempts"
)

ATTEMPT = text(
    "INSERT INTO webhook_attempts (delivery_id, status_code, error, duration_ms) "
    "VALUES (:id, :status, :error, :ms)"
)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    attempts: int
    url: str
    message_id: str
    body: str
    secret: str


@dataclass(frozen=True, slots=True)
class Outcome:
    claimed: Claimed
    status: int | None
    error: str | None
    milliseconds: int

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Schedule:
    waits: Sequence[float]
    """Seconds before each retry; after the last, failed."""
    timeout: float
    lease: float

    def wait_after(self, attempts: int) -> float | None:
        if attempts > len(self.waits):
            return None
        return self.waits[attempts - 1] * random.uniform(0.8, 1.2)  # noqa: S311 - jitter


def body_of(row: Any, vault: SsinVault) -> str:
    """The event as the receiver gets it: the SSIN (opened from its sealed copy) added here,
    never stored with the event."""
    data = dict(row.data)
    if row.sealed is not None:
        data["ssin"] = vault.open(bytes(row.sealed), row.sealed_key).value
    created: datetime = row.created_at
    event = {"type": row.type, "timestamp": created.astimezone(UTC).isoformat(), "data": data}
    return json.dumps(event, separators=(",", ":"), sort_keys=True, default=str)


async def claim(
    sessions: async_sessionmaker[AsyncSession], vault: SsinVault, schedule: Schedule, limit: int
) -> list[Claimed]:
    async with sessions() as session, session.begin():
        rows = (await session.execute(CLAIM, {"lease": schedule.lease, "n": limit})).all()
    return [
        Claimed(
            row.id,
            row.attempts,
            row.url,
            f"msg_{row.event_id.hex}",
            body_of(row, vault),
            vault.open_secret(bytes(row.secret_ciphertext), row.secret_key_id),
        )
        for row in rows
    ]


async def send(client: httpx.AsyncClient, claimed: Claimed, seconds: float) -> Outcome:
    now = datetime.now(UTC)
    signature = Webhook(claimed.secret).sign(claimed.message_id, now, claimed.body)
    headers = {
        "content-type": "application/json",
        "webhook-id": claimed.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    started = time.perf_counter()
    try:
        response = await client.post(
            claimed.url, content=claimed.body, headers=headers, timeout=seconds
        )
        status, error = response.status_code, None
        if not 200 <= status < 300:
            error = f"answered {status}"
    except httpx.HTTPError as failure:
        status, error = None, f"{type(failure).__name__}: {failure}"[:500]
    return Outcome(claimed, status, error, round((time.perf_counter() - started) * 1000))


async def record(session: AsyncSession, outcomes: Sequence[Outcome], schedule: Schedule) -> None:
    for outcome in outcomes:
        done = outcome.claimed
        key = {"id": done.id, "attempts": done.attempts, "status": outcome.status}
        if outcome.delivered:
            await session.execute(DELIVERED, key)
        else:
            wait = schedule.wait_after(done.attempts)
            await session.execute(RETRY, key | {"wait": wait, "error": outcome.error})
        await session.execute(
            ATTEMPT,
            {
                "id": done.id,
                "status": outcome.status,
                "error": outcome.error,
                "ms": outcome.milliseconds,
            },
        )


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession],
    vault: SsinVault,
    client: httpx.AsyncClient,
    schedule: Schedule,
    limit: int = 50,
) -> int:
    """One round: claims up to ``limit`` due deliveries, sends them at once, records the
    outcomes; the number sent."""
    claimed = await claim(sessions, vault, schedule, limit)
    if not claimed:
        return 0
    outcomes = await asyncio.gather(*(send(client, one, schedule.timeout) for one in claimed))
    async with sessions() as session, session.begin():
        await record(session, outcomes, schedule)
    return len(claimed)


async def run_worker(
    sessions: async_sessionmaker[AsyncSession],
    vault: SsinVault,
    schedule: Schedule,
    poll_seconds: float,
    stop: asyncio.Event,
) -> None:
    """Delivers until ``stop`` is set, waiting ``poll_seconds`` when nothing is due."""
    async with httpx.AsyncClient(follow_redirects=False) as client:
        while not stop.is_set():
            try:
                sent = await deliver_due(sessions, vault, client, schedule)
            except Exception:  # the database is away, or a receiver broke the client: later
                LOG.exception("webhook delivery round failed")
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_seconds)
