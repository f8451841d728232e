"""Facts in time: a known citizen's answer for a day uses the facts valid on each incentive's
reference date (VOV: the reference month of the school year), never facts observed later, and
``knownAt`` answers as the service would have at that instant."""

from datetime import date
from typing import Any

import httpx

from app.domain.rules.reference import reference_date
from tests.api.test_eligibility import SSIN, WORKER


async def declare(client: httpx.AsyncClient, fraction: str, observed_on: str) -> dict[str, Any]:
    facts = WORKER | {"employmentFraction": fraction, "weeklyHours": "38", "employerFte": "45"}
    declaration = {"facts": facts, "source": "dmfa", "observedOn": observed_on}
    response = await client.put(f"/citizens/{SSIN}/facts", json=declaration)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def answer(client: httpx.AsyncClient, as_of: str, **extra: object) -> dict[str, Any]:
    request = {"asOf": as_of, "ssin": SSIN, "incentives": ["vov", "opleidingsrecht"]} | extra
    response = await client.post("/eligibility", json=request)
    assert response.status_code == 200, response.text
    return {r["incentive"]: r for r in response.json()["results"]}


def amount(result: dict[str, Any]) -> str | None:
    return result["entitlement"]["amount"] if result["entitlement"] else None


def test_reference_dates_are_dated_parameters() -> None:
    # September of the school year up to 2022-23 (never after asOf), the March before from 2023-24
    assert reference_date("vov", date(2022, 9, 10)) == date(2022, 9, 10)
    assert reference_date("vov", date(2023, 8, 31)) == date(2022, 9, 30)
    assert reference_date("vov", date(2023, 9, 1)) == date(2023, 3, 31)
    assert reference_date("vov", date(2025, 11, 15)) == date(2025, 3, 31)
    assert reference_date("opleidingsrecht", date(2025, 11, 15)) == date(2025, 11, 15)


async def test_past_answers_use_the_facts_valid_on_the_reference_date(
    client: httpx.AsyncClient,
) -> None:
    await declare(client, "0.60", "2024-01-01")
    await declare(client, "0.90", "2025-06-01")
    # 2024-25: reference month March 2024, 60% >= 50%
    before = await answer(client, "2024-11-15")
    assert (before["vov"]["status"], amount(before["vov"])) == ("eligible", "75.00")
    # 2025-26, across the 2025-09-01 change: March 2025 still 60% (the 90% of June is later)
    after = await answer(client, "2025-11-15")
    assert after["vov"]["status"] == "notEligible"
    assert amount(after["opleidingsrecht"]) == "4.50"  # asOf: the 90% of June
    # 2026-27: March 2026, 90%
    later = await answer(client, "2026-11-15")
    assert (later["vov"]["status"], amount(later["vov"])) == ("eligible", "112.50")
    # before any facts were valid: nothing stored is used
    early = await answer(client, "2023-11-15")
    assert early["vov"]["status"] == "undetermined"


async def test_known_at_replays_the_answer_before_a_correction(client: httpx.AsyncClient) -> None:
    first = await declare(client, "0.60", "2024-01-01")
    # recorded later, valid from the same past day: a correction
    correction = await declare(client, "0.40", "2024-01-01")
    now = await answer(client, "2024-11-15")
    assert now["vov"]["status"] == "notEligible"
    then = await answer(client, "2024-11-15", knownAt=first["recordedAt"])
    assert (then["vov"]["status"], amount(then["vov"])) == ("eligible", "75.00")
    facts = await client.get(f"/citizens/{SSIN}/facts", params={"knownAt": first["recordedAt"]})
    assert facts.json()["version"] == 1
    valid = await client.get(f"/citizens/{SSIN}/facts", params={"validOn": "2024-06-01"})
    body = valid.json()
    assert (body["version"], body["versions"]) == (correction["version"], [1, 2])
    assert body["facts"]["employmentFraction"] == "0.40"


async def test_a_late_old_correction_does_not_override_a_later_observation(
    client: httpx.AsyncClient,
) -> None:
    await declare(client, "0.90", "2025-06-01")
    await declare(client, "0.40", "2024-01-01")  # recorded after, valid from before
    later = await answer(client, "2026-11-15")
    assert amount(later["vov"]) == "112.50"
    earlier = await answer(client, "2024-11-15")
    assert earlier["vov"]["status"] == "notEligible"


async def test_known_at_needs_an_ssin(client: httpx.AsyncClient) -> None:
    response = await client.post("/eligibility", json={"knownAt": "2026-11-23T10:00:00Z"})
    assert response.status_code == 400
    assert response.json()["issues"][0]["name"] == "knownAt"


async def test_an_as_of_before_the_first_modelled_day_is_not_modelled(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/eligibility",
        json={"asOf": "2019-08-31", "incentives": ["vov"]},
        headers={"Accept-Language": "en"},
    )
    [result] = response.json()["results"]
    assert (result["status"], result["notModelledBefore"]) == ("notModelled", "2019-09-01")
    assert "Not modelled before 2019-09-01" in result["reasons"][0]["message"]
