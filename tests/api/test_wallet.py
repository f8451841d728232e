"""GET /wallet/{ssin} and /decisions/{id}: rights granted from the stored facts by the rules,
exactly once, adjusted by new transactions when the facts change, never edited."""

import asyncio
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.domain.ledger.tables import transactions
from tests.support import (
    EMPLOYEE_FACTS,
    Clock,
    assert_ledger_consistent,
    make_ssin,
    post_txn,
    qty,
)

SSIN = "85073003328"
EMPLOYEE = EMPLOYEE_FACTS


async def declare(client: httpx.AsyncClient, ssin: str, **facts: Any) -> None:
    response = await client.put(
        f"/citizens/{ssin}/facts",
        json={"facts": EMPLOYEE | facts, "source": "dmfa", "observedOn": "2026-01-05"},
    )
    assert response.status_code in (200, 201), response.text


async def wallet(client: httpx.AsyncClient, ssin: str = SSIN, **params: str) -> dict[str, Any]:
    response = await client.get(f"/wallet/{ssin}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def right(body: dict[str, Any], incentive: str) -> dict[str, Any]:
    found = [r for r in body["rights"] if r["incentive"] == incentive]
    assert len(found) == 1, body["rights"]
    return found[0]


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(transactions)) or 0)


async def test_without_facts_an_empty_wallet_and_a_referral(client: httpx.AsyncClient) -> None:
    body = await wallet(client)
    assert body["ssin"] == SSIN
    assert body["rights"] == []
    assert [r["code"] for r in body["referrals"]] == ["careerGuidance"]


