"""A partner's webhook subscriptions: where to send which events, signed with a secret shown once.

A subscription never receives more than its partner may read: the incentives are those the
partner's token may read transactions of (and, within them, the ones asked for), and a
citizen-bound token's subscription hears of that citizen only."""

import base64
import ipaddress
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.access import Principal
from app.domain.access.principal import READ, WRITE, MissingPermission, MissingScope
from app.domain.errors import InvalidInput, NotFound
from app.domain.vault import SsinVault
from app.domain.webhooks.tables import EventType, subscriptions

MAX_PER_PARTNER = 20
"""Active subscriptions a partner may hold (each event fans out to each of them)."""


@dataclass(frozen=True, slots=True)
class Subscription:
    id: uuid.UUID
    url: str
    events: list[str]
    incentives: list[str] | None
    created_at: datetime
    secret: str | None = None
    """Only in the answer that created it."""


def check_subscriber(principal: Principal) -> None:
    """Events report transactions: a subscriber reads them (or posts them)."""
    if not (principal.has_scope(READ) or principal.has_scope(WRITE)):
        raise MissingScope(READ)


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def check_url(url: str, production: bool) -> str:
    """https; plain http only to a loopback address outside production (a test receiver)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and not production and _loopback(parts.hostname):
        return url
    why = "must be an https URL" + ("" if production else " (or http on a loopback address)")
    raise InvalidInput("url", url, why, "body")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _incentives(principal: Principal, asked: Sequence[str] | None) -> list[str] | None:
    readable = principal.readable_incentives
    if asked is None:
        return None if readable is None else sorted(readable)
    refused = sorted(set(asked) - readable) if readable is not None else []
    if refused:
        raise MissingPermission(f"{principal.partner} may not read transactions of {refused[0]}")
    return sorted(set(asked))


async def subscribe(
    session: AsyncSession,
    vault: SsinVault,
    principal: Principal,
    url: str,
    events: Sequence[EventType],
    incentives: Sequence[str] | None,
    production: bool,
) -> Subscription:
    check_subscriber(principal)
    check_url(url, production)
    active = await session.scalar(
        select(func.count())
        .select_from(subscriptions)
        .where(subscriptions.c.partner == principal.partner, subscriptions.c.deleted_at.is_(None))
    )
    if (active or 0) >= MAX_PER_PARTNER:
        raise InvalidInput(
            "url", url, f"a partner holds at most {MAX_PER_PARTNER} subscriptions", "body"
        )
    secret = new_secret()
    ciphertext, key_id = vault.seal_secret(secret)
    row = (
        await session.execute(
            insert(subscriptions)
            .values(
                id=uuid.uuid4(),
                partner=principal.partner,
                url=url,
                events=sorted({e.value for e in events}),
                incentives=_incentives(principal, incentives),
                citizen_key=principal.citizen_key,
                secret_ciphertext=ciphertext,
                secret_key_id=key_id,
            )
            .returning(subscriptions)
        )
    ).one()
    return Subscription(row.id, row.url, row.events, row.incentives, row.created_at, secret)


def _own(principal: Principal) -> Select[Any]:
    check_subscriber(principal)
    query = select(subscriptions).where(
        subscriptions.c.partner == principal.partner, subscriptions.c.deleted_at.is_(None)
    )
    if principal.citizen_key is not None:
        query = query.where(subscriptions.c.citizen_key == principal.citizen_key)
    return query


async def listed(session: AsyncSession, principal: Principal) -> list[Subscription]:
    rows = await session.execute(_own(principal).order_by(subscriptions.c.created_at))
    return [Subscription(r.id, r.url, r.events, r.incentives, r.created_at) for r in rows]


async def one(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> Subscription:
    """The partner's own subscription; another's is not found (it learns nothing of it)."""
    row = (
        await session.execute(_own(principal).where(subscriptions.c.id == subscription_id))
    ).first()
    if row is None:
        raise NotFound(f"no subscription {subscription_id}")
    return Subscription(row.id, row.url, row.events, row.incentives, row.created_at)


async def unsubscribe(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> None:
    """Ends a subscription: no new deliveries; what is pending is still sent."""
    await one(session, principal, subscription_id)
    await session.execute(
        update(subscriptions)
        .where(subscriptions.c.id == subscription_id)
        .values(deleted_at=func.now())
    )
