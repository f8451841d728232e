"""``llr grant [--period P]``: the rights for every citizen with stored facts, in
batches: the rules evaluate each citizen (identical facts are evaluated once), and each batch
is written with one statement per table, not one request per citizen.

It settles exactly as a wallet read does (a first grant, an upward adjustment, a withdrawal of
what is still available), against the same accounts under the same locks, so running it twice,
or beside the service, grants nothing twice."""

import json
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.facts_in_time import FactsInTime, facts_in_time
from app.domain.grants import granted_by_rules, reasons_text, store_reasons
from app.domain.ledger.ports import Actor
from app.domain.ledger.repository import declarations, lock_rights, plan_for_batches, post
from app.domain.periods import Period
from app.domain.quantities import Unit
from app.domain.rules import INCENTIVES, RULES, Facts, IncentiveResult, pauses_when_not_eligible
from app.domain.rules.engine import evaluate_one, validated_book
from app.domain.rules.memo import ReadMemo
from app.domain.rules.messages import DEFAULT_LANGUAGE
from app.domain.rules.parameters import ParameterBook
from app.domain.settlement import Change, Settled, settle, settlement_posting

RULE_GRANTED = [code for code in INCENTIVES if granted_by_rules(code)]
COUNTERS = {"grant": "granted", "adjust": "adjusted"}


@dataclass(frozen=True, slots=True)
class Decided:
    """One incentive's decision for a set of facts: the target in minor units (None: cannot
    say), with what the receipt records."""

    incentive: str
    unit: Unit
    period: Period
    status: str
    target: int | None
    entitlement: int | None
    reasons_hash: str


