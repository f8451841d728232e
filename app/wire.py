"""Wire shapes shared by several resources: quantities, periods, SSINs in request bodies."""

import re
from decimal import Decimal
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BeforeValidator, StrictStr, WithJsonSchema, model_validator

from app.domain.identity import InvalidSsin, parse_ssin
from app.domain.periods import Period
from app.domain.quantities import InvalidQuantity, Quantity, Unit
from app.schemas import ApiModel


def _valid_ssin(value: str) -> str:
    try:
        return parse_ssin(value).value
    except InvalidSsin as exc:
        raise ValueError(str(exc)) from exc


SsinText = Annotated[
    StrictStr,
    AfterValidator(_valid_ssin),
]


DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_DECIMAL = re.compile(DECIMAL_PATTERN)


def _decimal_text(value: object) -> str:
    if isinstance(value, str):
        # Python's Decimal would also take "1e3", "1_000", " 1", "+1" and non-ASCII digits:
        # the contract's pattern does not, so neither does the service.
        if not _DECIMAL.fullmatch(value):
            raise ValueError('an amount is a decimal string of ASCII digits, like "12.50"')
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError('an amount is a decimal string ("12.50") or an integer, never a float')


DecimalText = Annotated[
    str,
    BeforeValidator(_decimal_text),
    WithJsonSchema(
        {
            "oneOf": [{"type": "string", "pattern": DECIMAL_PATTERN}, {"type": "integer"}],
            "examples": ["125.00"],
        }
    ),
]


SsinPath = Annotated[
    str, Path(description="SSIN (INSZ), punctuation allowed", examples=["85073003328"])
]


class QuantityIn(ApiModel):
    """An amount with its unit: a decimal string (or an integer), never a float."""

    amount: DecimalText
    unit: Unit

    @model_validator(mode="after")
    def _precise(self) -> "QuantityIn":
        try:
            self.parsed()
        except InvalidQuantity as exc:
            raise ValueError(str(exc)) from exc
        return self

    def parsed(self) -> Quantity:
        return Quantity.parse(self.amount, self.unit)


class QuantityOut(ApiModel):
    amount: str
    unit: Unit

    @classmethod
    def of(cls, quantity: Quantity) -> "QuantityOut":
        return cls(amount=quantity.text(), unit=quantity.unit)


class PeriodOut(ApiModel):
    key: str
    start: str
    end: str

    @classmethod
    def of(cls, period: Period) -> "PeriodOut":
        return cls(key=period.key, start=period.start.isoformat(), end=period.end.isoformat())


def decimal_text(value: Decimal, decimals: int) -> str:
    return f"{value:.{decimals}f}"
