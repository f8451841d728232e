"""The federal stand-in served over real HTTP (uvicorn on a free port, in a thread), a client of
it with short backoffs, and the sync run on the test's own (rolled back) database."""

import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters.federal import Backoff, CircuitBreaker, FederalClient
from app.adapters.federal_standin import DEFAULT_CLIENT, StandIn, running
from app.domain.access.partners import load_registry
from app.domain.federal.sync import SyncReport, sync
from tests.support import make_ssin


@dataclass
class Federal:
    """The stand-in (its state, to change accounts and faults) and its URL."""

    standin: StandIn
    url: str

    def account(self, ssin: str, used: str = "0", **years: str) -> None:
        self.standin.change(
            ssin, {int(y.lstrip("y")): Decimal(d) for y, d in years.items()}, Decimal(used)
        )

    async def admin(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.post(f"{self.url}/admin/{path}", json=body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture
def federal() -> Iterator[Federal]:
    standin = StandIn()
    with running(standin) as url:
        yield Federal(standin, url)


def fast_client(url: str, *, timeout: float = 2.0, attempts: int = 4) -> FederalClient:
    return FederalClient(
        url,
        *DEFAULT_CLIENT,
        timeout=timeout,
        backoff=Backoff(attempts=attempts, initial=0.01, maximum=0.05, jitter=0.01),
        breaker=CircuitBreaker(threshold=3, reset_after=60),
    )


@pytest.fixture
async def feed(federal: Federal) -> AsyncIterator[FederalClient]:
    async with fast_client(federal.url) as client:
        yield client


@pytest.fixture
def run_sync(app: FastAPI, db: async_sessionmaker[AsyncSession], feed: FederalClient) -> Any:
    async def run(client: FederalClient | None = None, **options: Any) -> SyncReport:
        return await sync(
            db,
            client or feed,
            app.state.keyer,
            app.state.vault,
            load_registry()["federal"],
            now=lambda: app.state.clock(),
            **options,
        )

    return run


@pytest.fixture
def ssins() -> list[str]:
    rng = random.Random()
    return [make_ssin(rng) for _ in range(12)]


def now() -> datetime:
    return datetime.now(UTC)
