"""The ledger's tables, declared once, on the metadata Alembic compares with the database
(``tests/integration/test_schema.py``). Triggers and functions (append-only rows, balanced legs,
``ledger_post``...) are the migrations' own: they have no declaration here.

Amounts are integers in minor units of the row's unit: cents for EUR, hundredths of an hour,
day or month, whole vouchers."""

from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import CHAR, JSONB, TIMESTAMP, UUID
from sqlalchemy.sql.elements import conv

from app.db import Base


class TransactionType(StrEnum):
    """What a ledger transaction does; the migrations' CHECK lists exactly these
    (``tests/integration/test_schema.py`` compares them)."""

    GRANT = "grant"
    """Rights added: by settlement (from a decision) or by a partner allowed to grant."""
    ADJUST = "adjust"
    """Settlement bringing a right to a new decision's entitlement, up or down."""
    RESERVE = "reserve"
    """A hold on part of the available balance, until ``expires_at``."""
    CAPTURE = "capture"
    """A hold turned into use, fully or partly (the rest back to available)."""
    RELEASE = "release"
    """A hold cancelled."""
    EXPIRE = "expire"
    """A hold past its expiry put on the record."""
    REDEEM = "redeem"
    """Balance used in one step."""
    REVERSE = "reverse"
    """An earlier transaction undone by its opposite."""
    PERIOD_END = "periodEnd"
    """What a period left unused, expired when it ended."""
    CARRY_OVER = "carryOver"
    """What a period left unused, moved into the next period (up to the cap)."""


metadata = Base.metadata
TIMESTAMPTZ = TIMESTAMP(timezone=True)

accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", BigInteger, Identity(always=True), nullable=False),
    Column("kind", Text, nullable=False),
    Column("citizen_key", CHAR(64)),
    Column("incentive", Text, nullable=False),
    Column("period_key", Text),
    Column("unit", Text, nullable=False),
    Column(
        "balance",
        BigInteger,
        comment="minor units (cents, 1/100 hour/day/month, whole vouchers); available or held; "
        "NULL for system",
    ),
    Column("created_at", TIMESTAMPTZ, nullable=False, server_default=text("now()")),
    PrimaryKeyConstraint("id", name=conv("pk_ledger_accounts")),
    UniqueConstraint(
        "citizen_key",
        "incentive",
        "period_key",
        "kind",
        name=conv("uq_ledger_accounts_identity"),
        postgresql_nulls_not_distinct=True,
    ),
)

