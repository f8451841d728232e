"""The ledger's operations: grant, reserve, capture, release, redeem, reverse, and the expiry of
holds. Each reads its right once, under the right's lock (``repository.lock_right``), checks in
Python for a precise refusal, and posts through the one posting path (``repository.post``), where
PostgreSQL has the last word (constraints, unique resolutions, the balanced-legs trigger)."""

import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import InvalidInput
from app.domain.ledger import errors
from app.domain.ledger.booking import (
    Booking,
    end_of_period,
    grant_legs,
    minor_of,
    past,
    redeem_legs,
    resolve_period,
    use_legs,
)
from app.domain.ledger.funding import scaled_funding, split_funding
from app.domain.ledger.ports import Actor, CitizenRef, Entitlements, IncentiveCatalog
from app.domain.ledger.repository import (
    Kept,
    Leg,
    NewTransaction,
    Posting,
    RightState,
    StoredTransaction,
    lock_right,
    post,
)
from app.domain.ledger.views import TransactionView, posted_view
from app.domain.periods import BRUSSELS, Period
from app.domain.quantities import Quantity, Unit
from app.domain.vault import SsinVault

REVERSIBLE = {"grant", "adjust", "redeem", "capture"}
Keeping = Callable[[TransactionView], Kept]
"""How a request's answer is written from the posting's view, to be kept with the posting."""


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
        self.posted: dict[uuid.UUID, TransactionView] = {}
        """What this ledger posted, as the answer shows it (with the balance right after)."""
        self.keeping: Keeping | None = None
        """Set by a request (``app/domain/postings.py``): its operation's posting is stamped
        with the instant read under the right's lock, so the answer is written first and kept
        (for replays, with the access-log line) by the posting's own statement."""

    # -- moving rights -------------------------------------------------------------------

    async def grant(
        self,
        actor: Actor,
        citizen: CitizenRef,
        incentive: str,
        amount: Quantity,
        period_key: str | None = None,
    ) -> uuid.UUID:
        asked = resolve_period(self.catalog, incentive, period_key, self.today)
        period = asked.period
        self._known(incentive, amount, period)
        state = await self._lock(citizen.key, incentive, period, amount.unit, open_=True)
        txn = self._new(actor, citizen, "grant", incentive, period, amount)
        if asked.accrual_year is not None:
            txn.metadata = {"accrualYear": asked.accrual_year}
        legs = grant_legs(self._available(state), amount.minor)
        return await self._post(citizen, state, [Posting(txn, legs)])

    async def reserve(self, actor: Actor, citizen: CitizenRef, booking: Booking) -> uuid.UUID:
        period = self._booked_period(booking)
        expires_at = booking.expires_at or end_of_period(period)
        if expires_at <= self.now:
            raise InvalidInput("expiresAt", expires_at.isoformat(), "a hold must expire later")
        if expires_at > end_of_period(period):
            raise InvalidInput(
                "expiresAt",
                expires_at.isoformat(),
                f"after the end of period {period.key} ({period.end}): a hold "
                "cannot outlive the right it draws on",
            )
        state, expiries = await self._open_right(actor, citizen, booking, period)
        txn = self._new(actor, citizen, "reserve", booking.incentive, period, booking.amount)
        txn.expires_at, txn.training, txn.reference = (
            expires_at,
            booking.training,
            booking.reference,
        )
        txn.funding = self._funding(booking, period)
        minor = booking.amount.minor
        return await self._post(
            citizen,
            state,
            [
                *expiries,
                Posting(
                    txn,
                    [
                        Leg(self._available(state), "D", minor, "hold"),
                        Leg(self._held(state), "C", minor, "hold"),
                    ],
                ),
            ],
        )

    async def redeem(self, actor: Actor, citizen: CitizenRef, booking: Booking) -> uuid.UUID:
        period = self._booked_period(booking)
        state, expiries = await self._open_right(actor, citizen, booking, period)
        funding = self._funding(booking, period)
        txn = self._new(actor, citizen, "redeem", booking.incentive, period, booking.amount)
        txn.training, txn.reference, txn.funding = booking.training, booking.reference, funding
        legs = redeem_legs(self._available(state), booking.amount.unit, funding, txn.amount)
        return await self._post(citizen, state, [*expiries, Posting(txn, legs)])

    async def capture(
        self, actor: Actor, hold_id: uuid.UUID, amount: Quantity | Decimal | None = None
    ) -> uuid.UUID:
        state, hold = await self._pending_hold(hold_id)
        unit = hold.unit
        if hold.expires_at is not None and hold.expires_at <= self.now:
            raise errors.HoldExpired(f"hold {hold_id} expired at {hold.expires_at.isoformat()}")
        taken = hold.amount if amount is None else minor_of(amount, unit, "amount")
        if taken > hold.amount:
            raise errors.CaptureExceedsHold(
                f"the hold reserved {Quantity.from_minor(hold.amount, unit).text()} {unit}; "
                f"{Quantity.from_minor(taken, unit).text()} cannot be captured"
            )
        funding = scaled_funding(hold.funding, taken, hold.amount, unit)
        txn = self._follow_up(actor, hold, "capture", taken)
        txn.funding = funding
        entries = [Leg(self._held(state), "D", taken, "use"), *use_legs(unit, funding, taken)]
        if hold.amount > taken:
            entries += [
                Leg(self._held(state), "D", hold.amount - taken, "hold"),
                Leg(self._available(state), "C", hold.amount - taken, "hold"),
            ]
        return await self._post(None, state, [Posting(txn, entries)])

    async def release(self, actor: Actor, hold_id: uuid.UUID) -> uuid.UUID:
        state, hold = await self._pending_hold(hold_id)
        if hold.expires_at is not None and hold.expires_at <= self.now:
            raise errors.HoldNotPending(  # expired at its instant, swept or not
                f"hold {hold_id} already expired at {hold.expires_at.isoformat()}"
            )
        return await self._post(None, state, [self._back(state, hold, "release", actor)])

    async def reverse(self, actor: Actor, transaction_id: uuid.UUID, reason: str) -> uuid.UUID:
        state = await lock_right(self.session, self.now, txn=transaction_id)
        if state is None or state.txn is None:
            raise errors.TransactionNotFound(f"no transaction {transaction_id}")
        original = state.txn
        if original.type not in REVERSIBLE:
            raise errors.NotReversible(
                f"a {original.type} transaction cannot be reversed"
                + (": release the hold instead" if original.type == "reserve" else "")
            )
        if state.reversed_by is not None:
            raise errors.AlreadyReversed(f"transaction {transaction_id} was already reversed")
        available, held = self._available(state), self._held(state)
        entries = [
            Leg(
                available if account == held else account,
                "C" if side == "D" else "D",
                amount,
                category,
            )
            for account, side, amount, category in state.txn_legs
            if category != "hold"
        ]
        taken = sum(e.amount for e in entries if e.side == "D" and e.account == available)
        # holds past their expiry no longer count: their expiry is posted with the reversal
        free = state.available + sum(hold.amount for hold in state.overdue)
        if taken > free:
            raise errors.InsufficientBalance(
                "the rights this transaction granted were already used or reserved: "
                f"{Quantity.from_minor(free, original.unit).text()} available"
            )
        txn = self._follow_up(actor, original, "reverse", original.amount)
        txn.resolves, txn.reverses = None, original.id
        txn.metadata, txn.funding = {"reason": reason}, original.funding
        expiries = self._expiries(state, actor)
        return await self._post(None, state, [*expiries, Posting(txn, entries)])

    async def expire_due_holds(self, state: RightState, actor: Actor) -> int:
        """Posts the expiry of the right's holds that are past due (``state`` holds its lock)."""
        if state.overdue:
            await self._post(None, state, self._expiries(state, actor))
        return len(state.overdue)

    # -- helpers -------------------------------------------------------------------------

    async def _lock(
        self, citizen_key: str, incentive: str, period: Period, unit: Unit, *, open_: bool = False
    ) -> RightState:
        state = await lock_right(
            self.session,
            self.now,
            citizen_key=citizen_key,
            incentive=incentive,
            period_key=period.key,
            unit=unit,
            open_=open_,
            facts=self.entitlements.uses_facts(incentive),
        )
        assert state is not None
        return state

    async def _post(
        self, citizen: CitizenRef | None, state: RightState, postings: list[Posting]
    ) -> uuid.UUID:
        """Posts and keeps the last posting's view (the operation's own) for the answer."""
        last = postings[-1]
        ssin = citizen.ssin if citizen else None
        if ssin is None and last.txn.ssin_ciphertext is not None and last.txn.ssin_key_id:
            ssin = self.vault.open(last.txn.ssin_ciphertext, last.txn.ssin_key_id)
        if self.keeping is None:
            stamped = await post(self.session, postings, self.now)
            self.posted[last.txn.id] = posted_view(state, postings, stamped, ssin)
        else:
            stamped = max(self.now, state.clock)  # as ``post`` stamps: not before now
            view = posted_view(state, postings, stamped, ssin)
            await post(self.session, postings, stamped, self.keeping(view))
            self.posted[last.txn.id] = view
        return last.txn.id

    def _available(self, state: RightState) -> int:
        assert state.available_id is not None
        return state.available_id

    def _held(self, state: RightState) -> int:
        assert state.held_id is not None
        return state.held_id

    def _known(self, incentive: str, amount: Quantity, period: Period) -> None:
        expected = self.catalog.unit(incentive, period.start)
        if amount.unit != expected:
            raise InvalidInput(
                "amount.unit", amount.unit.value, f"{incentive} is counted in {expected.value}"
            )

    def _booked_period(self, booking: Booking) -> Period:
        period = resolve_period(
            self.catalog, booking.incentive, booking.period_key, self.today
        ).period
        self._known(booking.incentive, booking.amount, period)
        if not self.catalog.holds_balance(booking.incentive):
            raise errors.NotEntitled(f"{booking.incentive} is not a balance that can be drawn on")
        if not period.contains(self.today):
            raise errors.NotEntitled(f"period {period.key} is not in force on {self.today}")
        return period

    async def _open_right(
        self, actor: Actor, citizen: CitizenRef, booking: Booking, period: Period
    ) -> tuple[RightState, list[Posting]]:
        """The right a reserve or redeem draws on, locked and settled, with the expiry of its
        overdue holds (posted with the operation)."""
        if booking.training is not None:
            covered = await self.entitlements.training_covered(
                self.session, citizen, booking.incentive, booking.training, self.today
            )
            if covered is False:
                raise errors.TrainingNotEligible(
                    f"{booking.incentive} does not cover this training"
                )
        state = await self._lock(citizen.key, booking.incentive, period, booking.amount.unit)
        if self.entitlements.uses_facts(booking.incentive):
            state = await self.entitlements.settle_right(
                self.session,
                citizen,
                self.vault,
                booking.incentive,
                period,
                state,
                self.now,
                actor.trace_id,
            )
        if not state.exists:
            raise errors.NotEntitled(
                f"no {booking.incentive} right for this citizen in period {period.key}"
            )
        expiries = self._expiries(state, actor)
        available = state.available + sum(hold.amount for hold in state.overdue)
        if available < booking.amount.minor:
            raise errors.InsufficientBalance(
                f"{Quantity.from_minor(available, booking.amount.unit).text()} "
                f"{booking.amount.unit.value} available, {booking.amount.text()} asked"
            )
        return state, expiries

    def _expiries(self, state: RightState, actor: Actor) -> list[Posting]:
        return [self._back(state, hold, "expire", actor) for hold in state.overdue]

    def _back(
        self, state: RightState, hold: StoredTransaction, type_: str, actor: Actor
    ) -> Posting:
        """A hold's amount back to the available balance (its release or its expiry)."""
        txn = self._follow_up(actor, hold, type_, hold.amount)
        return Posting(
            txn,
            [
                Leg(self._held(state), "D", hold.amount, "hold"),
                Leg(self._available(state), "C", hold.amount, "hold"),
            ],
        )

    def _funding(self, booking: Booking, period: Period) -> dict[str, str] | None:
        if booking.amount.unit is not Unit.EUR:
            if booking.funding:
                raise InvalidInput("funding", None, "only money rights carry funding")
            return None
        for payer, part in (booking.funding or {}).items():
            if part.unit is not booking.amount.unit:
                raise InvalidInput(
                    f"funding.{payer}.unit",
                    part.unit.value,
                    f"the right is counted in {booking.amount.unit.value}",
                )
        shares = self.catalog.funding_shares(booking.incentive, period.start)
        return split_funding(booking.amount, shares, booking.funding)

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
            type=type_,
            incentive=incentive,
            unit=amount.unit,
            amount=amount.minor,
            effective_date=self.today,
            caller=actor.partner,
            citizen_key=citizen.key,
            period_key=period.key,
            ssin_ciphertext=ciphertext,
            ssin_key_id=key_id,
            trace_id=actor.trace_id,
        )

    def _follow_up(
        self, actor: Actor, first: StoredTransaction, type_: str, minor: int
    ) -> NewTransaction:
        """A transaction that resolves or reverses ``first``, on the same right."""
        return NewTransaction(
            type=type_,
            incentive=first.incentive,
            unit=first.unit,
            amount=minor,
            effective_date=self.today,
            caller=actor.partner,
            citizen_key=first.citizen_key,
            period_key=first.period_key,
            ssin_ciphertext=first.ssin_ciphertext,
            ssin_key_id=first.ssin_key_id,
            resolves=first.id,
            trace_id=actor.trace_id,
            reference=first.reference,
        )

    async def _pending_hold(self, hold_id: uuid.UUID) -> tuple[RightState, StoredTransaction]:
        state = await lock_right(self.session, self.now, txn=hold_id)
        if state is None or state.txn is None:
            raise errors.TransactionNotFound(f"no transaction {hold_id}")
        hold = state.txn
        if hold.type != "reserve":
            raise InvalidInput("reservationId", str(hold_id), f"transaction is a {hold.type}")
        if state.resolved_by is not None:
            raise errors.HoldNotPending(f"hold {hold_id} was already {past(state.resolved_by)}")
        return state, hold


__all__ = ["Booking", "Ledger", "end_of_period"]
