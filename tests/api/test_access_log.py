"""The access log: every transaction and every read of a citizen's record is on it, in the
same database transaction as the action, and the citizen and auditors can read it."""

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.auth_support import TestIssuer
from tests.support import grant, make_ssin, post_txn, qty

OWN = "85073003328"


async def entries(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT count(*) FROM access_log")) or 0)


READ = "0d9e4f1a-2b3c-4d5e-8f60-718293a4b5c6"


async def test_actions_and_reads_are_logged_newest_first(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    granted = await grant(client, OWN, "vov", "100", "HOUR")
    hold = await post_txn(
        client, {"type": "reserve", "ssin": OWN, "incentive": "vov", "amount": qty("10", "HOUR")}
    )
    await client.get(f"/transactions/{granted['id']}", headers={"BelGov-Trace-Id": READ})
    await client.get("/transactions", params={"ssin": "85.07.30-033.28"})
    citizen = issuer.headers("burgerprofiel", ssin=OWN)
    log = await client.get(f"/wallet/{OWN}/accessLog", headers=citizen)
    assert log.status_code == 200, log.text
    items = log.json()["items"]
    assert [i["action"] for i in items] == [
        "transactions.list",
        "transaction.read",
        "transaction.reserve",
        "transaction.grant",
    ]
    assert {i["partner"] for i in items} == {"dwse"}
    assert items[1]["traceId"] == READ
    assert items[1]["endpoint"] == "GET /transactions/{transactionId}"
    assert hold.headers["BelGov-Trace-Id"] == items[2]["traceId"]
    assert set(items[0]) == {"at", "partner", "action", "endpoint", "traceId"}
    again = await client.get(f"/wallet/{OWN}/accessLog", headers=citizen)
    assert again.json()["items"][0] == items[0] | {
        "action": "accessLog.read",
        "partner": "burgerprofiel",
        "endpoint": "GET /wallet/{ssin}/accessLog",
        "at": again.json()["items"][0]["at"],
        "traceId": log.headers["BelGov-Trace-Id"],
    }


async def test_the_log_pages_with_a_cursor(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await grant(client, OWN, "vov", "1", "HOUR")
    first = (await client.get(f"/wallet/{OWN}/accessLog", params={"pageSize": 2})).json()
    assert len(first["items"]) == 2
    assert first["next"]
    second = (await client.get(first["next"])).json()
    seen = [i["at"] for i in first["items"] + second["items"]]
    assert len(second["items"]) >= 1
    assert seen == sorted(seen, reverse=True)
    bad = await client.get(f"/wallet/{OWN}/accessLog", params={"cursor": "nonsense"})
    assert bad.status_code == 400


async def test_a_refused_action_is_logged_as_refused_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # issue 10, finding 4: the 409 shows the balance, so it is a look at the citizen's rights
    await grant(client, OWN, "vov", "5", "HOUR")
    before = await entries(session)
    postings = "SELECT count(*) FROM ledger_transactions"
    posted = (await session.execute(text(postings))).scalar_one()
    too_much = await post_txn(
        client, {"type": "reserve", "ssin": OWN, "incentive": "vov", "amount": qty("6", "HOUR")}
    )
    assert too_much.status_code == 409
    assert await entries(session) == before + 1
    assert (await session.execute(text(postings))).scalar_one() == posted
    last = "SELECT action FROM access_log ORDER BY id DESC LIMIT 1"
    assert (await session.execute(text(last))).scalar_one() == "transaction.reserve.refused"
    again = await post_txn(
        client, {"type": "reserve", "ssin": OWN, "incentive": "vov", "amount": qty("5", "HOUR")}
    )
    assert again.status_code == 201  # the refusal held nothing back


async def test_a_replay_is_logged_and_gives_the_ssin_back(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await grant(client, OWN, "vov", "50", "HOUR")
    body = {"type": "reserve", "ssin": OWN, "incentive": "vov", "amount": qty("5", "HOUR")}
    first = await post_txn(client, body, "4a0f6c56-0a39-4c4f-8f57-0c5f2b8f1a10")
    before = await entries(session)
    replay = await post_txn(client, body, "4a0f6c56-0a39-4c4f-8f57-0c5f2b8f1a10")
    assert replay.headers["Idempotency-Replayed"] == "true"
    assert replay.json() == first.json()
    assert replay.json()["ssin"] == OWN
    assert await entries(session) == before + 1
    stored = await session.scalar(text("SELECT response_body->>'ssin' FROM idempotency_keys"))
    assert stored is None


async def test_the_log_is_append_only(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    # committed through a connection of its own: the trigger must refuse a real UPDATE
    await grant(client, OWN, "vov", "1", "HOUR")
    async with engine.connect() as conn:
        await conn.execute(
            text(
                "INSERT INTO access_log (partner, citizen_key, action, endpoint) "
                "VALUES ('t', repeat('a', 64), 'test', 'test')"
            )
        )
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(text("UPDATE access_log SET partner = 'x'"))
        await conn.rollback()


async def test_the_log_is_written_in_the_requests_own_transaction(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    ssin = make_ssin()
    granted = await grant(committing_client, ssin, "vov", "10", "HOUR")
    read = await committing_client.get(f"/transactions/{granted['id']}")
    trace = read.headers["BelGov-Trace-Id"]
    async with engine.connect() as conn:
        found = await conn.scalar(
            text(
                "SELECT count(*) FROM access_log "
                "WHERE trace_id = :t AND action = 'transaction.read'"
            ),
            {"t": trace},
        )
    assert found == 1


async def test_a_listing_is_an_access_to_each_citizen_shown_with_its_filter(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    await grant(client, OWN, "vov", "5", "HOUR")
    listed = await client.get("/transactions", params={"incentive": "vov", "pageSize": 200})
    assert listed.status_code == 200, listed.text
    assert OWN in {item["ssin"] for item in listed.json()["items"]}
    citizen = issuer.headers("burgerprofiel", ssin=OWN)
    items = (await client.get(f"/wallet/{OWN}/accessLog", headers=citizen)).json()["items"]
    assert items[0]["action"] == "transactions.list incentive=vov"
    assert items[0]["partner"] == "dwse"
