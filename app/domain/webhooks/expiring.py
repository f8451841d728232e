"""``right.expiring``: the rights still holding something when their period ends within N days,
once per right and period (a daily job; a rerun adds nothing). What a wallet calls
``expiringSoon`` is the same rule, read from the wallet itself."""

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.periods import Period
from app.domain.rules import INCENTIVES

EXPIRING = text(
    "INSERT INTO webhook_events (type, citizen_key, incentive, period_key, data, dedupe) "
    "SELECT 'right.expiring', a.citizen_key, a.incentive, a.period_key, "
    "jsonb_build_object('incentive', a.incentive, 'periodKey', a.period_key, "
    "'available', a.balance, 'unit', a.unit, 'expiresOn', c.ends), "
    "'right.expiring:' || a.citizen_key || ':' || a.incentive || ':' || a.period_key "
    "FROM ledger_accounts a JOIN unnest(CAST(:codes AS text[]), CAST(:periods AS text[]), "
    "CAST(:ends AS date[])) AS c(code, period, ends) "
    "ON a.incentive = c.code AND a.period_key = c.period "
    "WHERE a.kind = 'available' AND a.balance > 0 AND a.citizen_key IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.deleted_at IS NULL "
    "AND 'right.expiring' = ANY (s.events)) "
    "ORDER BY a.id ON CONFLICT (dedupe) DO NOTHING"
)


def expires_soon(period: Period, today: date, days: int) -> bool:
    """A period that ends within ``days`` of ``today`` (and has not ended)."""
    return today <= period.end and (period.end - today).days <= days


def ending_periods(today: date, days: int) -> list[tuple[str, Period]]:
    """(incentive, period) of every right holding a balance whose period ends soon."""
    found = []
    for code, definition in INCENTIVES.items():
        if not definition.holds_balance:
            continue
        period = definition.period_for(today)
        if expires_soon(period, today, days):
            found.append((code, period))
    return found


async def expiring_events(session: AsyncSession, today: date, days: int) -> int:
    """Writes the ``right.expiring`` events due today; the number written."""
    ending = ending_periods(today, days)
    if not ending:
        return 0
    result = await session.execute(
        EXPIRING,
        {
            "codes": [code for code, _ in ending],
            "periods": [period.key for _, period in ending],
            "ends": [period.end for _, period in ending],
        },
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
