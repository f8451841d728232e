"""Sector incentives as data: the funds' incentives are in the catalogue, held in the ledger like
any other right, posted only by their own fund, shown in every wallet; a third fund is a
registry entry and a file, no code."""

import dataclasses
import shutil
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.access.partners import load_registry
from app.main import create_app
from app.settings import Settings
from tests.auth_support import TestIssuer
from tests.support import Clock, make_ssin, qty

APP = Path(__file__).resolve().parents[2] / "app"
CEVORA = "cevoraOpleidingsbudget"


async def post_as(
    client: httpx.AsyncClient, issuer: TestIssuer, partner: str, body: dict[str, Any]
) -> httpx.Response:
    headers = issuer.headers(partner) | {"Idempotency-Key": str(uuid.uuid4())}
    return await client.post("/transactions", json=body, headers=headers)


async def test_the_catalogue_shows_the_funds_incentives(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/incentives", params={"asOf": "2026-11-23"})).json()["items"]
    sector = {i["code"]: i for i in listed if "fund" in i}
    assert set(sector) == {CEVORA, "constructivOpleidingsuren"}
    cevora = sector[CEVORA]
    assert (cevora["fund"], cevora["pillar"], cevora["unit"], cevora["periodKind"]) == (
        "cevora",
        "money",
        "EUR",
        "calendarYear",
    )
    assert cevora["coFinancing"] == {"sectorFund": "1.00"}
    assert set(cevora["names"]) == {"nl", "fr", "en", "de"}
    assert cevora["currentPeriod"]["key"] == "2026"
    assert "fund" not in next(i for i in listed if i["code"] == "vov")
    one = await client.get(f"/incentives/{CEVORA}", headers={"Accept-Language": "fr"})
    assert one.status_code == 200
    assert one.json()["name"] == "Budget de formation Cevora (CP 200)"


async def test_a_fund_grants_and_books_its_own_right_and_every_wallet_shows_it(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    ssin = make_ssin()
    target = {"ssin": ssin, "incentive": CEVORA}
    granted = await post_as(
        client, issuer, "cevora", {"type": "grant", **target, "amount": qty("500", "EUR")}
    )
    assert granted.status_code == 201, granted.text
    hold = await post_as(
        client, issuer, "cevora", {"type": "reserve", **target, "amount": qty("100", "EUR")}
    )
    assert hold.status_code == 201, hold.text
    assert hold.json()["funding"] == {"sectorFund": {"amount": "100.00", "unit": "EUR"}}
    captured = await post_as(
        client,
        issuer,
        "cevora",
        {"type": "capture", "reservationId": hold.json()["id"], "amount": qty("60", "EUR")},
    )
    assert captured.status_code == 201, captured.text
    other = await post_as(
        client, issuer, "cevora", {"type": "reserve", **target, "amount": qty("40", "EUR")}
    )
    released = await post_as(
        client, issuer, "cevora", {"type": "release", "reservationId": other.json()["id"]}
    )
    assert released.status_code == 201, released.text
    redeemed = await post_as(
        client, issuer, "cevora", {"type": "redeem", **target, "amount": qty("50", "EUR")}
    )
    assert redeemed.status_code == 201, redeemed.text
    for reader in ("dwse", "vdab", "federal"):
        wallet = await client.get(f"/wallet/{ssin}", headers=issuer.headers(reader))
        assert wallet.status_code == 200, wallet.text
        right = next(r for r in wallet.json()["rights"] if r["incentive"] == CEVORA)
        assert (right["pillar"], right["granted"], right["used"], right["available"]) == (
            "money",
            "500.00",
            "110.00",
            "390.00",
        )


@pytest.mark.parametrize("partner", ["constructiv", "dwse", "vdab", "federal"])
async def test_no_one_but_the_fund_posts_its_incentives(
    client: httpx.AsyncClient, issuer: TestIssuer, partner: str
) -> None:
    refused = await post_as(
        client,
        issuer,
        partner,
        {"type": "grant", "ssin": make_ssin(), "incentive": CEVORA, "amount": qty("5", "EUR")},
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"] == "urn:problem-type:belgif:missingPermission"


async def test_the_fund_posts_nothing_else(client: httpx.AsyncClient, issuer: TestIssuer) -> None:
    vov = await post_as(
        client,
        issuer,
        "cevora",
        {"type": "grant", "ssin": make_ssin(), "incentive": "vov", "amount": qty("5", "HOUR")},
    )
    assert vov.status_code == 403
    reverse = await post_as(
        client,
        issuer,
        "cevora",
        {"type": "reverse", "transactionId": str(uuid.uuid4()), "reason": "x"},
    )
    assert reverse.status_code == 403


VOLTA = """
[incentives.voltaOpleidingscheque]
pillar = "money"
unit = "EUR"
periodKind = "schoolYear"
legalBasis = "Cao PC 149.01 (test)"
url = "https://www.volta-org.be"
inForceFrom = 2025-09-01
coFinancing = { sectorFund = "0.75", employer = "0.25" }

[incentives.voltaOpleidingscheque.names]
nl = "Volta-opleidingscheque"
fr = "Chèque formation Volta"
en = "Volta training voucher"
de = "Volta-Ausbildungsscheck"
"""

VOLTA_PARTNER = """
[partners.volta]
title = "Volta (electricians, joint committee 149.01)"
kind = "sector"
client_ids = ["volta"]
scopes = ["llr:wallet:read", "llr:transactions:write"]
citizens = "any"
incentives_file = "sector/volta.toml"
"""


async def test_a_third_fund_needs_no_code(
    tmp_path: Path,
    settings: Settings,
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
    clock: Clock,
    issuer: TestIssuer,
) -> None:
    shutil.copytree(APP / "sector", tmp_path / "sector")
    (tmp_path / "sector" / "volta.toml").write_text(VOLTA, encoding="utf-8")
    registry = tmp_path / "partners.toml"
    registry.write_text((APP / "partners.toml").read_text("utf-8") + VOLTA_PARTNER, "utf-8")
    application: FastAPI = create_app(settings.model_copy(update={"partners_file": registry}))
    application.state.clock, application.state.engine = clock, engine
    application.state.sessionmaker = db
    volta = dataclasses.replace(issuer, registry=load_registry(registry))
    ssin = make_ssin()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://testserver"
    ) as client:
        listed = (await client.get("/incentives", headers=volta.headers("dwse"))).json()
        assert "voltaOpleidingscheque" in {i["code"] for i in listed["items"]}
        body = {"ssin": ssin, "incentive": "voltaOpleidingscheque"}
        granted = await post_as(
            client, volta, "volta", {"type": "grant", **body, "amount": qty("200", "EUR")}
        )
        assert granted.status_code == 201, granted.text
        assert granted.json()["period"]["key"] == "2026-27"
        used = await post_as(
            client, volta, "volta", {"type": "redeem", **body, "amount": qty("100", "EUR")}
        )
        assert used.status_code == 201, used.text
        assert used.json()["funding"] == {
            "sectorFund": {"amount": "75.00", "unit": "EUR"},
            "employer": {"amount": "25.00", "unit": "EUR"},
        }
        assert (
            await post_as(
                client, volta, "cevora", {"type": "grant", **body, "amount": qty("1", "EUR")}
            )
        ).status_code == 403
        wallet = (await client.get(f"/wallet/{ssin}", headers=volta.headers("dwse"))).json()
        right = next(r for r in wallet["rights"] if r["incentive"] == "voltaOpleidingscheque")
        assert (right["available"], right["period"]["key"]) == ("100.00", "2026-27")
