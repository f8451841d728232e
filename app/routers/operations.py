"""Health and metrics: what operators and load balancers poll. No token needed."""

import asyncio
import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from app.observability import DB_POOL
from app.schemas.operations import Health
from app.schemas.problems import problem_responses

router = APIRouter(tags=["operations"])
log = logging.getLogger("llr.health")


@router.get(
    "/health",
    operation_id="getHealth",
    summary="Whether the service and its database answer",
    description="`UP` when the service and its database answer; 503 `DOWN` otherwise. No "
    "token needed.",
    response_model=Health,
    responses=problem_responses(public=True)
    | {503: {"model": Health, "description": "`DOWN`: the database does not answer"}},
)
async def get_health(request: Request) -> JSONResponse:
    try:
        async with asyncio.timeout(3), request.app.state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means DOWN
        log.warning("health check failed: %s", type(exc).__name__)
        return JSONResponse({"status": "DOWN"}, status_code=503)
    return JSONResponse({"status": "UP"})


@router.get(
    "/metrics",
    operation_id="getMetrics",
    summary="Prometheus metrics",
    description="Requests and latency per route, the database pool. No token needed: expose it "
    "on the internal network only.",
    response_class=Response,
    responses=problem_responses(public=True)
    | {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def get_metrics(request: Request) -> Response:
    pool = getattr(getattr(request.app.state, "engine", None), "pool", None)
    if pool is not None and hasattr(pool, "checkedout"):
        DB_POOL.labels("checkedOut").set(pool.checkedout())
        DB_POOL.labels("idle").set(pool.checkedin())
        DB_POOL.labels("size").set(pool.size())
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