decision_reasons = Table(
    "decision_reasons",
    metadata,
    Column("hash", CHAR(64), nullable=False),
    Column("reasons", JSONB, nullable=False),
    PrimaryKeyConstraint("hash", name=conv("pk_decision_reasons")),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("citizen_key", CHAR(64), nullable=False),
    Column("incentive", Text, nullable=False),
    Column("period_key", Text),
    Column("status", Text, nullable=False),
    Column("entitlement", BigInteger),
    Column("unit", Text),
    Column("rules_version", Text, nullable=False),
    Column("facts_version", Integer),
    Column("facts_id", BigInteger),
    Column("reasons_hash", CHAR(64), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("created_at", TIMESTAMPTZ, nullable=False, server_default=text("now()")),
    Column("trace_id", Text),
    PrimaryKeyConstraint("id", name=conv("pk_decisions")),
    ForeignKeyConstraint(
        ["reasons_hash"], ["decision_reasons.hash"], name=conv("fk_decisions_reasons")
    ),
)

transactions = Table(
    "ledger_transactions",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("type", Text, nullable=False),
    Column("citizen_key", CHAR(64)),
    Column("ssin_ciphertext", LargeBinary),
    Column("ssin_key_id", Text),
    Column("incentive", Text, nullable=False),
    Column("period_key", Text),
    Column("unit", Text, nullable=False),
    Column(
        "amount",
        BigInteger,
        nullable=False,
        comment="minor units of unit; the size of the movement",
    ),
    Column("effective_date", Date, nullable=False),
    Column("created_at", TIMESTAMPTZ, nullable=False, server_default=text("clock_timestamp()")),
    Column("caller", Text, nullable=False),
    Column("reference", Text),
    Column("training", JSONB),
    Column("funding", JSONB),
    Column("metadata", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("expires_at", TIMESTAMPTZ),
    Column("resolves", UUID(as_uuid=True)),
    Column("reverses", UUID(as_uuid=True)),
    Column("decision_id", UUID(as_uuid=True)),
    Column("unique_token", Text),
    Column("trace_id", Text),
    PrimaryKeyConstraint("id", name=conv("pk_ledger_transactions")),
    ForeignKeyConstraint(
        ["resolves"], ["ledger_transactions.id"], name=conv("fk_ledger_transactions_resolves")
    ),
    ForeignKeyConstraint(
        ["reverses"], ["ledger_transactions.id"], name=conv("fk_ledger_transactions_reverses")
    ),
    ForeignKeyConstraint(
        ["decision_id"], ["decisions.id"], name=conv("fk_ledger_transactions_decision")
    ),
)
Index(
    conv("uq_ledger_transactions_resolves"),
    transactions.c.resolves,
    unique=True,
    postgresql_where=transactions.c.resolves.is_not(None),
)
Index(
    conv("uq_ledger_transactions_reverses"),
    transactions.c.reverses,
    unique=True,
    postgresql_where=transactions.c.reverses.is_not(None),
)
Index(
    conv("uq_ledger_transactions_unique_token"),
    transactions.c.unique_token,
    unique=True,
    postgresql_where=transactions.c.unique_token.is_not(None),
)
Index(
    conv("ix_ledger_transactions_citizen"),
    transactions.c.citizen_key,
    transactions.c.created_at,
    transactions.c.id,
)
Index(conv("ix_ledger_transactions_created"), transactions.c.created_at, transactions.c.id)
Index(
    conv("ix_ledger_transactions_open_holds"),
    transactions.c.expires_at,
    postgresql_where=transactions.c.type == "reserve",
)

legs = Table(
    "ledger_legs",
    metadata,
    Column("id", BigInteger, Identity(always=True), nullable=False),
    Column("transaction_id", UUID(as_uuid=True), nullable=False),
    Column("account_id", BigInteger, nullable=False),
    Column("unit", Text, nullable=False),
    Column("side", CHAR(1), nullable=False, comment="C credits (adds to) the account, D debits it"),
    Column("amount", BigInteger, nullable=False),
    Column(
        "category",
        Text,
        nullable=False,
        comment="what the leg means for a citizen right: grant, hold, use, expire or carry",
    ),
    Column("created_at", TIMESTAMPTZ, nullable=False),
    PrimaryKeyConstraint("id", name=conv("pk_ledger_legs")),
    ForeignKeyConstraint(
        ["transaction_id"],
        ["ledger_transactions.id"],
        name=conv("fk_ledger_legs_transaction"),
        deferrable=True,
        initially="DEFERRED",
    ),
    ForeignKeyConstraint(
        ["account_id"], ["ledger_accounts.id"], name=conv("fk_ledger_legs_account")
    ),
)
Index(conv("ix_ledger_legs_transaction"), legs.c.transaction_id)
Index(conv("ix_ledger_legs_account"), legs.c.account_id, legs.c.created_at)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("caller", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("request_hash", CHAR(64), nullable=False),
    Column("status_code", SmallInteger, nullable=False),
    Column("response_body", JSONB, nullable=False),
    Column("transaction_id", UUID(as_uuid=True)),
    Column("created_at", TIMESTAMPTZ, nullable=False, server_default=text("now()")),
    PrimaryKeyConstraint("caller", "key", name=conv("pk_idempotency_keys")),
)

citizens = Table(
    "citizens",
    metadata,
    Column("citizen_key", CHAR(64), nullable=False),
    Column("ssin_ciphertext", LargeBinary, nullable=False),
    Column("ssin_key_id", Text, nullable=False),
    Column("created_at", TIMESTAMPTZ, nullable=False, server_default=text("now()")),
    PrimaryKeyConstraint("citizen_key", name=conv("pk_citizens")),
    comment="the sealed SSIN of each citizen key (AES-GCM; never in clear)",
)
