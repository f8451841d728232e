"""Request and response bodies of /subscriptions."""

import uuid
from datetime import datetime

from pydantic import Field, StrictStr

from app.domain.webhooks.history import Attempt, Delivery
from app.domain.webhooks.subscriptions import Subscription
from app.domain.webhooks.tables import EventType
from app.schemas.base import ApiModel
from app.schemas.transactions import IncentiveCode


class SubscriptionIn(ApiModel):
    url: StrictStr = Field(
        min_length=8,
        max_length=2000,
        description="https (http only to a loopback address in development)",
        examples=["https://partner.example/llr/webhooks"],
    )
    events: list[EventType] = Field(min_length=1, max_length=len(EventType))
    incentives: list[IncentiveCode] | None = Field(
        default=None,
        max_length=40,
        description="only events of these incentives (default: every incentive the partner "
        "may read)",
    )


class SubscriptionOut(ApiModel):
    id: uuid.UUID
    url: str
    events: list[EventType]
    incentives: list[str] | None = Field(
        description="the incentives it hears of; null: all (the partner may read all)"
    )
    created_at: datetime
    secret: str | None = Field(
        default=None,
        description="the signing secret (Standard Webhooks, whsec_...): only in the answer "
        "that created the subscription",
    )

    @classmethod
    def of(cls, found: Subscription) -> "SubscriptionOut":
        return cls(
            id=found.id,
            url=found.url,
            events=[EventType(e) for e in found.events],
            incentives=found.incentives,
            created_at=found.created_at,
            secret=found.secret,
        )


class SubscriptionPage(ApiModel):
    items: list[SubscriptionOut]
    next: str | None = Field(
        default=None, description="Always null: a partner holds at most 20 subscriptions"
    )


class AttemptOut(ApiModel):
    at: datetime
    status_code: int | None = Field(description="the receiver's HTTP status; null: no answer")
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, attempt: Attempt) -> "AttemptOut":
        return cls(
            at=attempt.at,
            status_code=attempt.status_code,
            error=attempt.error,
            duration_ms=attempt.duration_ms,
        )


class DeliveryOut(ApiModel):
    id: int
    event_id: str = Field(description="the `webhook-id` the receiver saw (msg_...)")
    event_type: EventType
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    tried: list[AttemptOut] = Field(description="the newest attempts first (at most 20)")

    @classmethod
    def of(cls, delivery: Delivery) -> "DeliveryOut":
        return cls(
            id=delivery.id,
            event_id=f"msg_{delivery.event_id.hex}",
            event_type=EventType(delivery.event_type),
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            last_status=delivery.last_status,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            tried=[AttemptOut.of(a) for a in delivery.tried],
        )


class DeliveryPage(ApiModel):
    items: list[DeliveryOut]
    next: str | None
