"""GET /statistics/takeUp and /statistics/matthew: aggregates only, with disclosure control
(``llr:statistics:read``). ``Accept: text/csv`` gives the take-up table as CSV."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.auth import AUTH_RESPONSES, require
from app.deps import SessionDep, TodayDep
from app.domain.access import Principal
from app.domain.statistics import formats, service
from app.routers.problem_docs import problem_responses
from app.routers.statistics_schemas import MatthewOut, TakeUpOut

router = APIRouter(tags=["statistics"], responses=problem_responses() | AUTH_RESPONSES)
ReaderDep = Annotated[Principal, Depends(require("llr:statistics:read"))]
IncentiveQuery = Annotated[str, Query(max_length=40, examples=["vov"])]
PeriodQuery = Annotated[
    str | None,
    Query(max_length=30, description="A period key of the incentive (default: today's)"),
]
ByQuery = Annotated[
    list[str],
    Query(
        max_length=2,
        description="Up to two of educationLevel, ageBand, sex, status, sector, "
        "residenceRegion, employerSize (repeated, or comma separated)",
    ),
]
CSV = "text/csv"


@router.get(
    "/statistics/takeUp",
    operation_id="getTakeUp",
    summary="Take-up of an incentive in a period, per group (small cells suppressed)",
    response_model=TakeUpOut,
    responses={200: {"content": {f"{CSV}; charset=utf-8": {"schema": {"type": "string"}}}}},
)
async def get_take_up(
    request: Request,
    session: SessionDep,
    principal: ReaderDep,
    today: TodayDep,
    incentive: IncentiveQuery,
    period: PeriodQuery = None,
    by: ByQuery = [],  # noqa: B006 - FastAPI copies the default
) -> TakeUpOut | Response:
    query = service.parse_query(request.app.state.catalog, incentive, period, by, today)
    left = await service.refresh(session)
    table = await service.take_up(session, request.app.state.catalog, query, today, left)
    await service.record_read(
        session,
        principal.partner,
        principal.trace_id,
        "statistics.takeUp",
        principal.endpoint,
        query,
    )
    if CSV in request.headers.get("accept", ""):
        name = f"takeUp-{query.incentive}-{query.period.key}.csv".replace("/", "_")
        return Response(
            formats.to_csv(table),
            media_type=f"{CSV}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return TakeUpOut.of(table)


@router.get(
    "/statistics/matthew",
    operation_id="getMatthewIndex",
    summary="Take-up of the highly educated against the low and medium educated, and its trend",
    response_model=MatthewOut,
)
async def get_matthew(
    request: Request,
    session: SessionDep,
    principal: ReaderDep,
    today: TodayDep,
    incentive: IncentiveQuery,
    period: PeriodQuery = None,
) -> MatthewOut:
    query = service.parse_query(request.app.state.catalog, incentive, period, [], today)
    left = await service.refresh(session)
    found = await service.matthew(session, request.app.state.catalog, query, today, left)
    await service.record_read(
        session,
        principal.partner,
        principal.trace_id,
        "statistics.matthew",
        principal.endpoint,
        query,
    )
    return MatthewOut.of_matthew(found)
