"""What a reserve or redeem asks for, and the legs and amounts the ledger's operations build from
it: small pure pieces, apart from the operations that lock and post (``service``)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from app.domain.errors import InvalidInput
from app.domain.ledger.repository import Leg
from app.domain.periods import BRUSSELS, Period
from app.domain.quantities import InvalidQuantity, Quantity, Unit


@dataclass(frozen=True, slots=True)
class Booking:
    """What a reserve or redeem asks for."""

    incentive: str
    amount: Quantity
    period_key: str | None = None
    training: dict[str, Any] | None = None
    reference: str | None = None
    funding: dict[str, Quantity] | None = None
    expires_at: datetime | None = None


def end_of_period(period: Period) -> datetime:
    return datetime.combine(period.end + timedelta(days=1), time(), BRUSSELS)


def use_legs(unit: Unit, funding: dict[str, str] | None, minor: int) -> list[Leg]:
    if not funding:
        return [Leg("used", "C", minor, "use")]
    entries = []
    for payer, amount in funding.items():
        share = Quantity.parse(amount, unit, allow_zero=True).minor
        if share:
            entries.append(Leg(f"used:{payer}", "C", share, "use"))
    return entries


def past(type_: str) -> str:
    return {"capture": "captured", "release": "released", "expire": "expired"}.get(type_, type_)


def minor_of(amount: Quantity | Decimal, unit: Unit, field: str) -> int:
    if isinstance(amount, Quantity):
        if amount.unit is not unit:
            raise InvalidInput(
                f"{field}.unit", amount.unit.value, f"the hold is counted in {unit.value}"
            )
        return amount.minor
    try:
        return Quantity.parse(amount, unit).minor
    except InvalidQuantity as exc:
        raise InvalidInput(field, str(amount), str(exc)) from exc
