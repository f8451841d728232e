"""The aggregates always agree with the ledger: after a seeded random workload through the real
posting path (grants, reserves, captures, releases, redeems, reversals, the period end, facts
changing a citizen's group, backdated too), the folded cells equal a recomputation from the legs
themselves, right by right, with each right's group found again from the dimension rows."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.grants import RulesCatalog
from app.domain.identity import CitizenKeyer, parse_ssin
from app.domain.ledger import errors
from app.domain.ledger.maintenance import close_period_batch, ended_periods
from app.domain.ledger.ports import Actor, CitizenRef, ExplicitGrantsOnly
from app.domain.ledger.service import Booking, Ledger
from app.domain.periods import parse_key
from app.domain.quantities import Quantity, Unit
from app.domain.rules.facts import Facts
from app.domain.rules.service import declare_facts
from app.domain.statistics import service
from app.domain.statistics.dimensions import remember_dimensions
from app.domain.vault import SsinVault
from tests.support import make_ssin

ACTOR = Actor("statistics-test")
VAULT = SsinVault({"k": b"k" * 32}, "k")
KEYER = CitizenKeyer(b"statistics-aggregates")
START = datetime(2026, 10, 1, 9, tzinfo=UTC)
LEVELS = ["low", "medium", "high"]


def hours(minor: int) -> Quantity:
    return Quantity.from_minor(minor, Unit.HOUR)


async def recomputed(session: AsyncSession) -> dict[tuple[str, str, int], tuple[int, ...]]:
    """(incentive, period, group) -> (eligible, users, granted, carried in, carried out, used,
    held, expired), from the legs and the dimension rows, without the fold's code."""
    legs = await session.execute(
        text(
            "SELECT a.citizen_key, a.incentive, a.period_key, a.kind, l.category, l.side, l.amount "
            "FROM ledger_legs l JOIN ledger_accounts a ON a.id = l.account_id "
            "WHERE a.citizen_key IS NOT NULL"
        )
    )
    rights: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0] * 6)
    for key, incentive, period, kind, category, side, amount in legs:
        net = amount if side == "C" else -amount
        right = rights[(key, incentive, period)]
        if kind == "available" and category == "grant":
            right[0] += net
        if kind == "available" and category == "carry":
            right[1 if side == "C" else 2] += amount
        if category == "use":
            right[3] -= net
        if kind == "held":
            right[4] += net
        if kind == "available" and category == "expire":
            right[5] -= net
    dims: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for key, valid_from, group in await session.execute(
        text("SELECT citizen_key, valid_from, group_id FROM citizen_dimensions")
    ):
        dims[key].append((valid_from, group))

    def group_of(key: str, period: str) -> int:
        start = parse_key(period).start
        rows = sorted(dims.get(key, []))
        before = [g for day, g in rows if day <= start]
        return before[-1] if before else rows[0][1] if rows else 0

    cells: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0] * 8)
    for (key, incentive, period), r in rights.items():
        cell = cells[(incentive, period, group_of(key, period))]
        cell[0] += r[0] + r[1] > 0
        cell[1] += r[3] > 0
        for i, value in enumerate(r):
            cell[2 + i] += value
    return {k: tuple(v) for k, v in cells.items() if any(v)}


async def folded(session: AsyncSession) -> dict[tuple[str, str, int], tuple[int, ...]]:
    rows = await session.execute(
        text(
            "SELECT incentive, period_key, group_id, eligible, users, granted, carried_in, "
            "carried_out, used, held, expired FROM statistics_cells"
        )
    )
    found = {(r[0], r[1], r[2]): tuple(int(v) for v in r[3:]) for r in rows}
    return {k: v for k, v in found.items() if any(v)}


