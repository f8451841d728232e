"""Health and metrics: what operators and load balancers poll. No token needed."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.health import check
from app.observability import DB_POOL
from app.schemas.operations import Health
from app.schemas.problems import problem_responses

router = APIRouter(tags=["operations"])


@router.get(
    "/health",
    operation_id="getHealth",
    summary="Whether the service and its database answer",
    description="`UP` when the service and its database answer; `DEGRADED` (200) when they "
    "answer but the database is slow or the connection pool is fully in use; 503 `DOWN` when "
    "the database does not answer. `details` per component. No token needed.",
    response_model=Health,
    responses=problem_responses(public=True)
    | {503: {"model": Health, "description": "`DOWN`: the database does not answer"}},
)
async def get_health(request: Request) -> JSONResponse:
    state = request.app.state
    report = await check(state.sessionmaker, getattr(state, "engine", None))
    body = {"status": report.status, "details": report.details}
    return JSONResponse(body, status_code=503 if report.status == "DOWN" else 200)


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
