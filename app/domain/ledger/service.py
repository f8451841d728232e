"""The ledger's operations: grant, reserve, capture, release, redeem, reverse, and the expiry of
holds. Each checks in Python first (for a precise refusal) and leaves the last word to PostgreSQL
(constraints, unique resolutions, the balanced-legs trigger)."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import InvalidInput
from app.domain.ledger import errors
from app.domain.ledger.book import (
    Leg,
    NewTransaction,
    RightAccounts,
    find_right_accounts,
    lock,
    post,
    right_accounts,
    system_account,
)
from app.domain.ledger.funding import scaled_funding, split_funding
from app.domain.ledger.ports import Actor, CitizenRef, Entitlements, IncentiveCatalog
from app.domain.ledger.tables import accounts, legs, transactions
from app.domain.periods import Period, parse_key
from app.domain.quantities import InvalidQuantity, Quantity, Unit
from app.domain.vault import SsinVault

BRUSSELS = ZoneInfo("Europe/Brussels")
REVERSIBLE = {"grant", "adjust", "redeem", "capture"}


@dataclass(frozen=True, slots=True)
class Booking:
    """What a reserve or redeem asks for."""

    incentive: str
    amount: Quantity
    period_key: str | None = None
    training: dict[str, Any] | None = None
    reference: str | None = None
    funding: dict[str, Quantity] | None = None
    expires_at: datetime | None = None


def end_of_period(period: Period) -> datetime:
    return datetime.combine(period.end + timedelta(days=1), time(), BRUSSELS)


class Ledger:
    def __init__(
        self,
        session: AsyncSession,
        catalog: IncentiveCatalog,
        entitlements: Entitlements,
        vault: SsinVault,
        now: datetime,
    ) -> None:
        self.session, self.catalog, self.entitlements = session, catalog, entitlements
        self.vault, self.now = vault, now
        self.today = now.astimezone(BRUSSELS).date()

    # -- moving rights -------------------------------------------------------------------

    async def grant(
        self,
        actor: Actor,
        citizen: CitizenRef,
        incentive: str,
        amount: Quantity,
        period_key: str | None = None,
        *,
        decision_id: uuid.UUID | None = None,
        unique_token: str | None = None,
        metadata: dict[str, Any] | None = None,
        type_: str = "grant",
    ) -> uuid.UUID:
        period = self._period(incentive, period_key, self.today)
        self._known(incentive, amount, period)
        right = await right_accounts(self.session, citizen.key, incentive, period.key, amount.unit)
        await lock(self.session, [right.available_id, right.held_id])
        issuer = await system_account(self.session, "issuer", incentive, amount.unit)
        txn = self._new(actor, citizen, type_, incentive, period, amount)
        txn.decision_id, txn.unique_token = decision_id, unique_token
        txn.metadata = metadata or {}
        await post(self.session, txn, [
            Leg(issuer, "D", amount.minor, "grant"),
            Leg(right.available_id, "C", amount.minor, "grant"),
        ])  # fmt: skip
        return txn.id

    async def withdraw(
        self,
        actor: Actor,
        citizen: CitizenRef,
        right: RightAccounts,
        minor: int,
        *,
        decision_id: uuid.UUID,
        metadata: dict[str, Any],
    ) -> uuid.UUID:
        """Takes back granted rights that a new decision no longer gives (the caller holds the
        right's locks and has checked that ``minor`` is available)."""
        issuer = await system_account(self.session, "issuer", right.incentive, right.unit)
        period = parse_key(right.period_key)
        txn = self._new(actor, citizen, "adjust", right.incentive, period,
                        Quantity.from_minor(minor, right.unit))  # fmt: skip
        txn.decision_id, txn.metadata = decision_id, metadata
        await post(self.session, txn, [
            Leg(right.available_id, "D", minor, "grant"),
            Leg(issuer, "C", minor, "grant"),
        ])  # fmt: skip
        return txn.id

    async def reserve(self, actor: Actor, citizen: CitizenRef, booking: Booking) -> uuid.UUID:
        right, period = await self._open_right(actor, citizen, booking)
        expires_at = booking.expires_at or end_of_period(period)
        if expires_at <= self.now:
            raise InvalidInput("expiresAt", expires_at.isoformat(), "a hold must expire later")
        funding = self._funding(booking, period)
        txn = self._new(actor, citizen, "reserve", booking.incentive, period, booking.amount)
        txn.expires_at, txn.training, txn.reference = (
            expires_at,
            booking.training,
            booking.reference,
        )
        txn.funding = funding
        await post(self.session, txn, [
            Leg(right.available_id, "D", booking.amount.minor, "hold"),
            Leg(right.held_id, "C", booking.amount.minor, "hold"),
        ])  # fmt: skip
        return txn.id

    async def redeem(self, actor: Actor, citizen: CitizenRef, booking: Booking) -> uuid.UUID:
        right, period = await self._open_right(actor, citizen, booking)
        funding = self._funding(booking, period)
        txn = self._new(actor, citizen, "redeem", booking.incentive, period, booking.amount)
        txn.training, txn.reference, txn.funding = booking.training, booking.reference, funding
        uses = await self._use_legs(booking.incentive, booking.amount.unit, funding,
                                    booking.amount.minor)  # fmt: skip
        await post(self.session, txn,
                   [Leg(right.available_id, "D", booking.amount.minor, "use"), *uses])  # fmt: skip
        return txn.id

    async def capture(
        self, actor: Actor, hold_id: uuid.UUID, amount: Decimal | None = None
    ) -> uuid.UUID:
        hold, right = await self._pending_hold(hold_id)
        unit = Unit(hold.unit)
        if hold.expires_at <= self.now:
            raise errors.HoldExpired(f"hold {hold_id} expired at {hold.expires_at.isoformat()}")
        taken = hold.amount if amount is None else _minor(amount, unit, "amount")
        if taken > hold.amount:
            raise errors.CaptureExceedsHold(
                f"the hold reserved {Quantity.from_minor(hold.amount, unit).text()} {unit}; "
                f"{Quantity.from_minor(taken, unit).text()} cannot be captured"
            )
        funding = scaled_funding(hold.funding, taken, hold.amount, unit)
        txn = self._follow_up(actor, hold, "capture", taken)
        txn.funding = funding
        entries = [Leg(right.held_id, "D", taken, "use"),
                   *await self._use_legs(hold.incentive, unit, funding, taken)]  # fmt: skip
        if hold.amount > taken:
            entries += [Leg(right.held_id, "D", hold.amount - taken, "hold"),
                        Leg(right.available_id, "C", hold.amount - taken, "hold")]  # fmt: skip
        await post(self.session, txn, entries)
        return txn.id

    async def release(self, actor: Actor, hold_id: uuid.UUID) -> uuid.UUID:
        hold, right = await self._pending_hold(hold_id)
        if hold.expires_at <= self.now:  # expired at its instant, swept or not
            raise errors.HoldNotPending(
                f"hold {hold_id} already expired at {hold.expires_at.isoformat()}"
            )
        txn = self._follow_up(actor, hold, "release", hold.amount)
        await post(self.session, txn, [
            Leg(right.held_id, "D", hold.amount, "hold"),
            Leg(right.available_id, "C", hold.amount, "hold"),
        ])  # fmt: skip
        return txn.id

    async def reverse(self, actor: Actor, transaction_id: uuid.UUID, reason: str) -> uuid.UUID:
        original = await self._transaction(transaction_id, "transactionId")
        if original.type not in REVERSIBLE:
            raise errors.NotReversible(
                f"a {original.type} transaction cannot be reversed"
                + (": release the hold instead" if original.type == "reserve" else "")
            )
        right = await self._right_of(original)
        balances = await lock(self.session, [right.available_id, right.held_id])
        if await self._resolver(transaction_id, "reverses") is not None:
            raise errors.AlreadyReversed(f"transaction {transaction_id} was already reversed")
        rows = (await self.session.execute(
            select(legs).where(legs.c.transaction_id == transaction_id, legs.c.category != "hold")
        )).all()  # fmt: skip
        entries = [
            Leg(right.available_id if row.account_id == right.held_id else row.account_id,
                "C" if row.side == "D" else "D", row.amount, row.category)
            for row in rows
        ]  # fmt: skip
        taken = sum(
            e.amount for e in entries if e.side == "D" and e.account_id == right.available_id
        )
        if taken > balances[right.available_id]:
            raise errors.InsufficientBalance(
                "the rights this transaction granted were already used or reserved: "
                f"{Quantity.from_minor(balances[right.available_id], right.unit).text()} available"
            )
        txn = self._follow_up(actor, original, "reverse", original.amount)
        txn.resolves, txn.reverses = None, original.id
        txn.metadata, txn.funding = {"reason": reason}, original.funding
        await post(self.session, txn, entries)
        return txn.id

    async def expire_due_holds(
        self, right: RightAccounts, actor: Actor, citizen_key: str | None = None
    ) -> int:
        """Posts the expiry of this right's holds that are past due (the caller holds its locks);
        ``citizen_key`` is the right's citizen, looked up when not given."""
        resolver = transactions.alias("resolver")
        due = (await self.session.execute(
            select(transactions)
            .outerjoin(resolver, resolver.c.resolves == transactions.c.id)
            .where(transactions.c.citizen_key == (citizen_key or await self._citizen_of(right)),
                   transactions.c.incentive == right.incentive,
                   transactions.c.period_key == right.period_key,
                   transactions.c.type == "reserve",
                   transactions.c.expires_at <= self.now,
                   resolver.c.id.is_(None))
        )).all()  # fmt: skip
        for hold in due:
            txn = self._follow_up(actor, hold, "expire", hold.amount)
            await post(self.session, txn, [
                Leg(right.held_id, "D", hold.amount, "hold"),
                Leg(right.available_id, "C", hold.amount, "hold"),
            ])  # fmt: skip
        return len(due)

    # -- helpers -------------------------------------------------------------------------

    def _known(self, incentive: str, amount: Quantity, period: Period) -> None:
        expected = self.catalog.unit(incentive, period.start)
        if amount.unit != expected:
            raise InvalidInput("amount.unit", amount.unit.value,
                               f"{incentive} is counted in {expected.value}")  # fmt: skip

    def _period(self, incentive: str, period_key: str | None, day: date) -> Period:
        if not self.catalog.knows(incentive):
            raise InvalidInput("incentive", incentive, "no such incentive")
        if period_key is None:
            return self.catalog.period_for(incentive, day)
        try:
            period = parse_key(period_key)
        except ValueError as exc:
            raise InvalidInput("period", period_key, str(exc)) from exc
        if self.catalog.period_for(incentive, period.start) != period:
            raise InvalidInput("period", period_key, f"not a period {incentive} is counted in")
        return period

    async def _open_right(
        self, actor: Actor, citizen: CitizenRef, booking: Booking
    ) -> tuple[RightAccounts, Period]:
        """The right a reserve or redeem draws on, locked, its overdue holds expired."""
        period = self._period(booking.incentive, booking.period_key, self.today)
        self._known(booking.incentive, booking.amount, period)
        if not self.catalog.holds_balance(booking.incentive):
            raise errors.NotEntitled(f"{booking.incentive} is not a balance that can be drawn on")
        if not period.contains(self.today):
            raise errors.NotEntitled(f"period {period.key} is not in force on {self.today}")
        if booking.training is not None:
            covered = await self.entitlements.training_covered(
                self, citizen, booking.incentive, booking.training
            )
            if covered is False:
                raise errors.TrainingNotEligible(
                    f"{booking.incentive} does not cover this training"
                )
        await self.entitlements.ensure_granted(self, actor, citizen, booking.incentive, period)
        right = await find_right_accounts(
            self.session, citizen.key, booking.incentive, period.key, booking.amount.unit
        )
        if right is None:
            raise errors.NotEntitled(
                f"no {booking.incentive} right for this citizen in period {period.key}"
            )
        balances = await lock(self.session, [right.available_id, right.held_id])
        if await self.expire_due_holds(right, actor, citizen.key):
            balances = await lock(self.session, [right.available_id])
        available = balances[right.available_id]
        if available < booking.amount.minor:
            raise errors.InsufficientBalance(
                f"{Quantity.from_minor(available, right.unit).text()} {right.unit.value} available"
                f", {booking.amount.text()} asked"
            )
        return right, period

    def _funding(self, booking: Booking, period: Period) -> dict[str, str] | None:
        if booking.amount.unit is not Unit.EUR:
            if booking.funding:
                raise InvalidInput("funding", None, "only money rights carry funding")
            return None
        shares = self.catalog.funding_shares(booking.incentive, period.start)
        return split_funding(booking.amount, shares, booking.funding)

    async def _use_legs(
        self, incentive: str, unit: Unit, funding: dict[str, str] | None, minor: int
    ) -> list[Leg]:
        if not funding:
            return [Leg(await system_account(self.session, "used", incentive, unit), "C", minor,
                        "use")]  # fmt: skip
        entries = []
        for payer, amount in funding.items():
            share = Quantity.parse(amount, unit, allow_zero=True).minor
            if share:
                account = await system_account(self.session, f"used:{payer}", incentive, unit)
                entries.append(Leg(account, "C", share, "use"))
        return entries

    def _new(
        self,
        actor: Actor,
        citizen: CitizenRef,
        type_: str,
        incentive: str,
        period: Period,
        amount: Quantity,
    ) -> NewTransaction:
        ciphertext, key_id = self.vault.seal(citizen.ssin)
        return NewTransaction(
            type=type_, incentive=incentive, unit=amount.unit, amount=amount.minor,
            effective_date=self.today, caller=actor.partner, citizen_key=citizen.key,
            period_key=period.key, ssin_ciphertext=ciphertext, ssin_key_id=key_id,
            trace_id=actor.trace_id, created_at=self.now,
        )  # fmt: skip

    def _follow_up(self, actor: Actor, first: Any, type_: str, minor: int) -> NewTransaction:
        """A transaction that resolves or reverses ``first``, on the same right."""
        return NewTransaction(
            type=type_, incentive=first.incentive, unit=Unit(first.unit), amount=minor,
            effective_date=self.today, caller=actor.partner, citizen_key=first.citizen_key,
            period_key=first.period_key, ssin_ciphertext=first.ssin_ciphertext,
            ssin_key_id=first.ssin_key_id, resolves=first.id, trace_id=actor.trace_id,
            reference=first.reference, created_at=self.now,
        )  # fmt: skip

    async def _transaction(self, transaction_id: uuid.UUID, field: str) -> Any:
        row = (await self.session.execute(
            select(transactions).where(transactions.c.id == transaction_id)
        )).first()  # fmt: skip
        if row is None:
            raise errors.TransactionNotFound(f"no transaction {transaction_id}")
        return row

    async def _resolver(self, transaction_id: uuid.UUID, column: str) -> Any:
        return (await self.session.execute(
            select(transactions.c.id, transactions.c.type)
            .where(transactions.c[column] == transaction_id)
        )).first()  # fmt: skip

    async def _right_of(self, txn: Any) -> RightAccounts:
        right = await find_right_accounts(
            self.session, txn.citizen_key, txn.incentive, txn.period_key, Unit(txn.unit)
        )
        assert right is not None, "a posted transaction always has its accounts"
        return right

    async def _pending_hold(self, hold_id: uuid.UUID) -> tuple[Any, RightAccounts]:
        hold = await self._transaction(hold_id, "reservationId")
        if hold.type != "reserve":
            raise InvalidInput("reservationId", str(hold_id), f"transaction is a {hold.type}")
        right = await self._right_of(hold)
        await lock(self.session, [right.available_id, right.held_id])
        resolved = await self._resolver(hold_id, "resolves")
        if resolved is not None:
            raise errors.HoldNotPending(f"hold {hold_id} was already {_past(resolved.type)}")
        return hold, right

    async def _citizen_of(self, right: RightAccounts) -> str:
        key = await self.session.scalar(
            select(accounts.c.citizen_key).where(accounts.c.id == right.available_id)
        )
        return str(key)


def _past(type_: str) -> str:
    return {"capture": "captured", "release": "released", "expire": "expired"}.get(type_, type_)


def _minor(amount: Decimal, unit: Unit, field: str) -> int:
    try:
        return Quantity.parse(amount, unit).minor
    except InvalidQuantity as exc:
        raise InvalidInput(field, str(amount), str(exc)) from exc
