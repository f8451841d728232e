"""The wallet: facts + rules -> grants -> balances, for one citizen at a date.

Read for today, the wallet first settles the rights the rules grant (once; adjustments when the
facts change). Read for another day, it only reads: balances as they stood at the end of that
day (or as they will stand, for what is already on the record)."""

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit import Access
from app.domain.citizens import citizen_ssin
from app.domain.errors import InvalidInput
from app.domain.facts_in_time import evaluate_in_time
from app.domain.federal.status import FederalStatus, federal_status
from app.domain.grants import with_birth_date
from app.domain.ledger.balances import Balances, fold
from app.domain.ledger.ports import Actor, CitizenRef, IncentiveCatalog
from app.domain.ledger.repository import RightRead, read_wallet
from app.domain.ledger.service import Ledger
from app.domain.ledger.tables import decision_reasons, decisions
from app.domain.periods import BRUSSELS, Period, parse_key
from app.domain.quantities import Quantity, Unit
from app.domain.rules import INCENTIVES, Facts, Referral, evaluate
from app.domain.rules.facts_store import facts_valid_on
from app.domain.rules.reference import reference_date
from app.domain.rules.referrals import referrals as referrals_for
from app.domain.settlement import materialise
from app.domain.vault import SsinVault
from app.domain.webhooks.expiring import expires_soon

FEDERAL_RIGHT = "opleidingsrecht"
"""Posted by the federal learning account (``llr federal sync``): its right shows when it was
last synchronised, and whether that is stale."""


@dataclass(frozen=True, slots=True)
class RightView:
    incentive: str
    pillar: str
    period: Period
    balances: Balances
    status: str
    """``active`` while the period runs, ``closed`` after it."""
    decision_id: uuid.UUID | None
    federal: FederalStatus | None = None
    """The federal training right's synchronisation with the federal account (an extension)."""


@dataclass(frozen=True, slots=True)
class EntitlementView:
    incentive: str
    status: str
    monthly_amount: Quantity | None
    missing_facts: list[str]


@dataclass(frozen=True, slots=True)
class WalletView:
    as_of: date
    rights: list[RightView]
    entitlements: list[EntitlementView]
    referrals: list[Referral]
    facts_version: int | None
    rules_version: str | None
    expiring_soon: list[RightView]
    """The rights still holding something whose period ends within the days asked: what the
    citizen can still miss (the rule of the ``right.expiring`` event)."""


@dataclass(frozen=True, slots=True)
class WalletOptions:
    """How a wallet read is judged (from the settings)."""

    expiring_days: int = 30
    """``expiringSoon``: rights ending within so many days (the rule of ``right.expiring``)."""
    federal_stale_after: timedelta = timedelta(hours=26)
    """The federal right is marked stale when its last sync is older."""


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), BRUSSELS) - timedelta(microseconds=1)


async def wallet(
    ledger: Ledger,
    actor: Actor,
    citizen: CitizenRef,
    as_of: date,
    language: str,
    access: Access | None = None,
    known_at: datetime | None = None,
    options: WalletOptions | None = None,
) -> WalletView:
    """The wallet in one read of the record (which also appends ``access`` to the log); a
    second read only after settlement posted something. With ``known_at``, the answer the
    service gave at that instant: the record and the facts as they stood then, nothing settled."""
    session, options = ledger.session, options or WalletOptions()
    if known_at is not None and known_at > ledger.now:
        raise InvalidInput("knownAt", known_at.isoformat(), "knownAt lies in the future", "query")
    current = as_of == ledger.today and known_at is None
    # Read for today, everything posted counts (also what a concurrent request committed a
    # moment ago); read for another day, what was posted by the end of that day (or by
    # ``known_at``, when that came first).
    at = ledger.now if current else end_of_day(as_of)
    if known_at is not None:
        at = min(at, known_at)
    read = await read_wallet(session, citizen.key, None if current else at, at, access)
    found = evaluate_in_time(read.facts, citizen, as_of, language)
    evaluation = found.evaluation if found else None
    if current and found is not None:
        settled = {(r.incentive, r.period_key): r.settled for r in read.rights}
        if await materialise(
            session, citizen, ledger.vault, found, ledger.now, actor.trace_id, settled
        ):
            read = await read_wallet(session, citizen.key, None, at)
    entitlements = [
        EntitlementView(r.incentive, r.status, r.monthly_amount, r.missing_facts)
        for r in (evaluation.results if evaluation else [])
        if not INCENTIVES[r.incentive].holds_balance
    ]
    referrals = evaluation.referrals if evaluation else referrals_for(Facts(), [], language)
    rights = _rights(read.rights, as_of, ledger.catalog)
    if current and any(r.incentive == FEDERAL_RIGHT for r in rights):
        statuses = await federal_status(
            session, citizen.key, as_of, ledger.now, options.federal_stale_after
        )
        rights = [
            replace(r, federal=statuses.get(r.period.key, statuses[""]))
            if r.incentive == FEDERAL_RIGHT
            else r
            for r in rights
        ]
    return WalletView(
        as_of,
        rights,
        entitlements,
        referrals,
        found.on_day.version if found else None,
        evaluation.rules_version if evaluation else None,
        [
            r
            for r in rights
            if r.balances.available > 0 and expires_soon(r.period, as_of, options.expiring_days)
        ],
    )


