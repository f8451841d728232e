"""GET /incentives and /incentives/{code}: the catalogue and its dated parameters."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.auth import PrincipalDep
from app.deps import AcceptLanguageDep, AsOfDep, CatalogDep, localised
from app.domain.rules.messages import effective_language
from app.schemas.common import LOCALISED
from app.schemas.incentives import IncentiveList, IncentiveOut
from app.schemas.problems import problem_responses

router = APIRouter(tags=["incentives"], responses=problem_responses())


@router.get(
    "/incentives",
    operation_id="listIncentives",
    summary="Every incentive with its parameters in force at asOf and their history",
    description="The catalogue: code, localised names, pillar, unit, period kind, legal basis, "
    "and each dated parameter (value in force at `asOf`, its history with `effectiveFrom`, "
    "`source` and `verified`). Any valid token.",
    response_model=IncentiveList,
    responses=LOCALISED,
)
async def list_incentives(
    as_of: AsOfDep,
    principal: PrincipalDep,
    response: Response,
    language: AcceptLanguageDep,
    catalog: CatalogDep,
) -> IncentiveList:
    localised(response, effective_language(language))
    return IncentiveList.of(as_of, language, catalog.sector)


@router.get(
    "/incentives/{code}",
    operation_id="getIncentive",
    summary="One incentive with its parameters in force at asOf and their history",
    description="As one item of `GET /incentives`; an unknown code is 404. Any valid token.",
    response_model=IncentiveOut,
    responses=LOCALISED,
)
async def get_incentive(
    code: Annotated[
        str,
        Path(description="The incentive's code", examples=["vov"], max_length=40),
    ],
    as_of: AsOfDep,
    principal: PrincipalDep,
    response: Response,
    language: AcceptLanguageDep,
    catalog: CatalogDep,
) -> IncentiveOut:
    localised(response, effective_language(language))
    return IncentiveOut.of(code, as_of, language, catalog.sector)
