"""The access log: who consulted a citizen's record or acted on it, when, through which door.

A row is appended in the same database transaction as the action it records (the request's own
session), so an action is never without its record and a failed action leaves neither. Rows are
append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). The citizen is the keyed hash, never
the SSIN."""

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Identity,
    Index,
    PrimaryKeyConstraint,
    Table,
    Text,
    and_,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import CHAR, TIMESTAMP
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import conv

from app.db import Base
from app.domain.access.principal import MissingScope, Principal
from app.domain.errors import InvalidInput
from app.domain.identity import Ssin

AUDIT_SCOPE = "llr:audit:read"
OWN_LOG_SCOPE = "llr:wallet:read"

access_log = Table(
    "access_log",
    Base.metadata,
    Column("id", BigInteger, Identity(always=True), nullable=False),
    Column(
        "at", TIMESTAMP(timezone=True), nullable=False, server_default=text("clock_timestamp()")
    ),
    Column("partner", Text, nullable=False),
    Column(
        "citizen_key",
        CHAR(64),
        nullable=False,
        comment="HMAC-SHA256 of the SSIN (never the SSIN itself)",
    ),
    Column("action", Text, nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("trace_id", Text),
    Column(
        "citizen_bound",
        Boolean,
        nullable=False,
        server_default=text("false"),
        comment="the token was bound to this citizen (their own)",
    ),
    PrimaryKeyConstraint("id", name=conv("pk_access_log")),
    comment="every read or change of a citizen's record; append-only",
)
Index(
    conv("ix_access_log_citizen"),
    access_log.c.citizen_key,
    access_log.c.at.desc(),
    access_log.c.id.desc(),
)


class Caller(Protocol):
    """A ``Principal`` or a ledger ``Actor``: anything that names the partner and the trace."""

    @property
    def partner(self) -> str: ...

    @property
    def trace_id(self) -> str | None: ...


async def record_access(
    session: AsyncSession, who: Caller, citizen_key: str, action: str, endpoint: str
) -> None:
    """Appends one access to the log, in the caller's transaction (flushed, not committed).

    ``action`` says what was done, e.g. ``wallet.read``, ``facts.write``, ``transaction.reserve``;
    ``endpoint`` the method and route template, e.g. ``GET /wallet/{ssin}``."""
    await record_accesses(session, who, [citizen_key], action, endpoint)


async def record_accesses(
    session: AsyncSession, who: Caller, citizen_keys: Iterable[str], action: str, endpoint: str
) -> None:
    """The same for every citizen an answer shows (a page of several citizens' records), in one
    statement; each citizen once."""
    bound = bool(getattr(who, "citizen_bound", False))
    rows = [
        {
            "partner": who.partner,
            "citizen_key": key,
            "action": action,
            "endpoint": endpoint,
            "trace_id": who.trace_id,
            "citizen_bound": bound,
        }
        for key in dict.fromkeys(citizen_keys)
    ]
    if rows:
        await session.execute(insert(access_log), rows)


def check_log_reader(principal: Principal, ssin: str) -> Ssin:
    """Who may read a citizen's access log: the citizen (a token bound to them that may read
    their wallet) and auditors (``llr:audit:read``). A token bound to someone else: 403."""
    citizen = principal.check_citizen(ssin)
    if principal.citizen_bound and principal.has_scope(OWN_LOG_SCOPE):
        return citizen
    if not principal.has_scope(AUDIT_SCOPE):
        raise MissingScope(AUDIT_SCOPE)
    return citizen


@dataclass(frozen=True, slots=True)
class AccessEntry:
    at: datetime
    partner: str
    action: str
    endpoint: str
    trace_id: str | None


@dataclass(frozen=True, slots=True)
class AccessPage:
    items: list[AccessEntry]
    next_cursor: str | None


async def read_access_log(
    session: AsyncSession, citizen_key: str, page_size: int, cursor: str | None = None
) -> AccessPage:
    """Newest first, keyset-paginated on (at, id)."""
    log = access_log.c
    query = select(access_log).where(log.citizen_key == citizen_key)
    if cursor:
        at, last_id = _decode(cursor)
        query = query.where(or_(log.at < at, and_(log.at == at, log.id < last_id)))
    query = query.order_by(log.at.desc(), log.id.desc()).limit(page_size + 1)
    rows = (await session.execute(query)).all()
    items = [AccessEntry(r.at, r.partner, r.action, r.endpoint, r.trace_id) for r in rows]
    following = None
    if len(rows) > page_size:
        last = rows[page_size - 1]
        following = _encode(last.at, last.id)
    return AccessPage(items[:page_size], following)


def _encode(at: datetime, row_id: int) -> str:
    raw = json.dumps([at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(at), int(row_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("cursor", cursor, "not a cursor this service gave out", "query") from exc
