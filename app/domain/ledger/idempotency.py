"""Idempotency keys, as the contract states them: the same key from the same caller with the same
body returns the original response; with another body, 422; while the first is still running, 409.

The first request takes a transaction-scoped advisory lock on (caller, key) and stores its
response in the same database transaction as its effects, so a crash leaves neither, and nothing
is left "in flight" forever. Opening the key also looks up the transaction the request names;
the response is stored, with the access-log row, by the statement that posts
(``repository.post`` with ``Kept``): a posting's bookkeeping costs one statement, not four.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ledger.errors import IdempotencyInFlight, IdempotencyKeyReused


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Named:
    """The transaction a capture, release or reverse names: whose it is, of which incentive."""

    citizen_key: str | None
    incentive: str
    ssin_ciphertext: bytes | None
    ssin_key_id: str | None


@dataclass(frozen=True, slots=True)
class OpenKey:
    key: str
    locked: bool
    stored: tuple[str, StoredResponse] | None
    """(request hash, response) of the first request with this key."""
    named: Named | None

    def replay(self, hash_: str) -> StoredResponse | None:
        """The stored response to replay, or None when this request is the first (and holds the
        key until its transaction ends)."""
        if not self.locked:
            raise IdempotencyInFlight(
                f"a request with Idempotency-Key {self.key} is still being processed"
            )
        if self.stored is None:
            return None
        if self.stored[0] != hash_:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {self.key} was used for another request; use a new key"
            )
        return self.stored[1]


def request_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_id(caller: str, key: str) -> int:
    digest = hashlib.sha256(f"idempotency\x00{caller}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def open_key(
    session: AsyncSession, caller: str, key: str, named: uuid.UUID | None = None
) -> OpenKey:
    """Takes the key (if free), with its stored response and the transaction ``named``."""
    connection = await session.connection()
    found = (
        await connection.exec_driver_sql(
            "SELECT ledger_open_key($1, $2, $3, $4)", (_lock_id(caller, key), caller, key, named)
        )
    ).scalar_one()
    stored, txn = found.get("stored"), found.get("txn")
    return OpenKey(
        key,
        found["locked"],
        (stored[0], StoredResponse(stored[1], stored[2])) if stored else None,
        Named(txn[0], txn[1], bytes.fromhex(txn[2]) if txn[2] else None, txn[3]) if txn else None,
    )