def _rights(read: list[RightRead], as_of: date, catalog: IncentiveCatalog) -> list[RightView]:
    rights = []
    for right in read:
        period = parse_key(right.period_key)
        if not period.contains(as_of) or not catalog.knows(right.incentive):
            continue
        balances = fold(right.unit, right.nets, right.overdue, as_of > period.end)
        if balances == Balances(right.unit):
            continue  # opened, never moved (e.g. a decision that granted nothing)
        rights.append(
            RightView(
                right.incentive,
                catalog.pillar(right.incentive),
                period,
                balances,
                "closed" if as_of > period.end else "active",
                right.decision_id,
            )
        )
    return rights


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: uuid.UUID
    citizen_key: str
    incentive: str
    period: Period | None
    status: str
    entitlement: Quantity | None
    rules_version: str
    facts_version: int | None
    reasons: list[dict[str, object]]
    as_of: date
    created_at: datetime
    trace_id: str | None
    replayed: str | None = None
    """``same`` when the rules, run again on the facts version the decision used and for its
    day, reach the same status and entitlement; ``different`` when not; None without facts."""


async def decision(
    session: AsyncSession, vault: SsinVault, decision_id: uuid.UUID
) -> DecisionView | None:
    row = (
        await session.execute(
            select(decisions, decision_reasons.c.reasons)
            .join(decision_reasons, decision_reasons.c.hash == decisions.c.reasons_hash)
            .where(decisions.c.id == decision_id)
        )
    ).first()
    if row is None:
        return None
    return DecisionView(
        row.id,
        row.citizen_key,
        row.incentive,
        parse_key(row.period_key) if row.period_key else None,
        row.status,
        Quantity.from_minor(row.entitlement, Unit(row.unit)) if row.unit else None,
        row.rules_version,
        row.facts_version,
        row.reasons,
        row.as_of,
        row.created_at,
        row.trace_id,
        await _replayed(session, vault, row),
    )


async def _replayed(
    session: AsyncSession,
    vault: SsinVault,
    row: Row[Any],
) -> str | None:
    """The decision made again for its own day, on the facts valid on its incentive's reference
    date as the service knew them when it decided."""
    if row.facts_id is None or row.incentive not in INCENTIVES:
        return None
    when = reference_date(row.incentive, row.as_of)
    stored = await facts_valid_on(session, row.citizen_key, when, known_at=row.created_at)
    if stored is None:
        return None
    ssin = await citizen_ssin(session, vault, row.citizen_key)
    facts = (
        with_birth_date(stored.facts, CitizenRef(ssin, row.citizen_key)) if ssin else stored.facts
    )
    again = evaluate(facts, row.as_of, incentives=[row.incentive]).results[0]
    same = (
        again.status == row.status
        and (again.entitlement.minor if again.entitlement else None) == row.entitlement
    )
    return "same" if same else "different"
