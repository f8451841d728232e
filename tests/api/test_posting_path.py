"""The one posting path: the holes probes found (a capture's unit, funding in another unit, a hold
outliving its right), and settlement as the service's own act that corrects only its own grants
(manual grants, their reversal and a settlement's reversal stick across wallet reads)."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ledger.tables import transactions
from tests.api.test_wallet import declare, right, wallet
from tests.auth_support import TestIssuer
from tests.support import assert_ledger_consistent, grant, make_ssin, post_txn, qty


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(transactions)) or 0)


async def reserve(client: httpx.AsyncClient, ssin: str, **extra: Any) -> dict[str, Any]:
    body = {"type": "reserve", "ssin": ssin, "incentive": "vov", "amount": qty("20.00", "HOUR")}
    response = await post_txn(client, body | extra)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def listing(client: httpx.AsyncClient, ssin: str, **params: str) -> list[dict[str, Any]]:
    page = await client.get("/transactions", params={"ssin": ssin, "pageSize": "200"} | params)
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def test_a_capture_in_another_unit_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ssin = make_ssin()
    await declare(client, ssin)
    hold = await reserve(client, ssin)
    before = await count(session)
    response = await post_txn(
        client, {"type": "capture", "reservationId": hold["id"], "amount": qty("4", "EUR")}
    )
    assert response.status_code == 400, response.text
    assert response.json()["issues"][0]["name"] == "amount.unit"
    assert await count(session) == before
    assert (await client.get(f"/transactions/{hold['id']}")).json()["status"] == "pending"
    captured = await post_txn(
        client, {"type": "capture", "reservationId": hold["id"], "amount": qty("4", "HOUR")}
    )
    assert captured.status_code == 201, captured.text
    assert captured.json()["amount"] == qty("4.00", "HOUR")


async def test_funding_in_another_unit_is_refused(client: httpx.AsyncClient) -> None:
    ssin = make_ssin()
    await declare(client, ssin)
    body = {
        "type": "redeem",
        "ssin": ssin,
        "incentive": "opleidingscheques",
        "amount": qty("100.00", "EUR"),
        "funding": {"citizen": qty("50.00", "HOUR"), "government": qty("50.00", "EUR")},
    }
    response = await post_txn(client, body)
    assert response.status_code == 400, response.text
    assert response.json()["issues"][0]["name"] == "funding.citizen.unit"


async def test_a_hold_cannot_outlive_its_right(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ssin = make_ssin()
    await declare(client, ssin)
    period = right(await wallet(client, ssin), "vov")["period"]
    before = await count(session)
    late = await post_txn(
        client,
        {
            "type": "reserve",
            "ssin": ssin,
            "incentive": "vov",
            "amount": qty("1.00", "HOUR"),
            "expiresAt": "2031-01-01T00:00:00Z",
        },
    )
    assert late.status_code == 400, late.text
    assert late.json()["issues"][0]["name"] == "expiresAt"
    assert period["key"] in late.json()["issues"][0]["detail"]
    assert await count(session) == before
    hold = await reserve(client, ssin, expiresAt=f"{period['end']}T21:00:00Z")
    assert hold["status"] == "pending"


async def test_settlement_is_the_service_s_act_whoever_reads(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    ssin = make_ssin()
    await declare(client, ssin)
    body = await wallet_as(client, issuer, "vdab", ssin)
    assert right(body, "vov")["granted"] == "100.00"
    grants = await listing(client, ssin, type="grant")
    assert grants
    assert {g["caller"] for g in grants} == {"llr"}
    assert all(g["decisionId"] for g in grants)
    log = (await client.get(f"/wallet/{ssin}/accessLog")).json()["items"]
    assert any(item["partner"] == "vdab" and item["action"] == "wallet.read" for item in log)


async def wallet_as(
    client: httpx.AsyncClient, issuer: TestIssuer, partner: str, ssin: str
) -> dict[str, Any]:
    response = await client.get(f"/wallet/{ssin}", headers=issuer.headers(partner))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_a_manual_grant_and_its_reversal_stick(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ssin = make_ssin()
    await declare(client, ssin)
    assert right(await wallet(client, ssin), "vov")["granted"] == "100.00"
    manual = await grant(client, ssin, "vov", "10.00", "HOUR")
    assert manual["balanceAfter"]["granted"] == "110.00"
    assert right(await wallet(client, ssin), "vov")["granted"] == "110.00"
    assert not await listing(client, ssin, type="adjust")  # the read took nothing back
    redeemed = await post_txn(
        client,
        {"type": "redeem", "ssin": ssin, "incentive": "vov", "amount": qty("110.00", "HOUR")},
    )
    assert redeemed.status_code == 201, redeemed.text
    undone = await post_txn(
        client,
        {"type": "reverse", "transactionId": redeemed.json()["id"], "reason": "booked by mistake"},
    )
    assert undone.status_code == 201, undone.text
    reversed_ = await post_txn(
        client, {"type": "reverse", "transactionId": manual["id"], "reason": "granted by mistake"}
    )
    assert reversed_.status_code == 201, reversed_.text
    after = right(await wallet(client, ssin), "vov")
    assert (after["granted"], after["available"]) == ("100.00", "100.00")
    assert right(await wallet(client, ssin), "vov")["granted"] == "100.00"
    assert not await listing(client, ssin, type="adjust")
    await assert_ledger_consistent(session)


async def test_a_reversed_settlement_grant_is_not_granted_again_by_a_read(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ssin = make_ssin()
    await declare(client, ssin)
    assert right(await wallet(client, ssin), "vov")["granted"] == "100.00"
    [settled] = await listing(client, ssin, type="grant", incentive="vov")
    reversed_ = await post_txn(
        client,
        {
            "type": "reverse",
            "transactionId": settled["id"],
            "reason": "the training plan was withdrawn",
        },
    )
    assert reversed_.status_code == 201, reversed_.text
    before = await count(session)
    for _ in range(2):  # nothing left, shown as no right (as a withdrawal to nothing is)
        assert "vov" not in [r["incentive"] for r in (await wallet(client, ssin))["rights"]]
    assert await count(session) == before  # no grant, no adjust: the reversal stands
    # a change of facts settles the difference from what settlement granted, the reversal kept
    await declare(client, ssin, employmentFraction="1.00", weeklyHours="38")
    body = await wallet(client, ssin)
    [adjust] = await listing(client, ssin, type="adjust")
    assert adjust["caller"] == "llr"
    assert right(body, "vov")["granted"] == adjust["amount"]["amount"]
    await assert_ledger_consistent(session)


async def test_known_at_replays_the_wallet_as_it_was_answered_then(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ssin = make_ssin()
    await declare(client, ssin)
    assert right(await wallet(client, ssin), "vov")["available"] == "100.00"
    first = min((g["createdAt"] for g in await listing(client, ssin, type="grant")), key=instant)
    hold = await reserve(client, ssin)
    before_hold = shifted(hold["createdAt"], -1)
    then = right(await wallet(client, ssin, knownAt=before_hold), "vov")
    assert (then["reserved"], then["available"]) == ("0.00", "100.00")
    at_hold = right(await wallet(client, ssin, knownAt=hold["createdAt"]), "vov")
    assert (at_hold["reserved"], at_hold["available"]) == ("20.00", "80.00")
    before_grant = await wallet(client, ssin, knownAt=shifted(first, -1))
    assert before_grant["rights"] == []
    # a replay settles nothing, even when the facts have changed since
    await declare(client, ssin, employmentFraction="1.00", weeklyHours="38")
    posted = await count(session)
    again = right(await wallet(client, ssin, knownAt=hold["createdAt"]), "vov")
    assert again["granted"] == "100.00"
    assert await count(session) == posted
    future = await client.get(f"/wallet/{ssin}", params={"knownAt": "2999-01-01T00:00:00Z"})
    assert future.status_code == 400, future.text
    assert future.json()["issues"][0]["name"] == "knownAt"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def shifted(text: str, microseconds: int) -> str:
    moved = instant(text) + timedelta(microseconds=microseconds)
    return moved.isoformat().replace("+00:00", "Z")


async def test_a_receipt_names_its_facts_version_and_replays_to_the_same_answer(
    client: httpx.AsyncClient,
) -> None:
    ssin = make_ssin()
    await declare(client, ssin)
    await declare(client, ssin, employmentFraction="1.00", weeklyHours="38")
    vov = right(await wallet(client, ssin), "vov")
    receipt = await client.get(f"/decisions/{vov['decisionId']}")
    assert receipt.status_code == 200, receipt.text
    body = receipt.json()
    assert (body["factsVersion"], body["entitlement"]["amount"]) == (2, "125.00")
    assert body["replayed"] == "same"


async def test_the_answer_kept_with_a_posting_is_the_record_and_comes_after_its_settlement(
    client: httpx.AsyncClient,
) -> None:
    """A request's answer is written before its posting and stored by the posting's statement:
    it must be what the record reads back, replay as sent, and, when the reserve first settled
    the right, come after that settlement's grant on the record."""
    ssin, key = make_ssin(), str(uuid.uuid4())
    await declare(client, ssin)  # never read: the reserve settles the right first
    body = {"type": "reserve", "ssin": ssin, "incentive": "vov", "amount": qty("20.00", "HOUR")}
    first = await post_txn(client, body, key=key)
    assert first.status_code == 201, first.text
    replay = await post_txn(client, body, key=key)
    assert replay.status_code == 201, replay.text
    assert replay.json() == first.json()
    read_back = (await client.get(f"/transactions/{first.json()['id']}")).json()
    assert read_back == first.json()
    history = await listing(client, ssin)
    grant_row = next(t for t in history if t["type"] == "grant")
    reserve_row = next(t for t in history if t["type"] == "reserve")
    assert datetime.fromisoformat(grant_row["createdAt"]) < datetime.fromisoformat(
        reserve_row["createdAt"]
    )
