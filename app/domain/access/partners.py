"""The partner registry: data (``app/partners.toml`` or ``LLR_PARTNERS_FILE``), validated when
the service starts, so a typo in a scope or a transaction type stops the start instead of
silently granting or refusing something."""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
    client_ids: list[str] = Field(min_length=1)
    scopes: list[str]
    citizens: Literal["any", "bound"]
    posting: _Posting

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

    def may_post(self, type_: str) -> bool:
        return ANY in self.posting_types or type_ in self.posting_types

    def may_post_incentive(self, incentive: str) -> bool:
        return ANY in self.posting_incentives or incentive in self.posting_incentives


@dataclass(frozen=True, slots=True)
class PartnerRegistry:
    partners: dict[str, PartnerPolicy]

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
    return _build(parsed)


def _build(parsed: _Registry) -> PartnerRegistry:
    seen: dict[str, str] = {}
    partners = {}
    for name, entry in parsed.partners.items():
        for client_id in entry.client_ids:
            if client_id in seen:
                raise InvalidRegistry(
                    f"client id {client_id!r} is both {seen[client_id]} and {name}"
                )
            seen[client_id] = name
        partners[name] = PartnerPolicy(
            name=name,
            title=entry.title,
            client_ids=frozenset(entry.client_ids),
            scopes=frozenset(entry.scopes),
            citizen_bound_only=entry.citizens == "bound",
            posting_types=frozenset(entry.posting.types),
            posting_incentives=frozenset(entry.posting.incentives),
        )
    return PartnerRegistry(partners)
