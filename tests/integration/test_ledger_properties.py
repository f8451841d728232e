"""Random sequences of grant, reserve, capture, release, redeem, reverse, time passing, the hold
sweep and the period end, checked after every step against a model and against the record:
no negative balance, every transaction balanced, cached balances equal to their legs, each hold
resolved at most once."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from app.db import async_url
from app.domain.grants import RulesCatalog
from app.domain.identity import CitizenKeyer, parse_ssin
from app.domain.ledger import errors
from app.domain.ledger.balances import right_balances
from app.domain.ledger.maintenance import close_period_batch, ended_periods, sweep_expired_holds
from app.domain.ledger.ports import Actor, CitizenRef, ExplicitGrantsOnly
from app.domain.ledger.service import Booking, Ledger
from app.domain.quantities import Quantity, Unit
from app.domain.vault import SsinVault
from tests.support import assert_ledger_consistent, make_ssin

START = datetime(2026, 10, 1, 9, tzinfo=UTC)
ACTOR = Actor("property-test")
VAULT = SsinVault({"k": b"k" * 32}, "k")


def hours(minor: int) -> Quantity:
    return Quantity.from_minor(minor, Unit.HOUR)


class LedgerMachine(RuleBasedStateMachine):
    database_url = ""
    holds = Bundle("holds")
    posted = Bundle("posted")

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        engine = create_async_engine(async_url(self.database_url), poolclass=NullPool)
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        ssin = parse_ssin(make_ssin())
        self.citizen = CitizenRef(ssin, CitizenKeyer(b"property").key(ssin))
        self.now = START
        self.catalog = RulesCatalog()
        self.hold_state: dict[uuid.UUID, list[object]] = {}  # id -> [amount, expires, state]
        self.reversed: set[uuid.UUID] = set()
        self.kinds: dict[uuid.UUID, tuple[str, int]] = {}
        self.granted = self.used = self.expired = 0
        self.closed = False
        self.opened = False  # the right's accounts exist from the first grant on

    def teardown(self) -> None:
        self.runner.run(self.engine.dispose())
        self.runner.close()

    # -- model ---------------------------------------------------------------------------

    def reserved(self) -> int:
        return sum(
            int(a)
            for a, exp, state in self.hold_state.values()  # type: ignore[call-overload]
            if state == "pending" and exp > self.now
        )  # type: ignore[operator]

    def available(self) -> int:
        return self.granted - self.used - self.reserved() - self.expired

    def _sweep_model(self) -> None:
        for entry in self.hold_state.values():
            if entry[2] == "pending" and entry[1] <= self.now:  # type: ignore[operator]
                entry[2] = "expired"

    def refusal(self, amount: int) -> type[Exception] | None:
        if self.closed or not self.opened:
            return errors.NotEntitled
        return errors.InsufficientBalance if self.available() < amount else None

    # -- driving the ledger --------------------------------------------------------------

    def run(self, action):  # type: ignore[no-untyped-def]
        async def go():  # type: ignore[no-untyped-def]
            async with self.sessions() as session, session.begin():
                ledger = Ledger(session, self.catalog, ExplicitGrantsOnly(), VAULT, self.now)
                return await action(ledger)

        return self.runner.run(go())

    def expect(self, error: type[Exception] | None, action):  # type: ignore[no-untyped-def]
        if error is None:
            return self.run(action)
        with pytest.raises(error):
            self.run(action)
        return None

    @rule(target=posted, amount=st.integers(1, 5000))
    def grant(self, amount: int) -> uuid.UUID:
        if self.closed:
            return uuid.uuid4()  # nothing to grant into a closed period; an unknown id
        txn = self.run(lambda lg: lg.grant(ACTOR, self.citizen, "vov", hours(amount), "2026-27"))
        self.granted += amount
        self.opened = True
        self.kinds[txn] = ("grant", amount)
        return txn  # type: ignore[no-any-return]

    @rule(target=holds, amount=st.integers(1, 5000), ttl=st.integers(1, 96))
    def reserve(self, amount: int, ttl: int) -> uuid.UUID:
        booking = Booking(
            "vov", hours(amount), "2026-27", expires_at=self.now + timedelta(hours=ttl)
        )
        error = self.refusal(amount)
        txn = self.expect(error, lambda lg: lg.reserve(ACTOR, self.citizen, booking))
        if txn is None:
            return uuid.uuid4()
        self._sweep_model()  # a reserve that posts puts the right's overdue holds on record
        self.hold_state[txn] = [amount, self.now + timedelta(hours=ttl), "pending"]
        return txn  # type: ignore[no-any-return]

    @rule(target=posted, hold=holds, fraction=st.integers(1, 120))
    def capture(self, hold: uuid.UUID, fraction: int) -> uuid.UUID:
        entry = self.hold_state.get(hold)
        if entry is None:
            self.expect(errors.TransactionNotFound, lambda lg: lg.capture(ACTOR, hold))
            return uuid.uuid4()
        amount = max(1, int(entry[0]) * fraction // 100)  # type: ignore[call-overload]
        error = (
            errors.HoldNotPending
            if entry[2] != "pending"
            else errors.HoldExpired
            if entry[1] <= self.now  # type: ignore[operator]
            else errors.CaptureExceedsHold
            if amount > int(entry[0])  # type: ignore[call-overload]
            else None
        )
        txn = self.expect(error, lambda lg: lg.capture(ACTOR, hold, hours(amount).amount))
        if txn is None:
            return uuid.uuid4()
        entry[2] = "captured"
        self.used += amount
        self.kinds[txn] = ("capture", amount)
        return txn  # type: ignore[no-any-return]

    @rule(hold=holds)
    def release(self, hold: uuid.UUID) -> None:
        entry = self.hold_state.get(hold)
        if entry is None:
            return
        overdue = entry[1] <= self.now  # type: ignore[operator]
        error = errors.HoldNotPending if entry[2] != "pending" or overdue else None
        self.expect(error, lambda lg: lg.release(ACTOR, hold))
        if error is None:
            entry[2] = "released"

    @rule(target=posted, amount=st.integers(1, 5000))
    def redeem(self, amount: int) -> uuid.UUID:
        error = self.refusal(amount)
        booking = Booking("vov", hours(amount), "2026-27")
        txn = self.expect(error, lambda lg: lg.redeem(ACTOR, self.citizen, booking))
        if txn is None:
            return uuid.uuid4()
        self._sweep_model()  # as a reserve: only one that posts (a refusal changes nothing)
        self.used += amount
        self.kinds[txn] = ("redeem", amount)
        return txn  # type: ignore[no-any-return]

    @rule(txn=posted)
    def reverse(self, txn: uuid.UUID) -> None:
        if txn not in self.kinds:
            self.expect(errors.TransactionNotFound, lambda lg: lg.reverse(ACTOR, txn, "test"))
            return
        kind, amount = self.kinds[txn]
        error = (
            errors.AlreadyReversed
            if txn in self.reversed
            else errors.InsufficientBalance
            if kind == "grant" and self.available() < amount
            else None
        )
        self.expect(error, lambda lg: lg.reverse(ACTOR, txn, "test"))
        if error is None:
            self.reversed.add(txn)
            if kind == "grant":
                self.granted -= amount
            else:
                self.used -= amount
                if self.closed:  # a refund into an ended period expires with it
                    self.expired += amount

    @rule(hours_=st.integers(1, 72))
    def time_passes(self, hours_: int) -> None:
        if not self.closed:
            self.now += timedelta(hours=hours_)

    @rule()
    def sweep(self) -> None:
        async def go() -> None:
            def ledger_for(session: AsyncSession) -> Ledger:
                return Ledger(session, self.catalog, ExplicitGrantsOnly(), VAULT, self.now)

            async for _ in sweep_expired_holds(self.sessions, ledger_for, ACTOR):
                pass

        self.runner.run(go())
        self._sweep_model()

    @rule()
    def period_ends(self) -> None:
        self.now = datetime(2027, 9, 2, 9, tzinfo=UTC)

        async def go() -> None:
            async with self.sessions() as session, session.begin():
                for ended in await ended_periods(session, self.catalog, self.now.date()):
                    while await close_period_batch(session, self.catalog, ended, ACTOR, self.now):
                        pass

        self.expired += self.available()  # overdue holds included: they no longer count
        self.runner.run(go())
        self.closed = True

    @invariant()
    def balances_match_the_model_and_the_record(self) -> None:
        async def check() -> None:
            async with self.sessions() as session:
                balances = await right_balances(
                    session,
                    self.citizen.key,
                    "vov",
                    "2026-27",
                    Unit.HOUR,
                    None,
                    period_ended=self.now.date() > date(2027, 8, 31),
                    now=self.now,
                )
                assert balances.granted == self.granted
                assert balances.used == self.used
                assert balances.reserved == self.reserved()
                assert balances.expired == self.expired
                assert balances.available == self.available() >= 0
                await assert_ledger_consistent(session)

        self.runner.run(check())


def test_ledger_state_machine(database_url: str) -> None:
    LedgerMachine.database_url = database_url
    machine = LedgerMachine.TestCase
    machine.settings = settings(
        max_examples=15,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    machine().runTest()
