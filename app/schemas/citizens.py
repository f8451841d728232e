"""Request and response bodies of ``PUT`` and ``GET /citizens/{ssin}/facts``."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import Field

from app.domain.dates import Instant, IsoDate
from app.domain.operations import FactsDeclared
from app.domain.rules import Facts
from app.domain.rules.facts_store import StoredFacts
from app.schemas.base import ApiModel
from app.schemas.examples import EXAMPLE_FACTS, EXAMPLE_SSIN

Source = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


class FactsDeclaration(ApiModel):
    """Facts a partner holding them declares: a new version on top of the previous one."""

    facts: Facts = Field(examples=[EXAMPLE_FACTS])
    source: Source = Field(
        description="Where the facts come from (a register, or `citizen`)", examples=["dmfa"]
    )
    observed_on: IsoDate = Field(
        description="Valid time: the day from which the declared facts hold (may lie in the "
        "past: a late correction; not after today)",
        examples=["2026-09-01"],
    )

    def declared(self) -> FactsDeclared:
        return FactsDeclared(self.facts, self.source, self.observed_on)


_COPIED = ("version", "facts", "source", "observed_on", "recorded_at", "recorded_by")


class FactsVersionOut(ApiModel):
    """One version of a citizen's facts (every change is kept, never overwritten)."""

    ssin: str = Field(description="11 digits", examples=[EXAMPLE_SSIN])
    version: int = Field(examples=[1])
    facts: Facts
    source: str = Field(examples=["dmfa"])
    observed_on: date = Field(description="Valid time: from when the facts hold")
    recorded_at: datetime = Field(description="Transaction time: when the service learnt them")
    recorded_by: str = Field(description="The partner that declared them", examples=["vdab"])
    versions: list[int] | None = Field(
        default=None,
        description="With validOn: the versions whose declarations make up these facts",
    )

    @classmethod
    def of(cls, ssin: str, stored: StoredFacts) -> "FactsVersionOut":
        copied: dict[str, Any] = {name: getattr(stored, name) for name in _COPIED}
        return cls(ssin=ssin, versions=list(stored.versions) or None, **copied)


VersionQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="One recorded version (default: the latest)")
]
KnownAtQuery = Annotated[
    Instant | None,
    Query(
        alias="knownAt",
        description="As the service knew them at this instant (RFC 3339, e.g. "
        "`2026-11-23T10:00:00Z`)",
    ),
]
ValidOnQuery = Annotated[
    IsoDate | None,
    Query(
        alias="validOn", description="The facts valid on this day (valid time, e.g. `2026-09-01`)"
    ),
]
