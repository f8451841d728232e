"""Issue 10, finding 4: a partner reads only the transactions of the incentives it may post and
those it posted itself; the federal partner reads back the Location of its 201; a listing over
every citizen needs a selective filter; refusals that reveal data and every 403 leave a trace."""

import io
import json

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.test_foundation import assert_problem
from tests.auth_support import TestIssuer
from tests.support import grant, post_txn, qty

OWN = "85073003328"
OTHER = "98472899765"
BAD_REQUEST = "urn:problem-type:belgif:badRequest"


async def test_vdab_lists_and_reads_only_the_incentives_it_runs(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    vov = await grant(client, OWN, "vov", "10", "HOUR")  # the Department's incentive
    cheques = await grant(client, OTHER, "opleidingscheques", "250", "EUR")
    vdab = issuer.headers("vdab")
    listed = (await client.get("/transactions", headers=vdab)).json()["items"]
    assert {item["incentive"] for item in listed} == {"opleidingscheques"}
    assert cheques["id"] in {item["id"] for item in listed}
    refused = await client.get(f"/transactions/{vov['id']}", headers=vdab)
    assert_problem(refused, 403, "urn:problem-type:belgif:missingPermission")
    assert (await client.get(f"/transactions/{cheques['id']}", headers=vdab)).status_code == 200
    everything = (await client.get("/transactions")).json()["items"]  # the Department
    assert {item["incentive"] for item in everything} >= {"vov", "opleidingscheques"}


async def test_the_federal_partner_reads_back_its_own_posting(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    federal = issuer.headers("federal")
    body = {
        "type": "grant",
        "ssin": OWN,
        "incentive": "opleidingsrecht",
        "amount": qty("3", "DAY"),
    }
    posted = await client.post(
        "/transactions",
        json=body,
        headers=federal | {"Idempotency-Key": "5b1f0c9e-8a3d-4e2f-9b6a-0c1d2e3f4a5b"},
    )
    assert posted.status_code == 201, posted.text
    again = await client.get(posted.headers["Location"], headers=federal)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == posted.json()["id"]
    # and only its own: the Department's posting of the same right stays out of reach
    theirs = await grant(client, OWN, "opleidingsrecht", "1", "DAY")
    refused = await client.get(f"/transactions/{theirs['id']}", headers=federal)
    assert_problem(refused, 403, "urn:problem-type:belgif:missingScope")
    assert_problem(
        await client.get("/transactions", headers=federal),
        403,
        "urn:problem-type:belgif:missingScope",
    )


async def test_a_listing_of_every_citizen_by_status_or_type_is_refused(
    client: httpx.AsyncClient,
) -> None:
    for query in ("status=expired", "type=reserve"):
        response = await client.get(f"/transactions?{query}")
        assert_problem(response, 400, BAD_REQUEST)
        assert response.json()["issues"][0]["name"] == "ssin"
    assert (await client.get(f"/transactions?status=expired&ssin={OWN}")).status_code == 200


async def test_an_insufficient_balance_is_on_the_citizens_access_log(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await grant(client, OWN, "vov", "10", "HOUR")
    reserve = {"type": "reserve", "ssin": OWN, "incentive": "vov", "amount": qty("50", "HOUR")}
    refused = await post_txn(client, reserve)
    assert_problem(refused, 409, "urn:problem-type:llr:insufficientBalance")
    actions = (await session.execute(text("SELECT action FROM access_log"))).scalars().all()
    assert "transaction.reserve.refused" in actions


async def test_every_403_is_logged_with_partner_and_reason(
    client: httpx.AsyncClient, issuer: TestIssuer, captured_logs: io.StringIO
) -> None:
    citizen = issuer.headers("burgerprofiel", ssin=OWN)
    assert (await client.get(f"/wallet/{OTHER}", headers=citizen)).status_code == 403
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    refusals = [line for line in lines if line.get("message") == "access refused"]
    assert refusals
    assert refusals[0]["partner"] == "burgerprofiel"
    assert "another citizen" in refusals[0]["reason"]
