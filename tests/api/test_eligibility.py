"""POST /eligibility over HTTP: anonymous and known citizens, trainings, languages, bad facts."""

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.rules.catalogue import read_catalogue
from app.domain.rules.training import TrainingInfo
from app.domain.rules.training_store import upsert_trainings
from tests.api.test_foundation import assert_problem

SAMPLE = Path("app/domain/rules/catalogue_data/sample_trainings.csv")
SSIN = "85073003328"
WORKER = {
    "status": "employee",
    "sector": "private",
    "workplaceRegion": "flanders",
    "residenceRegion": "flanders",
    "employmentFraction": "0.80",
    "weeklyHours": "30.40",
    "educationLevel": "medium",
    "contractType": "regular",
    "receivesUnemploymentBenefit": False,
}


@pytest.fixture
async def catalogue(db: async_sessionmaker[AsyncSession], repo_root: Path) -> None:
    rows = [row for row in read_catalogue(repo_root / SAMPLE) if isinstance(row, TrainingInfo)]
    async with db() as session:
        await upsert_trainings(session, rows)
        await session.commit()


def by_incentive(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["incentive"]: result for result in body["results"]}


async def test_anonymous_wizard_answers_every_incentive(client: httpx.AsyncClient) -> None:
    response = await client.post("/eligibility", json={"asOf": "2026-11-23", "facts": WORKER})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["asOf"] == "2026-11-23"
    assert body["rulesVersion"].startswith("2025-10-01+")
    assert body["factsVersion"] is None
    results = by_incentive(body)
    assert set(results) == {
        "opleidingscheques",
        "vov",
        "vok",
        "zorgkrediet",
        "loopbaancheques",
        "opleidingsrecht",
    }
    vov = results["vov"]
    assert vov["status"] == "eligible"
    assert vov["pillar"] == "time"
    assert vov["entitlement"] == {
        "amount": "100.00",
        "unit": "HOUR",
        "period": {
            "key": "2026-27",
            "start": "2026-09-01",
            "end": "2027-08-31",
            "kind": "schoolYear",
        },
    }
    codes = {reason["code"]: reason["passed"] for reason in vov["reasons"]}
    assert codes["workplaceInFlanders"] is True
    assert codes["employmentFractionAtLeast"] is True
    assert results["loopbaancheques"]["status"] == "undetermined"
    assert results["loopbaancheques"]["missingFacts"] == [
        "workExperienceMonths",
        "careerVouchersUsed",
    ]
    assert results["zorgkrediet"]["status"] == "notEligible"
    assert results["zorgkrediet"]["missingFacts"] == []


async def test_only_the_incentives_asked(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/eligibility", json={"facts": {}, "incentives": ["vov", "opleidingscheques"]}
    )
    assert [r["incentive"] for r in response.json()["results"]] == ["vov", "opleidingscheques"]


async def test_messages_follow_accept_language(client: httpx.AsyncClient) -> None:
    request = {"asOf": "2026-11-23", "facts": WORKER, "incentives": ["vov"]}
    texts = {}
    for header in ("nl-BE", "fr-BE,fr;q=0.9", "en", "de"):
        response = await client.post(
            "/eligibility", json=request, headers={"Accept-Language": header}
        )
        reason = response.json()["results"][0]["reasons"][2]
        assert reason["code"] == "workplaceInFlanders"
        texts[header] = reason["message"]
    assert "Vlaams Gewest" in texts["nl-BE"]
    assert "Région flamande" in texts["fr-BE,fr;q=0.9"]
    assert "Flemish Region" in texts["en"]
    assert "Flämischen Region" in texts["de"]
    default = await client.post("/eligibility", json=request)
    assert default.headers["content-language"] == "nl"
    german = await client.post("/eligibility", json=request, headers={"Accept-Language": "de"})
    assert german.headers["content-language"] == "de"
    catalogue = await client.get("/incentives/vov", headers={"Accept-Language": "de"})
    assert catalogue.headers["content-language"] == "de"
    assert catalogue.json()["name"] == "Flämischer Bildungsurlaub"


async def test_a_training_by_odb_id_says_what_it_consumes(
    client: httpx.AsyncClient, catalogue: None
) -> None:
    response = await client.post(
        "/eligibility",
        json={
            "asOf": "2026-11-23",
            "facts": WORKER,
            "training": {"odbId": "ODB-000105"},
            "incentives": ["vov", "opleidingscheques"],
        },
    )
    results = by_incentive(response.json())
    assert results["vov"]["training"]["covered"] is True
    assert results["vov"]["training"]["consumes"] == {"amount": "40.00", "unit": "HOUR"}
    assert results["opleidingscheques"]["training"]["covered"] is True


async def test_inline_attributes_override_the_catalogue(
    client: httpx.AsyncClient, catalogue: None
) -> None:
    training = {"odbId": "ODB-000105", "contactHours": "20"}
    request = {"asOf": "2026-11-23", "facts": WORKER, "incentives": ["vov"], "training": training}
    response = await client.post("/eligibility", json=request, headers={"Accept-Language": "en"})
    verdict = response.json()["results"][0]["training"]
    # since 2021-22 a 20-hour course counts once combined with others to 32 hours
    assert verdict["covered"] is None
    assert verdict["missingFacts"] == ["training.combinedContactHours"]
    combined = next(r for r in verdict["reasons"] if r["code"] == "trainingCombinedMinimum")
    assert "12 more hours needed" in combined["message"]
    training["combinedContactHours"] = "30"
    response = await client.post("/eligibility", json=request)
    assert response.json()["results"][0]["training"]["covered"] is False


