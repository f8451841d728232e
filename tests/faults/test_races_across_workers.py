"""The ledger's race guarantees hold across processes: ``llr serve --workers 2``, each request
on whichever worker the kernel hands it to, each worker with its own pool."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.faults.live import LiveServer
from tests.races import fifty_reserves_against_125_hours, twenty_requests_with_one_key
from tests.support import assert_ledger_consistent

pytestmark = pytest.mark.faults


def test_the_server_runs_two_worker_processes(live: LiveServer) -> None:
    # uvicorn's supervisor, its two workers and multiprocessing's resource tracker
    assert len(live.processes()) >= 3


async def test_50_concurrent_reserves_against_125_hours(
    http: httpx.AsyncClient, live_db: AsyncEngine
) -> None:
    ssin, _ = await fifty_reserves_against_125_hours(http)
    wallet = (await http.get(f"/wallet/{ssin}")).json()
    (right,) = [r for r in wallet["rights"] if r["incentive"] == "vov"]
    assert (right["reserved"], right["available"]) == ("120.00", "5.00")
    async with AsyncSession(live_db) as session:
        await assert_ledger_consistent(session)


async def test_20_concurrent_requests_with_one_key_post_once(
    http: httpx.AsyncClient, live_db: AsyncEngine
) -> None:
    await twenty_requests_with_one_key(http)
    async with AsyncSession(live_db) as session:
        await assert_ledger_consistent(session)
