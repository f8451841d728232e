"""The ledger's SQL on the write path, in one place: posting (one call for one transaction or a
million) and reading a right under its lock (one call). Both are the driver's own SQL, prepared
statements asyncpg caches, run in the session's transaction: on the hot path no SQL is built per
request and no ORM object is made.

The functions they call (``ledger_post``, ``ledger_right``) are the migration ``e5_posting``."""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit import Access
from app.domain.quantities import Unit

Side = Literal["D", "C"]
Category = Literal["grant", "hold", "use", "expire", "carry"]
Net = tuple[str, str, str, int]
"""(account kind, leg category, side, net amount) of one right's legs."""


@dataclass(frozen=True, slots=True)
class Leg:
    account: int | str
    """A citizen account's id, or a system account's kind (``issuer``, ``used:<payer>``,
    ``expired``: opened on first use, for the transaction's incentive and unit)."""
    side: Side
    amount: int
    category: Category

    @property
    def signed(self) -> int:
        return self.amount if self.side == "C" else -self.amount


@dataclass(slots=True)
class NewTransaction:
    type: str
    incentive: str
    unit: Unit
    amount: int
    effective_date: date
    caller: str
    citizen_key: str | None = None
    period_key: str | None = None
    ssin_ciphertext: bytes | None = None
    ssin_key_id: str | None = None
    reference: str | None = None
    training: dict[str, Any] | None = None
    funding: dict[str, str] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    resolves: uuid.UUID | None = None
    reverses: uuid.UUID | None = None
    decision_id: uuid.UUID | None = None
    unique_token: str | None = None
    trace_id: str | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True, slots=True)
class Posting:
    """One transaction and its legs."""

    txn: NewTransaction
    legs: Sequence[Leg]


async def _value(session: AsyncSession, sql: str, *args: object) -> Any:
    """The one value ``sql`` returns, run as the driver's own SQL (``$1`` parameters, prepared
    and cached by asyncpg) in the session's transaction; errors are SQLAlchemy's as anywhere."""
    connection = await session.connection()
    return (await connection.exec_driver_sql(sql, args)).scalar()


async def _rows(session: AsyncSession, sql: str, *args: object) -> list[Any]:
    connection = await session.connection()
    return list(await connection.exec_driver_sql(sql, args))


POST = (
    "SELECT ledger_post($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
    "$17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)"
)
POST_AND_KEEP = """
    WITH posted AS (
        SELECT ledger_post($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
            $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29) AS at),
    kept AS (
        INSERT INTO idempotency_keys (caller, key, request_hash, status_code, response_body,
            transaction_id)
        SELECT $30, $31, $32, $33, $34::jsonb, $35::uuid FROM posted),
    logged AS (
        INSERT INTO access_log (partner, citizen_key, action, endpoint, trace_id, citizen_bound)
        SELECT $36, c.key, $37, $38, $39, $40 FROM posted, unnest($41::text[]) AS c(key))
    SELECT at FROM posted
"""


@dataclass(frozen=True, slots=True)
class Kept:
    """A request's answer, kept for replays of its Idempotency-Key, and the request's line on
    the citizen's access log: written by the posting's own statement."""

    caller: str
    key: str
    request_hash: str
    status_code: int
    body: dict[str, Any]
    access: Access | None

    def arguments(self, transaction_id: uuid.UUID) -> tuple[object, ...]:
        access = self.access
        return (
            self.caller,
            self.key,
            self.request_hash,
            self.status_code,
            json.dumps(self.body),
            transaction_id,
            access.partner if access else "",
            access.action if access else "",
            access.endpoint if access else "",
            access.trace_id if access else None,
            access.citizen_bound if access else False,
            [access.citizen_key] if access else [],
        )


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