@dataclass(slots=True)
class GrantReport:
    citizens: int = 0
    granted: int = 0
    adjusted: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    evaluations: int = 0

    def add(self, other: "GrantReport") -> None:
        for name in ("citizens", "granted", "adjusted", "withdrawn", "unchanged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


Receipted = tuple[Decided, int | None, int | None]
"""A decision with the facts (id, version) its receipt names (None: no facts were valid on its
reference date)."""


@dataclass(frozen=True, slots=True)
class Evaluated:
    """A batch of citizens' decisions, in the batch's order, with the text of any reasons not
    handed out before (by hash)."""

    decided: list[list[Receipted]]
    reasons: dict[str, str]
    rules_version: str
    evaluations: int
    """How many evaluations the evaluating process has made so far (the rest were answered
    from its memo)."""
    worker: int
    """The evaluating process."""


@dataclass(slots=True)
class Evaluator:
    """The rules for one period and date, each incentive's decision remembered per the facts it
    read (``ReadMemo``: the rules are pure functions of the facts and the date), so a million
    citizens take a few thousand evaluations. Made in each worker process, kept between batches."""

    period_key: str | None
    """Only rights of this period; None: every right in the period in force at ``as_of``."""
    as_of: date
    rules_version: str = field(init=False)
    memos: dict[str, ReadMemo[Decided | None]] = field(init=False)
    reasons_memo: dict[tuple[object, ...], str] = field(default_factory=dict)
    unsent: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        book = validated_book()
        self.rules_version = book.rules_version(self.as_of)
        self.memos = {code: ReadMemo(self._decider(code, book)) for code in RULE_GRANTED}

    @property
    def evaluations(self) -> int:
        return sum(memo.evaluations for memo in self.memos.values())

    def decide_all(self, facts: list[str]) -> Evaluated:
        decided = [self.decide(one) for one in facts]
        unsent, self.unsent = self.unsent, {}
        return Evaluated(decided, unsent, self.rules_version, self.evaluations, os.getpid())

    def decide(self, declarations_json: str) -> list[Receipted]:
        """One citizen, from the declarations of its facts (JSON, in valid-time order): each
        incentive on the facts valid on its reference date, as a wallet read decides."""
        found = facts_in_time(declarations(json.loads(declarations_json)), self.as_of, RULE_GRANTED)
        if found is None:
            return []
        receipted = []
        for code in RULE_GRANTED:
            row = found.used.get(code, found.on_day)
            decided = self.memos[code].get(row.facts if row else {})
            if decided is not None:
                receipted.append((decided, *_receipt(found, code)))
        return receipted

    def _reasons(self, result: IncentiveResult) -> str:
        """The receipt's reasons by hash: few distinct ones, each serialised once."""
        key = tuple((r.code, r.passed, r.message, r.legal_basis) for r in result.reasons)
        digest = self.reasons_memo.get(key)
        if digest is None:
            text_, digest = reasons_text(result)
            self.reasons_memo[key] = digest
            self.unsent[digest] = text_
        return digest

    def _decider(self, code: str, book: ParameterBook) -> Callable[[Facts], Decided | None]:
        def decided(facts: Facts) -> Decided | None:
            result = evaluate_one(
                RULES[code], book[code], facts, self.as_of, None, DEFAULT_LANGUAGE
            )
            return self._decided(result)

        return decided

    def _decided(self, result: IncentiveResult) -> Decided | None:
        """What settlement posts for one incentive's result (None: not a right of the period
        asked)."""
        period = result.period
        if period is None or (self.period_key is not None and period.key != self.period_key):
            return None
        target = None
        if result.status == "eligible" and result.entitlement is not None:
            target = result.entitlement.minor
        elif result.status == "notEligible" and not pauses_when_not_eligible(
            result.incentive, period.start
        ):
            target = 0
        return Decided(
            result.incentive,
            INCENTIVES[result.incentive].unit_for(period.start),
            period,
            result.status,
            target,
            result.entitlement.minor if result.entitlement else None,
            self._reasons(result),
        )


def _receipt(found: FactsInTime, incentive: str) -> tuple[int | None, int | None]:
    stored = found.receipt(incentive)
    return (stored.id, stored.version) if stored else (None, None)


_WORKER: Evaluator | None = None


def evaluate_in_worker(period_key: str | None, as_of: date, facts: list[str]) -> Evaluated:
    """Runs in a worker process, which keeps its evaluator (and memo) between batches."""
    global _WORKER
    if _WORKER is None or (_WORKER.period_key, _WORKER.as_of) != (period_key, as_of):
        _WORKER = Evaluator(period_key, as_of)
    return _WORKER.decide_all(facts)


@dataclass(slots=True)
class Receipts:
    """What a run knows of the receipts it writes: the rules version and the reasons' texts."""

    as_of: date
    rules_version: str = ""
    texts: dict[str, str] = field(default_factory=dict)

    def learn(self, evaluated: Evaluated) -> None:
        self.rules_version = evaluated.rules_version or self.rules_version
        self.texts.update(evaluated.reasons)


async def citizens_with_facts(
    sessions: async_sessionmaker[AsyncSession], batch_size: int
) -> AsyncIterator[list[tuple[str, int, int, str]]]:
    """(citizen key, newest facts id, newest version, the declarations of its facts as JSON in
    valid-time order, as a wallet read gets them) of every citizen with facts, in batches
    ordered by citizen key."""
    after = ""
    while True:
        async with sessions() as session:
            rows = (
                await session.execute(
                    text(
                        "SELECT citizen_key, max(id), max(version), "
                        "jsonb_agg(jsonb_build_array(id, version, observed_on, "
                        "coalesce(declared, facts)) ORDER BY observed_on, version)::text "
                        "FROM citizen_facts WHERE citizen_key > :after "
                        "GROUP BY citizen_key ORDER BY citizen_key LIMIT :n"
                    ),
                    {"after": after, "n": batch_size},
                )
            ).all()
        if not rows:
            return
        yield [(r[0], r[1], r[2], r[3]) for r in rows]
        after = rows[-1][0]


async def count_citizens(session: AsyncSession) -> int:
    return int(
        await session.scalar(text("SELECT count(DISTINCT citizen_key) FROM citizen_facts")) or 0
    )


async def grant_batch(
    session: AsyncSession,
    receipts: Receipts,
    rows: list[tuple[str, int, int, str]],
    decided: list[list[Receipted]],
    actor: Actor,
    now: datetime,
) -> GrantReport:
    """Settles one batch of citizens (their decisions in the same order) in the caller's
    transaction, by the same ``settle`` and ``settlement_posting`` as a wallet read."""
    report = GrantReport(citizens=len(rows))
    wanted = [
        (key, facts_id, version, d)
        for (key, *_), mine in zip(rows, decided, strict=True)
        for d, facts_id, version in mine
        if d.target is not None
    ]
    if not wanted:
        return report
    await plan_for_batches(session)
    accounts = await lock_rights(
        session,
        [(key, d.incentive, d.period.key) for key, _, _, d in wanted],
        [(key, d.incentive, d.period.key, d.unit) for key, _, _, d in wanted if d.target],
    )
    settled = await _settled(session, [a[0] for a in accounts.values()])
    sealed = await _sealed(session, list({key for key, *_ in wanted}))
    changes: list[tuple[str, int | None, int | None, Decided, int, Change]] = []
    for key, facts_id, version, d in wanted:
        found = accounts.get((key, d.incentive, d.period.key))
        if found is None:
            continue  # nothing granted and nothing to grant
        account, balance = found
        assert d.target is not None
        change = settle(d.target, settled.get(account, 0), balance, d.unit)
        if change is None:
            report.unchanged += 1
            continue
        changes.append((key, facts_id, version, d, account, change))
        counter = "withdrawn" if not change.up else COUNTERS[change.type]
        setattr(report, counter, getattr(report, counter) + 1)
    if changes:
        decisions = await _decisions(session, receipts, changes, actor, now)
        await post(
            session,
            [
                settlement_posting(
                    change,
                    Settled(key, sealed.get(key), d.incentive, d.period, d.unit, account, decision),
                    receipts.as_of,
                    actor.trace_id,
                )
                for (key, _, _, d, account, change), decision in zip(
                    changes, decisions, strict=True
                )
            ],
            now,
        )
    return report


async def _settled(session: AsyncSession, account_ids: list[int]) -> dict[int, int]:
    """What settlement granted each account (grant legs of transactions from a decision)."""
    rows = await session.execute(
        text(
            "SELECT l.account_id, sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END) "
            "FROM ledger_legs l JOIN ledger_transactions t ON t.id = l.transaction_id "
            "WHERE l.account_id = ANY(CAST(:ids AS bigint[])) AND l.category = 'grant' "
            "AND t.decision_id IS NOT NULL GROUP BY l.account_id"
        ),
        {"ids": account_ids},
    )
    return {r[0]: int(r[1]) for r in rows}


async def _sealed(session: AsyncSession, citizen_keys: list[str]) -> dict[str, tuple[bytes, str]]:
    rows = await session.execute(
        text(
            "SELECT citizen_key, ssin_ciphertext, ssin_key_id FROM citizens "
            "WHERE citizen_key = ANY(CAST(:keys AS bpchar[]))"
        ),
        {"keys": citizen_keys},
    )
    return {r[0]: (bytes(r[1]), r[2]) for r in rows}


async def _decisions(
    session: AsyncSession,
    receipts: Receipts,
    changes: list[tuple[str, int | None, int | None, Decided, int, Change]],
    actor: Actor,
    now: datetime,
) -> list[uuid.UUID]:
    """The receipts of the batch's changes, one statement (and the few reasons they share)."""
    decision_ids = [uuid.uuid4() for _ in changes]
    used = {d.reasons_hash for _, _, _, d, _, _ in changes}
    await store_reasons(session, sorted((h, receipts.texts[h]) for h in used))
    await session.execute(
        text(
            "INSERT INTO decisions (id, citizen_key, incentive, period_key, status, entitlement, "
            "unit, rules_version, facts_version, facts_id, reasons_hash, as_of, created_at, "
            "trace_id) "
            "SELECT d.id, d.key, d.incentive, d.period, d.status, d.entitlement, d.unit, :rules, "
            "d.version, d.facts_id, d.reasons, :as_of, :now, :trace "
            "FROM unnest(CAST(:ids AS uuid[]), CAST(:keys AS text[]), CAST(:incentives AS text[]), "
            "CAST(:statuses AS text[]), CAST(:entitlements AS bigint[]), CAST(:units AS text[]), "
            "CAST(:versions AS int[]), CAST(:facts AS bigint[]), CAST(:reasons AS text[]), "
            "CAST(:periods AS text[])) "
            "AS d(id, key, incentive, status, entitlement, unit, version, facts_id, reasons, "
            "period)"
        ),
        {
            "periods": [d.period.key for _, _, _, d, _, _ in changes],
            "rules": receipts.rules_version,
            "as_of": receipts.as_of,
            "now": now,
            "trace": actor.trace_id,
            "ids": decision_ids,
            "keys": [key for key, *_ in changes],
            "incentives": [d.incentive for _, _, _, d, _, _ in changes],
            "statuses": [d.status for _, _, _, d, _, _ in changes],
            "entitlements": [d.entitlement for _, _, _, d, _, _ in changes],
            "units": [d.unit.value for _, _, _, d, _, _ in changes],
            "versions": [version for _, _, version, *_ in changes],
            "facts": [facts_id for _, facts_id, *_ in changes],
            "reasons": [d.reasons_hash for _, _, _, d, _, _ in changes],
        },
    )
    return decision_ids
