"""Quantities of rights: an amount in a unit. Integers in minor units in the database, ``Decimal``
in Python, decimal strings on the wire. Never float."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class Unit(StrEnum):
    EUR = "EUR"
    """Euro; minor unit cent."""
    HOUR = "HOUR"
    """Hours; minor unit 1/100 hour."""
    DAY = "DAY"
    """Days; minor unit 1/100 day."""
    MONTH = "MONTH"
    """Months; minor unit 1/100 month."""
    VOUCHER = "VOUCHER"
    """Whole vouchers; no minor unit."""

    @property
    def decimals(self) -> int:
        return 0 if self is Unit.VOUCHER else 2

    @property
    def scale(self) -> int:
        return 100 if self.decimals == 2 else 1


class InvalidQuantity(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Quantity:
    amount: Decimal
    unit: Unit

    @classmethod
    def parse(
        cls, value: str | int | Decimal, unit: Unit, *, allow_zero: bool = False
    ) -> "Quantity":
        """Parses a decimal string or integer; more decimals than the unit allows is an error."""
        if isinstance(value, bool | float):
            raise InvalidQuantity("an amount is a decimal string or an integer, never a float")
        try:
            amount = Decimal(value) if not isinstance(value, Decimal) else value
        except InvalidOperation as exc:
            raise InvalidQuantity(f"{value!r} is not a decimal number") from exc
        if not amount.is_finite():
            raise InvalidQuantity("an amount must be a finite number")
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > unit.decimals:
            raise InvalidQuantity(f"{unit.value} allows at most {unit.decimals} decimals")
        if amount < 0 or (amount == 0 and not allow_zero):
            raise InvalidQuantity("an amount must be greater than zero")
        if amount >= Decimal(10) ** 12:
            raise InvalidQuantity("an amount must be less than 10^12")
        return cls(amount.quantize(Decimal(1).scaleb(-unit.decimals)), unit)

    @classmethod
    def from_minor(cls, minor: int, unit: Unit) -> "Quantity":
        return cls((Decimal(minor) / unit.scale).quantize(Decimal(1).scaleb(-unit.decimals)), unit)

    @property
    def minor(self) -> int:
        """The amount in minor units (cents, 1/100 hour, ...), as stored."""
        return int(self.amount * self.unit.scale)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value}"

    def text(self) -> str:
        """The amount as the wire shows it: a decimal string with the unit's decimals."""
        return f"{self.amount:.{self.unit.decimals}f}"


def round_down(amount: Decimal, unit: Unit) -> Decimal:
    """Rounds an entitlement down to what the unit can hold (a right is never rounded up)."""
    from decimal import ROUND_DOWN

    return amount.quantize(Decimal(1).scaleb(-unit.decimals), rounding=ROUND_DOWN)
