"""A transaction as an answer shows it, with the right's balances right after it: read back from
the record (``queries``), or built from what was just posted (the same figures, no read)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.domain.identity import Ssin
from app.domain.ledger.balances import Balances, fold
from app.domain.ledger.repository import Net, Posting, RightState
from app.domain.periods import Period, parse_key
from app.domain.quantities import Quantity


@dataclass(frozen=True, slots=True)
class TransactionView:
    id: uuid.UUID
    type: str
    status: str
    ssin: Ssin | None
    incentive: str
    period: Period | None
    amount: Quantity
    effective_date: date
    created_at: datetime
    caller: str
    reference: str | None
    training: dict[str, Any] | None
    funding: dict[str, str] | None
    metadata: dict[str, Any]
    expires_at: datetime | None
    reservation_id: uuid.UUID | None
    reverses: uuid.UUID | None
    reversed_by: uuid.UUID | None
    decision_id: uuid.UUID | None
    balance_after: Balances | None = None


def moved(state: RightState, postings: Sequence[Posting]) -> list[Net]:
    """The right's nets once ``postings`` are added to what ``state`` read."""
    kinds = {state.available_id: "available", state.held_id: "held"}
    nets = list(state.nets)
    for posting in postings:
        for leg in posting.legs:
            kind = kinds.get(leg.account) if isinstance(leg.account, int) else None
            if kind is not None:
                nets.append((kind, leg.category, leg.side, leg.signed))
    return nets


def posted_view(
    state: RightState, postings: Sequence[Posting], stamped: datetime, ssin: Ssin | None
) -> TransactionView:
    """The last of ``postings`` as ``queries.load_transaction`` will read it back."""
    txn = postings[-1].txn
    resolved = {p.txn.resolves for p in postings}
    overdue = sum(
        hold.amount
        for hold in state.overdue
        if hold.id not in resolved and hold.expires_at is not None and hold.expires_at <= stamped
    )
    amount = Quantity.from_minor(txn.amount, txn.unit)
    return TransactionView(
        id=txn.id,
        type=txn.type,
        status="pending" if txn.type == "reserve" else "posted",
        ssin=ssin,
        incentive=txn.incentive,
        period=parse_key(txn.period_key) if txn.period_key else None,
        amount=amount,
        effective_date=txn.effective_date,
        created_at=stamped,
        caller=txn.caller,
        reference=txn.reference,
        training=txn.training,
        funding=txn.funding,
        metadata=txn.metadata,
        expires_at=txn.expires_at.astimezone(UTC) if txn.expires_at else None,
        reservation_id=txn.resolves,
        reverses=txn.reverses,
        reversed_by=None,
        decision_id=txn.decision_id,
        balance_after=fold(txn.unit, moved(state, postings), overdue, False),
    )
