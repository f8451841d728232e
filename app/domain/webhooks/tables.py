"""The webhook tables (migration ``h8_webhooks``): subscriptions, the outbox of events that
PostgreSQL writes with the postings they report, deliveries, and each delivery's attempts."""

from enum import StrEnum

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import CHAR, JSONB, TIMESTAMP, UUID
from sqlalchemy.sql.elements import conv

from app.db import Base

metadata = Base.metadata
TIMESTAMPTZ = TIMESTAMP(timezone=True)


class EventType(StrEnum):
    """What a partner may subscribe to; the migration's CHECK lists exactly these."""

    RIGHT_GRANTED = "right.granted"
    RIGHT_EXPIRING = "right.expiring"
    HOLD_CREATED = "hold.created"
    HOLD_CAPTURED = "hold.captured"
    HOLD_RELEASED = "hold.released"
    HOLD_EXPIRED = "hold.expired"
    TRANSACTION_REVERSED = "transaction.reversed"


subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("partner", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("events", ARRAY(Text), nullable=False),
    Column(
        "incentives",
        ARRAY(Text),
        comment="the incentives it receives events of (NULL: all); never beyond what the "
        "partner may read",
    ),
    Column(
        "citizen_key",
        CHAR(64),
        comment="a citizen-bound token's subscription: events of that citizen only",
    ),
    Column("secret_ciphertext", LargeBinary, nullable=False),
    Column("secret_key_id", Text, nullable=False),
    Column("created_at", TIMESTAMPTZ, nullable=False, server_default=text("now()")),
    Column("deleted_at", TIMESTAMPTZ),
    PrimaryKeyConstraint("id", name=conv("pk_webhook_subscriptions")),
    Index(
        "ix_webhook_subscriptions_partner", "partner", postgresql_where=text("deleted_at IS NULL")
    ),
)

events = Table(
    "webhook_events",
    metadata,
    Column("id", BigInteger, Identity(always=True), nullable=False),
    Column(
        "event_id", UUID(as_uuid=True), nullable=False, server_default=text("gen_random_uuid()")
    ),
    Column("type", Text, nullable=False),
    Column("transaction_id", UUID(as_uuid=True)),
    Column("citizen_key", CHAR(64), nullable=False),
    Column("incentive", Text, nullable=False),
    Column("period_key", Text),
    Column("data", JSONB, nullable=False),
    Column("dedupe", Text),
    Column("created_at", TIMESTAMPTZ, nullable=False, server_default=text("clock_timestamp()")),
    PrimaryKeyConstraint("id", name=conv("pk_webhook_events")),
    UniqueConstraint("event_id", name=conv("uq_webhook_events_event_id")),
    UniqueConstraint("dedupe", name=conv("uq_webhook_events_dedupe")),
)

deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", BigInteger, Identity(always=True), nullable=False),
    Column("subscription_id", UUID(as_uuid=True), nullable=False),
    Column("event_id", BigInteger, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column(
        "next_attempt_at", TIMESTAMPTZ, nullable=False, server_default=text("clock_timestamp()")
    ),
    Column("lease_until", TIMESTAMPTZ),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("delivered_at", TIMESTAMPTZ),
    PrimaryKeyConstraint("id", name=conv("pk_webhook_deliveries")),
    ForeignKeyConstraint(
        ["subscription_id"],
        ["webhook_subscriptions.id"],
        name=conv("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
    ),
    ForeignKeyConstraint(
        ["event_id"],
        ["webhook_events.id"],
        name=conv("fk_webhook_deliveries_event_id_webhook_events"),
    ),
    UniqueConstraint(
        "subscription_id", "event_id", name=conv("uq_webhook_deliveries_subscription_id")
    ),
    Index(
        "ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")
    ),
)

attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", BigInteger, Identity(always=True), nullable=False),
    Column("delivery_id", BigInteger, nullable=False),
    Column("at", TIMESTAMPTZ, nullable=False, server_default=text("clock_timestamp()")),
    Column("status_code", Integer),
    Column("error", Text),
    Column("duration_ms", Integer, nullable=False),
    PrimaryKeyConstraint("id", name=conv("pk_webhook_attempts")),
    ForeignKeyConstraint(
        ["delivery_id"],
        ["webhook_deliveries.id"],
        name=conv("fk_webhook_attempts_delivery_id_webhook_deliveries"),
    ),
    Index("ix_webhook_attempts_delivery_id", "delivery_id"),
)
