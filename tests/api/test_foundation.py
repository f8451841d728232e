"""The service foundation: problem shapes, trace ids, body limits, health, log masking."""

import io
import json
import logging
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import Field

from app.db import create_engine, create_sessionmaker
from app.main import create_app
from app.observability import mask_ssins
from app.schemas.base import ApiModel
from app.settings import Settings


class Inner(ApiModel):
    employment_fraction: Decimal = Field(ge=0, le=1)


class Echo(ApiModel):
    name: str
    facts: Inner


probe = APIRouter()


@probe.post("/_probe/echo")
async def echo(body: Echo) -> Echo:
    return body


@probe.get("/_probe/boom")
async def boom() -> None:
    raise RuntimeError("secret internals at /srv/app.py line 12 for 85073003328")


@pytest.fixture
def probed_app(app: FastAPI) -> FastAPI:
    app.include_router(probe)
    return app


@pytest.fixture
async def probed(probed_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=probed_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def assert_problem(response: httpx.Response, status: int, type_: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == type_
    assert body["status"] == status
    assert body["title"]
    # the path, with any SSIN in it masked (a problem never echoes one)
    assert body["instance"] == mask_ssins(response.request.url.path)
    return body


async def test_health_answers_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "UP"
    assert body["details"]["database"]["status"] == "UP"
    assert body["details"]["database"]["details"]["latencyMs"] >= 0
    assert body["details"]["connectionPool"]["status"] == "UP"


async def test_health_is_degraded_when_the_database_answers_slowly(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.health

    monkeypatch.setattr(app.health, "SLOW_DATABASE_MS", -1.0)  # every answer counts as slow
    response = await client.get("/health")
    assert response.status_code == 200  # still answering: not for a load balancer to drop
    assert response.json()["status"] == "DEGRADED"
    assert response.json()["details"]["database"]["status"] == "DEGRADED"


async def test_health_answers_down_when_the_database_is_unreachable(settings: Settings) -> None:
    dead = settings.model_copy(
        update={
            "database_url": "postgresql://postgres@127.0.0.1:1/none",
            "db_connect_timeout_seconds": 1.0,
        }
    )
    app = create_app(dead)
    engine = create_engine(dead)
    app.state.engine, app.state.sessionmaker = engine, create_sessionmaker(engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await http.get("/health")
    await engine.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "DOWN", "details": {"database": {"status": "DOWN"}}}


async def test_bad_body_is_400_with_issues_naming_each_field(probed: httpx.AsyncClient) -> None:
    response = await probed.post(
        "/_probe/echo", json={"facts": {"employmentFraction": "1.5"}, "nmae": "x"}
    )
    body = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    issues = {issue["name"]: issue for issue in body["issues"]}  # type: ignore[attr-defined]
    assert set(issues) == {"name", "facts.employmentFraction", "nmae"}
    assert issues["nmae"]["type"] == "urn:problem-type:belgif:input-validation:unknownInput"
    assert issues["nmae"]["in"] == "body"
    assert issues["name"]["type"] == "urn:problem-type:belgif:input-validation:schemaViolation"
    fraction = issues["facts.employmentFraction"]
    assert fraction["type"] == "urn:problem-type:belgif:input-validation:invalidInput"
    assert fraction["value"] == "1.5"
    assert "1" in fraction["detail"]


async def test_malformed_json_is_400(probed: httpx.AsyncClient) -> None:
    response = await probed.post(
        "/_probe/echo", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 400, "urn:problem-type:belgif:badRequest")
    assert "not valid JSON" in body["issues"][0]["detail"]  # type: ignore[index]


async def test_unknown_path_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(
        await client.get("/no/such/thing"), 404, "urn:problem-type:belgif:resourceNotFound"
    )


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health")
    assert_problem(response, 405, "about:blank")
    assert "GET" in response.headers["allow"]


async def test_body_over_the_limit_is_413(probed: httpx.AsyncClient, probed_app: FastAPI) -> None:
    limit = probed_app.state.settings.max_body_bytes
    big = {"name": "x" * (limit + 10), "facts": {"employmentFraction": "0.5"}}
    assert_problem(await probed.post("/_probe/echo", json=big), 413, "about:blank")


async def test_streamed_body_over_the_limit_is_413(
    probed: httpx.AsyncClient, probed_app: FastAPI
) -> None:
    limit = probed_app.state.settings.max_body_bytes

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(limit // 1000 + 2):
            yield b" " * 1000

    response = await probed.post(
        "/_probe/echo", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "about:blank")


async def test_unexpected_error_is_500_without_internals(probed: httpx.AsyncClient) -> None:
    response = await probed.get("/_probe/boom")
    body = assert_problem(response, 500, "urn:problem-type:belgif:internalServerError")
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert "line 12" not in str(body)


TRACE = "3f2b8c1e-6d4a-4b7e-9c2d-1a5e7f9b0c3d"


async def test_trace_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"BelGov-Trace-Id": TRACE})
    assert response.headers["BelGov-Trace-Id"] == TRACE
    assert "BelGov-Related-Trace-Id" not in response.headers


async def test_a_trace_id_not_a_uuid_is_replaced_and_kept_as_related(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/health", headers={"BelGov-Trace-Id": "abc-123"})
    assert len(response.headers["BelGov-Trace-Id"]) == 36
    assert response.headers["BelGov-Related-Trace-Id"] == "abc-123"


async def test_trace_id_is_generated_when_absent_or_unusable(client: httpx.AsyncClient) -> None:
    first = (await client.get("/health")).headers["BelGov-Trace-Id"]
    second = (await client.get("/health", headers={"BelGov-Trace-Id": "no spaces <b>"})).headers[
        "BelGov-Trace-Id"
    ]
    assert len(first) == 36
    assert first != second
    assert "<b>" not in second


async def test_problem_responses_carry_the_trace_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"BelGov-Trace-Id": TRACE})
    assert response.headers["BelGov-Trace-Id"] == TRACE


async def test_metrics_count_requests_per_route(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    text = (await client.get("/metrics")).text
    assert 'llr_http_requests_total{method="GET",route="/health",status="200"}' in text
    assert "llr_http_request_duration_seconds_bucket" in text
    assert 'llr_db_pool_connections{state="checkedOut"}' in text


async def test_logs_never_show_an_ssin(
    probed: httpx.AsyncClient, captured_logs: io.StringIO
) -> None:
    await probed.get("/wallet/85073003328", headers={"BelGov-Trace-Id": TRACE})
    await probed.get("/wallet/85.07.30-033.28")
    await probed.get("/_probe/boom")  # the exception text carries an SSIN too
    logging.getLogger("llr.test").info(
        "citizen %s asked", "98.47.28-997.65", extra={"ssin": "98472899765"}
    )
    output = captured_logs.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert any(line.get("traceId") == TRACE for line in lines)
    assert any(line.get("exception") for line in lines)
    for secret in ("85073003328", "85.07.30-033.28", "98472899765", "98.47.28-997.65", "0730033"):
        assert secret not in output
    assert "*********28" in output
    assert "**.**.**-***.65" in output


def test_masking_leaves_other_numbers_alone() -> None:
    assert mask_ssins("order 123456 of 2026-11-23") == "order 123456 of 2026-11-23"
    assert mask_ssins("id 123456789012345") == "id 123456789012345"  # no check digits hold
    # an SSIN inside a longer number is still an SSIN (issue 10, finding 2)
    assert mask_ssins("id 850730033281234") == "id *********281234"
    assert mask_ssins("ssin=85073003328.") == "ssin=*********28."
