"""Reads from a streaming replica (``LLR_DATABASE_REPLICA_URL``), with read-your-writes by LSN.

Every answer to a write (any method but GET and HEAD) carries ``LLR-Write-LSN``: the primary's
WAL position right after the commit. A read that may be a little stale (a wallet for a past day
or at a past ``knownAt``, a listing of transactions) goes to the replica only when the caller
sends ``LLR-Min-LSN`` (the last ``LLR-Write-LSN`` it received, or ``0/0`` when it wrote nothing)
and the replica has replayed at least that far; otherwise, and whenever the replica cannot be
reached (then for ``REPLICA_RETRY_SECONDS`` in that worker), it goes to the primary. Without the
header every read stays on the primary, so a caller never sees data older than its own last
write. Anything that settles or posts runs on the primary. ``LLR-Read-From: primary|replica``
says where an answer was read.
"""

import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.deps import SessionDep
from app.domain.errors import InvalidInput

log = logging.getLogger("llr.replica")
READ_FROM = "LLR-Read-From"
WRITE_LSN = "LLR-Write-LSN"
MIN_LSN = "LLR-Min-LSN"
REPLICA_RETRY_SECONDS = 10
"""After the replica failed to answer, a worker reads on the primary this long."""
_LSN = re.compile(r"[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")


@dataclass
class Reads:
    """Where a request's reads go: ``session(stale_ok)`` is the replica's session or the
    primary's (the request's own), and the answer says which."""

    request: Request
    response: Response
    primary: AsyncSession
    min_lsn: str | None

    @asynccontextmanager
    async def session(self, stale_ok: bool = True) -> AsyncIterator[AsyncSession]:
        state = self.request.app.state
        replica = getattr(state, "replica_sessionmaker", None)
        skipped = getattr(state, "replica_skipped_until", 0.0) > time.monotonic()
        if replica is None or not stale_ok or self.min_lsn is None or skipped:
            self.response.headers[READ_FROM] = "primary"
            yield self.primary
            return
        async with replica() as session:
            try:
                caught_up = await session.scalar(
                    text("SELECT pg_last_wal_replay_lsn() >= CAST(CAST(:lsn AS text) AS pg_lsn)"),
                    {"lsn": self.min_lsn},
                )
            except (DBAPIError, OSError) as exc:
                # the replica cannot answer: the primary does, and this worker does not try
                # the replica again for a while (each try may wait the connect timeout)
                log.warning(
                    "replica unavailable, reading on the primary for %d s: %s",
                    REPLICA_RETRY_SECONDS,
                    type(exc).__name__,
                )
                state.replica_skipped_until = time.monotonic() + REPLICA_RETRY_SECONDS
                caught_up = False
            if not caught_up:
                self.response.headers[READ_FROM] = "primary"
                yield self.primary
                return
            self.response.headers[READ_FROM] = "replica"
            yield session


async def get_reads(
    request: Request,
    response: Response,
    session: SessionDep,
    min_lsn: Annotated[
        str | None,
        Header(
            alias=MIN_LSN,
            max_length=17,
            description="read-your-writes: the last `LLR-Write-LSN` this caller received (or "
            "`0/0`); a read that may be a little stale then goes to the replica when it has "
            "replayed that far (`LLR-Read-From` says where it was read)",
        ),
    ] = None,
) -> Reads:
    if min_lsn is not None and not _LSN.fullmatch(min_lsn):
        raise InvalidInput(MIN_LSN, min_lsn, "a WAL position such as 0/16B3748", "header")
    return Reads(request, response, session, min_lsn)


ReadsDep = Annotated[Reads, Depends(get_reads)]


class WriteLsnHeader:
    """Adds ``LLR-Write-LSN`` to the answer of a write whose session recorded it (the commit
    happens after the endpoint returned, when its response object is already taken)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return

        async def send_with_lsn(message: Message) -> None:
            lsn = scope.get("state", {}).get("write_lsn")
            if message["type"] == "http.response.start" and lsn:
                message["headers"] = [*message.get("headers", []), (b"llr-write-lsn", lsn.encode())]
            await send(message)

        await self.app(scope, receive, send_with_lsn)
