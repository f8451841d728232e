"""The partner registry: data (``app/partners.toml`` or ``LLR_PARTNERS_FILE``), validated when
the service starts, so a typo in a scope or a transaction type stops the start instead of
silently granting or refusing something."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from app.domain.sector import SectorIncentive, load_sector_file

SCOPES = frozenset(
    {
        "llr:eligibility",
        "llr:wallet:read",
        "llr:transactions:read",
        "llr:transactions:write",
        "llr:facts:write",
        "llr:statistics:read",
        "llr:audit:read",
    }
)
POSTING_TYPES = frozenset({"reserve", "capture", "release", "redeem", "grant", "reverse"})
SECTOR_POSTING = frozenset({"grant", "reserve", "capture", "release", "redeem"})
ANY = "*"
DEFAULT_FILE = Path(__file__).resolve().parent.parent.parent / "partners.toml"


class InvalidRegistry(ValueError):
    """The partner registry file is not valid; the message names the partner and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Posting(_Strict):
    types: list[str]
    incentives: list[str]

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = set(value) - POSTING_TYPES - {ANY}
        if unknown:
            raise ValueError(f"unknown transaction types {sorted(unknown)}")
        return value


class _Partner(_Strict):
    title: str
    kind: Literal["door", "sector"] = "door"
    client_ids: list[str] = Field(min_length=1)
    scopes: list[str]
    citizens: Literal["any", "bound"]
    posting: _Posting | None = None
    incentives_file: str | None = None
    """A sector fund's incentives (relative to the registry file)."""

    @model_validator(mode="after")
    def _kind_fits(self) -> "_Partner":
        if self.kind == "sector":
            if self.incentives_file is None:
                raise ValueError("a sector fund names its incentives_file")
            if self.posting is not None:
                raise ValueError(
                    "a sector fund posts grant, reserve, capture, release and redeem of its own "
                    "incentives: it declares no posting"
                )
        else:
            if self.posting is None:
                raise ValueError("posting is required")
            if self.incentives_file is not None:
                raise ValueError("only a partner of kind sector has an incentives_file")
        return self

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: list[str]) -> list[str]:
        unknown = set(value) - SCOPES
        if unknown:
            raise ValueError(f"unknown scopes {sorted(unknown)}")
        return value


class _Registry(_Strict):
    partners: dict[str, _Partner] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class PartnerPolicy:
    """What one partner may do, whoever its token was issued by."""

    name: str
    title: str
    client_ids: frozenset[str]
    scopes: frozenset[str]
    citizen_bound_only: bool
    posting_types: frozenset[str]
    posting_incentives: frozenset[str]
    kind: str = "door"
    foreign_incentives: frozenset[str] = frozenset()
    """Sector funds' incentives: posted by their own fund only, whatever ``*`` says."""

    def may_post(self, type_: str) -> bool:
        return ANY in self.posting_types or type_ in self.posting_types

    def may_post_incentive(self, incentive: str) -> bool:
        if incentive in self.foreign_incentives:
            return False
        return ANY in self.posting_incentives or incentive in self.posting_incentives


@dataclass(frozen=True, slots=True)
class PartnerRegistry:
    partners: dict[str, PartnerPolicy]
    sector_incentives: dict[str, SectorIncentive] = field(default_factory=dict)

    def by_client_id(self, client_id: str) -> PartnerPolicy | None:
        for policy in self.partners.values():
            if client_id in policy.client_ids:
                return policy
        return None

    def __getitem__(self, name: str) -> PartnerPolicy:
        return self.partners[name]


def load_registry(path: Path | None = None) -> PartnerRegistry:
    path = path or DEFAULT_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        parsed = _Registry.model_validate(raw)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidRegistry(f"cannot read the partner registry {path}: {exc}") from exc
    except ValidationError as exc:
        raise InvalidRegistry(f"invalid partner registry {path}: {exc}") from exc
    return _build(parsed, _sector_incentives(parsed, path.parent))


def _sector_incentives(parsed: _Registry, folder: Path) -> dict[str, SectorIncentive]:
    """Every sector fund's incentives, each code once and none a rule's code."""
    from app.domain.rules import INCENTIVES
    from app.domain.sector import InvalidSectorFile

    found: dict[str, SectorIncentive] = {}
    for name, entry in parsed.partners.items():
        if entry.kind != "sector" or entry.incentives_file is None:
            continue
        try:
            incentives = load_sector_file(folder / entry.incentives_file, name)
        except InvalidSectorFile as exc:
            raise InvalidRegistry(str(exc)) from exc
        for code in incentives:
            if code in INCENTIVES:
                raise InvalidRegistry(f"{name}: incentive {code!r} is the code of a rule")
            if code in found:
                raise InvalidRegistry(f"{name}: incentive {code!r} is already {found[code].fund}'s")
        found |= incentives
    return found


def _build(parsed: _Registry, sector: dict[str, SectorIncentive]) -> PartnerRegistry:
    seen: dict[str, str] = {}
    partners = {}
    for name, entry in parsed.partners.items():
        for client_id in entry.client_ids:
            if client_id in seen:
                raise InvalidRegistry(
                    f"client id {client_id!r} is both {seen[client_id]} and {name}"
                )
            seen[client_id] = name
        own = frozenset(code for code, i in sector.items() if i.fund == name)
        types, incentives = (
            (entry.posting.types, entry.posting.incentives)
            if entry.posting
            else (SECTOR_POSTING, own)
        )
        partners[name] = PartnerPolicy(
            name=name,
            title=entry.title,
            client_ids=frozenset(entry.client_ids),
            scopes=frozenset(entry.scopes),
            citizen_bound_only=entry.citizens == "bound",
            posting_types=frozenset(types),
            posting_incentives=frozenset(incentives),
            kind=entry.kind,
            foreign_incentives=frozenset(sector) - own,
        )
    return PartnerRegistry(partners, sector)
