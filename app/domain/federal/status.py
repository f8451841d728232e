"""What the wallet says of the federal right beside its balance: when it was last synchronised
with the federal learning account, the year's accrual, and whether it is stale. The wallet never
calls the federal account (its answer must not wait on, or fail with, an outside service): it
shows the last balance the sync posted, marked stale when the last sync failed (the federal
account was down) or is older than the allowed age."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.federal import store
from app.domain.quantities import Quantity, Unit


@dataclass(frozen=True, slots=True)
class FederalStatus:
    synchronised_at: datetime | None
    """When this citizen's federal right was last synchronised (None: never)."""
    last_sync_at: datetime | None
    """When the last sync of the whole feed succeeded."""
    stale: bool
    stale_reason: str | None
    """``federalAccountUnavailable``, ``notSynchronisedRecently`` or ``neverSynchronised``."""
    federal_version: int | None
    federal_balance: Quantity | None
    accruals: dict[int, Quantity]
    """Days accrued per year of the window, per the federal account."""
    year: int
    year_accrual: Quantity | None
    """What the year of ``asOf`` accrued, per the federal account."""


def _stale(state: store.SyncState | None, now: datetime, age: timedelta) -> str | None:
    if state is None or state.last_success_at is None:
        if state is not None and state.last_error is not None:
            return "federalAccountUnavailable"
        return "neverSynchronised"
    if state.last_error is not None and (
        state.last_attempt_at is None or state.last_attempt_at >= state.last_success_at
    ):
        return "federalAccountUnavailable"
    if now - state.last_success_at > age:
        return "notSynchronisedRecently"
    return None


async def federal_status(
    session: AsyncSession, citizen_key: str, as_of: date, now: datetime, stale_after: timedelta
) -> dict[str, FederalStatus]:
    """Per window key, for the windows the sync saw the citizen in; ``""`` when none."""
    state = await store.read_state(session)
    why = _stale(state, now, stale_after)
    found: dict[str, FederalStatus] = {}
    for mirror in await store.mirrors_of(session, citizen_key):
        accruals = {y: Quantity.from_minor(d, Unit.DAY) for y, d in sorted(mirror.accrued.items())}
        found[mirror.window_key] = FederalStatus(
            mirror.synced_at,
            state.last_success_at if state else None,
            why is not None,
            why,
            mirror.federal_version,
            Quantity.from_minor(mirror.balance, Unit.DAY),
            accruals,
            as_of.year,
            accruals.get(as_of.year),
        )
    # a right in a window the sync never saw this citizen in (posted by another door)
    found[""] = FederalStatus(
        None,
        state.last_success_at if state else None,
        True,
        why or "neverSynchronised",
        None,
        None,
        {},
        as_of.year,
        None,
    )
    return found
