"""The reconciliation report: the citizens whose wallet and federal balance differ, and why, with
discrepancies planted through the other doors; and the federal right's period on the wire."""

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.federal.reconcile import reconcile
from app.domain.identity import parse_ssin
from tests.auth_support import TestIssuer
from tests.federal.conftest import Federal, now
from tests.support import post_txn, qty


def reasons(found: Any, key: str) -> dict[str, str]:
    items = [item for item in found.items if item.citizen_key == key]
    assert len(items) == 1, [i.as_json() for i in found.items if i.citizen_key == key]
    return {r["code"]: r["amount"] for r in items[0].reasons}


async def test_the_report_names_each_planted_discrepancy_and_why(
    federal: Federal,
    run_sync: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    issuer: TestIssuer,
    ssins: list[str],
    app: Any,
) -> None:
    keys = [app.state.keyer.key(parse_ssin(s)) for s in ssins[:5]]
    for ssin in ssins[:4]:
        federal.account(ssin, used="1.00", y2025="5.00", y2026="5.00")
    await run_sync()
    # another door grants two more days to the first citizen (the Department)
    granted = await post_txn(
        client,
        {
            "type": "grant",
            "ssin": ssins[0],
            "incentive": "opleidingsrecht",
            "amount": qty("2", "DAY"),
            "period": "2026",
        },
    )
    assert granted.status_code == 201, granted.text
    # the federal partner books a hold for the second, through POST /transactions
    hold = await client.post(
        "/transactions",
        headers=issuer.headers("federal") | {"Idempotency-Key": str(uuid.uuid4())},
        json={
            "type": "reserve",
            "ssin": ssins[1],
            "incentive": "opleidingsrecht",
            "amount": qty("3", "DAY"),
        },
    )
    assert hold.status_code == 201, hold.text
    # the federal side lowers the third's 2026 accrual: the ledger does not take it back
    await federal.admin("accounts", {"ssin": ssins[2], "accruals": {"2026": "2.00"}})
    await run_sync()
    # a right for a citizen the federal account does not know
    other = await post_txn(
        client,
        {
            "type": "grant",
            "ssin": ssins[4],
            "incentive": "opleidingsrecht",
            "amount": qty("1", "DAY"),
        },
    )
    assert other.status_code == 201, other.text
    found = await reconcile(session, now())
    mine = {item.citizen_key for item in found.items} & set(keys)
    assert mine == {keys[0], keys[1], keys[2], keys[4]}  # the fourth reconciles
    assert reasons(found, keys[0]) == {"grantedByAnotherDoor": "2.00"}
    assert reasons(found, keys[1]) == {"reservedHere": "3.00"}
    assert reasons(found, keys[2]) == {"federalAccrualLowered": "3.00"}
    assert reasons(found, keys[4]) == {"noFederalAccount": "1.00"}
    first = next(i for i in found.items if i.citizen_key == keys[0]).as_json()
    assert first["federal"] == {"accrued": "10.00", "used": "1.00", "balance": "9.00"}
    assert first["wallet"]["available"] == "11.00"
    assert not any(s in str(found.as_json()) for s in ssins)  # pseudonymous keys only


async def test_an_old_clients_year_names_the_window_and_a_school_year_is_refused(
    client: httpx.AsyncClient, ssins: list[str]
) -> None:
    body = {
        "type": "grant",
        "ssin": ssins[0],
        "incentive": "opleidingsrecht",
        "amount": qty("2", "DAY"),
        "period": "2027",
    }
    granted = await post_txn(client, body)
    assert granted.status_code == 201, granted.text
    assert granted.json()["period"]["key"] == "2024-2028"
    refused = await post_txn(client, body | {"period": "2026-27"})
    assert refused.status_code == 400
    issue = refused.json()["issues"][0]
    assert (issue["name"], issue["value"]) == ("period", "2026-27")
    assert "2024-2028" in issue["detail"]
    wallet = (await client.get(f"/wallet/{ssins[0]}")).json()
    right = next(r for r in wallet["rights"] if r["incentive"] == "opleidingsrecht")
    assert (right["period"]["key"], right["available"]) == ("2024-2028", "2.00")
    assert right["federalAccount"]["stale"] is True  # never synchronised from the federal side
