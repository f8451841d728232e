"""The request timeout answers on time even when the timed-out request is slow to clean up
(a rollback on a database that does not answer)."""

import asyncio
import time

import httpx
from starlette.types import Receive, Scope, Send

from app.middleware import RequestContext

cleaned_up = asyncio.Event()


async def stuck_app(scope: Scope, receive: Receive, send: Send) -> None:
    try:
        await asyncio.Event().wait()  # a query the database never answers
    except asyncio.CancelledError:
        await asyncio.sleep(1.5)  # the rollback, as slow
        cleaned_up.set()
        raise


async def test_timeout_answers_503_without_waiting_for_the_cleanup() -> None:
    app = RequestContext(stuck_app, max_body_bytes=1024, timeout_seconds=0.2)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        started = time.monotonic()
        response = await client.get("/anything")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["type"] == "urn:problem-type:belgif:serviceUnavailable"
    assert "BelGov-Trace-Id" in response.headers
    assert elapsed < 1.0
    assert not cleaned_up.is_set()
    await asyncio.wait_for(cleaned_up.wait(), timeout=5)  # the cleanup still ran to its end
