"""The ledger's batch commands against real PostgreSQL: ``llr grant`` settles exactly what a
wallet read would (so a later read posts nothing), ``llr rollover`` closes ended periods once,
and the hold sweep records expiries once."""

import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.commands.ledger import grant, rollover
from app.db import create_sessionmaker
from app.domain.ledger.maintenance import (
    EndedPeriod,
    close_period_batch,
    sweep_expired_holds,
)
from app.domain.ledger.ports import Actor
from app.domain.ledger.service import Ledger
from app.domain.ledger.tables import transactions
from app.domain.quantities import Unit
from app.domain.settlement import RulesEntitlements
from app.domain.vault import SsinVault
from app.settings import Settings, parse_ssin_keys
from tests.auth_support import TestIssuer
from tests.support import (
    EMPLOYEE_FACTS,
    CappedCatalog,
    assert_ledger_consistent,
    make_ssin,
    post_txn,
    qty,
)

VARIANTS: list[dict[str, Any]] = [
    {},
    {"employmentFraction": "1.00", "weeklyHours": "38"},
    {"employmentFraction": "0.50", "weeklyHours": "19"},
    {"workplaceRegion": "brussels"},
    {"status": "jobseeker", "receivesUnemploymentBenefit": True},
    {"educationLevel": "high"},
]


async def declare(client: httpx.AsyncClient, ssin: str, facts: dict[str, Any]) -> None:
    response = await client.put(
        f"/citizens/{ssin}/facts",
        json={"facts": EMPLOYEE_FACTS | facts, "source": "dmfa", "observedOn": "2026-01-05"},
    )
    assert response.status_code == 200, response.text


async def citizen_transactions(
    engine: AsyncEngine, client: httpx.AsyncClient, ssins: list[str]
) -> int:
    total = 0
    for ssin in ssins:
        page = (await client.get("/transactions", params={"ssin": ssin, "pageSize": 200})).json()
        total += len(page["items"])
    return total


async def test_bulk_grant_settles_what_the_wallet_would(
    committing_client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: Settings,
    database_url: str,
) -> None:
    rng = random.Random(7)
    ssins = [make_ssin(rng) for _ in range(24)]
    for index, ssin in enumerate(ssins):
        await declare(committing_client, ssin, VARIANTS[index % len(VARIANTS)])
    today = datetime.now(UTC).date()
    first = await grant(settings, database_url, None, today, batch_size=7)
    assert first.citizens >= 24
    assert first.granted >= 16  # vov and vouchers for the eligible variants
    posted = await citizen_transactions(engine, committing_client, ssins)
    wallets = [(await committing_client.get(f"/wallet/{s}")).json() for s in ssins]
    assert await citizen_transactions(engine, committing_client, ssins) == posted  # nothing new
    by_variant = {i % len(VARIANTS): w for i, w in enumerate(wallets)}
    vov = {
        i: [r["granted"] for r in w["rights"] if r["incentive"] == "vov"]
        for i, w in by_variant.items()
    }
    assert vov == {0: ["100.00"], 1: ["125.00"], 2: [], 3: [], 4: [], 5: ["100.00"]}
    again = await grant(settings, database_url, None, today, batch_size=7)
    assert (again.granted, again.adjusted, again.withdrawn) == (0, 0, 0)
    async with AsyncSession(engine) as session:
        await assert_ledger_consistent(session)


async def test_bulk_grant_adjusts_when_facts_change(
    committing_client: httpx.AsyncClient, settings: Settings, database_url: str
) -> None:
    ssin = make_ssin()
    await declare(committing_client, ssin, {})
    today = datetime.now(UTC).date()
    await grant(settings, database_url, "2026-27", today, batch_size=500)
    # valid from today: the right read on today's facts changes, the VOV of March does not
    change = {
        "facts": EMPLOYEE_FACTS | {"employmentFraction": "1.00", "weeklyHours": "38"},
        "source": "dmfa",
        "observedOn": today.isoformat(),
    }
    assert (await committing_client.put(f"/citizens/{ssin}/facts", json=change)).is_success
    report = await grant(settings, database_url, "2026-27", today, batch_size=500)
    wallet = (await committing_client.get(f"/wallet/{ssin}")).json()
    assert [r["granted"] for r in wallet["rights"] if r["incentive"] == "vov"] == ["100.00"]
    # valid from before March: corrected when recorded, so the next run has nothing to do
    await declare(committing_client, ssin, {"employmentFraction": "1.00", "weeklyHours": "38"})
    adjust = (
        await committing_client.get("/transactions", params={"ssin": ssin, "type": "adjust"})
    ).json()
    assert [t["amount"]["amount"] for t in adjust["items"]] == ["25.00"]
    assert report.adjusted == 0
    again = await grant(settings, database_url, "2026-27", today, batch_size=500)
    assert (again.granted, again.adjusted, again.withdrawn) == (0, 0, 0)


