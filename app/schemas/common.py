"""Wire shapes every resource shares: SSINs, decimal amounts, quantities, periods, referrals and
the page of a listing. One class per shape: a second ``QuantityOut`` elsewhere would give the
OpenAPI document two components of one name."""

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictStr,
    WithJsonSchema,
    model_validator,
)

from app.domain.identity import InvalidSsin, parse_ssin
from app.domain.periods import Period, PeriodKind
from app.domain.quantities import InvalidQuantity, Quantity, Unit
from app.domain.rules.model import Referral
from app.schemas.base import ApiModel

EXAMPLE_SSIN = "85073003328"
"""A valid test SSIN (check digits hold; not a real person's)."""


def _valid_ssin(value: str) -> str:
    try:
        return parse_ssin(value).value
    except InvalidSsin as exc:
        raise ValueError(str(exc)) from exc


SsinText = Annotated[
    StrictStr,
    AfterValidator(_valid_ssin),
    Field(
        description="SSIN (INSZ): 11 digits with valid check digits; punctuation allowed "
        "(`85.07.30-033.28`)",
        examples=[EXAMPLE_SSIN],
    ),
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
            "description": "A decimal string (or an integer), never a float; at most the "
            "unit's decimals (EUR, HOUR, DAY, MONTH: 2; VOUCHER: 0)",
            "examples": ["125.00"],
        }
    ),
]


SsinPath = Annotated[
    str,
    Path(
        description="SSIN (INSZ) of the citizen, punctuation allowed",
        examples=[EXAMPLE_SSIN],
    ),
]


class QuantityIn(ApiModel):
    """An amount with its unit: a decimal string (or an integer), never a float."""

    amount: DecimalText
    unit: Unit = Field(description="EUR, HOUR, DAY, MONTH (2 decimals) or VOUCHER (whole)")

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
    """An amount with its unit, the amount a decimal string with the unit's decimals."""

    amount: str = Field(description="Decimal string", examples=["125.00"])
    unit: Unit

    @classmethod
    def of(cls, quantity: Quantity) -> "QuantityOut":
        return cls(amount=quantity.text(), unit=quantity.unit)

    @classmethod
    def optional(cls, quantity: Quantity | None) -> "QuantityOut | None":
        return None if quantity is None else cls.of(quantity)


class PeriodOut(ApiModel):
    """The period a right is counted in (a school year, a calendar year, a window...)."""

    key: str = Field(description="2026-27 (school year), 2026, 2024-2028...", examples=["2026-27"])
    start: date = Field(description="First day", examples=["2026-09-01"])
    end: date = Field(description="Last day", examples=["2027-08-31"])
    kind: PeriodKind

    @classmethod
    def of(cls, period: Period) -> "PeriodOut":
        return cls(key=period.key, start=period.start, end=period.end, kind=period.kind)

    @classmethod
    def optional(cls, period: Period | None) -> "PeriodOut | None":
        return None if period is None else cls.of(period)


class ReferralOut(ApiModel):
    """Somewhere else the person may find help (a VDAB offer, another authority)."""

    code: str = Field(examples=["vdabTrainingOffer"])
    message: str = Field(description="In the language of Content-Language")
    url: str = Field(examples=["https://www.vdab.be/opleidingen"])

    @classmethod
    def of(cls, referral: Referral) -> "ReferralOut":
        return cls(code=referral.code, message=referral.message, url=referral.url)


def next_field() -> Any:
    """The ``next`` property of every page (Belgif: ``items`` and a ``next`` link)."""
    return Field(
        default=None,
        description="Link to the next page (the same query with a sealed `cursor`); absent on the "
        "last page",
        examples=["/transactions?ssin=85073003328&cursor=MjAyNi0xMS0yM3w0Mg.k3Jq"],
    )


PageSizeQuery = Annotated[
    int, Query(alias="pageSize", ge=1, le=200, description="Items per page (1-200)")
]
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="From a `next` link: where the page starts")
]
"""The query parameters of every paginated listing (Belgif: ``pageSize``, and the ``next``
link's own cursor)."""

LOCALISED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer, its messages in the language of `Accept-Language`",
        "headers": {
            "Content-Language": {"$ref": "#/components/headers/Content-Language"},
            "Vary": {"$ref": "#/components/headers/Vary"},
        },
    }
}
"""The 200 of an operation whose messages are localised (``Content-Language``, ``Vary``)."""
