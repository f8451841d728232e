"""What a reserve or redeem asks for, and the legs and amounts the ledger's operations build from
it: small pure pieces, apart from the operations that lock and post (``service``)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from app.domain.errors import InvalidInput
from app.domain.ledger.ports import IncentiveCatalog
from app.domain.ledger.repository import Leg
from app.domain.periods import BRUSSELS, Period, PeriodKind, parse_key
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


def grant_legs(available_id: int, minor: int) -> list[Leg]:
    """A grant: from the incentive's issuer to the right's available account. The request's
    ``grant`` and the federal sync's batch build the same legs."""
    return [Leg("issuer", "D", minor, "grant"), Leg(available_id, "C", minor, "grant")]


def redeem_legs(
    available_id: int, unit: Unit, funding: dict[str, str] | None, minor: int
) -> list[Leg]:
    """A use in one step: from the right's available account to what was used (by payer)."""
    return [Leg(available_id, "D", minor, "use"), *use_legs(unit, funding, minor)]


@dataclass(frozen=True, slots=True)
class PeriodAsked:
    period: Period
    accrual_year: int | None = None
    """For a right held over a window (the federal right's 2024-2028): the year a grant accrues
    to, when the caller named a year (``2026``) or today lies in the window."""


def resolve_period(
    catalog: IncentiveCatalog, incentive: str, period_key: str | None, day: date
) -> PeriodAsked:
    """The period a request names (None: the one in force on ``day``). A calendar year inside a
    window the incentive is held over names that window (an old client's ``2026`` for the
    federal right is ``2024-2028``, accrual year 2026); any other key the incentive is not
    counted in is 400 with the period it should be."""
    if not catalog.knows(incentive):
        raise InvalidInput("incentive", incentive, "no such incentive")
    if period_key is None:
        period = catalog.period_for(incentive, day)
        year = day.year if period.kind is PeriodKind.WINDOW else None
        return PeriodAsked(period, year)
    try:
        period = parse_key(period_key)
    except ValueError as exc:
        raise InvalidInput("period", period_key, str(exc)) from exc
    held = catalog.period_for(incentive, period.start)
    if held == period:
        return PeriodAsked(period, day.year if period.contains(day) and _windowed(held) else None)
    if period.kind is PeriodKind.CALENDAR_YEAR and _windowed(held) and held.contains(period.end):
        return PeriodAsked(held, period.start.year)
    raise InvalidInput(
        "period",
        period_key,
        f"not a period {incentive} is counted in: {held.key} holds {period.start}",
    )


def _windowed(period: Period) -> bool:
    return period.kind is PeriodKind.WINDOW


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
