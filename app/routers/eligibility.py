"""POST /eligibility: which incentives fit a person, why, and what is still unknown."""

from typing import Annotated

from fastapi import APIRouter, Header, Response

from app.deps import KeyerDep, SessionDep, today_in_brussels
from app.domain.errors import InvalidInput
from app.domain.identity import InvalidSsin, parse_ssin
from app.domain.rules import pick_language
from app.domain.rules.messages import effective_language
from app.domain.rules.service import Citizen, eligibility
from app.routers.problem_docs import problem_responses
from app.routers.rules_schemas import EligibilityRequest, EligibilityResponse

RESPONSES = problem_responses()
router = APIRouter(tags=["eligibility"])
AcceptLanguage = Annotated[
    str | None, Header(description="nl (default), fr, en; de falls back to en")
]


@router.post(
    "/eligibility",
    operation_id="evaluateEligibility",
    summary="Which incentives a person is entitled to, why, and which facts are still missing",
    response_model=EligibilityResponse,
    responses=RESPONSES,
)
async def evaluate_eligibility(
    body: EligibilityRequest,
    session: SessionDep,
    keyer: KeyerDep,
    response: Response,
    accept_language: AcceptLanguage = None,
) -> EligibilityResponse:
    citizen = None
    if body.facts_version is not None and body.ssin is None:
        raise InvalidInput("factsVersion", body.facts_version, "factsVersion needs an ssin")
    if body.ssin is not None:
        try:
            ssin = parse_ssin(body.ssin)
        except InvalidSsin as exc:
            raise InvalidInput("ssin", None, str(exc)) from exc
        citizen = Citizen(keyer.key(ssin), ssin.birth_date)
    language = pick_language(accept_language)
    answer = await eligibility(
        session,
        body.facts,
        body.as_of or today_in_brussels(),
        citizen=citizen,
        facts_version=body.facts_version,
        training=body.training,
        incentives=body.incentives,
        language=language,
    )
    response.headers["Content-Language"] = effective_language(language)
    return EligibilityResponse.of(answer.evaluation, answer.facts_version)
