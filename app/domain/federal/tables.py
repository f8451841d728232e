"""What the service keeps of the federal learning account (FLA): where the change feed was read
up to (so a sync resumes after a crash), and per citizen and window the last federal account it
saw beside what the sync posted from it (so a rerun posts nothing and the reconciliation can
say why the wallet and the federal balance differ). Amounts in hundredths of a day."""

from sqlalchemy import (
    BigInteger,
    Column,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import CHAR, JSONB, TIMESTAMP

from app.db import Base

TIMESTAMPTZ = TIMESTAMP(timezone=True)

sync_state = Table(
    "federal_sync_state",
    Base.metadata,
    Column("source", Text, nullable=False, comment="the feed read (one row per federal source)"),
    Column("cursor", Text, comment="the feed's cursor after the last page committed"),
    Column("changes_seen", BigInteger, nullable=False, server_default=text("0")),
    Column("last_attempt_at", TIMESTAMPTZ),
    Column("last_success_at", TIMESTAMPTZ, comment="the end of the last sync that read the feed"),
    Column("last_error", Text, comment="why the last attempt failed (NULL: it did not)"),
    PrimaryKeyConstraint("source", name="pk_federal_sync_state"),
)

accounts = Table(
    "federal_accounts",
    Base.metadata,
    Column("citizen_key", CHAR(64), nullable=False),
    Column("window_key", Text, nullable=False),
    Column("change_id", Text, nullable=False, comment="the federal change last applied"),
    Column("federal_version", BigInteger, nullable=False),
    Column(
        "accrued",
        JSONB,
        nullable=False,
        comment="per year of the window, the days the federal account accrued (1/100 day)",
    ),
    Column("used", BigInteger, nullable=False, comment="days used per the federal account"),
    Column("balance", BigInteger, nullable=False, comment="the federal account's own balance"),
    Column("posted_accrued", JSONB, nullable=False, comment="per year, what the sync granted"),
    Column("posted_used", BigInteger, nullable=False, comment="what the sync redeemed"),
    Column("changed_at", TIMESTAMPTZ, nullable=False, comment="when the federal side changed"),
    Column("synced_at", TIMESTAMPTZ, nullable=False),
    PrimaryKeyConstraint("citizen_key", "window_key", name="pk_federal_accounts"),
)
