"""Fixtures of the fault tests: a PostgreSQL of their own and ``llr serve`` as a real process
with two workers (the tests that stop or kill things start their own)."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.db import async_url
from app.embedded_pg import EmbeddedPostgres
from tests.auth_support import TestIssuer
from tests.faults.live import REQUEST_TIMEOUT, LiveServer, start_postgres


@pytest.fixture(scope="session")
def fault_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = start_postgres(tmp_path_factory.mktemp("faults-pg") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live(
    fault_pg: EmbeddedPostgres, issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """``llr serve --workers 2`` on the fault tests' PostgreSQL."""
    server = LiveServer(fault_pg.url("llr"), issuer, tmp_path_factory.mktemp("live"), workers=2)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def http(live: LiveServer, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the live server, calling as the Department (dwse, every scope)."""
    async with httpx.AsyncClient(
        base_url=live.base_url, headers=issuer.headers("dwse"), timeout=REQUEST_TIMEOUT + 10
    ) as client:
        yield client


@pytest.fixture(scope="session")
async def live_db(fault_pg: EmbeddedPostgres) -> AsyncIterator[AsyncEngine]:
    """A direct connection to what the live server wrote, to check the record."""
    engine = create_async_engine(async_url(fault_pg.url("llr")), pool_size=2)
    yield engine
    await engine.dispose()
