"""Corrections: facts recorded today that hold from a past date correct the rights they reach.

A right settled for a period is decided again, on the facts valid on its incentive's reference
date as the service now knows them, for the day its last decision was made (the periods still
running: for today), and what differs is posted by the one settlement path as an adjustment whose
receipt says why. Only rights settlement granted are corrected: a manual grant or a reversal
someone posted stays as it was, and a period nobody's read ever settled is settled when read."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.facts_in_time import evaluate_in_time
from app.domain.grants import Target
from app.domain.ledger.ports import CitizenRef
from app.domain.ledger.repository import lock_right
from app.domain.periods import BRUSSELS, parse_key
from app.domain.quantities import Unit
from app.domain.rules import INCENTIVES
from app.domain.settlement import Decided, settle_locked
from app.domain.vault import SsinVault

SETTLED_RIGHTS = text(
    "SELECT DISTINCT ON (t.incentive, t.period_key) t.incentive, t.period_key, t.unit, d.as_of "
    "FROM ledger_transactions t JOIN decisions d ON d.id = t.decision_id "
    "WHERE t.citizen_key = CAST(:key AS bpchar) AND t.decision_id IS NOT NULL "
    "ORDER BY t.incentive, t.period_key, t.created_at DESC"
)


@dataclass(frozen=True, slots=True)
class Corrected:
    incentive: str
    period_key: str
    day: date
    """The day the rules decided for."""


async def correct_rights(
    session: AsyncSession,
    citizen: CitizenRef,
    vault: SsinVault,
    valid_from: date,
    version: int,
    now: datetime,
    trace_id: str | None,
) -> list[Corrected]:
    """Decides again every settled right whose period ends on or after ``valid_from`` (the
    facts version ``version`` holds from then), and posts the differences."""
    today = now.astimezone(BRUSSELS).date()
    why = {
        "reason": f"correction: facts version {version}, valid from {valid_from.isoformat()}, "
        f"recorded {today.isoformat()}"
    }
    corrected = []
    rows = (await session.execute(SETTLED_RIGHTS, {"key": citizen.key})).all()
    order = {code: n for n, code in enumerate(INCENTIVES)}  # the lock order of a wallet read
    for row in sorted(rows, key=lambda r: (order.get(r.incentive, len(order)), r.period_key)):
        period = parse_key(row.period_key)
        if row.incentive not in INCENTIVES or period.end < valid_from:
            continue
        day = today if period.contains(today) else row.as_of
        state = await lock_right(
            session,
            now,
            citizen_key=citizen.key,
            incentive=row.incentive,
            period_key=row.period_key,
            unit=Unit(row.unit),
            facts=True,
        )
        assert state is not None
        found = evaluate_in_time(state.facts, citizen, day, only=row.incentive)
        target = Target.of(found.evaluation.results[0]) if found else None
        if found is None or target is None or target.result.period != period:
            continue
        decided = Decided(
            target, found.evaluation.rules_version, found.receipt(row.incentive), day, why
        )
        after = await settle_locked(session, citizen, vault, state, decided, now, trace_id)
        if after.settled != state.settled:
            corrected.append(Corrected(row.incentive, row.period_key, day))
    return corrected
