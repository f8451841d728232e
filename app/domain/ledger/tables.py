"""Core table definitions for the ledger (the DDL, with its triggers, is the migration
``c3_ledger``; these describe the same tables for queries)."""

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP, UUID

# Kept apart from Base.metadata: the migration owns this DDL (triggers, deferred constraints).
metadata = MetaData()

accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("citizen_key", String(64)),
    Column("incentive", Text, nullable=False),
    Column("period_key", Text),
    Column("unit", Text, nullable=False),
    Column("balance", BigInteger, doc="minor units; NULL for system accounts"),
    Column("created_at", TIMESTAMP(timezone=True)),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("citizen_key", String(64), nullable=False),
    Column("incentive", Text, nullable=False),
    Column("period_key", Text),
    Column("status", Text, nullable=False),
    Column("entitlement", BigInteger),
    Column("unit", Text),
    Column("rules_version", Text, nullable=False),
    Column("facts_version", Integer),
    Column("facts_id", BigInteger),
    Column("reasons_hash", String(64), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True)),
    Column("trace_id", Text),
)

decision_reasons = Table(
    "decision_reasons",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("reasons", JSONB, nullable=False),
)

transactions = Table(
    "ledger_transactions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("type", Text, nullable=False),
    Column("citizen_key", String(64)),
    Column("ssin_ciphertext", LargeBinary),
    Column("ssin_key_id", Text),
    Column("incentive", Text, nullable=False),
    Column("period_key", Text),
    Column("unit", Text, nullable=False),
    Column("amount", BigInteger, nullable=False, doc="minor units of unit"),
    Column("effective_date", Date, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True)),
    Column("caller", Text, nullable=False),
    Column("reference", Text),
    Column("training", JSONB),
    Column("funding", JSONB),
    Column("metadata", JSONB),
    Column("expires_at", TIMESTAMP(timezone=True)),
    Column("resolves", UUID(as_uuid=True)),
    Column("reverses", UUID(as_uuid=True)),
    Column("decision_id", UUID(as_uuid=True)),
    Column("unique_token", Text),
    Column("trace_id", Text),
)

legs = Table(
    "ledger_legs",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("transaction_id", UUID(as_uuid=True), nullable=False),
    Column("account_id", BigInteger, nullable=False),
    Column("unit", Text, nullable=False),
    Column("side", String(1), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("category", Text, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("caller", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", SmallInteger, nullable=False),
    Column("response_body", JSONB, nullable=False),
    Column("transaction_id", UUID(as_uuid=True)),
    Column("created_at", TIMESTAMP(timezone=True)),
)
