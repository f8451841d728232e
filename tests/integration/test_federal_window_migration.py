"""Migration g7: the federal right's year accounts (2024...) become their 5-year window's, with
every leg, the summed balances and each transaction's year kept; earlier years stay yearly."""

import asyncio
import uuid
from datetime import UTC, date, datetime

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import create_engine, create_sessionmaker
from app.domain.ledger.booking import grant_legs, redeem_legs
from app.domain.ledger.repository import NewTransaction, Posting, lock_right, post
from app.domain.quantities import Unit
from app.embedded_pg import ensure_database
from app.migrate import upgrade
from app.settings import Settings

KEY = "k" * 64


async def _book(url: str) -> None:
    engine = create_engine(Settings(env="test", database_url=url))
    now = datetime.now(UTC)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            for year, granted, used in (("2023", 400, 0), ("2024", 500, 0), ("2025", 500, 100)):
                state = await lock_right(
                    session,
                    now,
                    citizen_key=KEY,
                    incentive="opleidingsrecht",
                    period_key=year,
                    unit=Unit.DAY,
                    open_=True,
                )
                assert state is not None
                assert state.available_id is not None
                postings = [
                    Posting(_txn("grant", year, granted), grant_legs(state.available_id, granted))
                ]
                if used:
                    legs = redeem_legs(state.available_id, Unit.DAY, None, used)
                    postings.append(Posting(_txn("redeem", year, used), legs))
                await post(session, postings, now)
    finally:
        await engine.dispose()


def _txn(type_: str, year: str, minor: int) -> NewTransaction:
    return NewTransaction(
        type=type_,
        incentive="opleidingsrecht",
        unit=Unit.DAY,
        amount=minor,
        effective_date=date(int(year), 6, 1),
        caller="federal",
        citizen_key=KEY,
        period_key=year,
    )


async def test_the_years_accounts_become_the_windows(database_url: str) -> None:
    name = f"llr_g7_{uuid.uuid4().hex[:8]}"
    plain = make_url(database_url).set(drivername="postgresql")
    await asyncio.to_thread(ensure_database, plain.render_as_string(hide_password=False), name)
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url, "f6_facts_in_time")
        await _book(url)
        await asyncio.to_thread(upgrade, url, "head")
        engine = create_engine(Settings(env="test", database_url=url))
        try:
            async with engine.connect() as conn:
                accounts = (
                    await conn.execute(
                        text(
                            "SELECT a.period_key, a.kind, a.balance, "
                            "coalesce(sum(CASE l.side WHEN 'C' "
                            "THEN l.amount ELSE -l.amount END), 0) FROM ledger_accounts a "
                            "LEFT JOIN ledger_legs l ON l.account_id = a.id "
                            "WHERE a.citizen_key = :k "
                            "GROUP BY a.id ORDER BY 1, 2"
                        ),
                        {"k": KEY},
                    )
                ).all()
                moved = (
                    await conn.execute(
                        text(
                            "SELECT period_key, type, metadata->>'accrualYear' "
                            "FROM ledger_transactions WHERE citizen_key = :k "
                            "ORDER BY effective_date, type"
                        ),
                        {"k": KEY},
                    )
                ).all()
        finally:
            await engine.dispose()
    finally:
        conn_ = await asyncpg.connect(plain.render_as_string(hide_password=False))
        try:
            await conn_.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn_.close()
    assert [tuple(a) for a in accounts] == [
        ("2023", "available", 400, 400),
        ("2023", "held", 0, 0),
        ("2024-2028", "available", 900, 900),
        ("2024-2028", "held", 0, 0),
    ]
    assert [tuple(m) for m in moved] == [
        ("2023", "grant", None),
        ("2024-2028", "grant", "2024"),
        ("2024-2028", "grant", "2025"),
        ("2024-2028", "redeem", "2025"),
    ]
