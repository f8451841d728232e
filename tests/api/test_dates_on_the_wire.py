"""Dates are YYYY-MM-DD and instants RFC 3339 strings: a number is not read as seconds since 1970
(it would silently answer for another day)."""

from typing import Any

import httpx
import pytest

from tests.support import EMPLOYEE_FACTS, post_txn, qty

SSIN = "85073003328"
FACTS = {"facts": EMPLOYEE_FACTS, "source": "dmfa", "observedOn": "2026-09-01"}


@pytest.mark.parametrize("value", ["0", "1700000000", "20261123", "2026-11-23T00:00:00"])
@pytest.mark.parametrize("path", [f"/wallet/{SSIN}", "/incentives", "/transactions"])
async def test_query_dates(client: httpx.AsyncClient, path: str, value: str) -> None:
    name = "from" if path == "/transactions" else "asOf"
    response = await client.get(path, params={name: value})
    assert response.status_code == 400, response.text
    assert [issue["name"] for issue in response.json()["issues"]] == [name]


@pytest.mark.parametrize(
    ("method", "path", "body", "name"),
    [
        ("POST", "/eligibility", {"asOf": 0}, "asOf"),
        ("POST", "/eligibility", {"facts": {"birthDate": 315532800}}, "facts.birthDate"),
        ("PUT", f"/citizens/{SSIN}/facts", FACTS | {"observedOn": 1700000000}, "observedOn"),
        (
            "PUT",
            f"/citizens/{SSIN}/facts",
            FACTS | {"facts": EMPLOYEE_FACTS | {"careerGuidanceCompletedOn": 0}},
            "facts.careerGuidanceCompletedOn",
        ),
    ],
)
async def test_body_dates(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any], name: str
) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    assert name in [issue["name"] for issue in response.json()["issues"]]


async def test_an_expiry_is_an_instant_string(client: httpx.AsyncClient) -> None:
    body = {
        "type": "reserve",
        "ssin": SSIN,
        "incentive": "vov",
        "amount": qty("1", "HOUR"),
        "expiresAt": 1893456000,
    }
    response = await post_txn(client, body)
    assert response.status_code == 400
    assert [issue["name"] for issue in response.json()["issues"]] == ["expiresAt"]


async def test_well_written_dates_still_pass(client: httpx.AsyncClient) -> None:
    response = await client.put(
        f"/citizens/{SSIN}/facts",
        json=FACTS
        | {
            "facts": EMPLOYEE_FACTS
            | {"careerGuidanceCompletedOn": "2024-02-10", "birthDate": "1985-07-30"}
        },
    )
    assert response.status_code == 200, response.text
    wallet = await client.get(f"/wallet/{SSIN}", params={"asOf": "2026-11-23"})
    assert wallet.status_code == 200
    assert wallet.json()["asOf"] == "2026-11-23"
