"""Correctness after the load: the hot citizen's balance to the cent, and the whole ledger's
invariants (every transaction balances, cached balances equal the sum of their legs)."""

import asyncio
import time
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from bench.load import Load


def hot_citizen(
    base: str, token: str, ssin: str, citizen_key: str, url: str, load: Load, connections: int
) -> dict[str, Any]:
    """The hot citizen's VOV right as the wallet shows it against the record and against what
    wrk was answered: used = captures x 0.01 h, reserved = holds not captured x 0.01 h,
    available = granted - reserved - used; every 201 wrk saw is on the record, and at most one
    request per connection more (those still in flight when wrk stopped, which it never counts)."""
    settle(url)
    wallet = httpx.get(
        f"{base}/wallet/{ssin}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ).json()
    right = next(r for r in wallet["rights"] if r["incentive"] == "vov")
    granted, reserved, used, available = (
        Decimal(right[k]) for k in ("granted", "reserved", "used", "available")
    )

    async def posted() -> dict[str, int]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT type, count(*) AS n FROM ledger_transactions WHERE citizen_key = $1 "
                "AND incentive = 'vov' AND type IN ('reserve', 'capture') GROUP BY type",
                citizen_key,
            )
            return {row["type"]: row["n"] for row in rows}
        finally:
            await conn.close()

    record = asyncio.run(posted())
    reserves, captures = record.get("reserve", 0), record.get("capture", 0)
    answered = load.ok("reserve201", "capture201")
    step = Decimal("0.01")
    expected = {
        "used": captures * step,
        "reserved": (reserves - captures) * step,
        "available": granted - reserves * step,
    }
    shown = {"used": used, "reserved": reserved, "available": available}
    acknowledged = answered <= reserves + captures <= answered + connections
    return {
        "exact": expected == shown and acknowledged,
        "granted": str(granted),
        "shown": {k: str(v) for k, v in shown.items()},
        "expected": {k: str(v) for k, v in expected.items()},
        "posted": {"reserve": reserves, "capture": captures},
        "answered201": answered,
        "everyAnswered201Posted": acknowledged,
    }


def settle(url: str, timeout: float = 30) -> None:
    """Waits until the requests wrk left in flight when it stopped have finished: no more
    transactions appear for a second."""

    async def wait() -> None:
        conn = await asyncpg.connect(url)
        try:
            last, deadline = -1, time.monotonic() + timeout
            while time.monotonic() < deadline:
                now = await conn.fetchval("SELECT count(*) FROM ledger_transactions")
                if now == last:
                    return
                last = now
                await asyncio.sleep(1)
        finally:
            await conn.close()

    asyncio.run(wait())


LEDGER_CHECKS = {
    "unbalancedTransactions": """
        SELECT count(*) FROM (SELECT transaction_id FROM ledger_legs GROUP BY transaction_id, unit
        HAVING sum(CASE side WHEN 'C' THEN amount ELSE -amount END) <> 0) AS t""",
    "balanceDrift": """
        SELECT count(*) FROM (SELECT a.id FROM ledger_accounts a
        LEFT JOIN ledger_legs l ON l.account_id = a.id WHERE a.balance IS NOT NULL
        GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(CASE l.side WHEN 'C'
        THEN l.amount ELSE -l.amount END), 0) OR a.balance < 0) AS t""",
    "holdsResolvedTwice": """
        SELECT count(*) FROM (SELECT resolves FROM ledger_transactions WHERE resolves IS NOT NULL
        GROUP BY resolves HAVING count(*) > 1) AS t""",
}


def ledger_consistent(url: str) -> dict[str, Any]:
    async def check() -> dict[str, Any]:
        conn = await asyncpg.connect(url)
        try:
            found = {name: await conn.fetchval(sql) for name, sql in LEDGER_CHECKS.items()}
            found["transactions"] = await conn.fetchval("SELECT count(*) FROM ledger_transactions")
        finally:
            await conn.close()
        problems = sum(v for k, v in found.items() if k != "transactions")
        return found | {"consistent": problems == 0}

    return asyncio.run(check())
