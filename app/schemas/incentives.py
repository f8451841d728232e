"""Response bodies of ``GET /incentives`` and ``GET /incentives/{code}``: the catalogue and its
dated parameters."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from app.domain.errors import NotFound
from app.domain.periods import PeriodKind
from app.domain.quantities import Unit
from app.domain.rules import INCENTIVES, validated_book
from app.domain.rules.parameters import DatedValue
from app.domain.sector import SectorIncentive
from app.schemas.base import ApiModel
from app.schemas.common import PeriodOut


class DatedValueOut(ApiModel):
    effective_from: date
    value: str | int | bool | date = Field(description="Decimals as strings")
    source: str
    verified: bool
    note: str | None = None


class ParameterOut(ApiModel):
    name: str
    kind: Literal["decimal", "integer", "flag", "text", "date"]
    description: str
    in_force: DatedValueOut | None = Field(description="The value in force at asOf")
    history: list[DatedValueOut]


class IncentiveOut(ApiModel):
    """An incentive of the catalogue: what it is, and its dated parameters."""

    code: str = Field(examples=["vov"])
    name: str = Field(description="In the language of Content-Language")
    names: dict[str, str] = Field(description="nl, fr, en, de")
    pillar: Literal["money", "time"]
    unit: Unit
    period_kind: PeriodKind
    holds_balance: bool = Field(
        description="Rights held in the wallet (false: paid per month, such as VOK)"
    )
    legal_basis: str
    in_force_from: date = Field(description="The first day the service models it")
    current_period: PeriodOut | None = Field(description="The period in force at asOf")
    parameters: list[ParameterOut]
    fund: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="a sector fund's incentive (an extension): the fund (a partner of kind "
        "`sector`) that grants and books it, and no one else",
    )
    url: str | None = Field(default=None, exclude_if=lambda v: v is None)
    co_financing: dict[str, str] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="who pays what share of a use (a sector fund's money right)",
    )

    @classmethod
    def of(
        cls,
        code: str,
        as_of: date,
        language: str,
        sector: Mapping[str, SectorIncentive] | None = None,
    ) -> "IncentiveOut":
        sector = sector or {}
        if code in sector:
            return sector_incentive_out(sector[code], as_of, language)
        if code not in INCENTIVES:
            known = ", ".join([*INCENTIVES, *sector])
            raise NotFound(f"No incentive {code!r}; known: {known}")
        return incentive_out(code, as_of, language)


class IncentiveList(ApiModel):
    """The whole catalogue at asOf."""

    as_of: date
    rules_version: str = Field(examples=["2026-09-01+3f2a9c1"])
    items: list[IncentiveOut]

    @classmethod
    def of(
        cls, as_of: date, language: str, sector: Mapping[str, SectorIncentive] | None = None
    ) -> "IncentiveList":
        return cls(
            as_of=as_of,
            rules_version=validated_book().rules_version(as_of),
            items=[incentive_out(code, as_of, language) for code in INCENTIVES]
            + [sector_incentive_out(found, as_of, language) for found in (sector or {}).values()],
        )


def _dated(dated: DatedValue) -> DatedValueOut:
    value = dated.value
    shown = format(value, "f") if isinstance(value, Decimal) else value
    return DatedValueOut(
        effective_from=dated.effective_from,
        value=shown,
        source=dated.source,
        verified=dated.verified,
        note=dated.note,
    )


def sector_incentive_out(found: SectorIncentive, as_of: date, language: str) -> IncentiveOut:
    """A sector fund's incentive: its data file's declaration (no dated parameters: the fund
    grants the right, no rule computes it)."""
    in_force = as_of >= found.in_force_from
    return IncentiveOut(
        code=found.code,
        name=found.names.get(language, found.names["en"]),
        names=dict(found.names),
        pillar=found.pillar,
        unit=found.unit,
        period_kind=found.period_kind,
        holds_balance=True,
        legal_basis=found.legal_basis,
        in_force_from=found.in_force_from,
        current_period=PeriodOut.optional(found.period_for(as_of)) if in_force else None,
        parameters=[],
        fund=found.fund,
        url=found.url,
        co_financing={payer: str(share) for payer, share in found.co_financing.items()} or None,
    )


def incentive_out(code: str, as_of: date, language: str) -> IncentiveOut:
    """The catalogue entry of an incentive: definition, names, and its dated parameters."""
    definition, params = INCENTIVES[code], validated_book()[code]
    parameters = []
    for parameter in params.parameters.values():
        current = parameter.at(as_of)
        parameters.append(
            ParameterOut(
                name=parameter.name,
                kind=parameter.kind,
                description=parameter.description,
                in_force=_dated(current) if current else None,
                history=[_dated(d) for d in parameter.history],
            )
        )
    in_force = as_of >= params.in_force_from
    return IncentiveOut(
        code=code,
        name=params.names.get(language, params.names["en"]),
        names=dict(params.names),
        pillar=definition.pillar,
        unit=definition.unit_for(as_of) if in_force else definition.unit,
        period_kind=definition.period_kind,
        holds_balance=definition.holds_balance,
        legal_basis=params.legal_basis,
        in_force_from=params.in_force_from,
        current_period=PeriodOut.optional(definition.period_for(as_of)) if in_force else None,
        parameters=parameters,
    )