async def test_rights_are_granted_from_facts_with_a_decision_receipt(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await declare(client, SSIN)
    body = await wallet(client, SSIN)
    vov = right(body, "vov")
    assert (vov["granted"], vov["available"], vov["unit"]) == ("100.00", "100.00", "HOUR")
    assert vov["period"]["key"] == "2026-27"
    assert vov["expiresOn"] == "2027-08-31"
    cheques = right(body, "opleidingscheques")
    assert (cheques["granted"], cheques["unit"]) == ("250.00", "EUR")
    assert not [r for r in body["rights"] if r["incentive"] == "opleidingsrecht"]  # federal posts
    receipt = (await client.get(f"/decisions/{vov['decisionId']}")).json()
    assert receipt["status"] == "eligible"
    assert receipt["entitlement"] == qty("100.00", "HOUR")
    assert receipt["factsVersion"] == body["factsVersion"] == 1
    assert receipt["rulesVersion"] == body["rulesVersion"]
    assert {r["code"] for r in receipt["reasons"]} >= {"workplaceInFlanders"}
    before = await count(session)
    again = await wallet(client, SSIN)
    assert right(again, "vov") == vov
    assert await count(session) == before  # the grant is materialised once
    await assert_ledger_consistent(session)


async def test_changed_facts_post_an_adjustment_never_an_edit(client: httpx.AsyncClient) -> None:
    await declare(client, SSIN)
    first = right(await wallet(client), "vov")
    await declare(client, SSIN, employmentFraction="1.00", weeklyHours="38.00")
    second = right(await wallet(client), "vov")
    assert second["granted"] == "125.00"
    assert second["decisionId"] != first["decisionId"]
    listing = (await client.get("/transactions", params={"ssin": SSIN, "incentive": "vov"})).json()
    assert [(t["type"], t["amount"]["amount"]) for t in listing["items"]] == [
        ("adjust", "25.00"),
        ("grant", "100.00"),
    ]


async def test_an_entitlement_below_what_is_used_leaves_nothing_available(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await declare(client, SSIN, employmentFraction="1.00", weeklyHours="38.00")
    assert right(await wallet(client), "vov")["granted"] == "125.00"
    used = await post_txn(
        client, {"type": "redeem", "ssin": SSIN, "incentive": "vov", "amount": qty("110", "HOUR")}
    )
    assert used.status_code == 201, used.text
    await declare(client, SSIN)  # back to 80%: 100 hours
    vov = right(await wallet(client), "vov")
    assert (vov["granted"], vov["used"], vov["available"]) == ("110.00", "110.00", "0.00")
    adjust = (await client.get("/transactions", params={"ssin": SSIN, "type": "adjust"})).json()
    assert adjust["items"][0]["amount"]["amount"] == "15.00"
    await assert_ledger_consistent(session)


async def test_no_longer_eligible_takes_back_what_is_available(client: httpx.AsyncClient) -> None:
    await declare(client, SSIN)
    await wallet(client)
    await declare(client, SSIN, workplaceRegion="brussels")
    body = await wallet(client)
    assert "vov" not in [r["incentive"] for r in body["rights"]]  # withdrawn to nothing
    assert "federalEducationalLeave" in [r["code"] for r in body["referrals"]]
    adjust = (await client.get("/transactions", params={"ssin": SSIN, "type": "adjust"})).json()
    assert [(t["incentive"], t["amount"]["amount"]) for t in adjust["items"]] == [("vov", "100.00")]


async def test_a_reserve_materialises_the_right_first(client: httpx.AsyncClient) -> None:
    await declare(client, SSIN)
    response = await post_txn(
        client, {"type": "reserve", "ssin": SSIN, "incentive": "vov", "amount": qty("20", "HOUR")}
    )
    assert response.status_code == 201, response.text
    assert response.json()["balanceAfter"]["available"] == "80.00"


async def test_a_training_the_incentive_does_not_cover_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await declare(client, SSIN)
    before = await count(session)
    response = await post_txn(
        client,
        {
            "type": "reserve",
            "ssin": SSIN,
            "incentive": "vov",
            "amount": qty("8", "HOUR"),
            "training": {
                "contactHours": "8",
                "vovEligible": True,
                "kind": "course",
                "combinedContactHours": "8",
            },
        },
    )
    assert response.status_code == 409, response.text
    assert response.json()["type"] == "urn:problem-type:llr:trainingNotEligible"
    assert await count(session) == before


async def test_as_of_gives_balances_as_they_stood(client: httpx.AsyncClient, clock: Clock) -> None:
    await declare(client, SSIN)
    await wallet(client)
    yesterday = (clock.now - timedelta(days=1)).date().isoformat()
    assert (await wallet(client, asOf=yesterday))["rights"] == []
    clock.advance(days=2)
    await post_txn(
        client, {"type": "redeem", "ssin": SSIN, "incentive": "vov", "amount": qty("5", "HOUR")}
    )
    earlier = (clock.now - timedelta(days=1)).date().isoformat()
    assert right(await wallet(client, asOf=earlier), "vov")["used"] == "0.00"
    assert right(await wallet(client), "vov")["used"] == "5.00"
    after_period = date(2027, 9, 1).isoformat()
    closed = right(await wallet(client, asOf="2027-08-31"), "vov")
    assert closed["status"] == "active"
    assert (await wallet(client, asOf=after_period))["rights"] == []


async def test_monthly_premium_is_an_entitlement_not_a_balance(client: httpx.AsyncClient) -> None:
    await declare(
        client,
        SSIN,
        timeCredit={"regime": "full", "motive": "training", "priorYearWorkFraction": "1.00"},
    )
    body = await wallet(client)
    vok = [e for e in body["entitlements"] if e["incentive"] == "vok"]
    assert len(vok) == 1
    assert vok[0]["status"] in ("eligible", "undetermined", "notEligible")
    assert not [r for r in body["rights"] if r["incentive"] == "vok"]


async def test_bad_ssin_in_the_path_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/wallet/85073003329")
    assert response.status_code == 400
    assert response.json()["issues"][0]["name"] == "ssin"


async def test_unknown_decision_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/decisions/6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11")
    assert response.status_code == 404


async def test_concurrent_first_reads_grant_once(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    ssin = make_ssin()
    await declare(committing_client, ssin)
    bodies = await asyncio.gather(*(wallet(committing_client, ssin) for _ in range(10)))
    assert {right(b, "vov")["granted"] for b in bodies} == {"100.00"}
    listing = (
        await committing_client.get("/transactions", params={"ssin": ssin, "type": "grant"})
    ).json()
    assert sorted(t["incentive"] for t in listing["items"]) == [
        "loopbaancheques",
        "opleidingscheques",
        "vov",
    ]
    async with AsyncSession(engine) as session:
        await assert_ledger_consistent(session)


@pytest.fixture
def pausing_law(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The parameter data as stage 3.2 would change it: from 2026-09-01 a VOV account pauses
    when its holder stops being eligible. A data change only: the same code reads it."""
    from app.domain.rules import engine
    from app.domain.rules.messages import MESSAGE_FILE
    from app.domain.rules.parameters import PARAMETER_DIR, load_book

    shutil.copytree(PARAMETER_DIR, tmp_path / "parameters")
    vov = tmp_path / "parameters" / "vov.toml"
    text = vov.read_text()
    marker = "[parameters.pauseWhenNotEligible]"
    head, tail = text.split(marker)
    first, rest = tail.split("]\n", 1)
    later = (
        '  { effectiveFrom = 2026-09-01, value = true, source = "test: stage 3.2", '
        "verified = false },\n"
    )
    vov.write_text(head + marker + first + later + "]\n" + rest)
    book = load_book(tmp_path / "parameters", extra_files=(MESSAGE_FILE,))
    monkeypatch.setattr(engine, "default_book", lambda: book)


async def test_a_paused_account_keeps_its_saved_balance_usable(
    client: httpx.AsyncClient, pausing_law: None
) -> None:
    await declare(client, SSIN)
    assert right(await wallet(client), "vov")["available"] == "100.00"
    await declare(client, SSIN, status="jobseeker", receivesUnemploymentBenefit=True)
    body = await wallet(client)
    assert right(body, "vov")["available"] == "100.00"  # no new rights, nothing taken back
    assert "vdabTrainingOffer" in [r["code"] for r in body["referrals"]]
    used = await post_txn(
        client, {"type": "redeem", "ssin": SSIN, "incentive": "vov", "amount": qty("40", "HOUR")}
    )
    assert used.status_code == 201, used.text
    assert used.json()["balanceAfter"]["available"] == "60.00"
    adjust = (
        await client.get(
            "/transactions", params={"ssin": SSIN, "type": "adjust", "incentive": "vov"}
        )
    ).json()
    assert adjust["items"] == []
    vouchers = (
        await client.get(
            "/transactions",
            params={"ssin": SSIN, "type": "adjust", "incentive": "opleidingscheques"},
        )
    ).json()
    assert len(vouchers["items"]) == 1  # an incentive that does not pause is taken back
