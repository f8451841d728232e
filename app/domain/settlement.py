"""Settlement: from a decision of the rules to the ledger. A citizen's right for a period is
granted once, and adjusted (never edited) when a new decision gives more or less.

One pure ``settle`` decides, for a wallet read, a reserve and ``llr grant`` alike, and one
``settlement_posting`` builds what is posted, so every door writes the same receipt. Settlement
is the service's own act: its postings carry the system actor ``llr`` and the decision they came
from, whoever's read or batch set it off. It corrects only what settlement granted: a manual
grant, a reversal and a withdrawal someone else posted are never undone by a later read."""

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.facts_in_time import InTime, evaluate_in_time
from app.domain.grants import Target, granted_by_rules, record_decision, with_birth_date
from app.domain.ledger.ports import CitizenRef
from app.domain.ledger.repository import (
    Leg,
    NewTransaction,
    Posting,
    RightState,
    Side,
    lock_right,
    post,
)
from app.domain.ledger.views import moved
from app.domain.periods import BRUSSELS, Period
from app.domain.quantities import Quantity, Unit
from app.domain.rules import (
    INCENTIVES,
    Facts,
    StoredFacts,
    TrainingInfo,
    evaluate,
    reference_date,
)
from app.domain.rules.facts_store import facts_valid_on
from app.domain.rules.service import resolve_training
from app.domain.vault import SsinVault

SETTLER = "llr"
"""The caller of every settlement posting: the service itself."""


@dataclass(frozen=True, slots=True)
class Change:
    """What settlement posts on one right: ``minor`` more (``up``) or less of it."""

    type: Literal["grant", "adjust"]
    up: bool
    minor: int
    metadata: dict[str, str]


def settle(target: int, settled: int, available: int, unit: Unit) -> Change | None:
    """The change that brings what settlement granted (``settled``) to the decision's
    ``target``; None when there is nothing to post. A withdrawal takes at most what is still
    available: an entitlement below what is already used leaves nothing available, and the
    receipt says how much could not be taken back."""
    if target == settled:
        return None
    note = {
        "entitlement": Quantity.from_minor(target, unit).text(),
        "previouslyGranted": Quantity.from_minor(settled, unit).text(),
    }
    if target > settled:
        return Change("grant" if settled == 0 else "adjust", True, target - settled, note)
    wanted = settled - target
    taken = min(wanted, max(available, 0))
    if taken < wanted:
        note["shortfall"] = Quantity.from_minor(wanted - taken, unit).text()
        note["why"] = "the new entitlement is below what is already used or reserved"
    return Change("adjust", False, taken, note) if taken else None


@dataclass(frozen=True, slots=True)
class Settled:
    """Who and what a settlement posting is about."""

    citizen_key: str
    sealed: tuple[bytes, str] | None
    incentive: str
    period: Period
    unit: Unit
    account: int
    decision: uuid.UUID


def settlement_posting(
    change: Change, on: Settled, today: date, trace_id: str | None = None
) -> Posting:
    txn = NewTransaction(
        type=change.type,
        incentive=on.incentive,
        unit=on.unit,
        amount=change.minor,
        effective_date=today,
        caller=SETTLER,
        citizen_key=on.citizen_key,
        period_key=on.period.key,
        ssin_ciphertext=on.sealed[0] if on.sealed else None,
        ssin_key_id=on.sealed[1] if on.sealed else None,
        metadata=dict(change.metadata),
        decision_id=on.decision,
        trace_id=trace_id,
    )
    issuer: Side = "D" if change.up else "C"
    right: Side = "C" if change.up else "D"
    return Posting(
        txn,
        [
            Leg("issuer", issuer, change.minor, "grant"),
            Leg(on.account, right, change.minor, "grant"),
        ],
    )


AFTER = timedelta(microseconds=1)
"""The least step between two instants on the record."""


