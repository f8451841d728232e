"""GET /incentives and /incentives/{code}: the catalogue and its dated parameters."""

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response

from app.auth import AUTH_RESPONSES, PrincipalDep
from app.deps import AsOfDep
from app.domain.errors import NotFound
from app.domain.rules import INCENTIVES, pick_language, validated_book
from app.domain.rules.messages import effective_language
from app.domain.sector import SectorIncentive
from app.routers.problem_docs import problem_responses
from app.routers.rules_schemas import (
    IncentiveList,
    IncentiveOut,
    incentive_out,
    sector_incentive_out,
)

RESPONSES = AUTH_RESPONSES | problem_responses(404)
router = APIRouter(tags=["incentives"])
AcceptLanguage = Annotated[str | None, Header(description="nl (default), fr, en, de")]


def _sector(request: Request) -> dict[str, SectorIncentive]:
    """The sector funds' incentives, from the partner registry the app started with."""
    found: dict[str, SectorIncentive] = dict(request.app.state.catalog.sector)
    return found


@router.get(
    "/incentives",
    operation_id="listIncentives",
    summary="Every incentive with its parameters in force at asOf and their history",
    response_model=IncentiveList,
    responses=RESPONSES,
)
async def list_incentives(
    request: Request,
    as_of: AsOfDep,
    principal: PrincipalDep,
    response: Response,
    accept_language: AcceptLanguage = None,
) -> IncentiveList:
    language = pick_language(accept_language)
    response.headers["Content-Language"] = effective_language(language)
    return IncentiveList(
        as_of=as_of,
        rules_version=validated_book().rules_version(as_of),
        items=[incentive_out(code, as_of, language) for code in INCENTIVES]
        + [sector_incentive_out(found, as_of, language) for found in _sector(request).values()],
    )


@router.get(
    "/incentives/{code}",
    operation_id="getIncentive",
    summary="One incentive with its parameters in force at asOf and their history",
    response_model=IncentiveOut,
    responses=RESPONSES,
)
async def get_incentive(
    request: Request,
    code: Annotated[str, Path(examples=["vov"])],
    as_of: AsOfDep,
    principal: PrincipalDep,
    response: Response,
    accept_language: AcceptLanguage = None,
) -> IncentiveOut:
    sector = _sector(request)
    if code not in INCENTIVES and code not in sector:
        known = ", ".join([*INCENTIVES, *sector])
        raise NotFound(f"No incentive {code!r}; known: {known}")
    language = pick_language(accept_language)
    response.headers["Content-Language"] = effective_language(language)
    if code in sector:
        return sector_incentive_out(sector[code], as_of, language)
    return incentive_out(code, as_of, language)
