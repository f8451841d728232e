"""The reconciliation of the wallet's federal right with the federal learning account: every
citizen and window whose ledger and last known federal account differ, and why. Citizens are
named by their pseudonymous key (never an SSIN); amounts in days."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.quantities import Quantity, Unit

QUERY = """
WITH rights AS (
    SELECT a.citizen_key, a.period_key AS window_key, a.balance AS available,
        coalesce((SELECT h.balance FROM ledger_accounts h WHERE h.kind = 'held'
            AND h.citizen_key = a.citizen_key AND h.incentive = a.incentive
            AND h.period_key = a.period_key), 0) AS reserved,
        coalesce((SELECT sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END)
            FROM ledger_legs l WHERE l.account_id = a.id AND l.category = 'grant'), 0) AS granted,
        coalesce((SELECT sum(CASE l.side WHEN 'D' THEN l.amount ELSE -l.amount END)
            FROM ledger_legs l WHERE l.account_id = a.id AND l.category = 'use'), 0) AS used
    FROM ledger_accounts a
    WHERE a.kind = 'available' AND a.incentive = 'opleidingsrecht' AND a.period_key LIKE '%-%'
)
SELECT coalesce(f.citizen_key, r.citizen_key), coalesce(f.window_key, r.window_key),
    f.accrued, f.used, f.balance, f.posted_accrued, f.posted_used, f.federal_version,
    f.change_id, coalesce(r.available, 0), coalesce(r.reserved, 0), coalesce(r.granted, 0),
    coalesce(r.used, 0)
FROM federal_accounts f FULL JOIN rights r
    ON r.citizen_key = f.citizen_key AND r.window_key = f.window_key
ORDER BY 1, 2
"""


def _days(minor: int) -> str:
    return Quantity.from_minor(minor, Unit.DAY).text()


@dataclass(slots=True)
class Discrepancy:
    citizen_key: str
    window: str
    federal_version: int | None
    change_id: str | None
    federal: dict[str, str] | None
    wallet: dict[str, str]
    reasons: list[dict[str, str]] = field(default_factory=list)

    def why(self, code: str, minor: int, detail: str) -> None:
        self.reasons.append({"code": code, "amount": _days(abs(minor)), "detail": detail})

    def as_json(self) -> dict[str, Any]:
        return {
            "citizenKey": self.citizen_key,
            "window": self.window,
            "federalVersion": self.federal_version,
            "changeId": self.change_id,
            "federal": self.federal,
            "wallet": self.wallet,
            "reasons": self.reasons,
        }


@dataclass(slots=True)
class Reconciliation:
    generated_at: datetime
    compared: int = 0
    items: list[Discrepancy] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "generatedAt": self.generated_at.isoformat(),
            "source": "fla",
            "compared": self.compared,
            "discrepancies": len(self.items),
            "items": [item.as_json() for item in self.items],
        }


def _total(years: dict[str, int] | None) -> int:
    return sum(int(v) for v in (years or {}).values())


def _compare(row: tuple[Any, ...]) -> Discrepancy | None:
    (key, window, accrued, f_used, f_balance, posted, posted_used, version, change) = row[:9]
    available, reserved, granted, used = (int(v) for v in row[9:])
    wallet = {
        "granted": _days(granted),
        "used": _days(used),
        "reserved": _days(reserved),
        "available": _days(available),
    }
    if accrued is None:
        found = Discrepancy(key, window, None, None, None, wallet)
        found.why(
            "noFederalAccount",
            available,
            "the federal account has no account for this citizen and window: the right was "
            "posted here by another door",
        )
        return found
    f_accrued, f_used, f_balance = _total(accrued), int(f_used), int(f_balance)
    if (granted, used, available + reserved) == (f_accrued, f_used, f_balance) and not reserved:
        return None
    federal = {"accrued": _days(f_accrued), "used": _days(f_used), "balance": _days(f_balance)}
    found = Discrepancy(key, window, int(version), change, federal, wallet)
    posted_total, posted_used = _total(posted), int(posted_used)
    if granted > posted_total:
        found.why("grantedByAnotherDoor", granted - posted_total, "granted here, not by the sync")
    if granted < posted_total:
        found.why("reversedHere", posted_total - granted, "a synchronised grant was reversed here")
    if f_accrued < posted_total:
        found.why(
            "federalAccrualLowered",
            posted_total - f_accrued,
            "the federal account lowered its accrual; the ledger does not take rights back on "
            "its own (reverse the grant or correct the federal account)",
        )
    if used > posted_used:
        found.why("usedHere", used - posted_used, "used through the LLR, not on the federal side")
    if f_used > posted_used:
        found.why(
            "federalUseNotPosted",
            f_used - posted_used,
            "used on the federal account, more than is available here to post",
        )
    if f_used < posted_used:
        found.why("federalUseLowered", posted_used - f_used, "the federal account lowered its use")
    if reserved:
        found.why("reservedHere", reserved, "a hold here the federal account does not know")
    if f_balance != f_accrued - f_used:
        found.why(
            "federalBalanceInconsistent",
            f_balance - (f_accrued - f_used),
            "the federal balance is not its accrual less its use",
        )
    if not found.reasons:
        found.why("unexplained", available - f_balance, "the balances differ for no known reason")
    return found


async def reconcile(session: AsyncSession, now: datetime) -> Reconciliation:
    result = Reconciliation(now)
    rows = await session.execute(text(QUERY))
    for row in rows:
        result.compared += 1
        found = _compare(tuple(row))
        if found is not None:
            result.items.append(found)
    return result
