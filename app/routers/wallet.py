"""GET /wallet/{ssin}: a citizen's rights at a date, in both pillars; GET /decisions/{id}: the
receipt a grant came from."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from app.auth import require
from app.deps import (
    AcceptLanguageDep,
    AsOfDep,
    KeyerDep,
    LedgerDep,
    SessionDep,
    VaultDep,
    WalletOptionsDep,
    localised,
)
from app.domain.access import Principal
from app.domain.dates import Instant
from app.domain.errors import NotFound
from app.domain.operations import read_decision, wallet_for
from app.replica import ReadsDep
from app.schemas.common import LOCALISED, SsinPath
from app.schemas.problems import problem_responses
from app.schemas.wallet import DecisionOut, WalletOut

router = APIRouter(tags=["wallet"])


@router.get(
    "/wallet/{ssin}",
    operation_id="getWallet",
    summary="A citizen's rights at a date: granted, reserved, used, expired, available",
    description="One entry per right, in both pillars, granted from the stored facts by the "
    "same rules as `/eligibility` (settled on read); a citizen without stored facts gets an "
    "empty wallet and a referral. Every read is on the citizen's access log. Scope "
    "`llr:wallet:read`; a citizen-bound token reads its own citizen only.",
    response_model=WalletOut,
    responses=LOCALISED | problem_responses(),
)
async def get_wallet(
    ssin: SsinPath,
    as_of: AsOfDep,
    ledger: LedgerDep,
    keyer: KeyerDep,
    response: Response,
    principal: Annotated[Principal, Depends(require("llr:wallet:read"))],
    language: AcceptLanguageDep,
    options: WalletOptionsDep,
    reads: ReadsDep,
    known_at: Annotated[
        Instant | None,
        Query(
            alias="knownAt",
            description="Answer as the service would have at this instant (RFC 3339): the "
            "record and the facts as they stood then, nothing settled",
        ),
    ] = None,
) -> WalletOut:
    found = await wallet_for(
        ledger, keyer, principal, ssin, as_of, language, known_at, options, reads
    )
    localised(response, found.language)
    return WalletOut.of(found.ssin, found.view)


@router.get(
    "/decisions/{decisionId}",
    operation_id="getDecision",
    summary="The receipt of a decision: rules version, facts version and reasons",
    description="What a right's grant came from (`decisionId` of a wallet right), and whether "
    "the rules, run again on the decision's own facts, still decide the same. Scope "
    "`llr:audit:read`.",
    response_model=DecisionOut,
    responses=problem_responses(NotFound),
)
async def get_decision(
    decision_id: Annotated[
        uuid.UUID, Path(alias="decisionId", description="The decision's id (a UUID)")
    ],
    session: SessionDep,
    vault: VaultDep,
    principal: Annotated[Principal, Depends(require("llr:audit:read"))],
) -> DecisionOut:
    return DecisionOut.of(await read_decision(session, vault, principal, decision_id))
