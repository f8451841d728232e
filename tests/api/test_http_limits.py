"""Issue 10, finding 6: idempotency keys have one spelling, links do not come from the Host
header, and a busy pool is told apart from a database that is down."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from app.db import create_sessionmaker
from app.security.rate_limits import PartnerRateLimits
from app.settings import Settings
from tests.api.test_foundation import assert_problem
from tests.auth_support import TestIssuer
from tests.support import grant, post_txn, qty

SSIN = "85073003328"
KEY = "0b6f3a52-3a8e-4c1e-9a4e-2f1d7c5b9e10"
BAD_REQUEST = "urn:problem-type:belgif:badRequest"


@pytest.mark.parametrize(
    "spelling",
    [
        "{" + KEY + "}",
        "urn:uuid:" + KEY,
        KEY.upper(),
        KEY.replace("-", ""),
        "00000000-0000-0000-0000-000000000000",
        "not-a-uuid",
    ],
)
async def test_an_idempotency_key_not_in_canonical_form_is_400(
    client: httpx.AsyncClient, spelling: str
) -> None:
    body = {"type": "grant", "ssin": SSIN, "incentive": "vov", "amount": qty("1", "HOUR")}
    response = await post_txn(client, body, key=spelling)
    assert_problem(response, 400, BAD_REQUEST)
    assert response.json()["issues"][0]["name"] == "Idempotency-Key"


async def test_a_canonical_key_still_replays(client: httpx.AsyncClient) -> None:
    body = {"type": "grant", "ssin": SSIN, "incentive": "vov", "amount": qty("1", "HOUR")}
    first = await post_txn(client, body, key=KEY)
    again = await post_txn(client, body, key=KEY)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotency-Replayed"] == "true"


async def _next_link(client: httpx.AsyncClient) -> str:
    for _ in range(2):
        await grant(client, SSIN, "vov", "1", "HOUR")
    page = await client.get(
        f"/transactions?ssin={SSIN}&pageSize=1", headers={"Host": "evil.example"}
    )
    assert page.status_code == 200, page.text
    link: str = page.json()["next"]
    return link


async def test_the_next_link_ignores_the_host_header(client: httpx.AsyncClient) -> None:
    link = await _next_link(client)
    assert "evil.example" not in link
    assert link.startswith("/transactions?")
    assert (await client.get(link)).status_code == 200


async def test_the_next_link_uses_the_public_base_url(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    settings: Settings = app.state.settings
    app.state.settings = settings.model_copy(update={"public_base_url": "https://llr.example/api"})
    link = await _next_link(client)
    assert link.startswith("https://llr.example/api/transactions?")


async def test_a_busy_pool_is_503_busy_not_database_down(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    from app.db import async_url

    assert settings.database_url is not None
    tiny = create_async_engine(
        async_url(settings.database_url), pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    app.state.sessionmaker = create_sessionmaker(tiny)
    try:
        async with tiny.connect() as held:  # the pool's only connection
            await held.exec_driver_sql("select 1")
            response = await client.get(f"/transactions?ssin={SSIN}")
    finally:
        await tiny.dispose()
    assert_problem(response, 503, "urn:problem-type:belgif:serviceUnavailable")
    assert "busy" in response.json()["detail"]
    assert "database" not in response.json()["detail"]
    assert response.headers["Retry-After"] == "1"


async def test_a_partner_over_its_rate_limit_is_429_with_retry_after(
    app: FastAPI, client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    app.state.rate_limits = PartnerRateLimits("3/minute")
    for _ in range(3):
        assert (await client.get(f"/wallet/{SSIN}")).status_code == 200
    refused = await client.get(f"/wallet/{SSIN}")
    assert_problem(refused, 429, "urn:problem-type:belgif:tooManyRequests")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    other = await client.get(f"/wallet/{SSIN}", headers=issuer.headers("vdab"))
    assert other.status_code == 200  # counted per partner


async def test_too_many_or_too_large_headers_are_431(client: httpx.AsyncClient) -> None:
    many = {f"X-Filler-{i}": "x" for i in range(120)}
    assert_problem(await client.get("/health", headers=many), 431, "about:blank")
    large = {"X-Filler": "x" * 20_000}
    assert_problem(await client.get("/health", headers=large), 431, "about:blank")
