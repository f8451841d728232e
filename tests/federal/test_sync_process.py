"""``llr federal sync`` as a real process, killed (SIGKILL) half-way through the feed and run
again: it resumes from the cursor it committed, and every change is posted exactly once. It
commits to the test database for real, on citizens of its own, and removes the feed's cursor
when done so that the other tests start from an empty feed."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.adapters.federal_standin import StandIn, running
from app.domain.identity import CitizenKeyer, parse_ssin
from tests.conftest import TEST_SECRET
from tests.support import make_ssin

ACCOUNTS = 24


def _sync(url: str, federal_url: str, report: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": url,
        "LLR_CITIZEN_KEY_SECRET": TEST_SECRET,
        "LLR_FEDERAL_URL": federal_url,
    }
    command = [sys.executable, "-m", "app.cli", "federal", "sync", "--page-size", "4"]
    return subprocess.Popen(
        [*command, "--report", str(report)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def _seen(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT changes_seen FROM federal_sync_state WHERE source = 'fla'")
        )
    return int(found or 0)


async def test_a_killed_sync_resumes_and_posts_each_change_once(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    ssins = list(dict.fromkeys(make_ssin() for _ in range(ACCOUNTS)))
    standin = StandIn()
    for ssin in ssins:
        standin.change(ssin, {2025: Decimal("5.00"), 2026: Decimal("2.50")}, Decimal(0))
    keyer = CitizenKeyer(TEST_SECRET.encode())
    keys = [keyer.key(parse_ssin(s)) for s in ssins]
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM federal_sync_state"))
    try:
        with running(standin) as url:
            standin.faults.delay_seconds = 0.4  # every call slow: time to kill it half-way
            first = _sync(database_url, url, tmp_path / "first.json")
            deadline = time.monotonic() + 60
            while await _seen(engine) < 4:
                assert first.poll() is None, first.communicate()
                assert time.monotonic() < deadline, "no page committed in time"
                await asyncio.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            killed_at = await _seen(engine)
            assert 4 <= killed_at < len(ssins)
            standin.faults.delay_seconds = 0
            second = _sync(database_url, url, tmp_path / "second.json")
            out, err = second.communicate(timeout=120)
            assert second.returncode == 0, err.decode()
        # resumed from the cursor the killed run committed, not from the start
        assert out.decode().startswith(f"{len(ssins) - killed_at} changes in ")
        assert "reconciliation:" in out.decode()
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT a.citizen_key, a.balance, (SELECT count(*) FROM ledger_legs l "
                        "WHERE l.account_id = a.id) FROM ledger_accounts a "
                        "WHERE a.citizen_key = ANY(CAST(:keys AS bpchar[])) "
                        "AND a.incentive = 'opleidingsrecht' AND a.kind = 'available'"
                    ),
                    {"keys": keys},
                )
            ).all()
        assert len(rows) == len(ssins)
        assert {(balance, legs) for _, balance, legs in rows} == {(750, 2)}  # each grant once
        assert not any(s in err.decode() + out.decode() for s in ssins)
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM federal_sync_state"))
