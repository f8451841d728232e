"""The wallet in time: settlement decides each right on the facts valid on its incentive's
reference date (VOV: the March before the school year), never on facts observed later; facts
recorded today that hold from a past date correct the rights they reach with an adjustment whose
receipt says why, and the decision replays to the same answer."""

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.test_wallet import SSIN, right, wallet
from tests.support import EMPLOYEE_FACTS, Clock, assert_ledger_consistent


async def declare(client: httpx.AsyncClient, fraction: str, observed_on: str) -> dict[str, Any]:
    facts = EMPLOYEE_FACTS | {"employmentFraction": fraction}
    declaration = {"facts": facts, "source": "dmfa", "observedOn": observed_on}
    response = await client.put(f"/citizens/{SSIN}/facts", json=declaration)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def vov_postings(
    client: httpx.AsyncClient, period_key: str
) -> list[tuple[str, int, str | None]]:
    """The VOV transactions of the period, oldest first: type, amount in hundredths, reason."""
    listing = await client.get("/transactions", params={"ssin": SSIN, "incentive": "vov"})
    assert listing.status_code == 200, listing.text
    return [
        (t["type"], round(float(t["amount"]["amount"]) * 100), t.get("reason"))
        for t in reversed(listing.json()["items"])
        if t["period"]["key"] == period_key
    ]


async def test_the_vov_right_rests_on_the_reference_month_not_on_later_facts(
    client: httpx.AsyncClient, session: AsyncSession, clock: Clock
) -> None:
    await declare(client, "1.00", "2026-01-05")
    await declare(client, "0.80", "2026-06-01")  # after March 2026: not the 2026-27 reference
    vov = right(await wallet(client), "vov")
    assert (vov["period"]["key"], vov["granted"]) == ("2026-27", "125.00")
    receipt = (await client.get(f"/decisions/{vov['decisionId']}")).json()
    assert (receipt["factsVersion"], receipt["replayed"]) == (1, "same")
    # what the wallet read for today rests on: opleidingscheques read the facts valid today
    body = await wallet(client)
    assert body["factsVersion"] == 2


async def test_facts_valid_from_before_the_reference_month_correct_the_right(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await declare(client, "1.00", "2026-01-05")
    assert right(await wallet(client), "vov")["granted"] == "125.00"
    await declare(client, "0.80", "2026-02-02")  # recorded today, valid before March 2026
    postings = await vov_postings(client, "2026-27")
    assert [(t, a) for t, a, _ in postings] == [("grant", 12500), ("adjust", 2500)]
    assert "correction: facts version 2, valid from 2026-02-02" in str(postings[-1][2])
    vov = right(await wallet(client), "vov")
    assert vov["granted"] == "100.00"
    receipt = (await client.get(f"/decisions/{vov['decisionId']}")).json()
    assert (receipt["factsVersion"], receipt["replayed"]) == (2, "same"), receipt
    await assert_ledger_consistent(session)


async def test_a_closed_school_year_is_corrected_for_the_day_it_was_decided(
    client: httpx.AsyncClient, session: AsyncSession, clock: Clock
) -> None:
    clock.advance(days=-365)  # a year ago: the 2025-26 school year runs
    await declare(client, "1.00", "2025-01-06")
    before = right(await wallet(client), "vov")
    assert before["period"]["key"] == "2025-26"
    assert before["granted"] == "125.00"
    clock.advance(days=365)
    # today: facts valid from before March 2025 say the citizen worked far less then
    await declare(client, "0.30", "2025-02-03")
    postings = await vov_postings(client, "2025-26")
    assert [t for t, _, _ in postings] == ["grant", "adjust"]
    assert sum(a if t == "grant" else -a for t, a, _ in postings) == 0, postings
    assert "valid from 2025-02-03" in str(postings[-1][2])
    await assert_ledger_consistent(session)


async def test_facts_from_today_correct_nothing_in_the_past(
    client: httpx.AsyncClient, session: AsyncSession, clock: Clock
) -> None:
    await declare(client, "1.00", "2026-01-05")
    right(await wallet(client), "vov")
    today = clock.now.date().isoformat()
    await declare(client, "0.30", today)  # valid from today: after the VOV reference month
    assert [t for t, _, _ in await vov_postings(client, "2026-27")] == ["grant"]
    assert right(await wallet(client), "vov")["granted"] == "125.00"
