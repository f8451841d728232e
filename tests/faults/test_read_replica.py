"""Reads from a real streaming replica (``LLR_DATABASE_REPLICA_URL``): a read that may be a
little stale goes there only when the caller's ``LLR-Min-LSN`` has been replayed (read-your-
writes), anything that settles stays on the primary, and ``LLR-Read-From`` says which."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import asyncpg
import httpx
import pytest

from app.topology.postgres import PgNode
from tests.auth_support import TestIssuer
from tests.faults.live import REQUEST_TIMEOUT, LiveServer, start_pair
from tests.support import make_ssin, post_txn, qty

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PgNode, PgNode]]:
    primary, replica = start_pair(tmp_path_factory.mktemp("replicated"), synchronous=False)
    yield primary, replica
    replica.stop()
    primary.stop()


@pytest.fixture(scope="module")
def server(
    pair: tuple[PgNode, PgNode], issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    primary, replica = pair
    live = LiveServer(
        primary.url(),
        issuer,
        tmp_path_factory.mktemp("replica-live"),
        extra_env={"LLR_DATABASE_REPLICA_URL": replica.url()},
    )
    live.start()
    yield live
    live.stop()


async def _scalar(node: PgNode, sql: str) -> object:
    conn = await asyncpg.connect(node.url())
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def _replayed(replica: PgNode, lsn: str) -> bool:
    return bool(await _scalar(replica, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'"))


async def test_reads_go_to_the_replica_only_once_it_has_the_callers_last_write(
    server: LiveServer, pair: tuple[PgNode, PgNode], issuer: TestIssuer
) -> None:
    _, replica = pair
    ssin = make_ssin()
    async with httpx.AsyncClient(
        base_url=server.base_url, headers=issuer.headers("dwse"), timeout=REQUEST_TIMEOUT + 10
    ) as http:
        granted = await post_txn(
            http, {"type": "grant", "ssin": ssin, "incentive": "vov", "amount": qty("20", "HOUR")}
        )
        assert granted.status_code == 201, granted.text
        first_lsn = granted.headers["LLR-Write-LSN"]
        await _wait_replayed(replica, first_lsn)

        # today's wallet settles: always the primary, also with a replayed LSN
        today = await http.get(f"/wallet/{ssin}", headers={"LLR-Min-LSN": first_lsn})
        assert today.status_code == 200
        assert today.headers["LLR-Read-From"] == "primary"
        # without the caller's LSN every read stays on the primary
        listing = await http.get("/transactions", params={"ssin": ssin})
        assert listing.headers["LLR-Read-From"] == "primary"
        # with it, replayed: the replica answers, the same as the primary
        on_replica = await http.get(
            "/transactions", params={"ssin": ssin}, headers={"LLR-Min-LSN": first_lsn}
        )
        assert on_replica.status_code == 200
        assert on_replica.headers["LLR-Read-From"] == "replica"
        assert on_replica.json() == listing.json()
        tomorrow = (date.fromisoformat(today.json()["asOf"]) + timedelta(days=1)).isoformat()
        ahead = await http.get(
            f"/wallet/{ssin}", params={"asOf": tomorrow}, headers={"LLR-Min-LSN": first_lsn}
        )
        assert ahead.headers["LLR-Read-From"] == "replica"
        assert ahead.json()["rights"][0]["granted"] == "20.00"

        # the replica stops replaying: a caller that wrote since is read on the primary and
        # sees its write; one that did not may be read on the (now stale) replica
        await _scalar(replica, "SELECT pg_wal_replay_pause()")
        try:
            redeem = {
                "type": "redeem",
                "ssin": ssin,
                "incentive": "vov",
                "amount": qty("3", "HOUR"),
                "reference": "r-1",
            }
            posted = await post_txn(http, redeem, str(uuid.uuid4()))
            assert posted.status_code == 201, posted.text
            second_lsn = posted.headers["LLR-Write-LSN"]
            assert not await _replayed(replica, second_lsn)
            mine = await http.get(
                "/transactions", params={"ssin": ssin}, headers={"LLR-Min-LSN": second_lsn}
            )
            assert mine.headers["LLR-Read-From"] == "primary"
            assert posted.json()["id"] in [t["id"] for t in mine.json()["items"]]
            stale = await http.get(
                "/transactions", params={"ssin": ssin}, headers={"LLR-Min-LSN": first_lsn}
            )
            assert stale.headers["LLR-Read-From"] == "replica"
            assert posted.json()["id"] not in [t["id"] for t in stale.json()["items"]]
        finally:
            await _scalar(replica, "SELECT pg_wal_replay_resume()")

        # a replica's read is on the access log all the same (written on the primary)
        logged = await http.get(f"/wallet/{ssin}/accessLog")
        actions = [e["action"] for e in logged.json()["items"]]
        assert actions.count("wallet.read") == 2
        assert "transactions.list" in actions

        # the replica gone: the primary answers, and the worker stops trying the replica for a
        # while (one failed try, not one per read)
        await asyncio.to_thread(replica.stop)
        for _ in range(3):
            fallback = await http.get(
                "/transactions", params={"ssin": ssin}, headers={"LLR-Min-LSN": first_lsn}
            )
            assert fallback.status_code == 200
            assert fallback.headers["LLR-Read-From"] == "primary"
            assert posted.json()["id"] in [t["id"] for t in fallback.json()["items"]]
        assert server.log_path.read_text().count("replica unavailable") == 1

        bad = await http.get(
            "/transactions", params={"ssin": ssin}, headers={"LLR-Min-LSN": "not-a-position"}
        )
        assert bad.status_code == 400
        assert bad.json()["issues"][0]["name"] == "LLR-Min-LSN"


async def _wait_replayed(replica: PgNode, lsn: str) -> None:
    deadline = time.monotonic() + 30
    while not await _replayed(replica, lsn):
        assert time.monotonic() < deadline, f"the replica did not replay {lsn}"
        await asyncio.sleep(0.05)