class Workload:
    def __init__(self, session: AsyncSession, rng: random.Random) -> None:
        self.session, self.rng, self.now = session, rng, START
        self.citizens = [
            CitizenRef(s, KEYER.key(s)) for s in (parse_ssin(make_ssin(rng)) for _ in range(12))
        ]
        self.holds: list[Any] = []
        self.posted: list[Any] = []

    def ledger(self) -> Ledger:
        return Ledger(self.session, RulesCatalog(), ExplicitGrantsOnly(), VAULT, self.now)

    async def declare(self, citizen: CitizenRef, observed_on: date) -> None:
        facts = Facts.model_validate(
            {
                "educationLevel": self.rng.choice(LEVELS),
                "status": "employee",
                "employerFte": str(self.rng.choice([3, 15, 40, 120, 900])),
            }
        )
        await declare_facts(
            self.session,
            citizen.key,
            facts,
            source="test",
            observed_on=observed_on,
            recorded_by="test",
            today=self.now.date(),
        )
        await remember_dimensions(self.session, citizen.key, citizen.ssin, observed_on)

    async def step(self) -> None:
        rng, citizen = self.rng, self.rng.choice(self.citizens)
        action = rng.choice(
            [
                "grant",
                "grant",
                "reserve",
                "reserve",
                "capture",
                "release",
                "redeem",
                "reverse",
                "facts",
                "facts_backdated",
                "fold",
            ]
        )
        ledger = self.ledger()
        try:
            async with self.session.begin_nested():
                if action == "grant":
                    txn = await ledger.grant(
                        ACTOR, citizen, "vov", hours(rng.randint(100, 9000)), "2026-27"
                    )
                    self.posted.append(txn)
                elif action in ("reserve", "redeem"):
                    booking = Booking("vov", hours(rng.randint(50, 3000)), "2026-27")
                    if action == "reserve":
                        self.holds.append(await ledger.reserve(ACTOR, citizen, booking))
                    else:
                        self.posted.append(await ledger.redeem(ACTOR, citizen, booking))
                elif action == "capture" and self.holds:
                    hold = self.holds.pop(rng.randrange(len(self.holds)))
                    amount = hours(rng.randint(1, 3000)).amount
                    self.posted.append(await ledger.capture(ACTOR, hold, amount))
                elif action == "release" and self.holds:
                    await ledger.release(ACTOR, self.holds.pop(rng.randrange(len(self.holds))))
                elif action == "reverse" and self.posted:
                    await ledger.reverse(ACTOR, rng.choice(self.posted), "test")
                elif action == "facts":
                    await self.declare(citizen, self.now.date())
                elif action == "facts_backdated":
                    await self.declare(citizen, date(2026, rng.randint(1, 9), 1))
                elif action == "fold":
                    await service.refresh(self.session, steps=1)
        except errors.LedgerError:
            pass  # refused (not enough balance, reversed twice...): nothing posted
        self.now += timedelta(minutes=rng.randint(1, 600))

    async def period_ends(self) -> None:
        self.now = datetime(2027, 9, 2, 9, tzinfo=UTC)
        catalog = RulesCatalog()
        for ended in await ended_periods(self.session, catalog, self.now.date()):
            while await close_period_batch(self.session, catalog, ended, ACTOR, self.now):
                pass


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_aggregates_are_the_ledger_after_a_random_workload(
    session: AsyncSession, seed: int
) -> None:
    await service.refresh(session, steps=None)
    assert await folded(session) == await recomputed(session)  # whatever other tests left
    work = Workload(session, random.Random(seed))
    for citizen in work.citizens[:8]:
        await work.declare(citizen, date(2026, 9, 1))
    for _ in range(120):
        await work.step()
    if seed != 1:
        await work.period_ends()
    assert await service.refresh(session, steps=None) == 0
    mine = await recomputed(session)
    assert await folded(session) == mine
    used = [
        v for (incentive, period, _), v in mine.items() if (incentive, period) == ("vov", "2026-27")
    ]
    assert sum(v[0] for v in used) > 0  # the workload granted
    assert sum(v[5] for v in used) > 0  # and used
    assert len({g for (_, period, g) in mine if period == "2026-27"}) > 1  # in several groups
    if seed != 1:
        assert sum(v[7] for v in used) > 0  # the period end expired what was left
