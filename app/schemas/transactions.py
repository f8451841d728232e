"""Request and response bodies of /transactions."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import Field, StrictStr

from app.domain.dates import Instant, IsoDate
from app.domain.identity import parse_ssin
from app.domain.ledger.balances import Balances
from app.domain.ledger.booking import Booking
from app.domain.ledger.funding import PAYERS
from app.domain.ledger.queries import Page
from app.domain.ledger.tables import TransactionType
from app.domain.ledger.views import TransactionView
from app.domain.operations import TransactionQuery
from app.domain.postings import (
    Capture,
    Command,
    Grant,
    PostingRequest,
    Redeem,
    Release,
    Reserve,
    Reverse,
)
from app.domain.quantities import Quantity
from app.domain.rules import TrainingInfo
from app.schemas.base import ApiModel
from app.schemas.common import (
    EXAMPLE_SSIN,
    CursorQuery,
    PageSizeQuery,
    PeriodOut,
    QuantityIn,
    QuantityOut,
    SsinText,
    next_field,
)

Payer = Literal["citizen", "government", "employer", "sectorFund"]
assert set(Payer.__args__) == set(PAYERS)  # type: ignore[attr-defined]
Text200 = Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
IncentiveCode = Annotated[StrictStr, Field(min_length=1, max_length=40, pattern=r"^[a-zA-Z]+$")]
PeriodKey = Annotated[StrictStr, Field(max_length=12, examples=["2026-27"])]


class _Booking(ApiModel):
    ssin: SsinText
    incentive: IncentiveCode = Field(
        description="The incentive drawn on (`GET /incentives`)", examples=["opleidingscheques"]
    )
    amount: QuantityIn = Field(description="In the incentive's unit")
    period: PeriodKey | None = Field(
        default=None, description="The right's period key (default: the one in force today)"
    )
    training: TrainingInfo | None = Field(
        default=None, description="The training booked: an ODB reference or its attributes"
    )
    reference: Text200 | None = Field(
        default=None, description="The caller's own reference (no SSIN)", examples=["booking-42"]
    )
    funding: dict[Payer, QuantityIn] | None = Field(
        default=None,
        description="Who pays what (money rights); default: the incentive's co-financing rule",
    )

    def booking(self) -> Booking:
        return Booking(
            incentive=self.incentive,
            amount=self.amount.parsed(),
            period_key=self.period,
            training=self.training.model_dump(mode="json", exclude_none=True)
            if self.training
            else None,
            reference=self.reference,
            funding={p: q.parsed() for p, q in self.funding.items()} if self.funding else None,
            expires_at=getattr(self, "expires_at", None),
        )


class ReserveRequest(_Booking):
    """Put a hold on part of the available balance (booking a training)."""

    type: Literal["reserve"]
    expires_at: Instant | None = Field(
        default=None,
        description="When the hold lapses if not captured (default: the period's end)",
        examples=["2026-12-31T23:00:00Z"],
    )

    def command(self) -> Command:
        return Reserve(parse_ssin(self.ssin), self.booking())


class RedeemRequest(_Booking):
    """Use balance at once (a reserve and its capture in one step)."""

    type: Literal["redeem"]

    def command(self) -> Command:
        return Redeem(parse_ssin(self.ssin), self.booking())


class CaptureRequest(ApiModel):
    """Turn a hold into use, fully or partly; the rest is released."""

    type: Literal["capture"]
    reservation_id: uuid.UUID = Field(description="The `id` of the reserve transaction")
    amount: QuantityIn | None = Field(default=None, description="Default: the whole hold")

    def command(self) -> Command:
        return Capture(self.reservation_id, self.amount.parsed() if self.amount else None)


class ReleaseRequest(ApiModel):
    """Cancel a hold."""

    type: Literal["release"]
    reservation_id: uuid.UUID = Field(description="The `id` of the reserve transaction")

    def command(self) -> Command:
        return Release(self.reservation_id)


class GrantRequest(ApiModel):
    """Add rights (administrators; the federal account for its own right)."""

    type: Literal["grant"]
    ssin: SsinText
    incentive: IncentiveCode = Field(examples=["opleidingsrecht"])
    amount: QuantityIn
    period: PeriodKey | None = Field(
        default=None, description="The right's period key (default: the one in force today)"
    )
    reference: Text200 | None = None

    def command(self) -> Command:
        return Grant(parse_ssin(self.ssin), self.incentive, self.amount.parsed(), self.period)


class ReverseRequest(ApiModel):
    """Undo a posted transaction with a new, opposite one (once)."""

    type: Literal["reverse"]
    transaction_id: uuid.UUID = Field(description="The transaction undone")
    reason: Annotated[StrictStr, Field(min_length=1, max_length=500)] = Field(
        description="Why (no SSIN)", examples=["booked twice by mistake"]
    )

    def command(self) -> Command:
        return Reverse(self.transaction_id, self.reason)


TransactionRequest = Annotated[
    ReserveRequest
    | RedeemRequest
    | CaptureRequest
    | ReleaseRequest
    | GrantRequest
    | ReverseRequest,
    Field(discriminator="type"),
]


def posting_request(body: TransactionRequest, idempotency_key: str) -> PostingRequest:
    """The domain's command for a parsed body, with the fields its idempotency compares."""
    fields = body.model_dump(mode="json", exclude={"ssin"})
    return PostingRequest(body.command(), idempotency_key, fields)


