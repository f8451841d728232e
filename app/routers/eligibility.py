"""POST /eligibility: which incentives fit a person, why, and what is still unknown."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from app.auth import AUTH_RESPONSES, require
from app.deps import KeyerDep, SessionDep, TodayDep
from app.domain.access import Principal, record_access
from app.domain.errors import InvalidInput
from app.domain.rules import pick_language
from app.domain.rules.messages import effective_language
from app.domain.rules.service import Citizen, eligibility
from app.routers.problem_docs import problem_responses
from app.routers.rules_schemas import EligibilityRequest, EligibilityResponse

RESPONSES = problem_responses() | AUTH_RESPONSES
router = APIRouter(tags=["eligibility"])
AcceptLanguage = Annotated[str | None, Header(description="nl (default), fr, en, de")]


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
    principal: Annotated[Principal, Depends(require("llr:eligibility"))],
    today: TodayDep,
    accept_language: AcceptLanguage = None,
) -> EligibilityResponse:
    citizen = None
    if body.facts_version is not None and body.ssin is None:
        raise InvalidInput("factsVersion", body.facts_version, "factsVersion needs an ssin")
    if body.known_at is not None and body.ssin is None:
        raise InvalidInput("knownAt", body.known_at.isoformat(), "knownAt needs an ssin")
    if body.ssin is not None:
        ssin = principal.check_citizen(body.ssin, "body")
        citizen = Citizen(keyer.key(ssin), ssin.birth_date)
        # the answer rests on the citizen's stored facts: a look at them, on the record
        await record_access(session, principal, citizen.key, "eligibility.read", principal.endpoint)
    language = pick_language(accept_language)
    answer = await eligibility(
        session,
        body.facts,
        body.as_of or today,
        citizen=citizen,
        facts_version=body.facts_version,
        known_at=body.known_at,
        training=body.training,
        incentives=body.incentives,
        language=language,
    )
    response.headers["Content-Language"] = effective_language(language)
    return EligibilityResponse.of(answer.evaluation, answer.facts_version)