async def test_an_unknown_odb_id_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/eligibility", json={"training": {"odbId": "ODB-999999"}})
    body = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert body["issues"][0]["name"] == "training.odbId"  # type: ignore[index]


async def test_stored_facts_feed_a_known_citizen_and_request_facts_override(
    client: httpx.AsyncClient,
) -> None:
    put = await client.put(
        f"/citizens/{SSIN}/facts",
        # valid from before March 2026, VOV's reference month for 2026-27
        json={"facts": WORKER, "source": "dmfa", "observedOn": "2026-03-01"},
    )
    assert put.status_code == 200, put.text
    request = {"asOf": "2026-11-23", "ssin": "85.07.30-033.28", "incentives": ["vov"]}
    known = await client.post("/eligibility", json=request)
    assert known.json()["factsVersion"] == 1
    assert known.json()["results"][0]["entitlement"]["amount"] == "100.00"
    what_if = await client.post(
        "/eligibility",
        json={
            "asOf": "2026-11-23",
            "ssin": SSIN,
            "incentives": ["vov"],
            "facts": {"employmentFraction": "1", "weeklyHours": "38"},
        },
    )
    assert what_if.json()["results"][0]["entitlement"]["amount"] == "125.00"
    stranger = await client.post(
        "/eligibility", json={"ssin": "98472899765", "incentives": ["vov"]}
    )
    assert stranger.json()["factsVersion"] is None
    assert stranger.json()["results"][0]["status"] == "undetermined"


@pytest.mark.parametrize(
    ("facts", "name", "kind"),
    [
        ({"status": "worker"}, "facts.status", "invalidInput"),
        ({"employmentFraction": "1.5"}, "facts.employmentFraction", "invalidInput"),
        ({"birthDate": "2999-01-01"}, "facts.birthDate", "invalidInput"),
        (
            {"careerGuidanceCompletedOn": "2027-01-01"},
            "facts.careerGuidanceCompletedOn",
            "invalidInput",
        ),
        ({"employmentFracton": "0.5"}, "facts.employmentFracton", "unknownInput"),
        ({"timeCredit": {"regime": "twoFifths"}}, "facts.timeCredit.regime", "invalidInput"),
        ({"weeklyHours": "61"}, "facts.weeklyHours", "invalidInput"),
        ({"workExperienceMonths": -1}, "facts.workExperienceMonths", "invalidInput"),
    ],
)
async def test_bad_facts_are_400_naming_the_field(
    client: httpx.AsyncClient, facts: dict[str, Any], name: str, kind: str
) -> None:
    response = await client.post("/eligibility", json={"asOf": "2026-11-23", "facts": facts})
    body = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    [issue] = body["issues"]  # type: ignore[misc]
    assert issue["name"] == name
    assert issue["in"] == "body"
    assert issue["type"] == f"urn:problem-type:belgif:input-validation:{kind}"


async def test_unknown_incentive_and_bad_ssin_are_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/eligibility", json={"incentives": ["vov", "kmo"]})
    body = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert body["issues"][0]["name"] == "incentives[1]"  # type: ignore[index]
    response = await client.post("/eligibility", json={"ssin": "85073003329"})
    body = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert body["issues"][0]["name"] == "ssin"  # type: ignore[index]
    assert "85073003329" not in response.text


async def test_a_stored_version_can_be_replayed(client: httpx.AsyncClient) -> None:
    for fraction in ("0.5", "1"):
        facts = WORKER | {"employmentFraction": fraction}
        declaration = {"facts": facts, "source": "dmfa", "observedOn": "2024-03-01"}
        await client.put(f"/citizens/{SSIN}/facts", json=declaration)
    request = {"asOf": "2025-06-01", "ssin": SSIN, "incentives": ["vov"]}
    latest = (await client.post("/eligibility", json=request)).json()
    replay = (await client.post("/eligibility", json=request | {"factsVersion": 1})).json()
    assert (latest["factsVersion"], latest["results"][0]["entitlement"]["amount"]) == (2, "125.00")
    assert (replay["factsVersion"], replay["results"][0]["entitlement"]["amount"]) == (1, "62.50")
    missing = await client.post("/eligibility", json=request | {"factsVersion": 9})
    body = assert_problem(missing, 400, "urn:problem-type:belgif:badRequest")
    assert body["issues"][0]["name"] == "factsVersion"  # type: ignore[index]


async def test_an_explicit_null_forgets_a_stored_fact(client: httpx.AsyncClient) -> None:
    declaration = {"facts": WORKER, "source": "dmfa", "observedOn": "2026-03-01"}
    await client.put(f"/citizens/{SSIN}/facts", json=declaration)
    response = await client.post(
        "/eligibility",
        json={
            "asOf": "2026-11-23",
            "ssin": SSIN,
            "incentives": ["vov"],
            "facts": {"employmentFraction": None},
        },
    )
    result = response.json()["results"][0]
    assert result["status"] == "undetermined"
    assert result["missingFacts"] == ["employmentFraction"]


@pytest.mark.parametrize("value", [0, 1, "true", "yes"])
async def test_training_flags_are_booleans_not_coerced(
    client: httpx.AsyncClient, value: object
) -> None:
    response = await client.post("/eligibility", json={"training": {"namedInPop": value}})
    assert response.status_code == 400, response.text
    assert [i["name"] for i in response.json()["issues"]] == ["training.namedInPop"]
