"""The wallet: facts + rules -> grants -> balances, for one citizen at a date.

Read for today, the wallet first settles the rights the rules grant (once; adjustments when the
facts change). Read for another day, it only reads: balances as they stood at the end of that
day (or as they will stand, for what is already on the record)."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, true
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.grants import with_birth_date
from app.domain.ledger.balances import Balances, citizen_balances
from app.domain.ledger.ports import Actor, CitizenRef
from app.domain.ledger.service import Ledger
from app.domain.ledger.tables import accounts, decision_reasons, decisions, transactions
from app.domain.periods import BRUSSELS, Period, parse_key
from app.domain.quantities import Quantity, Unit
from app.domain.rules import INCENTIVES, Evaluation, Facts, Referral, evaluate, latest_facts
from app.domain.rules.referrals import referrals as referrals_for
from app.domain.settlement import materialise


@dataclass(frozen=True, slots=True)
class RightView:
    incentive: str
    pillar: str
    period: Period
    balances: Balances
    status: str
    """``active`` while the period runs, ``closed`` after it."""
    decision_id: uuid.UUID | None


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


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), BRUSSELS) - timedelta(microseconds=1)


async def wallet(
    ledger: Ledger, actor: Actor, citizen: CitizenRef, as_of: date, language: str
) -> WalletView:
    session = ledger.session
    current = as_of == ledger.today
    at = ledger.now if current else end_of_day(as_of)
    stored = await latest_facts(session, citizen.key, None if current else at)
    evaluation: Evaluation | None = None
    if stored is not None:
        evaluation = evaluate(with_birth_date(stored.facts, citizen), as_of, language=language)
        if current:
            await materialise(session, citizen, ledger.vault.seal(citizen.ssin), stored,
                              evaluation, ledger.now, actor.trace_id)  # fmt: skip
    # Read for today, everything posted counts (also what a concurrent request committed a
    # moment ago); read for another day, what was posted by the end of that day.
    rights = await _rights(session, citizen.key, as_of, None if current else at, at)
    entitlements = [
        EntitlementView(r.incentive, r.status, r.monthly_amount, r.missing_facts)
        for r in (evaluation.results if evaluation else [])
        if not INCENTIVES[r.incentive].holds_balance
    ]
    found = evaluation.referrals if evaluation else referrals_for(Facts(), [], language)
    return WalletView(
        as_of, rights, entitlements, found,
        stored.version if stored else None, evaluation.rules_version if evaluation else None,
    )  # fmt: skip


async def _rights(
    session: AsyncSession, citizen_key: str, as_of: date, at: datetime | None, now: datetime
) -> list[RightView]:
    rows = await session.execute(
        select(accounts.c.incentive, accounts.c.period_key, accounts.c.unit)
        .where(accounts.c.citizen_key == citizen_key, accounts.c.kind == "available")
        .order_by(accounts.c.incentive, accounts.c.period_key)
    )
    shown = {}
    for incentive, period_key, unit in rows:
        period = parse_key(period_key)
        if period.contains(as_of) and incentive in INCENTIVES:
            shown[incentive, period_key] = (period, Unit(unit))
    if not shown:
        return []
    # three queries for the whole wallet, however many rights it shows
    balances = await citizen_balances(
        session, citizen_key, {key: (unit, as_of > period.end) for key, (period, unit)
                               in shown.items()}, at, now)  # fmt: skip
    decided = await _decisions_of(session, citizen_key, at)
    rights = []
    for (incentive, period_key), (period, unit) in shown.items():
        found = balances[incentive, period_key]
        if found == Balances(unit):
            continue  # opened, never moved (e.g. a decision that granted nothing)
        rights.append(RightView(
            incentive, INCENTIVES[incentive].pillar, period, found,
            "closed" if as_of > period.end else "active", decided.get((incentive, period_key)),
        ))  # fmt: skip
    return rights


async def _decisions_of(
    session: AsyncSession, citizen_key: str, at: datetime | None
) -> dict[tuple[str, str], uuid.UUID]:
    """The decision each right's latest decided transaction (by ``at``) came from."""
    rows = await session.execute(
        select(transactions.c.incentive, transactions.c.period_key, transactions.c.decision_id)
        .ext(distinct_on(transactions.c.incentive, transactions.c.period_key))
        .where(transactions.c.citizen_key == citizen_key, transactions.c.decision_id.is_not(None),
               transactions.c.created_at <= at if at is not None else true())
        .order_by(transactions.c.incentive, transactions.c.period_key,
                  transactions.c.created_at.desc())
    )  # fmt: skip
    return {(incentive, period_key): decision for incentive, period_key, decision in rows}


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


async def decision(session: AsyncSession, decision_id: uuid.UUID) -> DecisionView | None:
    row = (await session.execute(
        select(decisions, decision_reasons.c.reasons)
        .join(decision_reasons, decision_reasons.c.hash == decisions.c.reasons_hash)
        .where(decisions.c.id == decision_id)
    )).first()  # fmt: skip
    if row is None:
        return None
    return DecisionView(
        row.id, row.citizen_key, row.incentive,
        parse_key(row.period_key) if row.period_key else None, row.status,
        Quantity.from_minor(row.entitlement, Unit(row.unit)) if row.unit else None,
        row.rules_version, row.facts_version, row.reasons, row.as_of, row.created_at, row.trace_id,
    )  # fmt: skip
