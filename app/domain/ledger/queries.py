"""Reading transactions back: one by id (with the balance right after it), or a filtered page."""

import base64
import json
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import InvalidInput
from app.domain.ledger.balances import Balances, right_balances
from app.domain.ledger.errors import TransactionNotFound
from app.domain.ledger.tables import transactions
from app.domain.ledger.views import TransactionView
from app.domain.periods import parse_key
from app.domain.quantities import Quantity, Unit
from app.domain.vault import SsinVault

_resolver = transactions.alias("resolver")
_reverser = transactions.alias("reverser")


def _status(now: datetime) -> Any:
    return case(
        (
            transactions.c.type == "reserve",
            case(
                (_resolver.c.type == "capture", literal("captured")),
                (_resolver.c.type == "release", literal("released")),
                (_resolver.c.type == "expire", literal("expired")),
                (transactions.c.expires_at <= now, literal("expired")),
                else_=literal("pending"),
            ),
        ),
        (_reverser.c.id.is_not(None), literal("reversed")),
        else_=literal("posted"),
    )


def _base(now: datetime) -> Select[Any]:
    status = _status(now).label("status")
    return select(transactions, status, _reverser.c.id.label("reversed_by")).select_from(
        transactions.outerjoin(_resolver, _resolver.c.resolves == transactions.c.id).outerjoin(
            _reverser, _reverser.c.reverses == transactions.c.id
        )
    )


def _view(row: Any, vault: SsinVault) -> TransactionView:
    unit = Unit(row.unit)
    return TransactionView(
        id=row.id,
        type=row.type,
        status=row.status,
        ssin=vault.open(row.ssin_ciphertext, row.ssin_key_id) if row.ssin_ciphertext else None,
        incentive=row.incentive,
        period=parse_key(row.period_key) if row.period_key else None,
        amount=Quantity.from_minor(row.amount, unit),
        effective_date=row.effective_date,
        created_at=row.created_at,
        caller=row.caller,
        reference=row.reference,
        training=row.training,
        funding=row.funding,
        metadata=row.metadata or {},
        expires_at=row.expires_at,
        reservation_id=row.resolves,
        reverses=row.reverses,
        reversed_by=row.reversed_by,
        decision_id=row.decision_id,
    )


async def load_transaction(
    session: AsyncSession,
    transaction_id: uuid.UUID,
    vault: SsinVault,
    now: datetime,
    citizen_key: str | None = None,
) -> TransactionView:
    """One transaction, with the right's balances as they stood right after it. With
    ``citizen_key``, another citizen's transaction is as good as absent."""
    query = _base(now).where(transactions.c.id == transaction_id)
    if citizen_key is not None:
        query = query.where(transactions.c.citizen_key == citizen_key)
    row = (await session.execute(query)).first()
    if row is None:
        raise TransactionNotFound(f"no transaction {transaction_id}")
    view = _view(row, vault)
    if row.citizen_key and row.period_key:
        balances = await right_balances(
            session,
            row.citizen_key,
            row.incentive,
            row.period_key,
            view.amount.unit,
            row.created_at,
        )
        view = _with_balance(view, balances)
    return view


def _with_balance(view: TransactionView, balances: Balances) -> TransactionView:
    return replace(view, balance_after=balances)


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    citizen_key: str | None = None
    incentive: str | None = None
    type: str | None = None
    status: str | None = None
    from_date: date | None = None
    to_date: date | None = None
    readable: frozenset[str] | None = None
    """Only these incentives (``None``: all), and whatever ``caller`` posted itself."""
    caller: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    items: list[TransactionView]
    next_cursor: str | None


def _cursor(created_at: datetime, txn_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(txn_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, txn_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(at), uuid.UUID(txn_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("cursor", cursor, "not a cursor this service gave out", "query") from exc


async def list_transactions(
    session: AsyncSession,
    where: TransactionFilter,
    vault: SsinVault,
    now: datetime,
    page_size: int,
    cursor: str | None = None,
) -> Page:
    """Newest first, keyset-paginated on (created_at, id)."""
    brussels = ZoneInfo("Europe/Brussels")
    query = _base(now)
    if where.citizen_key is not None:
        query = query.where(transactions.c.citizen_key == where.citizen_key)
    if where.incentive is not None:
        query = query.where(transactions.c.incentive == where.incentive)
    if where.type is not None:
        query = query.where(transactions.c.type == where.type)
    if where.readable is not None:
        mine = transactions.c.caller == where.caller
        query = query.where(or_(transactions.c.incentive.in_(sorted(where.readable)), mine))
    if where.status is not None:
        query = query.where(_status(now) == where.status)
    if where.from_date is not None:
        start = datetime.combine(where.from_date, time(), brussels)
        query = query.where(transactions.c.created_at >= start)
    if where.to_date is not None:
        end = datetime.combine(where.to_date + timedelta(days=1), time(), brussels)
        query = query.where(transactions.c.created_at < end)
    if cursor:
        at, last_id = _decode_cursor(cursor)
        query = query.where(
            or_(
                transactions.c.created_at < at,
                and_(transactions.c.created_at == at, transactions.c.id < last_id),
            )
        )
    query = query.order_by(transactions.c.created_at.desc(), transactions.c.id.desc())
    rows = (await session.execute(query.limit(page_size + 1))).all()
    items = [_view(row, vault) for row in rows[:page_size]]
    following = None
    if len(rows) > page_size:
        following = _cursor(items[-1].created_at, items[-1].id)
    return Page(items, following)
