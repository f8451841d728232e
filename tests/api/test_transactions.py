"""POST/GET /transactions: every guarantee of the contract, against real PostgreSQL."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ledger.tables import transactions
from tests.support import Clock, assert_ledger_consistent, grant, make_ssin, post_txn, qty

SSIN = "85073003328"


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(transactions)) or 0)


def problem_type(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    kind: str = response.json()["type"]
    return kind


async def reserve(client: httpx.AsyncClient, amount: str, **extra: Any) -> httpx.Response:
    body = {"type": "reserve", "ssin": SSIN, "incentive": "vov", "amount": qty(amount, "HOUR")}
    return await post_txn(client, body | extra)


async def test_grant_then_reserve_holds_against_available(client: httpx.AsyncClient) -> None:
    granted = await grant(client, SSIN, "vov", "125", "HOUR")
    assert granted["status"] == "posted"
    assert granted["balanceAfter"]["available"] == "125.00"
    response = await reserve(client, "20", reference="booking-1")
    assert response.status_code == 201
    hold = response.json()
    assert hold["type"] == "reserve"
    assert hold["status"] == "pending"
    assert hold["ssin"] == SSIN
    assert hold["period"]["key"] == granted["period"]["key"]
    assert hold["balanceAfter"] | {} == {
        "granted": "125.00",
        "carriedIn": "0.00",
        "carriedOut": "0.00",
        "reserved": "20.00",
        "used": "0.00",
        "expired": "0.00",
        "available": "105.00",
    }
    assert response.headers["location"] == f"/transactions/{hold['id']}"


async def test_partial_capture_uses_part_and_releases_the_rest(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await grant(client, SSIN, "vov", "100", "HOUR")
    hold = (await reserve(client, "20")).json()
    captured = await post_txn(
        client, {"type": "capture", "reservationId": hold["id"], "amount": qty("16", "HOUR")}
    )
    assert captured.status_code == 201, captured.text
    body = captured.json()
    assert body["type"] == "capture"
    assert body["reservationId"] == hold["id"]
    assert body["amount"] == qty("16.00", "HOUR")
    assert body["balanceAfter"]["used"] == "16.00"
    assert body["balanceAfter"]["reserved"] == "0.00"
    assert body["balanceAfter"]["available"] == "84.00"
    again = (await client.get(f"/transactions/{hold['id']}")).json()
    assert again["status"] == "captured"
    await assert_ledger_consistent(session)


async def test_a_hold_resolves_at_most_once(client: httpx.AsyncClient) -> None:
    await grant(client, SSIN, "vov", "100", "HOUR")
    hold = (await reserve(client, "20")).json()
    too_much = await post_txn(
        client, {"type": "capture", "reservationId": hold["id"], "amount": qty("21", "HOUR")}
    )
    assert too_much.status_code == 409
    assert problem_type(too_much) == "urn:problem-type:llr:captureExceedsHold"
    released = await post_txn(client, {"type": "release", "reservationId": hold["id"]})
    assert released.status_code == 201
    assert released.json()["balanceAfter"]["available"] == "100.00"
    for second in (
        {"type": "release", "reservationId": hold["id"]},
        {"type": "capture", "reservationId": hold["id"]},
    ):
        response = await post_txn(client, second)
        assert response.status_code == 409
        assert problem_type(response) == "urn:problem-type:llr:holdNotPending"
        assert "released" in response.json()["detail"]


async def test_insufficient_balance_is_409_and_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await grant(client, SSIN, "vov", "10", "HOUR")
    before = await count(session)
    response = await reserve(client, "10.01")
    assert response.status_code == 409
    assert problem_type(response) == "urn:problem-type:llr:insufficientBalance"
    assert "10.00 HOUR available" in response.json()["detail"]
    assert await count(session) == before


async def test_no_right_means_not_entitled(client: httpx.AsyncClient) -> None:
    response = await reserve(client, "1")
    assert response.status_code == 409
    assert problem_type(response) == "urn:problem-type:llr:notEntitled"


async def test_redeem_money_records_the_default_co_financing(client: httpx.AsyncClient) -> None:
    await grant(client, SSIN, "opleidingscheques", "250", "EUR")
    response = await post_txn(
        client,
        {
            "type": "redeem",
            "ssin": SSIN,
            "incentive": "opleidingscheques",
            "amount": qty("100.01", "EUR"),
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["funding"] == {"citizen": qty("50.01", "EUR"), "government": qty("50.00", "EUR")}
    assert body["balanceAfter"]["used"] == "100.01"
    assert body["balanceAfter"]["available"] == "149.99"


async def test_explicit_funding_must_add_up(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await grant(client, SSIN, "opleidingscheques", "250", "EUR")
    before = await count(session)
    response = await post_txn(
        client,
        {
            "type": "reserve",
            "ssin": SSIN,
            "incentive": "opleidingscheques",
            "amount": qty("100", "EUR"),
            "funding": {"employer": qty("60", "EUR"), "government": qty("30", "EUR")},
        },
    )
    assert response.status_code == 400
    assert response.json()["issues"][0]["name"] == "funding"
    assert await count(session) == before
    fine = await post_txn(
        client,
        {
            "type": "reserve",
            "ssin": SSIN,
            "incentive": "opleidingscheques",
            "amount": qty("100", "EUR"),
            "funding": {"employer": qty("70", "EUR"), "government": qty("30", "EUR")},
        },
    )
    assert fine.status_code == 201
    captured = await post_txn(
        client, {"type": "capture", "reservationId": fine.json()["id"], "amount": qty("50", "EUR")}
    )
    assert captured.json()["funding"] == {
        "employer": qty("35.00", "EUR"),
        "government": qty("15.00", "EUR"),
    }


async def test_reverse_once(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await grant(client, SSIN, "vov", "50", "HOUR")
    redeemed = (
        await post_txn(
            client, {"type": "redeem", "ssin": SSIN, "incentive": "vov", "amount": qty("8", "HOUR")}
        )
    ).json()
    reversal = await post_txn(
        client, {"type": "reverse", "transactionId": redeemed["id"], "reason": "training cancelled"}
    )
    assert reversal.status_code == 201, reversal.text
    assert reversal.json()["reverses"] == redeemed["id"]
    assert reversal.json()["reason"] == "training cancelled"
    assert reversal.json()["balanceAfter"]["available"] == "50.00"
    assert reversal.json()["balanceAfter"]["used"] == "0.00"
    assert (await client.get(f"/transactions/{redeemed['id']}")).json()["status"] == "reversed"
    second = await post_txn(
        client, {"type": "reverse", "transactionId": redeemed["id"], "reason": "again"}
    )
    assert second.status_code == 409
    assert problem_type(second) == "urn:problem-type:llr:alreadyReversed"
    await assert_ledger_consistent(session)


async def test_a_hold_is_released_not_reversed(client: httpx.AsyncClient) -> None:
    await grant(client, SSIN, "vov", "50", "HOUR")
    hold = (await reserve(client, "5")).json()
    response = await post_txn(
        client, {"type": "reverse", "transactionId": hold["id"], "reason": "x"}
    )
    assert response.status_code == 409
    assert problem_type(response) == "urn:problem-type:llr:notReversible"


async def test_a_used_grant_cannot_be_reversed(client: httpx.AsyncClient) -> None:
    granted = await grant(client, SSIN, "vov", "50", "HOUR")
    await post_txn(
        client, {"type": "redeem", "ssin": SSIN, "incentive": "vov", "amount": qty("8", "HOUR")}
    )
    response = await post_txn(
        client, {"type": "reverse", "transactionId": granted["id"], "reason": "granted by mistake"}
    )
    assert response.status_code == 409
    assert problem_type(response) == "urn:problem-type:llr:insufficientBalance"


async def test_expired_holds_stop_counting_at_once_and_cannot_be_captured(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    await grant(client, SSIN, "vov", "30", "HOUR")
    expires = (clock.now + timedelta(hours=2)).isoformat()
    hold = (await reserve(client, "30", expiresAt=expires)).json()
    assert (await reserve(client, "1")).status_code == 409
    clock.advance(hours=2)
    assert (await client.get(f"/transactions/{hold['id']}")).json()["status"] == "expired"
    capture = await post_txn(client, {"type": "capture", "reservationId": hold["id"]})
    assert capture.status_code == 409
    assert problem_type(capture) == "urn:problem-type:llr:holdExpired"
    again = await reserve(client, "30")  # the expired hold no longer counts
    assert again.status_code == 201, again.text
    assert again.json()["balanceAfter"]["reserved"] == "30.00"
    expired = await client.get("/transactions", params={"ssin": SSIN, "type": "expire"})
    assert [t["reservationId"] for t in expired.json()["items"]] == [hold["id"]]


async def test_a_hold_past_its_expiry_does_not_stop_a_reversal(
    client: httpx.AsyncClient, clock: Clock, session: AsyncSession
) -> None:
    granted = await grant(client, SSIN, "vov", "30", "HOUR")
    expires = (clock.now + timedelta(hours=1)).isoformat()
    hold = (await reserve(client, "29", expiresAt=expires)).json()
    body = {"type": "reverse", "transactionId": granted["id"], "reason": "granted in error"}
    assert (await post_txn(client, body)).status_code == 409  # 29 of its 30 hours are held
    clock.advance(hours=1)  # the hold expires; no sweep has run
    reversed_ = await post_txn(client, body)
    assert reversed_.status_code == 201, reversed_.text
    assert reversed_.json()["balanceAfter"]["available"] == "0.00"
    assert (await client.get(f"/transactions/{hold['id']}")).json()["status"] == "expired"
    await assert_ledger_consistent(session)


async def test_without_idempotency_key_is_400_and_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await grant(client, SSIN, "vov", "30", "HOUR")
    before = await count(session)
    response = await client.post(
        "/transactions",
        json={"type": "reserve", "ssin": SSIN, "incentive": "vov", "amount": qty("1", "HOUR")},
    )
    assert response.status_code == 400
    issue = response.json()["issues"][0]
    assert (issue["in"], issue["name"]) == ("header", "Idempotency-Key")
    assert await count(session) == before


async def test_idempotent_replay_and_reuse(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await grant(client, SSIN, "vov", "30", "HOUR")
    key = str(uuid.uuid4())
    body = {"type": "reserve", "ssin": SSIN, "incentive": "vov", "amount": qty("3", "HOUR")}
    first = await post_txn(client, body, key)
    before = await count(session)
    replay = await post_txn(client, body, key)
    assert replay.status_code == 201
    assert replay.headers["Idempotency-Replayed"] == "true"
    assert replay.json() == first.json()
    assert await count(session) == before
    other = await post_txn(client, body | {"amount": qty("4", "HOUR")}, key)
    assert other.status_code == 422
    assert problem_type(other) == "urn:problem-type:llr:idempotencyKeyReused"
    assert await count(session) == before


@pytest.mark.parametrize(
    ("amount", "name", "why"),
    [
        (qty("1.234", "HOUR"), "amount", "at most 2 decimals"),
        (qty("0", "HOUR"), "amount", "greater than zero"),
        (qty("-3", "HOUR"), "amount", "greater than zero"),
        ({"amount": 1.5, "unit": "HOUR"}, "amount.amount", ""),
        (qty("3", "EUR"), "amount.unit", "counted in HOUR"),
        (qty("3", "LITRE"), "amount.unit", ""),
        *(
            (qty(text, "HOUR"), "amount.amount", "ASCII digits")
            for text in ("1e3", "1_000", " 3", "+3", "3.", ".5", "\u0663", "3\n", "NaN")
        ),
    ],
)
async def test_bad_amounts_are_400_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession, amount: Any, name: str, why: str
) -> None:
    await grant(client, SSIN, "vov", "30", "HOUR")
    before = await count(session)
    response = await post_txn(
        client, {"type": "reserve", "ssin": SSIN, "incentive": "vov", "amount": amount}
    )
    assert response.status_code == 400, response.text
    names = [issue["name"] for issue in response.json()["issues"]]
    assert name in names
    assert why in " ".join(issue["detail"] for issue in response.json()["issues"])
    assert await count(session) == before


async def test_bad_ssin_and_unknown_fields_are_400(client: httpx.AsyncClient) -> None:
    response = await post_txn(
        client,
        {
            "type": "grant",
            "ssin": "85073003329",
            "incentive": "vov",
            "amount": qty("1", "HOUR"),
            "colour": "blue",
        },
    )
    assert response.status_code == 400
    issues = {issue["name"]: issue for issue in response.json()["issues"]}
    assert "check digit" in issues["ssin"]["detail"]
    assert issues["colour"]["type"].endswith("unknownInput")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
async def test_a_body_that_is_not_json_is_400_not_500(
    client: httpx.AsyncClient, content_type: str
) -> None:
    body = b'{"type": "grant", "ssin": "85073003328", "incentive": "vov"}'
    response = await client.post(
        "/transactions",
        content=body,
        headers={"Content-Type": content_type, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 400, response.text
    assert problem_type(response) == "urn:problem-type:belgif:badRequest"
    assert "85073003328" not in response.text
    assert "0033" not in response.text


async def test_an_echoed_body_never_shows_an_ssin(client: httpx.AsyncClient) -> None:
    body = [{"type": "grant", "ssin": "85073003328", "incentive": "vov"}]
    response = await post_txn(client, body)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert response.json()["issues"][0]["name"] == "body"
    assert "85073003328" not in response.text


@pytest.mark.parametrize("kind", ["steal", None])
async def test_an_unknown_or_missing_type_names_the_type(
    client: httpx.AsyncClient, kind: str | None
) -> None:
    body = {"ssin": SSIN, "incentive": "vov", "amount": qty("1", "HOUR")}
    response = await post_txn(client, body | ({"type": kind} if kind else {}))
    assert response.status_code == 400
    assert [issue["name"] for issue in response.json()["issues"]] == ["type"]


async def test_list_filters_and_paginates(client: httpx.AsyncClient) -> None:
    other = make_ssin()
    await grant(client, SSIN, "vov", "30", "HOUR")
    await grant(client, other, "vov", "30", "HOUR")
    ids = [(await reserve(client, "1")).json()["id"] for _ in range(5)]
    first = (
        await client.get("/transactions", params={"ssin": SSIN, "type": "reserve", "pageSize": 2})
    ).json()
    assert [t["id"] for t in first["items"]] == ids[::-1][:2]
    second = (await client.get(first["next"])).json()
    third = (await client.get(second["next"])).json()
    assert [t["id"] for t in second["items"] + third["items"]] == ids[::-1][2:]
    assert third["next"] is None
    pending = (
        await client.get("/transactions", params={"ssin": other, "status": "pending"})
    ).json()
    assert pending["items"] == []
    bad = await client.get("/transactions", params={"cursor": "nonsense"})
    assert bad.status_code == 400
    assert bad.json()["issues"][0]["name"] == "cursor"


async def test_unknown_transaction_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/transactions/{uuid.uuid4()}")
    assert response.status_code == 404
    assert problem_type(response) == "urn:problem-type:belgif:resourceNotFound"
