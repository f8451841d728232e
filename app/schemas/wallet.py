"""Response bodies of ``GET /wallet/{ssin}`` and ``GET /decisions/{decisionId}``."""

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from app.domain.quantities import Quantity
from app.domain.wallet import DecisionView, EntitlementView, RightView, WalletView
from app.schemas.base import ApiModel
from app.schemas.common import EXAMPLE_SSIN, PeriodOut, QuantityOut, ReferralOut
from app.schemas.federal import FederalAccountOut
from app.schemas.transactions import BalanceOut


class RightOut(ApiModel):
    """One right of the wallet: its balance in one period, in the right's unit.
    ``available = granted + carriedIn - reserved - used - expired``, never negative."""

    incentive: str = Field(examples=["vov"])
    pillar: Literal["money", "time"]
    unit: str = Field(examples=["HOUR"])
    period: PeriodOut
    granted: str = Field(description="Decimal string, in `unit`", examples=["100.00"])
    carried_in: str = Field(description="Carried over from earlier periods", examples=["0.00"])
    reserved: str = Field(description="Held by open reservations", examples=["20.00"])
    used: str = Field(examples=["32.00"])
    expired: str = Field(examples=["0.00"])
    available: str = Field(description="What can still be reserved or redeemed", examples=["48.00"])
    expires_on: date = Field(description="The last day the right can be used")
    status: Literal["active", "closed"] = Field(
        description="`active` while the period runs, `closed` after it"
    )
    decision_id: uuid.UUID | None = Field(
        description="The decision (receipt) the grant came from: `GET /decisions/{decisionId}`"
    )
    federal_account: FederalAccountOut | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="opleidingsrecht only (an extension): its synchronisation with the federal "
        "learning account, the source of its balance",
    )

    @classmethod
    def of(cls, right: RightView) -> "RightOut":
        money = BalanceOut.of(right.balances)
        return cls(
            incentive=right.incentive,
            pillar=right.pillar,
            unit=right.balances.unit.value,
            period=PeriodOut.of(right.period),
            granted=money.granted,
            carried_in=money.carried_in,
            reserved=money.reserved,
            used=money.used,
            expired=money.expired,
            available=money.available,
            expires_on=right.period.end,
            status=right.status,
            decision_id=right.decision_id,
            federal_account=FederalAccountOut.of(right.federal) if right.federal else None,
        )


class WalletEntitlementOut(ApiModel):
    """An incentive paid rather than held (a monthly allowance such as VOK): whether the
    citizen is entitled, and how much a month."""

    incentive: str = Field(examples=["vok"])
    status: Literal["eligible", "notEligible", "undetermined", "notModelled"]
    monthly_amount: QuantityOut | None = None
    missing_facts: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, entitlement: EntitlementView) -> "WalletEntitlementOut":
        return cls(
            incentive=entitlement.incentive,
            status=entitlement.status,
            monthly_amount=QuantityOut.optional(entitlement.monthly_amount),
            missing_facts=entitlement.missing_facts,
        )


class ExpiringOut(ApiModel):
    """A right still holding something whose period ends soon: what the citizen can miss."""

    incentive: str = Field(examples=["loopbaancheques"])
    period: str = Field(description="The period key", examples=["2025-10-01/2026-12-31"])
    available: QuantityOut
    expires_on: date
    days_left: int = Field(description="Days from asOf to expiresOn")

    @classmethod
    def of(cls, right: RightView, as_of: date) -> "ExpiringOut":
        available = Quantity.from_minor(right.balances.available, right.balances.unit)
        return cls(
            incentive=right.incentive,
            period=right.period.key,
            available=QuantityOut.of(available),
            expires_on=right.period.end,
            days_left=(right.period.end - as_of).days,
        )


class WalletOut(ApiModel):
    """A citizen's wallet at `asOf`: one entry per right, in both pillars."""

    ssin: str = Field(description="11 digits", examples=[EXAMPLE_SSIN])
    as_of: date
    rights: list[RightOut]
    expiring_soon: list[ExpiringOut] = Field(
        default_factory=list,
        description="Rights still holding something whose period ends within "
        "LLR_EXPIRING_DAYS (30) of asOf: what the citizen can still miss",
    )
    entitlements: list[WalletEntitlementOut]
    referrals: list[ReferralOut]
    facts_version: int | None = Field(default=None, description="The stored facts version used")
    rules_version: str | None = Field(default=None, examples=["2026-09-01+3f2a9c1"])

    @classmethod
    def of(cls, ssin: str, view: WalletView) -> "WalletOut":
        return cls(
            ssin=ssin,
            as_of=view.as_of,
            rights=[RightOut.of(r) for r in view.rights],
            expiring_soon=[ExpiringOut.of(r, view.as_of) for r in view.expiring_soon],
            entitlements=[WalletEntitlementOut.of(e) for e in view.entitlements],
            referrals=[ReferralOut.of(r) for r in view.referrals],
            facts_version=view.facts_version,
            rules_version=view.rules_version,
        )


class DecisionOut(ApiModel):
    """The receipt of a decision: what the rules decided, on which facts, by which rules."""

    id: uuid.UUID
    incentive: str = Field(examples=["vov"])
    period: PeriodOut | None
    status: str = Field(examples=["eligible"])
    entitlement: QuantityOut | None
    rules_version: str = Field(examples=["2026-09-01+3f2a9c1"])
    facts_version: int | None
    reasons: list[dict[str, object]]
    as_of: date
    created_at: str = Field(description="RFC 3339 instant")
    trace_id: str | None = Field(description="The BelGov-Trace-Id of the request that decided")
    replayed: Literal["same", "different"] | None = Field(
        default=None,
        description="the rules run again on the decision's own facts version for its day: "
        "`same` status and entitlement, or `different`; absent without stored facts",
    )

    @classmethod
    def of(cls, found: DecisionView) -> "DecisionOut":
        return cls(
            id=found.id,
            incentive=found.incentive,
            period=PeriodOut.optional(found.period),
            status=found.status,
            entitlement=QuantityOut.optional(found.entitlement),
            rules_version=found.rules_version,
            facts_version=found.facts_version,
            reasons=found.reasons,
            as_of=found.as_of,
            created_at=found.created_at.isoformat(),
            trace_id=found.trace_id,
            replayed=found.replayed,
        )
