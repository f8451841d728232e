"""Health and metrics: what operators and load balancers poll. No token needed."""

import asyncio
import logging
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text

from app.observability import DB_POOL

router = APIRouter(tags=["operations"])
log = logging.getLogger("llr.health")


class Health(BaseModel):
    status: Literal["UP", "DOWN"]


@router.get(
    "/health",
    operation_id="getHealth",
    summary="Whether the service and its database answer",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database does not answer"}},
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
    "/metrics", operation_id="getMetrics", summary="Prometheus metrics", response_class=Response
)
async def get_metrics(request: Request) -> Response:
    pool = getattr(getattr(request.app.state, "engine", None), "pool", None)
    if pool is not None and hasattr(pool, "checkedout"):
        DB_POOL.labels("checkedOut").set(pool.checkedout())
        DB_POOL.labels("idle").set(pool.checkedin())
        DB_POOL.labels("size").set(pool.size())
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
