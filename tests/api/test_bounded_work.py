"""Issue 10, finding 1: a request's work is bounded by documented maxima, and the rules never hold
the event loop (other requests, /health and the request timeout go on while they run)."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.rules import engine, service
from app.main import create_app
from app.schemas.eligibility import MAX_INCENTIVES
from app.settings import Settings
from tests.api.test_foundation import assert_problem
from tests.auth_support import TestIssuer


async def test_an_incentive_repeated_30000_times_is_refused_at_once(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/eligibility", json={"incentives": ["vov"] * 30_000})
    assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert len(response.content) < 10_000  # one issue, not one per element
    assert "at most 1000 elements" in response.json()["issues"][0]["detail"]


async def test_more_incentives_than_the_maximum_are_refused(client: httpx.AsyncClient) -> None:
    names = [f"x{'a' * i}" for i in range(MAX_INCENTIVES + 1)]
    response = await client.post("/eligibility", json={"incentives": names})
    assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert response.json()["issues"][0]["name"] == "incentives"


async def test_an_incentive_named_twice_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/eligibility", json={"incentives": ["vov", "vok", "vov"]})
    assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert "once" in response.json()["issues"][0]["detail"]


async def test_the_maximum_is_documented(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]
    incentives = schema["EligibilityRequest"]["properties"]["incentives"]
    assert incentives["uniqueItems"] is True
    assert next(s for s in incentives["anyOf"] if s.get("type") == "array")["maxItems"] == (
        MAX_INCENTIVES
    )


def cpu_bound_evaluate(seconds: float) -> Callable[..., Any]:
    """The rules' evaluate, after ``seconds`` of busy CPU (no sleep: it must hold the GIL and,
    on the event loop, the loop)."""

    def evaluate(*args: Any, **kwargs: Any) -> Any:
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            pass
        return engine.evaluate(*args, **kwargs)

    return evaluate


async def test_the_rules_run_off_the_event_loop(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deliberately slow evaluation (0.5 s of CPU) while a ticker counts event-loop turns:
    run on the loop, the ticker would not move until it is over."""
    monkeypatch.setattr(service, "evaluate", cpu_bound_evaluate(0.5))
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    counting = asyncio.create_task(ticker())
    response = await client.post("/eligibility", json={"incentives": ["vov"]})
    done.set()
    await counting
    assert response.status_code == 200
    assert ticks >= 10  # 0.5 s at one turn per 10 ms: the loop kept turning


async def test_rules_past_the_time_budget_are_503_not_a_stall(
    settings: Settings,
    db: async_sessionmaker[AsyncSession],
    issuer: TestIssuer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The request timeout is the time budget: with the rules off the event loop it fires while
    they still run (on the loop, it could only fire after them)."""
    monkeypatch.setattr(service, "evaluate", cpu_bound_evaluate(2.0))
    budgeted = create_app(settings.model_copy(update={"request_timeout_seconds": 0.5}))
    budgeted.state.sessionmaker = db
    transport = httpx.ASGITransport(app=budgeted)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=issuer.headers("dwse")
    ) as http:
        started = time.perf_counter()
        response = await http.post("/eligibility", json={"incentives": ["vov"]})
        elapsed = time.perf_counter() - started
    assert_problem(response, 503, "urn:problem-type:belgif:serviceUnavailable")
    assert elapsed < 1.5
