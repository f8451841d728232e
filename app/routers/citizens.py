"""PUT and GET /citizens/{ssin}/facts: facts declared about a citizen, every change a version."""

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth import require
from app.deps import KeyerDep, LedgerDep, SessionDep, TodayDep
from app.domain.access import Principal
from app.domain.operations import declare_citizen_facts, read_citizen_facts
from app.domain.rules.service import FactsNotFound
from app.schemas.citizens import (
    FactsDeclaration,
    FactsVersionOut,
    KnownAtQuery,
    ValidOnQuery,
    VersionQuery,
)
from app.schemas.common import SsinPath
from app.schemas.problems import problem_responses

router = APIRouter(tags=["citizens"])


@router.put(
    "/citizens/{ssin}/facts",
    operation_id="putCitizenFacts",
    summary="Declare facts about a citizen: a new version on top of the previous one",
    description="The declared facts are put on top of the latest version (facts not named are "
    "kept); `observedOn` is the day from which they hold. Every change is a new version, so a "
    "past decision can be replayed. Scope `llr:facts:write`.",
    response_model=FactsVersionOut,
    responses=problem_responses(),
    response_model_exclude_none=True,
)
async def put_citizen_facts(
    ssin: SsinPath,
    body: FactsDeclaration,
    ledger: LedgerDep,
    keyer: KeyerDep,
    principal: Annotated[Principal, Depends(require("llr:facts:write"))],
    today: TodayDep,
) -> FactsVersionOut:
    declared = body.declared()
    shown, stored = await declare_citizen_facts(ledger, keyer, principal, ssin, declared, today)
    return FactsVersionOut.of(shown, stored)


@router.get(
    "/citizens/{ssin}/facts",
    operation_id="getCitizenFacts",
    summary="The citizen's latest facts, a given version, or the facts valid on a day, as "
    "known at an instant",
    description="404 when no facts are recorded (for that version, day or instant). Scope "
    "`llr:wallet:read`; the read is on the citizen's access log.",
    response_model=FactsVersionOut,
    responses=problem_responses(FactsNotFound),
    response_model_exclude_none=True,
)
async def get_citizen_facts(
    ssin: SsinPath,
    session: SessionDep,
    keyer: KeyerDep,
    principal: Annotated[Principal, Depends(require("llr:wallet:read"))],
    version: VersionQuery = None,
    known_at: KnownAtQuery = None,
    valid_on: ValidOnQuery = None,
) -> FactsVersionOut:
    shown, stored = await read_citizen_facts(
        session, keyer, principal, ssin, version, known_at, valid_on
    )
    return FactsVersionOut.of(shown, stored)
