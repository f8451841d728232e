"""The federal right's synchronisation as the wallet shows it (an extension of api.md's wallet
entry for ``opleidingsrecht``)."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from app.domain.federal.status import FederalStatus
from app.schemas.base import ApiModel
from app.schemas.common import QuantityOut


class YearAccrualOut(ApiModel):
    year: int
    days: QuantityOut


class FederalAccountOut(ApiModel):
    """The federal learning account is the source of this right: when the wallet last took its
    balance from it, and whether that is stale (the balance shown is then the last known)."""

    synchronised_at: datetime | None = Field(
        description="when this citizen's federal right was last synchronised (null: never)"
    )
    last_sync_at: datetime | None = Field(description="the last successful sync of the feed")
    stale: bool
    stale_reason: (
        Literal["federalAccountUnavailable", "notSynchronisedRecently", "neverSynchronised"] | None
    ) = None
    federal_version: int | None = None
    federal_balance: QuantityOut | None = None
    year_accrual: YearAccrualOut | None = Field(
        default=None, description="what the year of asOf accrued inside the window"
    )
    accruals: list[YearAccrualOut] = Field(default_factory=list)

    @classmethod
    def of(cls, status: FederalStatus) -> "FederalAccountOut":
        year = status.year_accrual
        return cls(
            synchronised_at=status.synchronised_at,
            last_sync_at=status.last_sync_at,
            stale=status.stale,
            stale_reason=status.stale_reason,
            federal_version=status.federal_version,
            federal_balance=QuantityOut.of(status.federal_balance)
            if status.federal_balance
            else None,
            year_accrual=YearAccrualOut(year=status.year, days=QuantityOut.of(year))
            if year
            else None,
            accruals=[
                YearAccrualOut(year=y, days=QuantityOut.of(d)) for y, d in status.accruals.items()
            ],
        )