class BalanceOut(ApiModel):
    """A right's balance, decimal strings in the right's unit."""

    granted: str = Field(examples=["100.00"])
    carried_in: str = Field(description="Carried over from earlier periods", examples=["0.00"])
    carried_out: str = Field(description="Carried over to later periods", examples=["0.00"])
    reserved: str = Field(description="Held by open reservations", examples=["20.00"])
    used: str = Field(examples=["32.00"])
    expired: str = Field(examples=["0.00"])
    available: str = Field(
        description="granted + carriedIn - carriedOut - reserved - used - expired, never negative",
        examples=["48.00"],
    )

    @classmethod
    def of(cls, balances: Balances) -> "BalanceOut":
        text = {
            name: balances.quantity(getattr(balances, name)).text()
            for name in (
                "granted",
                "carried_in",
                "carried_out",
                "reserved",
                "used",
                "expired",
                "available",
            )
        }
        return cls(**text)


TransactionStatus = Literal["posted", "pending", "captured", "released", "expired", "reversed"]
"""``pending`` a hold still open; ``captured``, ``released``, ``expired`` how a hold resolved;
``reversed`` undone by a reverse; ``posted`` any other transaction."""


class TransactionOut(ApiModel):
    """A posted transaction, with the right's balance right after it."""

    id: uuid.UUID
    type: TransactionType = Field(
        description="reserve, capture, release, redeem, grant, reverse; `adjust`, `expire`, "
        "`periodEnd` and `carryOver` are the service's own (settlement, expiry, carry-over)"
    )
    status: TransactionStatus = Field(
        description="`pending`: a hold still open; `captured`, `released`, `expired`: how a "
        "hold resolved; `reversed`: undone; `posted`: any other"
    )
    ssin: str | None = Field(description="11 digits", examples=["85073003328"])
    incentive: str = Field(examples=["opleidingscheques"])
    period: PeriodOut | None
    amount: QuantityOut
    effective_date: str = Field(description="The day it counts on (Brussels)")
    created_at: datetime
    caller: str = Field(description="The partner that posted it", examples=["vdab"])
    reference: str | None = None
    training: dict[str, Any] | None = None
    funding: dict[str, QuantityOut] | None = Field(
        default=None, description="Who pays what: citizen, government, employer, sectorFund"
    )
    expires_at: datetime | None = Field(default=None, description="A hold's expiry")
    reservation_id: uuid.UUID | None = Field(
        default=None, description="The hold a capture or release resolved"
    )
    reverses: uuid.UUID | None = Field(default=None, description="The transaction a reverse undid")
    reversed_by: uuid.UUID | None = None
    reason: str | None = None
    decision_id: uuid.UUID | None = Field(
        default=None, description="The decision a settlement grant came from"
    )
    balance_after: BalanceOut | None = None

    @classmethod
    def of(cls, view: TransactionView) -> "TransactionOut":
        unit = view.amount.unit
        return cls(
            id=view.id,
            type=view.type,
            status=view.status,
            ssin=view.ssin.value if view.ssin else None,
            incentive=view.incentive,
            period=PeriodOut.optional(view.period),
            amount=QuantityOut.of(view.amount),
            effective_date=view.effective_date.isoformat(),
            created_at=view.created_at,
            caller=view.caller,
            reference=view.reference,
            training=view.training,
            funding={
                payer: QuantityOut.of(Quantity.parse(v, unit, allow_zero=True))
                for payer, v in view.funding.items()
            }
            if view.funding
            else None,
            expires_at=view.expires_at,
            reservation_id=view.reservation_id if view.type != "reverse" else None,
            reverses=view.reverses,
            reversed_by=view.reversed_by,
            reason=view.metadata.get("reason"),
            decision_id=view.decision_id,
            balance_after=BalanceOut.of(view.balance_after) if view.balance_after else None,
        )


