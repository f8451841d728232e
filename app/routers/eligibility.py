"""POST /eligibility: which incentives fit a person, why, and what is still unknown."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from app.auth import require
from app.deps import AcceptLanguageDep, KeyerDep, SessionDep, TodayDep, localised
from app.domain.access import Principal
from app.domain.operations import eligibility_for
from app.schemas.common import LOCALISED
from app.schemas.eligibility import EXAMPLES, EligibilityRequest, EligibilityResponse
from app.schemas.problems import problem_responses

router = APIRouter(tags=["eligibility"])


@router.post(
    "/eligibility",
    operation_id="evaluateEligibility",
    summary="Which incentives a person is entitled to, why, and which facts are still missing",
    description="Two modes: anonymous (on `facts` only: the wizard) and for a known citizen "
    "(`ssin`: the stored facts, overridden by any `facts` given, for what-if questions; the "
    "look is on the citizen's access log). `undetermined` results list their `missingFacts`, "
    "and `questions` says what to ask next, most useful first. Messages in the language of "
    "`Accept-Language`. Scope `llr:eligibility`.",
    response_model=EligibilityResponse,
    responses=LOCALISED | problem_responses(),
)
async def evaluate_eligibility(
    body: Annotated[EligibilityRequest, Body(openapi_examples=EXAMPLES)],
    session: SessionDep,
    keyer: KeyerDep,
    response: Response,
    principal: Annotated[Principal, Depends(require("llr:eligibility"))],
    today: TodayDep,
    language: AcceptLanguageDep,
) -> EligibilityResponse:
    answer = await eligibility_for(session, keyer, principal, body.question(today), language)
    localised(response, answer.language)
    return EligibilityResponse.of(answer.evaluation, answer.facts_version)
