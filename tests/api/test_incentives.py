"""GET /incentives and /incentives/{code}: the catalogue with dated parameters."""

import httpx

from tests.api.test_foundation import assert_problem


async def test_list_has_every_incentive_with_its_parameters(client: httpx.AsyncClient) -> None:
    response = await client.get("/incentives", params={"asOf": "2026-11-23"})
    assert response.status_code == 200
    body = response.json()
    assert body["rulesVersion"].startswith("2025-10-01+")
    codes = [item["code"] for item in body["items"]]
    assert codes == [
        "opleidingscheques",
        "vov",
        "vok",
        "zorgkrediet",
        "loopbaancheques",
        "opleidingsrecht",  # then the sector funds' (development data)
        "cevoraOpleidingsbudget",
        "constructivOpleidingsuren",
    ]
    vok = body["items"][2]
    assert (vok["pillar"], vok["unit"], vok["periodKind"], vok["holdsBalance"]) == (
        "money",
        "EUR",
        "monthly",
        False,
    )


async def test_parameters_in_force_follow_as_of(client: httpx.AsyncClient) -> None:
    def fraction(body: dict[str, object]) -> dict[str, object]:
        params = {p["name"]: p for p in body["parameters"]}  # type: ignore[attr-defined]
        return params["minEmploymentFraction"]  # type: ignore[no-any-return]

    before = (await client.get("/incentives/vov", params={"asOf": "2025-08-31"})).json()
    after = (await client.get("/incentives/vov", params={"asOf": "2025-09-01"})).json()
    assert fraction(before)["inForce"]["value"] == "0.50"  # type: ignore[index]
    assert fraction(after)["inForce"]["value"] == "0.80"  # type: ignore[index]
    assert [d["effectiveFrom"] for d in fraction(after)["history"]] == [  # type: ignore[attr-defined]
        "2019-09-01",
        "2025-09-01",
    ]
    assert after["currentPeriod"]["key"] == "2025-26"


async def test_unverified_parameters_show_as_such(client: httpx.AsyncClient) -> None:
    body = (await client.get("/incentives/loopbaancheques", params={"asOf": "2027-01-01"})).json()
    params = {p["name"]: p for p in body["parameters"]}
    assert params["regime"]["inForce"]["value"] == "loopbaankrediet"
    assert params["regime"]["inForce"]["verified"] is False
    assert params["entitlementUnit"]["inForce"]["value"] == "HOUR"


async def test_names_are_localised(client: httpx.AsyncClient) -> None:
    nl = (await client.get("/incentives/vov")).json()
    fr = (await client.get("/incentives/vov", headers={"Accept-Language": "fr"})).json()
    assert nl["name"] == "Vlaams opleidingsverlof"
    assert fr["name"] == "Congé-éducation flamand"


async def test_before_an_incentive_existed_there_is_no_value_in_force(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get("/incentives/opleidingsrecht", params={"asOf": "2021-06-01"})).json()
    assert body["currentPeriod"] is None
    assert all(p["inForce"] is None for p in body["parameters"])


async def test_unknown_incentive_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(
        await client.get("/incentives/kmo"), 404, "urn:problem-type:belgif:resourceNotFound"
    )


async def test_bad_as_of_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/incentives", params={"asOf": "2026-13-01"})
    body = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert body["issues"][0]["name"] == "asOf"  # type: ignore[index]
