"""PUT and GET /citizens/{ssin}/facts: facts declared about a citizen, every change a version."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.auth import AUTH_RESPONSES, require
from app.deps import KeyerDep, LedgerDep, SessionDep, TodayDep, VaultDep
from app.domain.access import Principal, record_access
from app.domain.access.privacy import refuse_ssins
from app.domain.citizens import remember_citizen
from app.domain.corrections import correct_rights
from app.domain.dates import Instant, IsoDate
from app.domain.errors import InvalidInput
from app.domain.ledger.ports import CitizenRef
from app.domain.rules.service import declare_facts, stored_facts
from app.domain.statistics.dimensions import remember_dimensions
from app.routers.problem_docs import problem_responses
from app.routers.rules_schemas import FactsDeclaration, FactsVersionOut
from app.wire import SsinPath

RESPONSES = problem_responses(404) | AUTH_RESPONSES
router = APIRouter(tags=["citizens"])


@router.put(
    "/citizens/{ssin}/facts",
    operation_id="putCitizenFacts",
    summary="Declare facts about a citizen: a new version on top of the previous one",
    response_model=FactsVersionOut,
    responses=RESPONSES,
    response_model_exclude_none=True,
)
async def put_citizen_facts(
    ssin: SsinPath,
    body: FactsDeclaration,
    session: SessionDep,
    keyer: KeyerDep,
    vault: VaultDep,
    ledger: LedgerDep,
    principal: Annotated[Principal, Depends(require("llr:facts:write"))],
    today: TodayDep,
) -> FactsVersionOut:
    citizen = principal.check_citizen(ssin)
    refuse_ssins({"source": body.source})
    await remember_citizen(session, vault, keyer.key(citizen), citizen)
    stored = await declare_facts(
        session,
        keyer.key(citizen),
        body.facts,
        source=body.source,
        observed_on=body.observed_on,
        recorded_by=principal.partner,
        today=today,
    )
    if body.observed_on < today:  # the facts reach back: the rights they reach are corrected
        ref = CitizenRef(citizen, keyer.key(citizen))
        at = max(ledger.now, stored.recorded_at)  # decided knowing them: a replay sees them
        await correct_rights(
            session, ref, vault, body.observed_on, stored.version, at, principal.trace_id
        )
    await remember_dimensions(session, keyer.key(citizen), citizen, body.observed_on)
    await record_access(session, principal, keyer.key(citizen), "facts.write", principal.endpoint)
    return FactsVersionOut.of(citizen.value, stored)


@router.get(
    "/citizens/{ssin}/facts",
    operation_id="getCitizenFacts",
    summary="The citizen's latest facts, a given version, or the facts valid on a day, as "
    "known at an instant",
    response_model=FactsVersionOut,
    responses=RESPONSES,
    response_model_exclude_none=True,
)
async def get_citizen_facts(
    ssin: SsinPath,
    session: SessionDep,
    keyer: KeyerDep,
    principal: Annotated[Principal, Depends(require("llr:wallet:read"))],
    version: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Default: the latest")
    ] = None,
    known_at: Annotated[
        Instant | None,
        Query(alias="knownAt", description="As the service knew them at this instant"),
    ] = None,
    valid_on: Annotated[
        IsoDate | None,
        Query(alias="validOn", description="The facts valid on this day (valid time)"),
    ] = None,
) -> FactsVersionOut:
    citizen = principal.check_citizen(ssin)
    if version is not None and (known_at or valid_on):
        raise InvalidInput("version", version, "version names one version: no knownAt or validOn")
    stored = await stored_facts(
        session, keyer.key(citizen), version, known_at=known_at, valid_on=valid_on
    )
    await record_access(session, principal, keyer.key(citizen), "facts.read", principal.endpoint)
    return FactsVersionOut.of(citizen.value, stored)
