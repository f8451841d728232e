"""What the ledger needs from the rest of the domain, as protocols (the rules engine and the
wallet provide them), so the ledger does not depend on how rights are decided."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.identity import Ssin
from app.domain.ledger.repository import RightState
from app.domain.periods import Period
from app.domain.quantities import Unit
from app.domain.vault import SsinVault


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the partner (door) and the trace of the request."""

    partner: str
    trace_id: str | None = None


@dataclass(frozen=True, slots=True)
class CitizenRef:
    ssin: Ssin
    key: str


class IncentiveCatalog(Protocol):
    def knows(self, incentive: str) -> bool: ...

    def pillar(self, incentive: str) -> str: ...

    def unit(self, incentive: str, day: date) -> Unit:
        """The unit the incentive counts in on ``day`` (a regime may change it)."""
        ...

    def holds_balance(self, incentive: str) -> bool: ...

    def period_for(self, incentive: str, day: date) -> Period: ...

    def funding_shares(self, incentive: str, day: date) -> dict[str, Decimal]: ...

    def carry_over_cap(self, incentive: str, day: date) -> Decimal:
        """How much of a period's unused balance moves to the next (0: it expires)."""
        ...

    def carry_over_validity(self, incentive: str, day: date) -> int:
        """How many periods after its own a carried balance stays usable."""
        ...


class Entitlements(Protocol):
    def uses_facts(self, incentive: str) -> bool:
        """Whether rights to ``incentive`` come from the citizen's facts (then the right is read
        with the citizen's latest facts, and settled before it is drawn on)."""
        ...

    async def settle_right(
        self,
        session: AsyncSession,
        citizen: CitizenRef,
        vault: SsinVault,
        incentive: str,
        period: Period,
        state: RightState,
        now: datetime,
        trace_id: str | None,
    ) -> RightState:
        """Brings the right (locked in ``state``) to what the rules say, and returns it as it then
        stands."""
        ...

    async def training_covered(
        self,
        session: AsyncSession,
        citizen: CitizenRef,
        incentive: str,
        training: dict[str, Any],
        today: date,
    ) -> bool | None:
        """Whether the incentive covers the training (None: cannot tell from what is known)."""
        ...


class ExplicitGrantsOnly:
    """Entitlements when rights come only from explicit grants (no rules-based settlement)."""

    def uses_facts(self, incentive: str) -> bool:
        return False

    async def settle_right(
        self,
        session: AsyncSession,
        citizen: CitizenRef,
        vault: SsinVault,
        incentive: str,
        period: Period,
        state: RightState,
        now: datetime,
        trace_id: str | None,
    ) -> RightState:
        return state

    async def training_covered(
        self,
        session: AsyncSession,
        citizen: CitizenRef,
        incentive: str,
        training: dict[str, Any],
        today: date,
    ) -> bool | None:
        return None