async def post(
    session: AsyncSession,
    postings: Sequence[Posting],
    now: datetime,
    kept: Kept | None = None,
) -> datetime:
    """Posts the transactions in one call and returns their instant: the later of ``now`` and
    the database's clock under the locks; with ``kept`` (a request's answer, stored by the same
    statement), ``now`` itself, which the caller read under the same locks. PostgreSQL refuses
    the lot if any transaction does not balance, overdraws a citizen account, resolves a hold
    twice or reverses twice."""
    if not postings:
        return now
    txns = [p.txn for p in postings]
    legs = [(p.txn.id, leg) for p in postings for leg in p.legs]
    arguments: tuple[object, ...] = (
        now,
        [t.id for t in txns],
        [t.type for t in txns],
        [t.citizen_key for t in txns],
        [t.ssin_ciphertext for t in txns],
        [t.ssin_key_id for t in txns],
        [t.incentive for t in txns],
        [t.period_key for t in txns],
        [t.unit.value for t in txns],
        [t.amount for t in txns],
        [t.effective_date for t in txns],
        [t.caller for t in txns],
        [t.reference for t in txns],
        [_json(t.training) for t in txns],
        [_json(t.funding) for t in txns],
        [_json(t.metadata or None) for t in txns],
        [t.expires_at for t in txns],
        [t.resolves for t in txns],
        [t.reverses for t in txns],
        [t.decision_id for t in txns],
        [t.unique_token for t in txns],
        [t.trace_id for t in txns],
        [txn for txn, _ in legs],
        [leg.account if isinstance(leg.account, int) else None for _, leg in legs],
        [leg.account if isinstance(leg.account, str) else None for _, leg in legs],
        [leg.side for _, leg in legs],
        [leg.amount for _, leg in legs],
        [leg.category for _, leg in legs],
    )
    if kept is None:
        stamped: datetime = await _value(session, POST, *arguments)
    else:
        arguments += (True, *kept.arguments(txns[-1].id))
        stamped = await _value(session, POST_AND_KEEP, *arguments)
    return stamped


@dataclass(frozen=True, slots=True)
class StoredTransaction:
    """A transaction as the record holds it."""

    id: uuid.UUID
    type: str
    citizen_key: str
    incentive: str
    period_key: str
    unit: Unit
    amount: int
    reference: str | None
    ssin_ciphertext: bytes | None
    ssin_key_id: str | None
    funding: dict[str, str] | None
    expires_at: datetime | None
    decision_id: uuid.UUID | None
    created_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> "StoredTransaction":
        sealed = row.get("ssin_ciphertext")
        expires = row.get("expires_at")
        decision = row.get("decision_id")
        return cls(
            uuid.UUID(row["id"]),
            row["type"],
            row["citizen_key"],
            row["incentive"],
            row["period_key"],
            Unit(row["unit"]),
            int(row["amount"]),
            row.get("reference"),
            bytes.fromhex(sealed[2:]) if sealed else None,
            row.get("ssin_key_id"),
            row.get("funding"),
            datetime.fromisoformat(expires) if expires else None,
            uuid.UUID(decision) if decision else None,
            datetime.fromisoformat(row["created_at"]),
        )


Declaration = tuple[int, int, date, dict[str, Any]]
"""A facts version as read with a right: (id, version, observed on, what it declared), in
valid-time order; ``app.domain.rules.facts_store.fold`` gives the facts valid on a day."""


def declarations(found: list[list[Any]] | None) -> tuple[Declaration, ...]:
    return tuple((i, v, date.fromisoformat(on), d) for i, v, on, d in found or [])


@dataclass(frozen=True, slots=True)
class RightState:
    """One right as an operation finds it, under the right's lock."""

    clock: datetime
    unit: Unit | None
    available_id: int | None
    available: int
    held_id: int | None
    held: int
    nets: list[Net]
    settled: int
    """What settlement (transactions from a decision) granted, net: manual grants and
    reversals are not its own."""
    overdue: list[StoredTransaction]
    txn: StoredTransaction | None = None
    """The referenced transaction (a hold to resolve, a transaction to reverse)."""
    resolved_by: str | None = None
    reversed_by: uuid.UUID | None = None
    txn_legs: list[tuple[int, Side, int, Category]] = field(default_factory=list)
    facts: tuple[Declaration, ...] = ()

    @property
    def exists(self) -> bool:
        return self.available_id is not None


RIGHT = "SELECT ledger_right($1, $2, $3, $4, $5, $6, $7, $8)"


