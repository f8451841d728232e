"""``POST /transactions`` as one domain command: authorise, check the idempotency key, dispatch
to the ledger, keep the answer for replays and put the look on the citizen's record.

The HTTP layer parses the body into one of the commands below and renders the answer; what
happens in between, and in which order, is decided here (api.md, "Rules the service
guarantees"): the key is opened (and locked) before anything is read, a replay answers the stored
body with the SSIN put back, a refusal by the ledger is rolled back and logged on the citizen's
access log, a posting stores its answer (and its access-log line) in the statement that posts it."""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.access import Principal, record_access
from app.domain.access.privacy import refuse_ssins
from app.domain.access.transactions import authorize_posting
from app.domain.identity import CitizenKeyer, Ssin
from app.domain.ledger import idempotency
from app.domain.ledger.booking import Booking
from app.domain.ledger.errors import LedgerError
from app.domain.ledger.ports import CitizenRef
from app.domain.ledger.repository import Kept
from app.domain.ledger.service import Ledger
from app.domain.ledger.views import TransactionView
from app.domain.quantities import Quantity
from app.domain.vault import SsinVault


@dataclass(frozen=True, slots=True)
class Reserve:
    citizen: Ssin
    booking: Booking


@dataclass(frozen=True, slots=True)
class Redeem:
    citizen: Ssin
    booking: Booking


@dataclass(frozen=True, slots=True)
class Capture:
    reservation_id: uuid.UUID
    amount: Quantity | None


@dataclass(frozen=True, slots=True)
class Release:
    reservation_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Grant:
    citizen: Ssin
    incentive: str
    amount: Quantity
    period_key: str | None


@dataclass(frozen=True, slots=True)
class Reverse:
    transaction_id: uuid.UUID
    reason: str


Command = Reserve | Redeem | Capture | Release | Grant | Reverse
TYPES: dict[type[Any], str] = {
    Reserve: "reserve",
    Redeem: "redeem",
    Capture: "capture",
    Release: "release",
    Grant: "grant",
    Reverse: "reverse",
}


@dataclass(frozen=True, slots=True)
class PostingRequest:
    """A command with what identifies it for idempotency: the caller's key and the request's
    canonical fields (the body as JSON, without the SSIN: the citizen's key replaces it)."""

    command: Command
    idempotency_key: str
    fields: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Posted:
    """The answer: a fresh posting (201), a replay of the stored one, or the ledger's refusal
    (its access row kept, its effects rolled back)."""

    status_code: int
    body: dict[str, Any]
    transaction_id: uuid.UUID | None = None
    replayed: bool = False
    refused: LedgerError | None = None


Render = Callable[[TransactionView], dict[str, Any]]
"""How the answer is written (the HTTP layer's schema), kept for replays as it was sent."""


@dataclass(frozen=True, slots=True)
class Poster:
    ledger: Ledger
    keyer: CitizenKeyer
    vault: SsinVault

    def _citizen(self, ssin: Ssin) -> CitizenRef:
        return CitizenRef(ssin, self.keyer.key(ssin))

    def _target(self, command: Command) -> tuple[CitizenRef | None, str | None, uuid.UUID | None]:
        """(citizen, incentive, referenced transaction) as the command names them."""
        match command:
            case Reserve() | Redeem():
                return self._citizen(command.citizen), command.booking.incentive, None
            case Grant():
                return self._citizen(command.citizen), command.incentive, None
            case Capture() | Release():
                return None, None, command.reservation_id
            case Reverse():
                return None, None, command.transaction_id

    async def _execute(self, principal: Principal, command: Command) -> uuid.UUID:
        ledger, actor = self.ledger, principal.actor
        match command:
            case Reserve():
                return await ledger.reserve(actor, self._citizen(command.citizen), command.booking)
            case Redeem():
                return await ledger.redeem(actor, self._citizen(command.citizen), command.booking)
            case Capture():
                return await ledger.capture(actor, command.reservation_id, command.amount)
            case Release():
                return await ledger.release(actor, command.reservation_id)
            case Grant():
                citizen = self._citizen(command.citizen)
                amount, period = command.amount, command.period_key
                return await ledger.grant(actor, citizen, command.incentive, amount, period)
            case Reverse():
                return await ledger.reverse(actor, command.transaction_id, command.reason)

    async def post(self, principal: Principal, request: PostingRequest, render: Render) -> Posted:
        session, command = self.ledger.session, request.command
        type_ = TYPES[type(command)]
        target, incentive, referenced = self._target(command)
        key = request.idempotency_key
        opened = await idempotency.open_key(session, principal.partner, key, referenced)
        citizen = authorize_posting(
            self.vault, principal, type_, target, incentive, referenced, opened.named
        )
        refuse_ssins(dict(request.fields))
        # over the citizen's key rather than the SSIN: a plain hash of a body with an SSIN in
        # it could be reversed by trying every SSIN
        fingerprint = idempotency.request_hash(
            dict(request.fields) | {"citizen": citizen.key if citizen else None}
        )
        stored = opened.replay(fingerprint)
        action = f"transaction.{type_}"
        if stored is not None:
            if citizen is not None:
                await record_access(
                    session, principal, citizen.key, action + ".replayed", principal.endpoint
                )
            ssin = citizen.ssin.value if citizen else None
            return Posted(stored.status_code, stored.body | {"ssin": ssin}, replayed=True)
        access = principal.access(citizen.key, action) if citizen is not None else None
        answer: list[dict[str, Any]] = []

        def keep(view: TransactionView) -> Kept:
            body = render(view)
            answer.append(body)
            # kept for replays without the SSIN, which is never stored in clear
            return Kept(principal.partner, key, fingerprint, 201, body | {"ssin": None}, access)

        self.ledger.keeping = keep
        try:
            txn_id = await self._execute(principal, command)
        except LedgerError as exc:
            if citizen is None:
                raise
            # the refusal tells about the citizen's rights (a 409 may show the balance): on the
            # record like any other look. What the refused operation did is rolled back first
            # (no savepoint on the path of every posting), the access row commits on its own.
            await session.rollback()
            await record_access(
                session, principal, citizen.key, action + ".refused", principal.endpoint
            )
            return Posted(0, {}, refused=exc)
        finally:
            self.ledger.keeping = None
        (body,) = answer  # the operation posted once, with its answer
        return Posted(201, body, transaction_id=txn_id)