async def test_bulk_grant_reads_the_facts_of_the_reference_month_as_a_wallet_read(
    committing_client: httpx.AsyncClient, settings: Settings, database_url: str
) -> None:
    by_batch, by_read = make_ssin(random.Random(11)), make_ssin(random.Random(12))
    for ssin in (by_batch, by_read):
        await declare(committing_client, ssin, {"employmentFraction": "1.00", "weeklyHours": "38"})
        later = {
            "facts": EMPLOYEE_FACTS | {"employmentFraction": "0.50"},
            "source": "dmfa",
            "observedOn": "2026-06-01",
        }
        assert (await committing_client.put(f"/citizens/{ssin}/facts", json=later)).is_success
    today = datetime.now(UTC).date()
    await grant(settings, database_url, "2026-27", today, batch_size=500)
    wallets = [(await committing_client.get(f"/wallet/{s}")).json() for s in (by_batch, by_read)]
    vov = [[r["granted"] for r in w["rights"] if r["incentive"] == "vov"] for w in wallets]
    assert vov == [["125.00"], ["125.00"]]  # March 2026 full time; June's half time is later
    cheques = [
        [r["granted"] for r in w["rights"] if r["incentive"] == "opleidingscheques"]
        for w in wallets
    ]
    assert cheques[0] == cheques[1]


