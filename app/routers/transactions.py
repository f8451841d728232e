"""/transactions: move a right (reserve, capture, release, redeem, grant, reverse) and read
the record back."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Request
from fastapi.responses import JSONResponse

from app.auth import PrincipalDep, require
from app.deps import KeyerDep, LedgerDep, SessionDep, VaultDep
from app.domain.access import Principal
from app.domain.ledger import errors
from app.domain.operations import read_transaction, search_transactions
from app.domain.postings import Poster
from app.pagination import next_link, open_cursor
from app.problems import domain_problem
from app.replica import ReadsDep
from app.schemas.problems import problem_responses
from app.schemas.transactions import (
    EXAMPLES,
    TransactionOut,
    TransactionPage,
    TransactionQueryParams,
    TransactionRequest,
    posting_request,
    render,
)

router = APIRouter(tags=["transactions"])

CANONICAL_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
"""RFC 9562's form, versions 1 to 8: ``{...}``, ``urn:uuid:``, uppercase, no dashes and the
nil UUID are refused rather than taken for the same key."""

Reader = Annotated[Principal, Depends(require("llr:transactions:read"))]
Writer = Annotated[Principal, Depends(require("llr:transactions:write"))]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=CANONICAL_UUID,
        description="A UUID the caller chooses, in its canonical form (lowercase, with dashes, "
        "not the nil UUID): one key has one spelling. The same key with the same body answers "
        "the first answer again; with another body 422. Use a new key per transaction.",
        examples=["0b6f3a52-3a8e-4c1e-9a4e-2f1d7c5b9e10"],
    ),
]
POSTING_ERRORS = (
    errors.TransactionNotFound,
    errors.NotEntitled,
    errors.InsufficientBalance,
    errors.TrainingNotEligible,
    errors.HoldNotPending,
    errors.HoldExpired,
    errors.CaptureExceedsHold,
    errors.AlreadyReversed,
    errors.NotReversible,
    errors.IdempotencyInFlight,
    errors.IdempotencyKeyReused,
)

POSTED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Posted, or the replay of an earlier request with the same "
        "Idempotency-Key and body (then with `Idempotency-Replayed: true`)",
        "headers": {"Idempotency-Replayed": {"$ref": "#/components/headers/Idempotency-Replayed"}},
    },
}


@router.post(
    "/transactions",
    operation_id="postTransaction",
    summary="Move a right: reserve, capture, release, redeem, grant or reverse",
    description="Needs `Idempotency-Key`. `reserve` holds part of the available balance, "
    "`capture` turns a hold into use (the rest is released), `release` cancels a hold, "
    "`redeem` uses balance at once, `grant` adds rights, `reverse` undoes a posted "
    "transaction. Scope `llr:transactions:write`, and the partner's permission for the type "
    "and the incentive (403 otherwise). A refusal by the ledger (409) changes nothing and is "
    "on the citizen's access log.",
    status_code=201,
    response_model=TransactionOut,
    responses=POSTED | problem_responses(*POSTING_ERRORS),
)
async def post_transaction(
    request: Request,
    body: Annotated[TransactionRequest, Body(openapi_examples=EXAMPLES)],
    idempotency_key: IdempotencyKey,
    ledger: LedgerDep,
    principal: Writer,
    keyer: KeyerDep,
    vault: VaultDep,
) -> JSONResponse:
    posting = posting_request(body, idempotency_key)
    posted = await Poster(ledger, keyer, vault).post(principal, posting, render)
    if posted.refused is not None:
        return domain_problem(request, posted.refused)
    if posted.replayed:
        headers = {"Idempotency-Replayed": "true"}
    else:
        headers = {"Location": f"/transactions/{posted.transaction_id}"}
    return JSONResponse(posted.body, status_code=posted.status_code, headers=headers)


@router.get(
    "/transactions/{transactionId}",
    operation_id="getTransaction",
    summary="One transaction, with the right's balance right after it",
    description="Needs `llr:transactions:read`, or `llr:transactions:write` for a transaction "
    "the caller posted itself (the `Location` of its 201). A partner reads the transactions of "
    "the incentives it may post, and its own.",
    response_model=TransactionOut,
    responses=problem_responses(errors.TransactionNotFound),
)
async def get_transaction(
    transaction_id: Annotated[
        uuid.UUID, Path(alias="transactionId", description="The transaction's id (a UUID)")
    ],
    session: SessionDep,
    ledger: LedgerDep,
    keyer: KeyerDep,
    vault: VaultDep,
    principal: PrincipalDep,
) -> TransactionOut:
    view = await read_transaction(session, keyer, vault, principal, transaction_id, ledger.now)
    return TransactionOut.of(view)


@router.get(
    "/transactions",
    operation_id="listTransactions",
    summary="Transactions, newest first, filtered, with cursor pagination",
    description="A citizen-bound token sees its own citizen's only; a partner the incentives "
    "it may post and its own postings. Over every citizen (no `ssin`) `status` and `type` "
    "cannot be filtered on (400). Follow `next` for the following page. Scope "
    "`llr:transactions:read`.",
    response_model=TransactionPage,
    responses=problem_responses(),
)
async def get_transactions(
    request: Request,
    session: SessionDep,
    ledger: LedgerDep,
    keyer: KeyerDep,
    vault: VaultDep,
    reads: ReadsDep,
    principal: Reader,
    query: Annotated[TransactionQueryParams, Depends()],
) -> TransactionPage:
    search = query.search(open_cursor(request, query.cursor))
    page = await search_transactions(session, keyer, vault, principal, search, ledger.now, reads)
    return TransactionPage.of(page, next_link(request, page.next_cursor))
