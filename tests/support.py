"""Helpers the tests share: valid SSINs on demand, a clock tests can move, ledger assertions."""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.grants import RulesCatalog

EMPLOYEE_FACTS = {
    "status": "employee",
    "sector": "private",
    "workplaceRegion": "flanders",
    "residenceRegion": "flanders",
    "employmentFraction": "0.80",
    "weeklyHours": "30.40",
    "educationLevel": "medium",
    "workExperienceMonths": 120,
    "careerVouchersUsed": 0,
    "employerFte": "45",
    "receivesUnemploymentBenefit": False,
    "contractType": "regular",
    "agencyWorker": False,
    "sideSelfEmployed": False,
    "livesAlone": False,
}
"""A private-sector employee working in Flanders at 80%: entitled to VOV, training vouchers and
career vouchers."""


def make_ssin(rng: random.Random | None = None) -> str:
    """A valid national register number of someone born in the 20th century."""
    rng = rng or random.Random()
    first9 = (
        f"{rng.randint(40, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        f"{rng.randint(1, 997):03d}"
    )
    return first9 + f"{97 - int(first9) % 97:02d}"


@dataclass
class Clock:
    """Real time, moved forward by ``advance`` (it keeps ticking, so instants stay ordered)."""

    offset: timedelta = field(default_factory=timedelta)

    @property
    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


class CappedCatalog(RulesCatalog):
    """The real catalogue, with a carry-over cap where today's parameters have none: the
    mechanism stage 3.2 needs (capped accumulation) is tested before any law uses it."""

    def __init__(self, caps: dict[str, Decimal], validity: dict[str, int] | None = None) -> None:
        self.caps, self.validity = caps, validity or {}

    def carry_over_cap(self, incentive: str, day: date) -> Decimal:
        return self.caps.get(incentive, super().carry_over_cap(incentive, day))

    def carry_over_validity(self, incentive: str, day: date) -> int:
        return self.validity.get(incentive, super().carry_over_validity(incentive, day))


def qty(amount: str, unit: str) -> dict[str, str]:
    return {"amount": amount, "unit": unit}


async def post_txn(
    client: httpx.AsyncClient, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    import uuid

    headers = {"Idempotency-Key": key or str(uuid.uuid4())}
    return await client.post("/transactions", json=body, headers=headers)


async def grant(
    client: httpx.AsyncClient,
    ssin: str,
    incentive: str,
    amount: str,
    unit: str,
    period: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "grant",
        "ssin": ssin,
        "incentive": incentive,
        "amount": qty(amount, unit),
    }
    if period:
        body["period"] = period
    response = await post_txn(client, body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def assert_ledger_consistent(session: AsyncSession) -> None:
    """The invariants, checked from the record: every transaction balances per unit, no citizen
    account is negative, and every cached balance equals the sum of its legs."""
    unbalanced = (
        await session.execute(
            text(
                "SELECT transaction_id FROM ledger_legs GROUP BY transaction_id, unit "
                "HAVING sum(CASE side WHEN 'C' THEN amount ELSE -amount END) <> 0"
            )
        )
    ).all()
    assert unbalanced == []
    drift = (
        await session.execute(
            text(
                "SELECT a.id, a.balance, coalesce(sum(CASE l.side WHEN 'C' THEN l.amount "
                "ELSE -l.amount END), 0) AS legs FROM ledger_accounts a "
                "LEFT JOIN ledger_legs l ON l.account_id = a.id WHERE a.balance IS NOT NULL "
                "GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(CASE l.side WHEN 'C' "
                "THEN l.amount ELSE -l.amount END), 0) OR a.balance < 0"
            )
        )
    ).all()
    assert drift == []
    twice = (
        await session.execute(
            text(
                "SELECT resolves FROM ledger_transactions WHERE resolves IS NOT NULL "
                "GROUP BY resolves HAVING count(*) > 1"
            )
        )
    ).all()
    assert twice == []