async def test_the_grant_command_runs_from_the_shell(database_url: str) -> None:
    env = os.environ | {"DATABASE_URL": database_url, "LLR_ENV": "test"}
    done = subprocess.run(  # noqa: ASYNC221 - a short CLI run
        [sys.executable, "-m", "app.cli", "grant", "--period", "2026-27"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "citizens:" in done.stdout
    assert "granting 2026-27" in done.stderr  # the progress bar
    bad = subprocess.run(  # noqa: ASYNC221
        [sys.executable, "-m", "app.cli", "grant", "--period", "2026-27", "--as-of", "2025-01-01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert "not in period 2026-27" in bad.stderr


async def test_rollover_closes_ended_periods_once(
    committing_client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: Settings,
    database_url: str,
) -> None:
    ssin = make_ssin()
    await declare(committing_client, ssin, {})
    redeemed = await post_txn(
        committing_client,
        {"type": "redeem", "ssin": ssin, "incentive": "vov", "amount": qty("30", "HOUR")},
    )
    assert redeemed.status_code == 201, redeemed.text
    before = (await committing_client.get(f"/wallet/{ssin}", params={"asOf": "2027-08-31"})).json()
    assert [r["available"] for r in before["rights"] if r["incentive"] == "vov"] == ["70.00"]
    closed = await rollover(settings, database_url, date(2027, 9, 1), batch_size=3)
    assert closed >= 1
    assert await rollover(settings, database_url, date(2027, 9, 1), batch_size=3) == 0
    period_end = (
        await committing_client.get("/transactions", params={"ssin": ssin, "type": "periodEnd"})
    ).json()
    assert [
        (t["incentive"], t["amount"]["amount"])
        for t in period_end["items"]
        if t["incentive"] == "vov"
    ] == [("vov", "70.00")]
    async with AsyncSession(engine) as session:
        await assert_ledger_consistent(session)


async def test_carry_over_moves_up_to_the_cap_into_the_next_period(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    ssin = make_ssin()
    await declare(committing_client, ssin, {})
    await committing_client.get(f"/wallet/{ssin}")  # 100 hours granted for 2026-27
    catalog = CappedCatalog({"vov": Decimal("40")})
    sessions = create_sessionmaker(engine)
    key = (await committing_client.get("/transactions", params={"ssin": ssin})).json()
    citizen_key = None
    async with sessions() as session, session.begin():
        citizen_key = await session.scalar(
            select(transactions.c.citizen_key).where(transactions.c.id == key["items"][0]["id"])
        )
        ended = EndedPeriod("vov", catalog.period_for("vov", date(2026, 11, 1)), Unit.HOUR, 1)
        rows = await session.execute(
            text(
                "SELECT id FROM ledger_accounts WHERE citizen_key = :k AND incentive = 'vov' "
                "AND kind = 'available'"
            ),
            {"k": citizen_key},
        )
        assert len(rows.all()) == 1
        while await close_period_batch(
            session, catalog, ended, Actor("test"), datetime(2027, 9, 1, tzinfo=UTC), 1000
        ):
            pass
    wallet = (await committing_client.get(f"/wallet/{ssin}", params={"asOf": "2027-09-01"})).json()
    carried = [r for r in wallet["rights"] if r["incentive"] == "vov"]
    assert [(r["period"]["key"], r["carriedIn"], r["available"]) for r in carried] == [
        ("2027-28", "40.00", "40.00")
    ]
    # a year later, with validity 1, what was carried once lapses instead of moving again
    following = EndedPeriod("vov", catalog.period_for("vov", date(2027, 11, 1)), Unit.HOUR, 1)
    async with sessions() as session, session.begin():
        while await close_period_batch(
            session, catalog, following, Actor("test"), datetime(2028, 9, 1, tzinfo=UTC), 1000
        ):
            pass
    later = (await committing_client.get(f"/wallet/{ssin}", params={"asOf": "2028-09-01"})).json()
    assert [r for r in later["rights"] if r["incentive"] == "vov"] == []
    lapsed = (
        await committing_client.get(
            "/transactions", params={"ssin": ssin, "type": "periodEnd", "incentive": "vov"}
        )
    ).json()
    assert [(t["period"]["key"], t["amount"]["amount"]) for t in lapsed["items"]] == [
        ("2027-28", "40.00"),
        ("2026-27", "60.00"),
    ]


async def test_the_hold_sweep_records_each_expiry_once(
    committing_client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    ssin = make_ssin()
    await declare(committing_client, ssin, {})
    expires = datetime.now(UTC) + timedelta(hours=1)
    hold = (
        await post_txn(
            committing_client,
            {
                "type": "reserve",
                "ssin": ssin,
                "incentive": "vov",
                "amount": qty("12", "HOUR"),
                "expiresAt": expires.isoformat(),
            },
        )
    ).json()
    keys, current = parse_ssin_keys(settings.ssin_keys.get_secret_value())
    later = expires + timedelta(minutes=1)

    def ledger_for(session: AsyncSession) -> Ledger:
        return Ledger(
            session, CappedCatalog({}), RulesEntitlements(), SsinVault(keys, current), later
        )

    sessions = create_sessionmaker(engine)
    swept = [n async for n in sweep_expired_holds(sessions, ledger_for, Actor("test"))]
    assert sum(swept) >= 1
    assert [n async for n in sweep_expired_holds(sessions, ledger_for, Actor("test"))] == []
    resolved = (
        await committing_client.get("/transactions", params={"ssin": ssin, "type": "expire"})
    ).json()
    assert [t["reservationId"] for t in resolved["items"]] == [hold["id"]]
    async with AsyncSession(engine) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(transactions)
            .where(transactions.c.resolves == hold["id"])
        )
        assert count == 1
        await assert_ledger_consistent(session)


async def test_batch_and_request_write_the_same_receipt_and_seal_the_ssin(
    committing_client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: Settings,
    database_url: str,
    issuer: TestIssuer,
) -> None:
    by_read, by_batch = make_ssin(), make_ssin()
    for ssin in (by_read, by_batch):
        await declare(committing_client, ssin, {})
    assert (await committing_client.get(f"/wallet/{by_read}")).status_code == 200
    await grant(settings, database_url, None, datetime.now(UTC).date(), batch_size=50)

    async def receipts(ssin: str) -> list[tuple[Any, ...]]:
        page = await committing_client.get("/transactions", params={"ssin": ssin, "type": "grant"})
        items = page.json()["items"]
        assert items, ssin
        ids = [item["id"] for item in items]
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(
                        transactions.c.incentive,
                        transactions.c.caller,
                        transactions.c.amount,
                        transactions.c.metadata,
                        transactions.c.ssin_ciphertext.is_not(None),
                        transactions.c.decision_id.is_not(None),
                    )
                    .where(transactions.c.id.in_(ids))
                    .order_by(transactions.c.incentive)
                )
            ).all()
        return [tuple(row) for row in rows]

    read, batch = await receipts(by_read), await receipts(by_batch)
    assert read == batch
    assert all(sealed and decided for *_, sealed, decided in batch)
    assert {caller for _, caller, *_ in batch} == {"llr"}
    own = issuer.headers("burgerprofiel", ssin=by_batch)
    listed = await committing_client.get("/transactions", params={"type": "grant"}, headers=own)
    assert listed.status_code == 200, listed.text
    for item in listed.json()["items"]:
        assert item["ssin"] == by_batch
        one = await committing_client.get(f"/transactions/{item['id']}", headers=own)
        assert one.status_code == 200, one.text
