"""Request and response bodies of /transactions."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr

from app.domain.dates import Instant
from app.domain.ledger.balances import Balances
from app.domain.ledger.funding import PAYERS
from app.domain.ledger.tables import TransactionType
from app.domain.ledger.views import TransactionView
from app.domain.rules import TrainingInfo
from app.schemas import ApiModel
from app.wire import PeriodOut, QuantityIn, QuantityOut, SsinText

Payer = Literal["citizen", "government", "employer", "sectorFund"]
assert set(Payer.__args__) == set(PAYERS)  # type: ignore[attr-defined]
Text200 = Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
IncentiveCode = Annotated[StrictStr, Field(min_length=1, max_length=40, pattern=r"^[a-zA-Z]+$")]
PeriodKey = Annotated[StrictStr, Field(max_length=12, examples=["2026-27"])]


class _Booking(ApiModel):
    ssin: SsinText
    incentive: IncentiveCode
    amount: QuantityIn
    period: PeriodKey | None = None
    training: TrainingInfo | None = None
    reference: Text200 | None = None
    funding: dict[Payer, QuantityIn] | None = None


class ReserveRequest(_Booking):
    type: Literal["reserve"]
    expires_at: Instant | None = None


class RedeemRequest(_Booking):
    type: Literal["redeem"]


class CaptureRequest(ApiModel):
    type: Literal["capture"]
    reservation_id: uuid.UUID
    amount: QuantityIn | None = None


class ReleaseRequest(ApiModel):
    type: Literal["release"]
    reservation_id: uuid.UUID


class GrantRequest(ApiModel):
    type: Literal["grant"]
    ssin: SsinText
    incentive: IncentiveCode
    amount: QuantityIn
    period: PeriodKey | None = None
    reference: Text200 | None = None


class ReverseRequest(ApiModel):
    type: Literal["reverse"]
    transaction_id: uuid.UUID
    reason: Annotated[StrictStr, Field(min_length=1, max_length=500)]


TransactionRequest = Annotated[
    ReserveRequest
    | RedeemRequest
    | CaptureRequest
    | ReleaseRequest
    | GrantRequest
    | ReverseRequest,
    Field(discriminator="type"),
]


class BalanceOut(ApiModel):
    granted: str
    carried_in: str
    carried_out: str
    reserved: str
    used: str
    expired: str
    available: str

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


class TransactionOut(ApiModel):
    id: uuid.UUID
    type: TransactionType
    status: Literal["posted", "pending", "captured", "released", "expired", "reversed"]
    ssin: str | None
    incentive: str
    period: PeriodOut | None
    amount: QuantityOut
    effective_date: str
    created_at: datetime
    caller: str
    reference: str | None = None
    training: dict[str, Any] | None = None
    funding: dict[str, QuantityOut] | None = None
    expires_at: datetime | None = None
    reservation_id: uuid.UUID | None = None
    reverses: uuid.UUID | None = None
    reversed_by: uuid.UUID | None = None
    reason: str | None = None
    decision_id: uuid.UUID | None = None
    balance_after: BalanceOut | None = None

    @classmethod
    def of(cls, view: TransactionView) -> "TransactionOut":
        from app.domain.quantities import Quantity

        unit = view.amount.unit
        return cls(
            id=view.id,
            type=view.type,
            status=view.status,
            ssin=view.ssin.value if view.ssin else None,
            incentive=view.incentive,
            period=PeriodOut.of(view.period) if view.period else None,
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
    items: list[TransactionOut]
    next: str | None = Field(default=None, description="link to the next page, if any")