def applied(state: RightState, posting: Posting, up: bool) -> RightState:
    """``state`` once ``posting`` (a settlement) is on the record."""
    delta = posting.txn.amount if up else -posting.txn.amount
    return replace(
        state,
        available=state.available + delta,
        settled=state.settled + delta,
        nets=moved(state, [posting]),
    )


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision ready to settle: the target, and what its receipt records."""

    target: Target
    rules_version: str
    facts: StoredFacts | None
    day: date | None = None
    """The day the rules decided for (None: today)."""
    why: dict[str, str] = field(default_factory=dict)
    """What the receipt adds to say why (a correction of a past period)."""


async def settle_locked(
    session: AsyncSession,
    citizen: CitizenRef,
    vault: SsinVault,
    state: RightState,
    decided: Decided,
    now: datetime,
    trace_id: str | None,
) -> RightState:
    """Settles one right whose lock ``state`` holds (opening its accounts if the decision grants
    something and it has none yet) and returns it as it then stands."""
    result, target = decided.target.result, decided.target.minor
    period = result.period
    assert period is not None
    unit = INCENTIVES[result.incentive].unit_for(period.start)
    change = settle(target, state.settled, state.available, unit)
    if change is None:
        return state
    if not state.exists:
        reopened = await lock_right(
            session,
            now,
            citizen_key=citizen.key,
            incentive=result.incentive,
            period_key=period.key,
            unit=unit,
            open_=True,
        )
        assert reopened is not None
        state = replace(reopened, facts=state.facts)
        change = settle(target, state.settled, state.available, unit)
        if change is None:
            return state
    today = now.astimezone(BRUSSELS).date()
    day = decided.day or today
    decision = await record_decision(
        session, citizen.key, result, decided.rules_version, decided.facts, day, trace_id, now
    )
    assert state.available_id is not None
    sealed = vault.seal(citizen.ssin)  # only when something is posted: not on every read
    on = Settled(citizen.key, sealed, result.incentive, period, unit, state.available_id, decision)
    change = replace(change, metadata=change.metadata | decided.why)
    posting = settlement_posting(change, on, today, trace_id)
    stamped = await post(session, [posting], now)
    # what the operation that follows posts on this right comes after the settlement
    return replace(applied(state, posting, change.up), clock=stamped + AFTER)


class RulesEntitlements:
    """The ledger's entitlement port: before a citizen draws on a right, the rules settle it from
    the stored facts; a training is checked against the incentive's rules."""

    def uses_facts(self, incentive: str) -> bool:
        return granted_by_rules(incentive)

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
        today = now.astimezone(BRUSSELS).date()
        found = evaluate_in_time(state.facts, citizen, today, only=incentive)
        if found is None:
            return state
        target = Target.of(found.evaluation.results[0])
        if target is None or target.result.period != period:
            return state
        decided = Decided(target, found.evaluation.rules_version, found.receipt(incentive))
        return await settle_locked(session, citizen, vault, state, decided, now, trace_id)

    async def training_covered(
        self,
        session: AsyncSession,
        citizen: CitizenRef,
        incentive: str,
        training: dict[str, Any],
        today: date,
    ) -> bool | None:
        if incentive not in INCENTIVES:
            return None  # a sector fund's right: the fund judges the training itself
        info = await resolve_training(session, TrainingInfo.model_validate(training))
        stored = await facts_valid_on(session, citizen.key, reference_date(incentive, today))
        facts = with_birth_date(stored.facts if stored else Facts(), citizen)
        result = evaluate(facts, today, incentives=[incentive], training=info).results[0]
        return result.training.covered if result.training else None


async def materialise(
    session: AsyncSession,
    citizen: CitizenRef,
    vault: SsinVault,
    decided_in_time: InTime,
    now: datetime,
    trace_id: str | None,
    settled: dict[tuple[str, str], int],
) -> bool:
    """Settles every right the rules grant (or take back) for the periods in force.

    A right already holding what the decision says is left alone without taking its locks: one
    read of what settlement granted answers that for every right (a read of a settled wallet is
    the usual case; ``settled`` is that read, by (incentive, period key)). A right that looks
    unsettled is settled under its lock, which checks again. True when the read was stale."""
    evaluation = decided_in_time.evaluation
    targets = [
        target
        for result in evaluation.results
        if granted_by_rules(result.incentive)
        if (target := Target.of(result)) is not None
    ]
    if not targets:
        return False
    changed = False
    for target in targets:
        period = target.result.period
        assert period is not None
        if settled.get((target.result.incentive, period.key), 0) == target.minor:
            continue
        unit = INCENTIVES[target.result.incentive].unit_for(period.start)
        state = await lock_right(
            session,
            now,
            citizen_key=citizen.key,
            incentive=target.result.incentive,
            period_key=period.key,
            unit=unit,
        )
        assert state is not None
        facts = decided_in_time.receipt(target.result.incentive)
        decided = Decided(target, evaluation.rules_version, facts)
        await settle_locked(session, citizen, vault, state, decided, now, trace_id)
        changed = True  # what was read is not what the record now holds
    return changed
