"""From a decision of the rules to the ledger: a citizen's right for a period is granted once, and
adjusted (never edited) when a new decision gives more or less.

Every grant or adjustment references a *decision receipt*: the rules version, the facts version
and the reasons it came from, so any balance can be traced back to why it exists."""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ledger.book import RightAccounts, lock, right_accounts
from app.domain.ledger.ports import Actor, CitizenRef
from app.domain.ledger.service import Ledger
from app.domain.ledger.tables import accounts, decisions, legs
from app.domain.periods import Period
from app.domain.quantities import Quantity, Unit
from app.domain.rules import (
    INCENTIVES,
    Evaluation,
    IncentiveResult,
    StoredFacts,
    TrainingInfo,
    carry_over_cap,
    carry_over_validity,
    evaluate,
    funding_shares,
    latest_facts,
    pauses_when_not_eligible,
)
from app.domain.rules import Facts as RuleFacts
from app.domain.rules.service import resolve_training

# The federal learning account is the source of truth for the federal training right: it posts
# that balance itself; the rules only explain it.
POSTED_BY_PARTNERS = frozenset({"opleidingsrecht"})


def granted_by_rules(incentive: str) -> bool:
    definition = INCENTIVES.get(incentive)
    return bool(definition and definition.holds_balance and incentive not in POSTED_BY_PARTNERS)


class RulesCatalog:
    """The ledger's view of the incentives (units, periods, co-financing, carry-over)."""

    def knows(self, incentive: str) -> bool:
        return incentive in INCENTIVES

    def unit(self, incentive: str, day: date) -> Unit:
        return INCENTIVES[incentive].unit_for(day)

    def holds_balance(self, incentive: str) -> bool:
        return INCENTIVES[incentive].holds_balance

    def period_for(self, incentive: str, day: date) -> Period:
        return INCENTIVES[incentive].period_for(day)

    def funding_shares(self, incentive: str, day: date) -> dict[str, Decimal]:
        return funding_shares(incentive, day)

    def carry_over_cap(self, incentive: str, day: date) -> Decimal:
        return carry_over_cap(incentive, day)

    def carry_over_validity(self, incentive: str, day: date) -> int:
        return carry_over_validity(incentive, day)


@dataclass(frozen=True, slots=True)
class Target:
    """What a decision says the right should hold: the entitlement, or nothing."""

    result: IncentiveResult
    minor: int

    @classmethod
    def of(cls, result: IncentiveResult) -> "Target | None":
        """None when the decision cannot say (undetermined): unknown facts are no reason to
        take back what was granted."""
        if result.status == "undetermined" or result.period is None:
            return None
        if result.status == "eligible" and result.entitlement is not None:
            return cls(result, result.entitlement.minor)
        if pauses_when_not_eligible(result.incentive, result.period.start):
            return None  # paused: no new rights, and the saved balance stays usable
        return cls(result, 0)


async def granted_minor(session: AsyncSession, right: RightAccounts) -> int:
    signed = case((legs.c.side == "C", legs.c.amount), else_=-legs.c.amount)
    total = await session.scalar(
        select(func.coalesce(func.sum(signed), 0)).where(
            legs.c.account_id == right.available_id, legs.c.category == "grant"
        )
    )
    return int(total or 0)


async def record_decision(
    session: AsyncSession,
    citizen_key: str,
    result: IncentiveResult,
    rules_version: str,
    facts: StoredFacts | None,
    as_of: date,
    trace_id: str | None,
    now: datetime,
) -> uuid.UUID:
    decision_id = uuid.uuid4()
    reasons, digest = reasons_text(result)
    await store_reasons(session, [(digest, reasons)])
    await session.execute(insert(decisions).values(
        id=decision_id, citizen_key=citizen_key, incentive=result.incentive,
        period_key=result.period.key if result.period else None, status=result.status,
        entitlement=result.entitlement.minor if result.entitlement else None,
        unit=result.entitlement.unit.value if result.entitlement else None,
        rules_version=rules_version, facts_version=facts.version if facts else None,
        facts_id=facts.id if facts else None, reasons_hash=digest, as_of=as_of,
        trace_id=trace_id, created_at=now,
    ))  # fmt: skip
    return decision_id


def reasons_text(result: IncentiveResult) -> tuple[str, str]:
    """The reasons as the receipt keeps them (JSON) and their SHA-256, by which they are
    stored once however many decisions share them."""
    reasons = json.dumps([{"code": r.code, "passed": r.passed, "message": r.message,
                           "legalBasis": r.legal_basis} for r in result.reasons],
                         ensure_ascii=False, sort_keys=True)  # fmt: skip
    return reasons, hashlib.sha256(reasons.encode()).hexdigest()


async def store_reasons(session: AsyncSession, rows: list[tuple[str, str]]) -> None:
    """(hash, reasons JSON) pairs, each stored once."""
    await session.execute(text(
        "INSERT INTO decision_reasons (hash, reasons) SELECT r.hash, CAST(r.reasons AS jsonb) "
        "FROM unnest(CAST(:hashes AS text[]), CAST(:reasons AS text[])) AS r(hash, reasons) "
        "ORDER BY r.hash ON CONFLICT DO NOTHING"
    ), {"hashes": [r[0] for r in rows], "reasons": [r[1] for r in rows]})  # fmt: skip


