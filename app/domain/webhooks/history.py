"""What became of a subscription's events: its deliveries with their attempts, and a replay."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.access import Principal
from app.domain.errors import DomainError, NotFound
from app.domain.webhooks.subscriptions import one
from app.domain.webhooks.tables import attempts, deliveries, events


class DeliveryPending(DomainError):
    """A replay asked for a delivery that is still being tried (409)."""


ATTEMPTS_SHOWN = 20
"""The newest attempts a delivery shows (a failed one has at most the schedule's)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    tried: list[Attempt]


async def deliveries_of(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    after: int | None,
    page_size: int,
) -> list[Delivery]:
    """The subscription's deliveries, newest first, after the cursor ``after`` (a delivery id)."""
    await one(session, principal, subscription_id)
    query = (
        select(deliveries, events.c.event_id.label("message"), events.c.type, events.c.created_at)
        .join(events, events.c.id == deliveries.c.event_id)
        .where(deliveries.c.subscription_id == subscription_id)
        .order_by(deliveries.c.id.desc())
        .limit(page_size)
    )
    if after is not None:
        query = query.where(deliveries.c.id < after)
    rows = (await session.execute(query)).all()
    tried: dict[int, list[Attempt]] = {row.id: [] for row in rows}
    if rows:
        found = await session.execute(
            select(attempts)
            .where(attempts.c.delivery_id.in_(list(tried)))
            .order_by(attempts.c.delivery_id, attempts.c.id.desc())
        )
        for a in found:
            if len(tried[a.delivery_id]) < ATTEMPTS_SHOWN:
                tried[a.delivery_id].append(Attempt(a.at, a.status_code, a.error, a.duration_ms))
    return [
        Delivery(
            row.id,
            row.message,
            row.type,
            row.status,
            row.attempts,
            row.next_attempt_at if row.status == "pending" else None,
            row.delivered_at,
            row.last_status,
            row.last_error,
            row.created_at,
            tried[row.id],
        )
        for row in rows
    ]


REPLAY = text(
    "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, lease_until = NULL, "
    "next_attempt_at = clock_timestamp() "
    "WHERE id = :id AND subscription_id = :subscription AND status <> 'pending' RETURNING id"
)


async def replay(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, delivery_id: int
) -> None:
    """Sends a failed (or delivered) event again, with a full schedule of retries."""
    await one(session, principal, subscription_id)
    done = await session.scalar(REPLAY, {"id": delivery_id, "subscription": subscription_id})
    if done is not None:
        return
    exists = await session.scalar(
        select(deliveries.c.status).where(
            deliveries.c.id == delivery_id, deliveries.c.subscription_id == subscription_id
        )
    )
    if exists is None:
        raise NotFound(f"no delivery {delivery_id} of subscription {subscription_id}")
    raise DeliveryPending("the delivery is still pending: it is sent again on its own")
