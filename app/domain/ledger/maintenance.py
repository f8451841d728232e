"""Work on the whole ledger: period ends (expiry and carry-over) and the sweep of expired holds.

Both are idempotent and change no answer: the wallet already shows an ended period's balance as
expired and an expired hold as no longer reserved; these jobs only put that on the record."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.ledger.carry import cap_in_minor, carry_by_age
from app.domain.ledger.ports import Actor, IncentiveCatalog
from app.domain.ledger.repository import (
    Leg,
    NewTransaction,
    Posting,
    lock_right,
    plan_for_batches,
    post,
)
from app.domain.ledger.service import Ledger
from app.domain.periods import Period, parse_key
from app.domain.quantities import Unit


@dataclass(frozen=True, slots=True)
class EndedPeriod:
    incentive: str
    period: Period
    unit: Unit
    accounts: int


async def ended_periods(
    session: AsyncSession, catalog: IncentiveCatalog, as_of: date
) -> list[EndedPeriod]:
    """Periods that ended before ``as_of`` and still hold an available balance somewhere."""
    rows = await session.execute(
        text(
            "SELECT incentive, period_key, unit, count(*) AS n FROM ledger_accounts "
            "WHERE kind = 'available' AND balance > 0 GROUP BY incentive, period_key, unit"
        )
    )
    ended = []
    for incentive, period_key, unit, n in rows:
        period = parse_key(period_key)
        if period.end < as_of and catalog.knows(incentive):
            ended.append(EndedPeriod(incentive, period, Unit(unit), int(n)))
    return sorted(ended, key=lambda e: (e.period.end, e.incentive))


async def close_period_batch(
    session: AsyncSession,
    catalog: IncentiveCatalog,
    ended: EndedPeriod,
    actor: Actor,
    now: datetime,
    limit: int = 5000,
) -> int:
    """Ends the period for up to ``limit`` accounts: what the carry-over cap allows moves to the
    next period, the rest expires. Returns how many accounts it closed (0: done).

    Running it again finds nothing to do: it takes only positive balances, under lock, and
    leaves them at zero. A hold of the ended period released later returns to a zero balance,
    which the next run closes in turn."""
    await plan_for_batches(session)
    rows = (
        await session.execute(
            text(
                "SELECT id, citizen_key, balance FROM ledger_accounts WHERE kind = 'available' "
                "AND incentive = :incentive AND period_key = :period AND balance > 0 "
                "ORDER BY id LIMIT :limit FOR UPDATE"
            ),
            {"incentive": ended.incentive, "period": ended.period.key, "limit": limit},
        )
    ).all()
    if not rows:
        return 0
    cap = cap_in_minor(catalog.carry_over_cap(ended.incentive, ended.period.end), ended.unit)
    validity = catalog.carry_over_validity(ended.incentive, ended.period.end)
    origins = await _origins(session, [r.id for r in rows]) if cap else {}
    following = catalog.period_for(ended.incentive, ended.period.end + timedelta(days=1))
    targets = (
        await _next_accounts(session, ended, following, [r.citizen_key for r in rows])
        if cap
        else {}
    )
    postings = []

    def posting(
        type_: str,
        citizen_key: str,
        minor: int,
        legs: list[Leg],
        metadata: dict[str, object] | None = None,
    ) -> Posting:
        txn = NewTransaction(
            type_,
            ended.incentive,
            ended.unit,
            minor,
            now.date(),
            actor.partner,
            citizen_key,
            ended.period.key,
            metadata=metadata or {},
            trace_id=actor.trace_id,
        )
        return Posting(txn, legs)

    for account_id, citizen_key, balance in rows:
        granted, carried_in = origins.get(account_id, (balance, {}))
        ages = carry_by_age(balance, granted, carried_in, cap, validity)
        carry = sum(ages.values())
        if balance > carry:
            postings.append(
                posting(
                    "periodEnd",
                    citizen_key,
                    balance - carry,
                    [
                        Leg(account_id, "D", balance - carry, "expire"),
                        Leg("expired", "C", balance - carry, "expire"),
                    ],
                )
            )
        if carry:
            postings.append(
                posting(
                    "carryOver",
                    citizen_key,
                    carry,
                    [
                        Leg(account_id, "D", carry, "carry"),
                        Leg(targets[citizen_key], "C", carry, "carry"),
                    ],
                    {"into": following.key, "ages": {str(a): m for a, m in ages.items()}},
                )
            )
    await post(session, postings, now)
    return len(rows)


async def _origins(
    session: AsyncSession, account_ids: list[int]
) -> dict[int, tuple[int, dict[int, int]]]:
    """Per account: the net amount granted in it, and what was carried into it, by age."""
    rows = await session.execute(
        text(
            "SELECT account_id, 'grant', NULL::jsonb, "
            "sum(CASE side WHEN 'C' THEN amount ELSE -amount END) FROM ledger_legs "
            "WHERE account_id = ANY(CAST(:ids AS bigint[])) AND category = 'grant' "
            "GROUP BY account_id "
            "UNION ALL "
            "SELECT l.account_id, 'carry', t.metadata -> 'ages', l.amount "
            "FROM ledger_legs l JOIN ledger_transactions t ON t.id = l.transaction_id "
            "WHERE l.account_id = ANY(CAST(:ids AS bigint[])) AND l.category = 'carry' "
            "AND l.side = 'C'"
        ),
        {"ids": account_ids},
    )
    found: dict[int, tuple[int, dict[int, int]]] = {}
    for account_id, category, ages, net in rows:
        granted, carried = found.get(account_id, (0, {}))
        if category == "grant":
            granted += int(net)
        else:
            for age, minor in (ages or {"1": int(net)}).items():
                carried[int(age)] = carried.get(int(age), 0) + int(minor)
        found[account_id] = (granted, carried)
    return found


async def _next_accounts(
    session: AsyncSession, ended: EndedPeriod, following: Period, citizen_keys: list[str]
) -> dict[str, int]:
    await session.execute(
        text(
            "INSERT INTO ledger_accounts (kind, citizen_key, incentive, period_key, unit, balance) "
            "SELECT k.kind, c.key, :incentive, :period, :unit, 0 "
            "FROM unnest(CAST(:keys AS text[])) AS c(key) "
            "CROSS JOIN (VALUES ('available'), ('held')) AS k(kind) ON CONFLICT DO NOTHING"
        ),
        {
            "incentive": ended.incentive,
            "period": following.key,
            "unit": ended.unit.value,
            "keys": citizen_keys,
        },
    )
    rows = await session.execute(
        text(
            "SELECT id, citizen_key FROM ledger_accounts WHERE kind = 'available' "
            "AND incentive = :incentive AND period_key = :period AND citizen_key = ANY(:keys) "
            "ORDER BY id FOR UPDATE"
        ),
        {"incentive": ended.incentive, "period": following.key, "keys": citizen_keys},
    )
    return {row.citizen_key: row.id for row in rows}


async def overdue_rights(
    session: AsyncSession, now: datetime, limit: int = 1000
) -> list[tuple[str, str, str, str]]:
    """(citizen key, incentive, period, unit) of rights with holds past expiry, unresolved."""
    rows = await session.execute(
        text(
            "SELECT DISTINCT h.citizen_key, h.incentive, h.period_key, h.unit "
            "FROM ledger_transactions h WHERE h.type = 'reserve' AND h.expires_at <= :now "
            "AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.resolves = h.id) "
            "LIMIT :limit"
        ),
        {"now": now, "limit": limit},
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


async def sweep_expired_holds(
    sessions: async_sessionmaker[AsyncSession],
    ledger_for: Callable[[AsyncSession], Ledger],
    actor: Actor,
) -> AsyncIterator[int]:
    """Posts the expiry of every overdue hold, one right per transaction; yields the number of
    holds expired per right, for progress."""
    while True:
        async with sessions() as session:
            ledger = ledger_for(session)
            rights = await overdue_rights(session, ledger.now)
        if not rights:
            return
        for citizen_key, incentive, period_key, unit in rights:
            async with sessions() as session, session.begin():
                ledger = ledger_for(session)
                state = await lock_right(
                    session,
                    ledger.now,
                    citizen_key=citizen_key,
                    incentive=incentive,
                    period_key=period_key,
                    unit=Unit(unit),
                )
                assert state is not None
                yield await ledger.expire_due_holds(state, actor)
