"""GET /incentives and /incentives/{code}: the catalogue and its dated parameters."""

from typing import Annotated

from fastapi import APIRouter, Header, Path, Response

from app.auth import AUTH_RESPONSES, PrincipalDep
from app.deps import AsOfDep
from app.domain.errors import NotFound
from app.domain.rules import INCENTIVES, pick_language, validated_book
from app.domain.rules.messages import effective_language
from app.routers.problem_docs import problem_responses
from app.routers.rules_schemas import IncentiveList, IncentiveOut, incentive_out

RESPONSES = AUTH_RESPONSES | problem_responses(404)
router = APIRouter(tags=["incentives"])
AcceptLanguage = Annotated[str | None, Header(description="nl (default), fr, en, de")]


@router.get(
    "/incentives",
    operation_id="listIncentives",
    summary="Every incentive with its parameters in force at asOf and their history",
    response_model=IncentiveList,
    responses=RESPONSES,
)
async def list_incentives(
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
        items=[incentive_out(code, as_of, language) for code in INCENTIVES],
    )


@router.get(
    "/incentives/{code}",
    operation_id="getIncentive",
    summary="One incentive with its parameters in force at asOf and their history",
    response_model=IncentiveOut,
    responses=RESPONSES,
)
async def get_incentive(
    code: Annotated[str, Path(examples=["vov"])],
    as_of: AsOfDep,
    principal: PrincipalDep,
    response: Response,
    accept_language: AcceptLanguage = None,
) -> IncentiveOut:
    if code not in INCENTIVES:
        raise NotFound(f"No incentive {code!r}; known: {', '.join(INCENTIVES)}")
    language = pick_language(accept_language)
    response.headers["Content-Language"] = effective_language(language)
    return incentive_out(code, as_of, language)
