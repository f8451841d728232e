"""PUT and GET /citizens/{ssin}/facts: versions, never overwritten; bad input named."""

from typing import Any

import httpx
import pytest

from tests.api.test_foundation import assert_problem

SSIN = "85073003328"


async def put(client: httpx.AsyncClient, facts: dict[str, Any], **extra: Any) -> httpx.Response:
    body = {"facts": facts, "source": "dmfa", "observedOn": "2026-09-01"} | extra
    return await client.put(f"/citizens/{SSIN}/facts", json=body)


async def test_every_declaration_is_a_new_version(client: httpx.AsyncClient) -> None:
    first = await put(client, {"status": "employee", "employmentFraction": "0.5"})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1
    assert first.json()["ssin"] == SSIN
    second = await put(
        client, {"employmentFraction": "0.8"}, source="vdab", observedOn="2026-10-01"
    )
    assert second.json()["version"] == 2
    assert second.json()["facts"] == {"status": "employee", "employmentFraction": "0.8"}
    latest = await client.get(f"/citizens/{SSIN}/facts")
    assert latest.json()["version"] == 2
    assert latest.json()["source"] == "vdab"
    assert latest.json()["observedOn"] == "2026-10-01"
    assert latest.json()["recordedAt"] > first.json()["recordedAt"]
    old = await client.get(f"/citizens/{SSIN}/facts", params={"version": 1})
    assert old.json()["facts"] == {"status": "employee", "employmentFraction": "0.5"}
    assert old.json()["source"] == "dmfa"


async def test_punctuated_ssin_is_the_same_citizen(client: httpx.AsyncClient) -> None:
    await put(client, {"livesAlone": True})
    response = await client.get("/citizens/85.07.30-033.28/facts")
    assert response.json()["facts"] == {"livesAlone": True}
    assert response.json()["ssin"] == SSIN


async def test_unknown_citizen_or_version_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(
        await client.get("/citizens/98472899765/facts"),
        404,
        "urn:problem-type:belgif:resourceNotFound",
    )
    await put(client, {"livesAlone": True})
    assert_problem(
        await client.get(f"/citizens/{SSIN}/facts", params={"version": 7}),
        404,
        "urn:problem-type:belgif:resourceNotFound",
    )


@pytest.mark.parametrize("version", ["0", "2147483648", "35621535808993"])
async def test_a_version_out_of_range_is_400_not_500(
    client: httpx.AsyncClient, version: str
) -> None:
    response = await client.get(f"/citizens/{SSIN}/facts", params={"version": version})
    body = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert body["issues"][0]["name"] == "version"  # type: ignore[index]
    replay = await client.post("/eligibility", json={"ssin": SSIN, "factsVersion": int(version)})
    assert replay.status_code == 400


async def test_invalid_ssin_is_400_in_path(client: httpx.AsyncClient) -> None:
    response = await client.get("/citizens/85073003329/facts")
    body = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    issue = body["issues"][0]  # type: ignore[index]
    assert (issue["in"], issue["name"]) == ("path", "ssin")


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"facts": {"sector": "government"}}, "facts.sector"),
        ({"facts": {"employmentFraction": "1.01"}}, "facts.employmentFraction"),
        ({"facts": {"birthDate": "2026-09-02"}}, "facts.birthDate"),
        ({"facts": {"favouriteColour": "blue"}}, "facts.favouriteColour"),
        ({"observedOn": "2999-01-01"}, "observedOn"),
        ({"source": "a source with spaces"}, "source"),
    ],
)
async def test_bad_declarations_are_400_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], name: str
) -> None:
    full = {"facts": {}, "source": "dmfa", "observedOn": "2026-09-01"}
    full.update(body)
    response = await client.put(f"/citizens/{SSIN}/facts", json=full)
    problem = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert [i["name"] for i in problem["issues"]] == [name]  # type: ignore[attr-defined]
    assert_problem(
        await client.get(f"/citizens/{SSIN}/facts"), 404, "urn:problem-type:belgif:resourceNotFound"
    )


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        ("livesAlone", 0),
        ("agencyWorker", "true"),
        ("receivesUnemploymentBenefit", 1),
        ("workExperienceMonths", "120"),
        ("careerVouchersUsed", 1.0),
    ],
)
async def test_facts_are_not_coerced_from_other_types(
    client: httpx.AsyncClient, fact: str, value: Any
) -> None:
    body = {"facts": {fact: value}, "source": "dmfa", "observedOn": "2026-09-01"}
    response = await client.put(f"/citizens/{SSIN}/facts", json=body)
    problem = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert [i["name"] for i in problem["issues"]] == [f"facts.{fact}"]  # type: ignore[union-attr]
    wizard = await client.post("/eligibility", json={"facts": {fact: value}})
    assert wizard.status_code == 400