async def settle(
    ledger: Ledger,
    actor: Actor,
    citizen: CitizenRef,
    target: Target,
    rules_version: str,
    facts: StoredFacts | None,
) -> None:
    """Brings the right to what the decision says, under the right's lock: a first grant, an
    upward adjustment, or a withdrawal of what is still available (an entitlement that drops
    below what is already used leaves nothing available, and the receipt says why)."""
    result, period = target.result, target.result.period
    assert period is not None
    unit = INCENTIVES[result.incentive].unit_for(period.start)
    session = ledger.session
    if target.minor == 0 and await _no_account(session, citizen.key, result.incentive, period):
        return  # nothing granted, nothing to grant: no account, no receipt
    right = await right_accounts(session, citizen.key, result.incentive, period.key, unit)
    balances = await lock(session, [right.available_id, right.held_id])
    current = await granted_minor(session, right)
    if current == target.minor:
        return
    decision = await record_decision(session, citizen.key, result, rules_version, facts,
                                     ledger.today, actor.trace_id, ledger.now)  # fmt: skip
    if target.minor > current:
        kind = "grant" if current == 0 else "adjust"
        await ledger.grant(actor, citizen, result.incentive,
                           Quantity.from_minor(target.minor - current, unit), period.key,
                           decision_id=decision, type_=kind)  # fmt: skip
        return
    wanted = current - target.minor
    taken = min(wanted, balances[right.available_id])
    note = {"entitlement": Quantity.from_minor(target.minor, unit).text(),
            "previouslyGranted": Quantity.from_minor(current, unit).text()}  # fmt: skip
    if taken < wanted:
        note["shortfall"] = Quantity.from_minor(wanted - taken, unit).text()
        note["why"] = "the new entitlement is below what is already used or reserved"
    if taken:
        await ledger.withdraw(actor, citizen, right, taken, decision_id=decision, metadata=note)


async def _no_account(
    session: AsyncSession, citizen_key: str, incentive: str, period: Period
) -> bool:
    found = await session.scalar(select(accounts.c.id).where(
        accounts.c.citizen_key == citizen_key, accounts.c.incentive == incentive,
        accounts.c.period_key == period.key, accounts.c.kind == "available"))  # fmt: skip
    return found is None


async def materialise(
    ledger: Ledger,
    actor: Actor,
    citizen: CitizenRef,
    facts: StoredFacts,
    evaluation: Evaluation,
    only: str | None = None,
) -> None:
    """Settles every right the rules grant (or take back) for the periods in force.

    A right already holding what the decision says is left alone without taking its locks: one
    read of what the citizen was granted answers that for every right (a read of a settled
    wallet, or a reserve on a settled right, is the usual case). A right that looks unsettled is
    settled under its lock, which checks again."""
    targets = [
        target
        for result in evaluation.results
        if (only is None or result.incentive == only) and granted_by_rules(result.incentive)
        if (target := Target.of(result)) is not None
    ]
    if not targets:
        return
    current = await granted_by_right(ledger.session, citizen.key)
    for target in targets:
        assert target.result.period is not None
        if current.get((target.result.incentive, target.result.period.key), 0) == target.minor:
            continue
        await settle(ledger, actor, citizen, target, evaluation.rules_version, facts)


async def granted_by_right(session: AsyncSession, citizen_key: str) -> dict[tuple[str, str], int]:
    """What each of the citizen's rights was granted, by (incentive, period key), without
    locks; a right without an account is absent (as good as 0)."""
    signed = case((legs.c.side == "C", legs.c.amount), else_=-legs.c.amount)
    rows = await session.execute(
        select(accounts.c.incentive, accounts.c.period_key, func.coalesce(func.sum(signed), 0))
        .select_from(accounts.outerjoin(
            legs, (legs.c.account_id == accounts.c.id) & (legs.c.category == "grant")))
        .where(accounts.c.citizen_key == citizen_key, accounts.c.kind == "available")
        .group_by(accounts.c.incentive, accounts.c.period_key)
    )  # fmt: skip
    return {(incentive, period_key): int(total) for incentive, period_key, total in rows}


class RulesEntitlements:
    """The ledger's entitlement port: before a citizen draws on a right, the rules settle it from
    the stored facts; a training is checked against the incentive's rules."""

    async def ensure_granted(
        self, ledger: Ledger, actor: Actor, citizen: CitizenRef, incentive: str, period: Period
    ) -> None:
        if not granted_by_rules(incentive):
            return
        stored = await latest_facts(ledger.session, citizen.key)
        if stored is None:
            return
        evaluation = evaluate(with_birth_date(stored.facts, citizen), ledger.today,
                              incentives=[incentive])  # fmt: skip
        await materialise(ledger, actor, citizen, stored, evaluation)

    async def training_covered(
        self, ledger: Ledger, citizen: CitizenRef, incentive: str, training: dict[str, Any]
    ) -> bool | None:
        info = await resolve_training(ledger.session, TrainingInfo.model_validate(training))
        stored = await latest_facts(ledger.session, citizen.key)
        facts = with_birth_date(stored.facts if stored else RuleFacts(), citizen)
        result = evaluate(facts, ledger.today, incentives=[incentive], training=info).results[0]
        return result.training.covered if result.training else None


def with_birth_date(facts: RuleFacts, citizen: CitizenRef) -> RuleFacts:
    """The birth date the SSIN encodes, where the stored facts do not give one."""
    if facts.birth_date is None and citizen.ssin.birth_date is not None:
        return facts.model_copy(update={"birth_date": citizen.ssin.birth_date})
    return facts
