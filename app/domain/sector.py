"""Sector incentives as data: the training rights of sector funds (the training funds of the
joint committees), each fund a partner of kind ``sector`` in the registry whose incentives are
declared in a TOML file of its own. Validated when the service starts, with the file, the
incentive and the field named: a bad file stops the start. Held in the ledger like any other
right, posted only by their own fund; no rule computes them (the fund grants them).

A file: ``[incentives.<code>]`` with ``names`` (nl, fr, en, de), ``pillar`` (money, time),
``unit`` (EUR, HOUR, DAY, MONTH, VOUCHER), ``periodKind`` (calendarYear, schoolYear, lifetime),
``legalBasis``, ``url`` (https), ``inForceFrom`` (a date), and for money rights optionally
``coFinancing`` (payer -> share, shares adding up to 1; default the fund pays all)."""

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from app.domain.ledger.funding import PAYERS
from app.domain.periods import LIFETIME, Period, PeriodKind, calendar_year, school_year
from app.domain.quantities import Unit

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-zA-Z0-9]{2,39}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
PERIODS: Mapping[str, tuple[PeriodKind, Callable[[date], Period]]] = {
    "calendarYear": (PeriodKind.CALENDAR_YEAR, calendar_year),
    "schoolYear": (PeriodKind.SCHOOL_YEAR, school_year),
    "lifetime": (PeriodKind.LIFETIME, lambda _day: LIFETIME),
}
UNITS = {"money": {Unit.EUR, Unit.VOUCHER}, "time": {Unit.HOUR, Unit.DAY, Unit.MONTH}}


class InvalidSectorFile(ValueError):
    """A sector fund's incentives file is not valid; the message names the file and field."""


class _Names(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    nl: Text
    fr: Text
    en: Text
    de: Text


class _Incentive(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    names: _Names
    pillar: Literal["money", "time"]
    unit: Unit
    period_kind: Literal["calendarYear", "schoolYear", "lifetime"] = Field(alias="periodKind")
    legal_basis: Text = Field(alias="legalBasis")
    url: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$", max_length=300)]
    in_force_from: date = Field(alias="inForceFrom")
    co_financing: dict[str, Decimal] | None = Field(default=None, alias="coFinancing")

    @model_validator(mode="after")
    def _consistent(self) -> "_Incentive":
        if self.unit not in UNITS[self.pillar]:
            allowed = ", ".join(sorted(u.value for u in UNITS[self.pillar]))
            raise ValueError(f"a {self.pillar} right is counted in {allowed}, not {self.unit}")
        if self.co_financing is not None:
            if self.unit is not Unit.EUR:
                raise ValueError("coFinancing: only money rights in EUR are co-financed")
            unknown = sorted(set(self.co_financing) - set(PAYERS))
            if unknown:
                raise ValueError(f"coFinancing: unknown payers {unknown}; payers are {PAYERS}")
            if any(not 0 < share <= 1 for share in self.co_financing.values()):
                raise ValueError("coFinancing: each share lies in (0, 1]")
            if sum(self.co_financing.values()) != 1:
                raise ValueError("coFinancing: the shares must add up to 1")
        return self


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    incentives: dict[Code, _Incentive] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class SectorIncentive:
    code: str
    fund: str
    """The partner (the sector fund) that grants and books it, and no one else."""
    names: dict[str, str]
    pillar: Literal["money", "time"]
    unit: Unit
    period_kind: PeriodKind
    legal_basis: str
    url: str
    in_force_from: date
    co_financing: dict[str, Decimal] = field(default_factory=dict)
    period_rule: Callable[[date], Period] = field(default=calendar_year, repr=False)

    def period_for(self, day: date) -> Period:
        return self.period_rule(day)


def load_sector_file(path: Path, fund: str) -> dict[str, SectorIncentive]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        parsed = _File.model_validate(raw)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidSectorFile(f"cannot read {fund}'s incentives file {path}: {exc}") from exc
    except ValidationError as exc:
        issues = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidSectorFile(f"{path} ({fund}): {issues}") from exc
    found = {}
    for code, entry in parsed.incentives.items():
        kind, rule = PERIODS[entry.period_kind]
        shares = entry.co_financing
        if shares is None and entry.unit is Unit.EUR:
            shares = {"sectorFund": Decimal(1)}
        found[code] = SectorIncentive(
            code=code,
            fund=fund,
            names=entry.names.model_dump(),
            pillar=entry.pillar,
            unit=entry.unit,
            period_kind=kind,
            legal_basis=entry.legal_basis,
            url=entry.url,
            in_force_from=entry.in_force_from,
            co_financing=dict(shares or {}),
            period_rule=rule,
        )
    return found
