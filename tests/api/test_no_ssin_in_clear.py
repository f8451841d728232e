"""Issue 10, finding 2 over HTTP: an SSIN sent as a trace id is not kept, free text holding an
SSIN in any spelling is refused, and neither the log nor a problem echoes one."""

import io
import json

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ssin_text import holds_ssin
from tests.api.test_foundation import assert_problem
from tests.support import grant, post_txn, qty

SSIN = "85073003328"
BAD_REQUEST = "urn:problem-type:belgif:badRequest"
SPELLINGS = ["85.07.30 - 033.28", "8.5.0.7.3.0.0.3.3.2.8", "85.07.30-033.2\u200b8", "085073003328"]


async def test_an_ssin_as_trace_id_is_replaced_and_never_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.get(f"/wallet/{SSIN}", headers={"BelGov-Trace-Id": SSIN})
    assert response.status_code == 200
    assert response.headers["BelGov-Trace-Id"] != SSIN
    related = response.headers["BelGov-Related-Trace-Id"]
    assert not holds_ssin(related)
    assert sum(c.isdigit() for c in related) <= 10
    stored = (await session.execute(text("SELECT trace_id FROM access_log"))).scalars().all()
    assert stored
    assert not any(holds_ssin(t or "") for t in stored)


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_free_text_holding_an_ssin_is_refused(
    client: httpx.AsyncClient, spelling: str
) -> None:
    reserve = {
        "type": "reserve",
        "ssin": SSIN,
        "incentive": "vov",
        "amount": qty("1", "HOUR"),
        "reference": f"booking {spelling}",
    }
    await grant(client, SSIN, "vov", "10", "HOUR")
    assert_problem(await post_txn(client, reserve), 400, BAD_REQUEST)
    facts = {"facts": {}, "source": spelling.replace(" ", ""), "observedOn": "2026-09-01"}
    response = await client.put(f"/citizens/{SSIN}/facts", json=facts)
    assert_problem(response, 400, BAD_REQUEST)
    assert response.json()["issues"][0]["name"] == "source"


async def test_problems_echo_no_ssin(client: httpx.AsyncClient) -> None:
    mistyped = await client.get("/wallet/85.07.30-033.29")
    assert_problem(mistyped, 400, BAD_REQUEST)
    unknown = await client.post("/eligibility", json={"facts": {}, SSIN: 1})
    assert_problem(unknown, 400, BAD_REQUEST)
    for response in (mistyped, unknown):
        assert "85073003329" not in response.text.replace(".", "").replace("-", "")
        assert SSIN not in response.text
        assert not holds_ssin(response.text)


async def test_paths_the_service_takes_for_an_ssin_are_masked_in_the_log(
    client: httpx.AsyncClient, captured_logs: io.StringIO
) -> None:
    for path in ("8.5.0.7.3.0.0.3.3.2.8", "85..07..30..033..28"):
        await client.get(f"/wallet/{path}")
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    assert any(line.get("route") == "/wallet/{ssin}" for line in lines)
    assert not holds_ssin(captured_logs.getvalue())
