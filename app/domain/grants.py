"""From a decision of the rules to the ledger: a citizen's right for a period is granted once, and
adjusted (never edited) when a new decision gives more or less.

Every grant or adjustment references a *decision receipt*: the rules version, the facts version
and the reasons it came from, so any balance can be traced back to why it exists."""

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ledger.ports import CitizenRef
from app.domain.ledger.tables import decisions
from app.domain.periods import Period
from app.domain.quantities import Unit
from app.domain.rules import (
    INCENTIVES,
    IncentiveResult,
    StoredFacts,
    carry_over_cap,
    carry_over_validity,
    funding_shares,
    pauses_when_not_eligible,
)
from app.domain.rules import Facts as RuleFacts
from app.domain.sector import SectorIncentive

# The federal learning account is the source of truth for the federal training right: it posts
# that balance itself; the rules only explain it.
POSTED_BY_PARTNERS = frozenset({"opleidingsrecht"})


def granted_by_rules(incentive: str) -> bool:
    definition = INCENTIVES.get(incentive)
    return bool(definition and definition.holds_balance and incentive not in POSTED_BY_PARTNERS)


class RulesCatalog:
    """The ledger's view of the incentives (units, periods, co-financing, carry-over): the
    rules' incentives and the sector funds' (data from the partner registry)."""

    sector: Mapping[str, SectorIncentive] = MappingProxyType({})

    def __init__(self, sector: Mapping[str, SectorIncentive] | None = None) -> None:
        self.sector = MappingProxyType(dict(sector or {}))

    def knows(self, incentive: str) -> bool:
        return incentive in INCENTIVES or incentive in self.sector

    def pillar(self, incentive: str) -> str:
        found = self.sector.get(incentive)
        return found.pillar if found else INCENTIVES[incentive].pillar

    def unit(self, incentive: str, day: date) -> Unit:
        found = self.sector.get(incentive)
        return found.unit if found else INCENTIVES[incentive].unit_for(day)

    def holds_balance(self, incentive: str) -> bool:
        return incentive in self.sector or INCENTIVES[incentive].holds_balance

    def period_for(self, incentive: str, day: date) -> Period:
        found = self.sector.get(incentive)
        return found.period_for(day) if found else INCENTIVES[incentive].period_for(day)

    def funding_shares(self, incentive: str, day: date) -> dict[str, Decimal]:
        found = self.sector.get(incentive)
        return dict(found.co_financing) if found else funding_shares(incentive, day)

    def carry_over_cap(self, incentive: str, day: date) -> Decimal:
        # a sector right is used in its period or lost (a fund that carries over: a field)
        return Decimal(0) if incentive in self.sector else carry_over_cap(incentive, day)

    def carry_over_validity(self, incentive: str, day: date) -> int:
        return 1 if incentive in self.sector else carry_over_validity(incentive, day)


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
    await session.execute(
        insert(decisions).values(
            id=decision_id,
            citizen_key=citizen_key,
            incentive=result.incentive,
            period_key=result.period.key if result.period else None,
            status=result.status,
            entitlement=result.entitlement.minor if result.entitlement else None,
            unit=result.entitlement.unit.value if result.entitlement else None,
            rules_version=rules_version,
            facts_version=facts.version if facts else None,
            facts_id=facts.id if facts else None,
            reasons_hash=digest,
            as_of=as_of,
            trace_id=trace_id,
            created_at=now,
        )
    )
    return decision_id


def reasons_text(result: IncentiveResult) -> tuple[str, str]:
    """The reasons as the receipt keeps them (JSON) and their SHA-256, by which they are
    stored once however many decisions share them."""
    reasons = json.dumps(
        [
            {"code": r.code, "passed": r.passed, "message": r.message, "legalBasis": r.legal_basis}
            for r in result.reasons
        ],
        ensure_ascii=False,
        sort_keys=True,
    )
    return reasons, hashlib.sha256(reasons.encode()).hexdigest()


async def store_reasons(session: AsyncSession, rows: list[tuple[str, str]]) -> None:
    """(hash, reasons JSON) pairs, each stored once."""
    await session.execute(
        text(
            "INSERT INTO decision_reasons (hash, reasons) SELECT r.hash, CAST(r.reasons AS jsonb) "
            "FROM unnest(CAST(:hashes AS text[]), CAST(:reasons AS text[])) AS r(hash, reasons) "
            "ORDER BY r.hash ON CONFLICT DO NOTHING"
        ),
        {"hashes": [r[0] for r in rows], "reasons": [r[1] for r in rows]},
    )


def with_birth_date(facts: RuleFacts, citizen: CitizenRef) -> RuleFacts:
    """The birth date the SSIN encodes, where the stored facts do not give one."""
    return with_birth(facts, citizen.ssin.birth_date)


def with_birth(facts: RuleFacts, birth_date: date | None) -> RuleFacts:
    """``facts`` with ``birth_date`` where they give none (the one place this is decided)."""
    if facts.birth_date is None and birth_date is not None:
        return facts.model_copy(update={"birth_date": birth_date})
    return facts