async def lock_right(
    session: AsyncSession,
    now: datetime,
    *,
    citizen_key: str | None = None,
    incentive: str | None = None,
    period_key: str | None = None,
    unit: Unit | None = None,
    open_: bool = False,
    txn: uuid.UUID | None = None,
    facts: bool = False,
) -> RightState | None:
    """The right named (or that of transaction ``txn``) under its lock, opened when ``open_``;
    None when ``txn`` does not exist."""
    found: dict[str, Any] = await _value(
        session,
        RIGHT,
        citizen_key,
        incentive,
        period_key,
        unit.value if unit else None,
        open_,
        txn,
        now,
        facts,
    )
    if txn is not None and found.get("txn") is None:
        return None
    available, held = found.get("available"), found.get("held")
    reversed_by = found.get("reversedBy")
    return RightState(
        clock=datetime.fromisoformat(found["clock"]),
        unit=Unit(found["unit"]) if found.get("unit") else None,
        available_id=available[0] if available else None,
        available=available[1] if available else 0,
        held_id=held[0] if held else None,
        held=held[1] if held else 0,
        nets=[(k, c, s, int(n)) for k, c, s, n in found.get("nets") or []],
        settled=int(found.get("settled") or 0),
        overdue=[StoredTransaction.of(row) for row in found.get("overdue") or []],
        txn=StoredTransaction.of(found["txn"]) if found.get("txn") else None,
        resolved_by=found.get("resolvedBy"),
        reversed_by=uuid.UUID(reversed_by) if reversed_by else None,
        txn_legs=[(a, s, int(n), c) for a, s, n, c in found.get("txnLegs") or []],
        facts=declarations(found.get("facts")),
    )


async def plan_for_batches(session: AsyncSession) -> None:
    """Batch statements join arrays of thousands of keys: planned for the arrays at hand each
    time. A cached generic plan guesses their size and can fall back to scanning every account
    for every key (seen: one batch of 5,000 taking 88 s instead of 1 s)."""
    connection = await session.connection()
    await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


RightKey = tuple[str, str, str]
"""(citizen key, incentive, period key) of one right."""


async def lock_rights(
    session: AsyncSession,
    wanted: Sequence[RightKey],
    opening: Sequence[tuple[str, str, str, Unit]] = (),
) -> dict[RightKey, tuple[int, int]]:
    """A batch's rights: opens the available accounts of ``opening`` (the held ones are opened
    by the first operation that needs one) and locks, in id order, the available account of
    every right ``wanted``; right -> (account id, balance). Rights never opened are absent."""
    if opening:
        connection = await session.connection()
        await connection.exec_driver_sql(
            "INSERT INTO ledger_accounts (kind, citizen_key, incentive, period_key, unit, balance) "
            "SELECT 'available', o.key, o.incentive, o.period, o.unit, 0 "
            "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) "
            "AS o(key, incentive, period, unit) ORDER BY o.key, o.incentive ON CONFLICT DO NOTHING",
            (
                [o[0] for o in opening],
                [o[1] for o in opening],
                [o[2] for o in opening],
                [o[3].value for o in opening],
            ),
        )
    rows = await _rows(
        session,
        "SELECT a.id, a.citizen_key, a.incentive, a.period_key, a.balance FROM ledger_accounts a "
        "JOIN unnest($1::bpchar[], $2::text[], $3::text[]) AS w(key, incentive, period) "
        "ON a.citizen_key = w.key AND a.incentive = w.incentive AND a.period_key = w.period "
        "WHERE a.kind = 'available' ORDER BY a.id FOR UPDATE OF a",
        [w[0] for w in wanted],
        [w[1] for w in wanted],
        [w[2] for w in wanted],
    )
    return {(r[1], r[2], r[3]): (r[0], r[4]) for r in rows}


@dataclass(frozen=True, slots=True)
class RightRead:
    """One right of a wallet read: its legs' nets, what settlement granted it, what overdue
    holds keep reserved, and the decision it last came from."""

    incentive: str
    period_key: str
    unit: Unit
    nets: list[Net]
    settled: int
    overdue: int
    decision_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class WalletRead:
    facts: tuple[Declaration, ...]
    rights: list[RightRead]


WALLET = "SELECT wallet_read($1, $2, $3, $4, $5, $6, $7, $8)"


async def read_wallet(
    session: AsyncSession,
    citizen_key: str,
    at: datetime | None,
    now: datetime,
    access: Access | None = None,
) -> WalletRead:
    """The citizen's facts and rights as they stood at ``at`` (None: all on the record), holds
    judged overdue at ``now``, in one call that also appends ``access`` to the log."""
    found: dict[str, Any] = await _value(
        session,
        WALLET,
        citizen_key,
        at,
        now,
        access.partner if access else None,
        access.action if access else None,
        access.endpoint if access else None,
        access.trace_id if access else None,
        access.citizen_bound if access else False,
    )
    return WalletRead(
        declarations(found.get("facts")),
        [
            RightRead(
                incentive,
                period_key,
                Unit(unit),
                [(k, c, s, int(n)) for k, c, s, n in nets or []],
                int(settled),
                int(overdue),
                uuid.UUID(decision) if decision else None,
            )
            for incentive, period_key, unit, nets, settled, overdue, decision in found.get("rights")
            or []
        ],
    )
