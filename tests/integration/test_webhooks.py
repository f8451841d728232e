"""Webhooks: events written by PostgreSQL in the transaction of the posting they report (an
outbox), delivered at least once over real HTTP, signed per Standard Webhooks, retried, replayed,
never sent twice at once by two workers, and never beyond what the partner may read."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from app.db import create_sessionmaker
from app.domain.webhooks.delivery import Schedule, claim, deliver_due
from app.domain.webhooks.expiring import expiring_events
from tests.support import EMPLOYEE_FACTS, make_ssin, post_txn
from tests.webhook_receiver import Receiver, receiving

NOW = Schedule(waits=[0, 0, 0], timeout=0.5, lease=60)
"""Retries due at once, so a test runs the whole schedule without waiting."""


@dataclass
class Hooks:
    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    app: FastAPI
    created: list[str] = field(default_factory=list)

    async def subscribe(self, url: str, events: list[str], **extra: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/subscriptions", json={"url": url, "events": events}, **extra
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        self.created.append(body["id"])
        return body

    async def deliver(
        self, until: Callable[[], bool], schedule: Schedule = NOW, rounds: int = 40
    ) -> None:
        async with httpx.AsyncClient() as http:
            for _ in range(rounds):
                if until():
                    return
                await deliver_due(self.sessions, self.app.state.vault, http, schedule)
        assert until(), "not delivered within the rounds"

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.sessions() as session:
            return await session.scalar(text(sql), params)


@pytest.fixture
async def hooks(
    committing_client: httpx.AsyncClient, committing_app: FastAPI, engine: AsyncEngine
) -> AsyncIterator[Hooks]:
    found = Hooks(committing_client, create_sessionmaker(engine), committing_app)
    yield found
    async with found.sessions() as session, session.begin():  # others' rounds skip them
        ids = [uuid.UUID(i) for i in found.created]
        await session.execute(
            text("UPDATE webhook_subscriptions SET deleted_at = now() WHERE id = ANY(:ids)"),
            {"ids": ids},
        )
        await session.execute(
            text(
                "UPDATE webhook_deliveries SET status = 'failed' "
                "WHERE subscription_id = ANY(:ids) AND status = 'pending'"
            ),
            {"ids": ids},
        )


async def citizen(client: httpx.AsyncClient) -> str:
    ssin = make_ssin()
    declared = {"facts": EMPLOYEE_FACTS, "source": "dmfa", "observedOn": "2026-01-05"}
    assert (await client.put(f"/citizens/{ssin}/facts", json=declared)).is_success
    return ssin


async def reserve(client: httpx.AsyncClient, ssin: str, hours: str = "4") -> httpx.Response:
    return await post_txn(
        client,
        {
            "type": "reserve",
            "ssin": ssin,
            "incentive": "vov",
            "amount": {"amount": hours, "unit": "HOUR"},
        },
    )


def bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.received]


async def test_a_posting_is_delivered_once_signed_with_the_subscription_secret(
    hooks: Hooks,
) -> None:
    with receiving() as receiver:
        made = await hooks.subscribe(receiver.url, ["right.granted", "hold.created"])
        assert made["secret"].startswith("whsec_")
        ssin = await citizen(hooks.client)
        assert (await reserve(hooks.client, ssin)).status_code == 201  # settles, then holds
        await hooks.deliver(lambda: len(receiver.received) >= 2)
        got = bodies(receiver)
        mine = [b for b in got if b["data"].get("ssin") == ssin]
        assert sorted(b["type"] for b in mine) == ["hold.created", "right.granted"]
        assert {b["data"]["incentive"] for b in mine} == {"vov"}  # the reserve settled VOV
        for one in receiver.received:
            Webhook(made["secret"]).verify(one.body, one.headers)  # raises when forged
        with pytest.raises(Exception, match="signature"):
            Webhook("whsec_" + "A" * 32).verify(
                receiver.received[0].body, receiver.received[0].headers
            )
        assert len(set(receiver.ids())) == len(receiver.ids())
        # the secret is never shown again
        again = (await hooks.client.get(f"/subscriptions/{made['id']}")).json()
        assert again.get("secret") is None


async def test_no_event_for_a_posting_that_did_not_commit(hooks: Hooks) -> None:
    with receiving() as receiver:
        await hooks.subscribe(receiver.url, ["hold.created", "right.granted"])
        ssin = await citizen(hooks.client)
        events = "SELECT count(*) FROM webhook_events"
        before = await hooks.scalar(events)
        # settles VOV, then refuses the hold: the whole request rolls back, grant included
        assert (await reserve(hooks.client, ssin, "10000")).status_code == 409
        assert await hooks.scalar(events) == before
        assert (await reserve(hooks.client, ssin)).status_code == 201
        assert await hooks.scalar(events) == before + 2  # the grant and the hold, committed


async def test_500s_and_timeouts_are_retried_then_delivered(hooks: Hooks) -> None:
    with receiving() as receiver:
        receiver.answers = [500, 503, 2.0]  # two errors, then slower than the 0.5 s timeout
        made = await hooks.subscribe(receiver.url, ["hold.created"])
        ssin = await citizen(hooks.client)
        assert (await reserve(hooks.client, ssin)).status_code == 201

        await hooks.deliver(lambda: len(receiver.received) >= 4)
        page = (await hooks.client.get(f"/subscriptions/{made['id']}/deliveries")).json()
        [delivery] = page["items"]
        assert (delivery["status"], delivery["attempts"]) == ("delivered", 4)
        assert [a["statusCode"] for a in reversed(delivery["tried"])] == [500, 503, None, 200]
        assert "Timeout" in delivery["tried"][1]["error"]
        assert len(set(receiver.ids())) == 1  # one event, the same webhook-id every time


async def test_a_failed_delivery_can_be_replayed(hooks: Hooks) -> None:
    with receiving() as receiver:
        receiver.answers = [500] * 4
        made = await hooks.subscribe(receiver.url, ["hold.created"])
        ssin = await citizen(hooks.client)
        assert (await reserve(hooks.client, ssin)).status_code == 201
        listing = f"/subscriptions/{made['id']}/deliveries"

        async def status() -> str:
            return str((await hooks.client.get(listing)).json()["items"][0]["status"])

        await hooks.deliver(lambda: len(receiver.received) >= 4)
        assert await status() == "failed"  # 1 try + 3 retries, all 500
        [delivery] = (await hooks.client.get(listing)).json()["items"]
        again = await hooks.client.post(f"{listing}/{delivery['id']}/replay")
        assert again.status_code == 202
        assert (await hooks.client.post(f"{listing}/{delivery['id']}/replay")).status_code == 409
        await hooks.deliver(lambda: len(receiver.received) >= 5)
        assert await status() == "delivered"
        assert (await hooks.client.post(f"{listing}/999999999/replay")).status_code == 404


async def test_two_workers_never_send_one_event_twice(hooks: Hooks) -> None:
    with receiving() as receiver:
        await hooks.subscribe(receiver.url, ["hold.created"])
        ssins = [await citizen(hooks.client) for _ in range(12)]
        for ssin in ssins:
            assert (await reserve(hooks.client, ssin, "1")).status_code == 201
        vault = hooks.app.state.vault

        async def worker() -> None:
            async with httpx.AsyncClient() as http:
                for _ in range(20):
                    await deliver_due(hooks.sessions, vault, http, NOW, limit=3)

        await asyncio.gather(worker(), worker())
        ids = receiver.ids()
        assert len(ids) == len(set(ids)) == 12


async def test_a_killed_workers_claim_is_taken_over_when_its_lease_ends(hooks: Hooks) -> None:
    with receiving() as receiver:
        made = await hooks.subscribe(receiver.url, ["hold.created"])
        ssin = await citizen(hooks.client)
        assert (await reserve(hooks.client, ssin)).status_code == 201
        taken = await claim(hooks.sessions, hooks.app.state.vault, NOW, 50)  # then "killed"
        assert len(taken) == 1
        async with httpx.AsyncClient() as http:
            assert await deliver_due(hooks.sessions, hooks.app.state.vault, http, NOW) == 0
        async with hooks.sessions() as session, session.begin():  # the lease runs out
            await session.execute(
                text(
                    "UPDATE webhook_deliveries SET lease_until = clock_timestamp() - "
                    "interval '1 second' WHERE subscription_id = :id"
                ),
                {"id": uuid.UUID(made["id"])},
            )
        await hooks.deliver(lambda: len(receiver.received) == 1)
        assert receiver.ids() == [taken[0].message_id]


async def test_events_carry_only_what_the_partner_may_read(
    hooks: Hooks, token_for: Callable[..., str]
) -> None:
    with receiving() as receiver:
        vdab = {"headers": {"Authorization": f"Bearer {token_for('vdab')}"}}
        made = await hooks.subscribe(receiver.url, ["right.granted"], **vdab)
        assert made["incentives"] == ["loopbaancheques", "opleidingscheques"]
        refused = await hooks.client.post(
            "/subscriptions",
            json={"url": receiver.url, "events": ["right.granted"], "incentives": ["vov"]},
            **vdab,
        )
        assert refused.status_code == 403
        ssin = await citizen(hooks.client)
        other = await citizen(hooks.client)
        bound = {"headers": {"Authorization": f"Bearer {token_for('burgerprofiel', ssin=ssin)}"}}
        own = await hooks.subscribe(receiver.url, ["right.granted"], **bound)
        for someone in (ssin, other):
            assert (await hooks.client.get(f"/wallet/{someone}")).status_code == 200
        count = "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = :id"
        by_vdab = await hooks.scalar(count, id=uuid.UUID(made["id"]))
        by_citizen = await hooks.scalar(count, id=uuid.UUID(own["id"]))
        assert by_vdab == 4  # vouchers and career vouchers of both, no VOV
        assert by_citizen == 3  # the citizen's own three rights only
        listed = (await hooks.client.get("/subscriptions", **bound)).json()["items"]
        assert [s["id"] for s in listed] == [own["id"]]


async def test_a_subscription_is_refused_with_the_field_named(
    hooks: Hooks, token_for: Callable[..., str]
) -> None:
    for body, name in [
        ({"url": "http://partner.example/hooks", "events": ["hold.created"]}, "url"),
        ({"url": "https://partner.example/hooks", "events": ["hold.made"]}, "events[0]"),
        ({"url": "https://partner.example/hooks", "events": []}, "events"),
    ]:
        response = await hooks.client.post("/subscriptions", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["issues"][0]["name"] == name
    statistics = {"Authorization": f"Bearer {token_for('statistics')}"}
    response = await hooks.client.post(
        "/subscriptions",
        json={"url": "https://partner.example/hooks", "events": ["hold.created"]},
        headers=statistics,
    )
    assert response.status_code == 403


async def test_right_expiring_once_per_right_and_the_wallet_says_it(hooks: Hooks) -> None:
    with receiving() as receiver:
        await hooks.subscribe(receiver.url, ["right.expiring"])
        ssin = await citizen(hooks.client)
        wallet = (await hooks.client.get(f"/wallet/{ssin}")).json()
        # the career vouchers' window ends on 31 December; VOV's school year in August
        assert [e["incentive"] for e in wallet["expiringSoon"]] == ["loopbaancheques"]
        assert wallet["expiringSoon"][0]["expiresOn"] == "2026-12-31"
        today = datetime.now(UTC).date()
        late = today + timedelta(days=(datetime(2027, 8, 20).date() - today).days)
        async with hooks.sessions() as session, session.begin():
            first = await expiring_events(session, late, 30)
        async with hooks.sessions() as session, session.begin():
            again = await expiring_events(session, late, 30)
        assert first >= 2
        assert again == 0
        await hooks.deliver(lambda: any(b["data"].get("ssin") == ssin for b in bodies(receiver)))
        mine = [b for b in bodies(receiver) if b["data"].get("ssin") == ssin]
        assert {b["data"]["incentive"] for b in mine} >= {"vov"}
        assert all(
            b["data"]["expiresOn"] == "2027-08-31" for b in mine if b["data"]["incentive"] == "vov"
        )
        soon = (await hooks.client.get(f"/wallet/{ssin}", params={"asOf": "2027-08-20"})).json()
        assert {e["incentive"] for e in soon["expiringSoon"]} >= {"vov"}
        vov = [e for e in soon["expiringSoon"] if e["incentive"] == "vov"]
        assert vov[0]["daysLeft"] == 11
