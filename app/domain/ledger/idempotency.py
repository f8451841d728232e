"""Idempotency keys, as the contract states them: the same key from the same caller with the same
body returns the original response; with another body, 422; while the first is still running, 409.

The first request takes a transaction-scoped advisory lock on (caller, key) and stores its
response in the same database transaction as its effects, so a crash leaves neither, and nothing
is left "in flight" forever.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ledger.errors import IdempotencyInFlight, IdempotencyKeyReused
from app.domain.ledger.tables import idempotency_keys


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


def request_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_id(caller: str, key: str) -> int:
    digest = hashlib.sha256(f"idempotency\x00{caller}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def begin(session: AsyncSession, caller: str, key: str, hash_: str) -> StoredResponse | None:
    """The stored response to replay, or None when this request is the first (and now holds the
    key until its transaction ends)."""
    locked = await session.scalar(select(func.pg_try_advisory_xact_lock(_lock_id(caller, key))))
    if not locked:
        raise IdempotencyInFlight(f"a request with Idempotency-Key {key} is still being processed")
    row = (await session.execute(
        select(idempotency_keys).where(
            idempotency_keys.c.caller == caller, idempotency_keys.c.key == key)
    )).first()  # fmt: skip
    if row is None:
        return None
    if row.request_hash != hash_:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key} was used for another request; use a new key"
        )
    return StoredResponse(row.status_code, row.response_body)


async def remember(
    session: AsyncSession,
    caller: str,
    key: str,
    hash_: str,
    response: StoredResponse,
    transaction_id: uuid.UUID | None,
) -> None:
    await session.execute(
        insert(idempotency_keys).values(
            caller=caller, key=key, request_hash=hash_, status_code=response.status_code,
            response_body=response.body, transaction_id=transaction_id,
        )
    )  # fmt: skip
