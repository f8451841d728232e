"""PUT and GET /citizens/{ssin}/facts: facts declared about a citizen, every change a version."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.deps import KeyerDep, SessionDep, today_in_brussels
from app.domain.errors import InvalidInput
from app.domain.identity import InvalidSsin, Ssin, parse_ssin
from app.domain.rules.service import declare_facts, stored_facts
from app.routers.problem_docs import problem_responses
from app.routers.rules_schemas import FactsDeclaration, FactsVersionOut

RESPONSES = problem_responses(404)
router = APIRouter(tags=["citizens"])
SsinPath = Annotated[str, Path(description="SSIN (INSZ), punctuation allowed",
                               examples=["85073003328"])]  # fmt: skip
RECORDED_BY = "unauthenticated"
"""Who recorded a version, until authentication names the partner (a later issue)."""


def _ssin(text: str) -> Ssin:
    try:
        return parse_ssin(text)
    except InvalidSsin as exc:
        raise InvalidInput("ssin", None, str(exc), location="path") from exc


@router.put(
    "/citizens/{ssin}/facts",
    operation_id="putCitizenFacts",
    summary="Declare facts about a citizen: a new version on top of the previous one",
    response_model=FactsVersionOut,
    responses=RESPONSES,
    response_model_exclude_none=True,
)
async def put_citizen_facts(
    ssin: SsinPath, body: FactsDeclaration, session: SessionDep, keyer: KeyerDep
) -> FactsVersionOut:
    citizen = _ssin(ssin)
    stored = await declare_facts(
        session,
        keyer.key(citizen),
        body.facts,
        source=body.source,
        observed_on=body.observed_on,
        recorded_by=RECORDED_BY,
        today=today_in_brussels(),
    )
    return FactsVersionOut.of(citizen.value, stored)


@router.get(
    "/citizens/{ssin}/facts",
    operation_id="getCitizenFacts",
    summary="The citizen's latest facts (or a given version)",
    response_model=FactsVersionOut,
    responses=RESPONSES,
    response_model_exclude_none=True,
)
async def get_citizen_facts(
    ssin: SsinPath,
    session: SessionDep,
    keyer: KeyerDep,
    version: Annotated[int | None, Query(ge=1, description="Default: the latest")] = None,
) -> FactsVersionOut:
    citizen = _ssin(ssin)
    stored = await stored_facts(session, keyer.key(citizen), version)
    return FactsVersionOut.of(citizen.value, stored)