class TransactionPage(ApiModel):
    """A page of transactions, newest first."""

    items: list[TransactionOut]
    next: str | None = next_field()

    @classmethod
    def of(cls, page: Page, following: str | None) -> "TransactionPage":
        return cls(items=[TransactionOut.of(v) for v in page.items], next=following)


def render(view: TransactionView) -> dict[str, Any]:
    """The 201's body, as sent and as kept for replays."""
    return TransactionOut.of(view).model_dump(mode="json", by_alias=True)


class TransactionQueryParams:
    """The query of ``GET /transactions``."""

    def __init__(
        self,
        ssin: Annotated[
            str | None,
            Query(
                max_length=20,
                description="One citizen's (SSIN, punctuation allowed); a citizen-bound token "
                "sees its own citizen only",
            ),
        ] = None,
        incentive: Annotated[
            str | None,
            Query(max_length=40, description="One incentive's code, e.g. `opleidingscheques`"),
        ] = None,
        type_: Annotated[
            TransactionType | None, Query(alias="type", description="Needs `ssin`")
        ] = None,
        status: Annotated[TransactionStatus | None, Query(description="Needs `ssin`")] = None,
        from_: Annotated[
            IsoDate | None, Query(alias="from", description="Effective on or after this day")
        ] = None,
        to: Annotated[IsoDate | None, Query(description="Effective on or before this day")] = None,
        page_size: PageSizeQuery = 50,
        cursor: CursorQuery = None,
    ) -> None:
        self.ssin, self.incentive, self.type, self.status = ssin, incentive, type_, status
        self.from_, self.to, self.page_size, self.cursor = from_, to, page_size, cursor

    def search(self, cursor: str | None) -> TransactionQuery:
        """With the repository's ``cursor`` (the sealed one opened)."""
        return TransactionQuery(
            self.ssin,
            self.incentive,
            self.type,
            self.status,
            self.from_,
            self.to,
            self.page_size,
            cursor,
        )


EXAMPLES = {
    "reserve": {
        "summary": "Book training vouchers worth 100 euro",
        "value": {
            "type": "reserve",
            "ssin": EXAMPLE_SSIN,
            "incentive": "opleidingscheques",
            "amount": {"amount": "100.00", "unit": "EUR"},
            "reference": "booking-42",
        },
    },
    "capture": {
        "summary": "Use 80 of the 100 euro reserved",
        "value": {
            "type": "capture",
            "reservationId": "6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11",
            "amount": {"amount": "80.00", "unit": "EUR"},
        },
    },
    "release": {
        "summary": "Cancel a hold",
        "value": {"type": "release", "reservationId": "6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11"},
    },
    "redeem": {
        "summary": "Use 16 hours of Flemish training leave at once",
        "value": {
            "type": "redeem",
            "ssin": EXAMPLE_SSIN,
            "incentive": "vov",
            "amount": {"amount": "16.00", "unit": "HOUR"},
        },
    },
    "grant": {
        "summary": "Grant 3 federal training days",
        "value": {
            "type": "grant",
            "ssin": EXAMPLE_SSIN,
            "incentive": "opleidingsrecht",
            "amount": {"amount": "3.00", "unit": "DAY"},
            "period": "2024-2028",
        },
    },
    "reverse": {
        "summary": "Undo a posted transaction",
        "value": {
            "type": "reverse",
            "transactionId": "6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11",
            "reason": "booked twice by mistake",
        },
    },
}
"""Try-it-out's bodies; the reserve succeeds as the dwse or vdab partner once the citizen's
facts are declared (``PUT /citizens/{ssin}/facts``'s example); capture, release and reverse
need the id of a transaction posted first."""
