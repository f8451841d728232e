"""federal window: the federal training right held over its 5-year window; what the sync with
the federal learning account keeps

Revision ID: g7_federal_window
Revises: h8_webhooks
Create Date: 2026-12-02

From 2024 ``opleidingsrecht`` is held per 5-year window (``2024-2028``), carried freely inside
it. The accounts of the years 2024 to 2028 (``2024``...) become the window's: per citizen and
kind (available, held) one account, holding the legs of the years' accounts and the sum of their
balances; the years' transactions name the window and keep their year as ``accrualYear`` in
their metadata. Legs and transactions are append-only: this move is the one sanctioned edit
(the triggers are off for it only). Years before 2024 stay as they were (the right was yearly).

``federal_sync_state`` keeps the change feed's cursor (a sync resumes after a crash) and when it
last succeeded or failed; ``federal_accounts`` the last federal account seen per citizen and
window beside what the sync posted from it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import CHAR, JSONB

from migrations.sql import run_script

revision: str = "g7_federal_window"
down_revision: str | None = "h8_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVE = """
-- the window a year key 2024..2028 (2029..) falls in: 2024-2028 (2029-2033)
CREATE FUNCTION pg_temp.federal_window(year_key text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT (2024 + ((CAST(year_key AS int) - 2024) / 5) * 5) || '-'
        || (2028 + ((CAST(year_key AS int) - 2024) / 5) * 5) $$;
ALTER TABLE ledger_legs DISABLE TRIGGER ledger_legs_append_only;
ALTER TABLE ledger_transactions DISABLE TRIGGER ledger_transactions_append_only;
CREATE TEMPORARY TABLE federal_moves ON COMMIT DROP AS
    SELECT id, kind, citizen_key, unit, balance, pg_temp.federal_window(period_key) AS window_key
    FROM ledger_accounts WHERE citizen_key IS NOT NULL AND incentive = 'opleidingsrecht'
        AND period_key ~ '^[0-9]{4}$' AND period_key >= '2024';
INSERT INTO ledger_accounts (kind, citizen_key, incentive, period_key, unit, balance)
    SELECT kind, citizen_key, 'opleidingsrecht', window_key, min(unit), 0 FROM federal_moves
    GROUP BY kind, citizen_key, window_key ORDER BY citizen_key, kind ON CONFLICT DO NOTHING;
CREATE TEMPORARY TABLE federal_targets ON COMMIT DROP AS
    SELECT m.id AS old_id, w.id AS new_id, m.balance FROM federal_moves m
    JOIN ledger_accounts w ON w.citizen_key = m.citizen_key AND w.kind = m.kind
        AND w.incentive = 'opleidingsrecht' AND w.period_key = m.window_key;
UPDATE ledger_legs l SET account_id = t.new_id FROM federal_targets t
    WHERE l.account_id = t.old_id;
UPDATE ledger_accounts a SET balance = a.balance + s.total
    FROM (SELECT new_id, sum(balance) AS total FROM federal_targets GROUP BY new_id) s
    WHERE a.id = s.new_id;
UPDATE ledger_transactions SET
    metadata = metadata || jsonb_build_object('accrualYear', CAST(period_key AS int)),
    period_key = pg_temp.federal_window(period_key)
    WHERE incentive = 'opleidingsrecht' AND period_key ~ '^[0-9]{4}$' AND period_key >= '2024';
DELETE FROM ledger_accounts WHERE id IN (SELECT old_id FROM federal_targets);
ALTER TABLE ledger_transactions ENABLE TRIGGER ledger_transactions_append_only;
ALTER TABLE ledger_legs ENABLE TRIGGER ledger_legs_append_only;
"""


def upgrade() -> None:
    run_script(MOVE)
    timestamptz = sa.TIMESTAMP(timezone=True)
    op.create_table(
        "federal_sync_state",
        sa.Column(
            "source", sa.Text, nullable=False, comment="the feed read (one row per federal source)"
        ),
        sa.Column("cursor", sa.Text, comment="the feed's cursor after the last page committed"),
        sa.Column("changes_seen", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.Column("last_attempt_at", timestamptz),
        sa.Column(
            "last_success_at", timestamptz, comment="the end of the last sync that read the feed"
        ),
        sa.Column("last_error", sa.Text, comment="why the last attempt failed (NULL: it did not)"),
        sa.PrimaryKeyConstraint("source", name="pk_federal_sync_state"),
    )
    op.create_table(
        "federal_accounts",
        sa.Column("citizen_key", CHAR(64), nullable=False),
        sa.Column("window_key", sa.Text, nullable=False),
        sa.Column("change_id", sa.Text, nullable=False, comment="the federal change last applied"),
        sa.Column("federal_version", sa.BigInteger, nullable=False),
        sa.Column(
            "accrued",
            JSONB,
            nullable=False,
            comment="per year of the window, the days the federal account accrued (1/100 day)",
        ),
        sa.Column(
            "used", sa.BigInteger, nullable=False, comment="days used per the federal account"
        ),
        sa.Column(
            "balance", sa.BigInteger, nullable=False, comment="the federal account's own balance"
        ),
        sa.Column(
            "posted_accrued", JSONB, nullable=False, comment="per year, what the sync granted"
        ),
        sa.Column("posted_used", sa.BigInteger, nullable=False, comment="what the sync redeemed"),
        sa.Column(
            "changed_at", timestamptz, nullable=False, comment="when the federal side changed"
        ),
        sa.Column("synced_at", timestamptz, nullable=False),
        sa.PrimaryKeyConstraint("citizen_key", "window_key", name="pk_federal_accounts"),
    )


def downgrade() -> None:
    """Drops what the sync keeps. The window's accounts stay (their transactions keep their
    ``accrualYear``): splitting one account's legs back into years would move rights that
    were carried freely inside the window."""
    op.drop_table("federal_accounts")
    op.drop_table("federal_sync_state")
