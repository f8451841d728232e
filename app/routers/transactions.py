"""/transactions: move a right (reserve, capture, release, redeem, grant, reverse) and read
the record back."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse

from app.auth import AUTH_RESPONSES, PrincipalDep, require
from app.deps import KeyerDep, LedgerDep, SessionDep, VaultDep
from app.domain.access import Principal, record_access, record_accesses
from app.domain.access.privacy import refuse_ssins
from app.domain.access.transactions import authorize_posting
from app.domain.dates import IsoDate
from app.domain.errors import InvalidInput
from app.domain.identity import CitizenKeyer, parse_ssin
from app.domain.ledger import idempotency
from app.domain.ledger.errors import LedgerError
from app.domain.ledger.ports import Actor, CitizenRef
from app.domain.ledger.queries import TransactionFilter, list_transactions, load_transaction
from app.domain.ledger.service import Booking, Ledger
from app.domain.ledger.tables import TransactionType
from app.problems import domain_problem
from app.replica import ReadsDep
from app.routers.pagination import next_link, open_cursor
from app.routers.problem_docs import Problem, problem_responses
from app.routers.transaction_models import (
    CaptureRequest,
    GrantRequest,
    RedeemRequest,
    ReleaseRequest,
    ReserveRequest,
    ReverseRequest,
    TransactionOut,
    TransactionPage,
    TransactionRequest,
)

router = APIRouter(tags=["transactions"], responses=problem_responses(404) | AUTH_RESPONSES)

CANONICAL_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
"""RFC 9562's form, versions 1 to 8: ``{...}``, ``urn:uuid:``, uppercase, no dashes and the
nil UUID are refused rather than taken for the same key."""

Reader = Annotated[Principal, Depends(require("llr:transactions:read"))]
Writer = Annotated[Principal, Depends(require("llr:transactions:write"))]

EXAMPLES = {
    "reserve": {
        "summary": "Book 20 hours of Flemish training leave",
        "value": {
            "type": "reserve",
            "ssin": "85073003328",
            "incentive": "vov",
            "amount": {"amount": "20.00", "unit": "HOUR"},
            "training": {"odbId": "ODB-000123"},
            "reference": "booking-42",
        },
    },
    "capture": {
        "summary": "Use 16 of the 20 reserved hours",
        "value": {
            "type": "capture",
            "reservationId": "6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11",
            "amount": {"amount": "16.00", "unit": "HOUR"},
        },
    },
    "release": {
        "summary": "Cancel a hold",
        "value": {"type": "release", "reservationId": "6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11"},
    },
    "grant": {
        "summary": "Grant 3 federal training days",
        "value": {
            "type": "grant",
            "ssin": "85073003328",
            "incentive": "opleidingsrecht",
            "amount": {"amount": "3.00", "unit": "DAY"},
            "period": "2024-2028",
        },
    },
}


def _citizen(keyer: CitizenKeyer, ssin: str) -> CitizenRef:
    parsed = parse_ssin(ssin)
    return CitizenRef(parsed, keyer.key(parsed))


def _booking(body: ReserveRequest | RedeemRequest) -> Booking:
    return Booking(
        incentive=body.incentive,
        amount=body.amount.parsed(),
        period_key=body.period,
        training=body.training.model_dump(mode="json", exclude_none=True)
        if body.training
        else None,
        reference=body.reference,
        funding={payer: q.parsed() for payer, q in body.funding.items()} if body.funding else None,
        expires_at=getattr(body, "expires_at", None),
    )


def _target(
    keyer: CitizenKeyer, body: TransactionRequest
) -> tuple[CitizenRef | None, str | None, uuid.UUID | None]:
    """(citizen, incentive, referenced transaction) as the request names them."""
    match body:
        case ReserveRequest() | RedeemRequest() | GrantRequest():
            return _citizen(keyer, body.ssin), body.incentive, None
        case CaptureRequest() | ReleaseRequest():
            return None, None, body.reservation_id
        case ReverseRequest():
            return None, None, body.transaction_id


def _fingerprint(fields: dict[str, object], citizen: CitizenRef | None) -> str:
    """The request's hash for idempotency, over the citizen's key rather than the SSIN: a plain
    hash of a body with an SSIN in it could be reversed by trying every SSIN."""
    return idempotency.request_hash(fields | {"citizen": citizen.key if citizen else None})


def _stored(payload: dict[str, object]) -> dict[str, object]:
    """The response as kept for replays: without the SSIN, which is never stored in clear."""
    return payload | {"ssin": None}


def _replayed(body: dict[str, object], citizen: CitizenRef | None) -> dict[str, object]:
    return body | {"ssin": citizen.ssin.value if citizen else None}


async def _execute(
    ledger: Ledger, actor: Actor, keyer: CitizenKeyer, body: TransactionRequest
) -> uuid.UUID:
    match body:
        case ReserveRequest():
            return await ledger.reserve(actor, _citizen(keyer, body.ssin), _booking(body))
        case RedeemRequest():
            return await ledger.redeem(actor, _citizen(keyer, body.ssin), _booking(body))
        case CaptureRequest():
            amount = body.amount.parsed() if body.amount else None
            return await ledger.capture(actor, body.reservation_id, amount)
        case ReleaseRequest():
            return await ledger.release(actor, body.reservation_id)
        case GrantRequest():
            return await ledger.grant(
                actor, _citizen(keyer, body.ssin), body.incentive, body.amount.parsed(), body.period
            )
        case ReverseRequest():
            return await ledger.reverse(actor, body.transaction_id, body.reason)


@router.post(
    "/transactions",
    operation_id="postTransaction",
    summary="Move a right: reserve, capture, release, redeem, grant or reverse",
    status_code=201,
    response_model=TransactionOut,
    responses={
        201: {
            "description": "Posted (a replay of the same Idempotency-Key and body answers "
            "the original response again, with `Idempotency-Replayed: true`)"
        },
        409: {
            "model": Problem,
            "description": "notEntitled, insufficientBalance, "
            "trainingNotEligible, a hold already resolved or expired, a second reverse, or "
            "the key still in flight",
        },
        422: {
            "model": Problem,
            "description": "idempotencyKeyReused: the key came with another body",
        },
    },
)
async def post_transaction(
    request: Request,
    body: Annotated[TransactionRequest, Body(openapi_examples=EXAMPLES)],
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            pattern=CANONICAL_UUID,
            description="a UUID the caller chooses, in its canonical form (lowercase, with "
            "dashes, not the nil UUID): one key has one spelling",
            examples=["0b6f3a52-3a8e-4c1e-9a4e-2f1d7c5b9e10"],
        ),
    ],
    session: SessionDep,
    ledger: LedgerDep,
    principal: Writer,
    keyer: KeyerDep,
    vault: VaultDep,
) -> JSONResponse:
    target, incentive, referenced = _target(keyer, body)
    key = str(idempotency_key)
    opened = await idempotency.open_key(session, principal.partner, key, referenced)
    citizen = authorize_posting(
        vault, principal, body.type, target, incentive, referenced, opened.named
    )
    fields = body.model_dump(mode="json", exclude={"ssin"})
    refuse_ssins(fields)
    fingerprint = _fingerprint(fields, citizen)
    stored = opened.replay(fingerprint)
    action = f"transaction.{body.type}"
    if stored is not None:
        if citizen is not None:
            await record_access(
                session, principal, citizen.key, action + ".replayed", principal.endpoint
            )
        return JSONResponse(
            _replayed(stored.body, citizen),
            status_code=stored.status_code,
            headers={"Idempotency-Replayed": "true"},
        )
    try:
        txn_id = await _execute(ledger, principal.actor, keyer, body)
    except LedgerError as exc:
        if citizen is None:
            raise
        # the refusal tells about the citizen's rights (a 409 may show the balance): on the
        # record like any other look. What the refused operation did is rolled back first (no
        # savepoint on the path of every posting), the access row commits on its own.
        await session.rollback()
        refused = action + ".refused"
        await record_access(session, principal, citizen.key, refused, principal.endpoint)
        return domain_problem(request, exc)
    view = ledger.posted.get(txn_id) or await load_transaction(session, txn_id, vault, ledger.now)
    payload = TransactionOut.of(view).model_dump(mode="json", by_alias=True)
    kept = idempotency.StoredResponse(201, _stored(payload))
    access = principal.access(citizen.key, action) if citizen is not None else None
    await idempotency.remember(session, principal.partner, key, fingerprint, kept, txn_id, access)
    return JSONResponse(payload, status_code=201, headers={"Location": f"/transactions/{txn_id}"})


@router.get(
    "/transactions/{transactionId}",
    operation_id="getTransaction",
    summary="One transaction, with the right's balance right after it",
    description="Needs `llr:transactions:read`, or `llr:transactions:write` for a transaction "
    "the caller posted itself (the `Location` of its 201). A partner reads the transactions of "
    "the incentives it may post, and its own.",
    response_model=TransactionOut,
)
async def get_transaction(
    transaction_id: Annotated[uuid.UUID, Path(alias="transactionId")],
    session: SessionDep,
    ledger: LedgerDep,
    keyer: KeyerDep,
    vault: VaultDep,
    principal: PrincipalDep,
) -> TransactionOut:
    view = await load_transaction(session, transaction_id, vault, ledger.now)
    principal.check_reading(view.incentive, view.caller)
    citizen_key = keyer.key(view.ssin) if view.ssin else None
    principal.check_citizen_key(citizen_key)
    if citizen_key is not None:
        await record_access(session, principal, citizen_key, "transaction.read", principal.endpoint)
    return TransactionOut.of(view)


Status = Literal["posted", "pending", "captured", "released", "expired", "reversed"]


@router.get(
    "/transactions",
    operation_id="listTransactions",
    summary="Transactions, newest first, filtered, with cursor pagination",
    response_model=TransactionPage,
)
async def get_transactions(
    request: Request,
    session: SessionDep,
    ledger: LedgerDep,
    keyer: KeyerDep,
    vault: VaultDep,
    reads: ReadsDep,
    principal: Reader,
    ssin: Annotated[
        str | None,
        Query(max_length=20, description="a citizen-bound token sees its own citizen only"),
    ] = None,
    incentive: Annotated[str | None, Query(max_length=40)] = None,
    type_: Annotated[TransactionType | None, Query(alias="type")] = None,
    status: Status | None = None,
    from_: Annotated[IsoDate | None, Query(alias="from")] = None,
    to: IsoDate | None = None,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> TransactionPage:
    citizen = principal.check_citizen(ssin, "query") if ssin is not None else principal.ssin
    citizen_key = keyer.key(citizen) if citizen is not None else None
    if citizen_key is None and (status is not None or type_ is not None):
        # neither is indexed: over every citizen, a rare status would scan the whole table
        raise InvalidInput("ssin", None, "filtering by status or type needs an ssin", "query")
    where = TransactionFilter(
        citizen_key,
        incentive,
        type_,
        status,
        from_,
        to,
        principal.readable_incentives,
        principal.partner,
    )
    async with reads.session() as read_session:
        page = await list_transactions(
            read_session, where, vault, ledger.now, page_size, open_cursor(request, cursor)
        )
    # Every citizen the page shows is on record, whether asked for by SSIN or not, with the
    # filter that showed them (validated codes and dates only: the SSIN is the row's citizen).
    shown = [keyer.key(v.ssin) for v in page.items if v.ssin is not None]
    asked = {"incentive": incentive, "type": type_, "status": status, "from": from_, "to": to}
    action = " ".join(["transactions.list"] + [f"{k}={v}" for k, v in asked.items() if v])
    await record_accesses(
        session, principal, [citizen_key] if citizen_key else shown, action, principal.endpoint
    )
    following = next_link(request, page.next_cursor)
    return TransactionPage(items=[TransactionOut.of(v) for v in page.items], next=following)
