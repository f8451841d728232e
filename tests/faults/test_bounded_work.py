"""Issue 10, finding 1, as it was measured: four POST /eligibility naming one incentive 30,000
times each, at once, against ``llr serve --workers 2``; /health must stay UP and answer within
1 s while they are in flight."""

import asyncio
import time

import httpx
import pytest

from tests.auth_support import TestIssuer
from tests.faults.live import LiveServer

pytestmark = pytest.mark.faults


async def test_four_oversized_eligibility_requests_do_not_stall_health(
    live: LiveServer, issuer: TestIssuer
) -> None:
    body = {"incentives": ["opleidingscheques"] * 30_000}
    headers = issuer.headers("burgerprofiel", ssin="85073003328")  # a citizen's portal token
    async with httpx.AsyncClient(base_url=live.base_url, timeout=30) as http:
        heavy = [
            asyncio.create_task(http.post("/eligibility", json=body, headers=headers))
            for _ in range(4)
        ]
        await asyncio.sleep(0)  # let the four go out first
        probes = []
        while not all(task.done() for task in heavy) or not probes:
            started = time.perf_counter()
            health = await http.get("/health", timeout=5)
            probes.append((health.status_code, health.json(), time.perf_counter() - started))
        answers = await asyncio.gather(*heavy)
    assert [a.status_code for a in answers] == [400] * 4
    assert all(a.json()["type"] == "urn:problem-type:belgif:badRequest" for a in answers)
    assert all(len(a.content) < 10_000 for a in answers)
    for status, payload, elapsed in probes:
        assert (status, payload["status"]) == (200, "UP")
        assert elapsed < 1.0
