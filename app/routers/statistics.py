"""GET /statistics/takeUp and /statistics/matthew: aggregates only, with disclosure control
(``llr:statistics:read``). ``Accept: text/csv`` gives the take-up table as CSV."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.auth import require
from app.deps import CatalogDep, SessionDep, TodayDep
from app.domain.access import Principal
from app.domain.statistics import formats, service
from app.schemas.problems import problem_responses
from app.schemas.statistics import MatthewOut, TakeUpOut

router = APIRouter(tags=["statistics"], responses=problem_responses())
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
    description="Per cell of up to two `by` dimensions: eligible, users, takeUpRate, granted, "
    "used, reserved, expiredUnused and representationIndex. Cells of fewer than 10 citizens "
    "are suppressed (`null`, flag `c`), with secondary suppression so that none can be derived "
    "from the totals. `Accept: text/csv` gives CSV. Scope `llr:statistics:read`.",
    response_model=TakeUpOut,
    responses={200: {"content": {f"{CSV}; charset=utf-8": {"schema": {"type": "string"}}}}},
)
async def get_take_up(
    request: Request,
    session: SessionDep,
    catalog: CatalogDep,
    principal: ReaderDep,
    today: TodayDep,
    incentive: IncentiveQuery,
    period: PeriodQuery = None,
    by: ByQuery = [],  # noqa: B006 - FastAPI copies the default
) -> TakeUpOut | Response:
    asked = (incentive, period, by)
    query, left = await service.open_read(
        session, catalog, principal, "statistics.takeUp", asked, today
    )
    table = await service.take_up(session, catalog, query, today, left)
    if CSV in request.headers.get("accept", ""):
        return _csv(f"takeUp-{query.incentive}-{query.period.key}.csv", formats.to_csv(table))
    return TakeUpOut.of(table)


def _csv(name: str, body: str) -> Response:
    return Response(
        body,
        media_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name.replace("/", "_")}"'},
    )


@router.get(
    "/statistics/matthew",
    operation_id="getMatthewIndex",
    summary="Take-up of the highly educated against the low and medium educated, and its trend",
    description="The Matthew index: the take-up rate of `high` divided by that of `low` and "
    "`medium` together, both rates and cells, and the trend over up to 10 periods, read off "
    "the suppressed education-level table. Scope `llr:statistics:read`.",
    response_model=MatthewOut,
)
async def get_matthew(
    session: SessionDep,
    catalog: CatalogDep,
    principal: ReaderDep,
    today: TodayDep,
    incentive: IncentiveQuery,
    period: PeriodQuery = None,
) -> MatthewOut:
    asked: tuple[str, str | None, list[str]] = (incentive, period, [])
    query, left = await service.open_read(
        session, catalog, principal, "statistics.matthew", asked, today
    )
    return MatthewOut.of_matthew(await service.matthew(session, catalog, query, today, left))
