"""ledger: accounts, immutable double-entry transactions and legs, decisions, idempotency

Revision ID: c3_ledger
Revises: b2_rules
Create Date: 2026-11-23

The invariants live in PostgreSQL, so no code path can break them:
- every leg moves a positive amount (``CHECK (amount > 0)``), debit or credit;
- a transaction's legs balance per unit (its legs are written first, the transaction row is
  refused unless they balance, and the legs' foreign key is checked at commit);
- legs and transactions are append-only (triggers refuse UPDATE, DELETE and TRUNCATE);
- citizen accounts never go below zero (``CHECK (balance >= 0)`` on the cached balance);
- a hold is resolved at most once and a transaction reversed at most once (unique references);
- idempotency keys are unique per caller.
"""

from collections.abc import Sequence

from migrations.sql import run_script

revision: str = "c3_ledger"
down_revision: str | None = "b2_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
CREATE TABLE ledger_accounts (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    kind          text NOT NULL,
    citizen_key   char(64),
    incentive     text NOT NULL,
    period_key    text,
    unit          text NOT NULL,
    balance       bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_ledger_accounts PRIMARY KEY (id),
    -- also the index of a citizen's accounts (system accounts have no citizen and no period)
    CONSTRAINT uq_ledger_accounts_identity
        UNIQUE NULLS NOT DISTINCT (citizen_key, incentive, period_key, kind),
    CONSTRAINT ck_ledger_accounts_kind CHECK (
        kind IN ('available', 'held', 'issuer', 'used', 'expired')
        OR kind LIKE 'used:%'),
    CONSTRAINT ck_ledger_accounts_unit CHECK (unit IN ('EUR', 'HOUR', 'DAY', 'MONTH', 'VOUCHER')),
    -- citizen accounts carry a cached balance that may never go negative (no overdraft);
    -- system accounts carry none: their balance is derived from legs, so no hot row is updated.
    CONSTRAINT ck_ledger_accounts_citizen_shape CHECK (
        (kind IN ('available', 'held')) = (citizen_key IS NOT NULL)
        AND (kind IN ('available', 'held')) = (balance IS NOT NULL)
        AND (kind IN ('available', 'held')) = (period_key IS NOT NULL)),
    CONSTRAINT ck_ledger_accounts_no_overdraft CHECK (balance >= 0)
);
COMMENT ON COLUMN ledger_accounts.balance IS
    'minor units (cents, 1/100 hour/day/month, whole vouchers); available or held; NULL for system';

-- The reasons of decisions, stored once per distinct content (most citizens share the same
-- reasons): a decision points at them by their SHA-256.
CREATE TABLE decision_reasons (
    hash            char(64) NOT NULL,
    reasons         jsonb NOT NULL,
    CONSTRAINT pk_decision_reasons PRIMARY KEY (hash),
    CONSTRAINT ck_decision_reasons_array CHECK (jsonb_typeof(reasons) = 'array')
);

CREATE TABLE decisions (
    id              uuid NOT NULL,
    citizen_key     char(64) NOT NULL,
    incentive       text NOT NULL,
    period_key      text,
    status          text NOT NULL,
    entitlement     bigint,
    unit            text,
    rules_version   text NOT NULL,
    facts_version   integer,
    facts_id        bigint,
    reasons_hash    char(64) NOT NULL,
    as_of           date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    trace_id        text,
    CONSTRAINT pk_decisions PRIMARY KEY (id),
    CONSTRAINT ck_decisions_entitlement CHECK (entitlement >= 0),
    CONSTRAINT fk_decisions_reasons FOREIGN KEY (reasons_hash) REFERENCES decision_reasons (hash)
);

CREATE TABLE ledger_transactions (
    id              uuid NOT NULL,
    type            text NOT NULL,
    citizen_key     char(64),
    ssin_ciphertext bytea,
    ssin_key_id     text,
    incentive       text NOT NULL,
    period_key      text,
    unit            text NOT NULL,
    amount          bigint NOT NULL,
    effective_date  date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    caller          text NOT NULL,
    reference       text,
    training        jsonb,
    funding         jsonb,
    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
    expires_at      timestamptz,
    resolves        uuid,
    reverses        uuid,
    decision_id     uuid,
    unique_token    text,
    trace_id        text,
    CONSTRAINT pk_ledger_transactions PRIMARY KEY (id),
    CONSTRAINT ck_ledger_transactions_amount_positive CHECK (amount > 0),
    CONSTRAINT ck_ledger_transactions_type CHECK (type IN (
        'grant', 'adjust', 'reserve', 'capture', 'release', 'expire', 'redeem', 'reverse',
        'periodEnd', 'carryOver')),
    CONSTRAINT ck_ledger_transactions_hold_has_expiry
        CHECK ((type = 'reserve') = (expires_at IS NOT NULL)),
    CONSTRAINT ck_ledger_transactions_resolution CHECK (
        (type IN ('capture', 'release', 'expire')) = (resolves IS NOT NULL)),
    CONSTRAINT ck_ledger_transactions_reversal CHECK ((type = 'reverse') = (reverses IS NOT NULL)),
    CONSTRAINT fk_ledger_transactions_resolves FOREIGN KEY (resolves)
        REFERENCES ledger_transactions (id),
    CONSTRAINT fk_ledger_transactions_reverses FOREIGN KEY (reverses)
        REFERENCES ledger_transactions (id),
    CONSTRAINT fk_ledger_transactions_decision FOREIGN KEY (decision_id) REFERENCES decisions (id)
);
-- a hold resolves once (captured, released or expired); a transaction is reversed once
-- (partial: the many transactions that resolve and reverse nothing cost no index entry)
CREATE UNIQUE INDEX uq_ledger_transactions_resolves ON ledger_transactions (resolves)
    WHERE resolves IS NOT NULL;
CREATE UNIQUE INDEX uq_ledger_transactions_reverses ON ledger_transactions (reverses)
    WHERE reverses IS NOT NULL;
CREATE UNIQUE INDEX uq_ledger_transactions_unique_token ON ledger_transactions (unique_token)
    WHERE unique_token IS NOT NULL;
CREATE INDEX ix_ledger_transactions_citizen ON ledger_transactions (citizen_key, created_at, id);
CREATE INDEX ix_ledger_transactions_created ON ledger_transactions (created_at, id);
CREATE INDEX ix_ledger_transactions_open_holds ON ledger_transactions (expires_at)
    WHERE type = 'reserve';
COMMENT ON COLUMN ledger_transactions.amount IS 'minor units of unit; the size of the movement';

CREATE TABLE ledger_legs (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    transaction_id  uuid NOT NULL,
    account_id      bigint NOT NULL,
    unit            text NOT NULL,
    side            char(1) NOT NULL,
    amount          bigint NOT NULL,
    category        text NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT pk_ledger_legs PRIMARY KEY (id),
    CONSTRAINT ck_ledger_legs_amount_positive CHECK (amount > 0),
    CONSTRAINT ck_ledger_legs_side CHECK (side IN ('D', 'C')),
    CONSTRAINT ck_ledger_legs_category CHECK (
        category IN ('grant', 'hold', 'use', 'expire', 'carry')),
    CONSTRAINT fk_ledger_legs_transaction FOREIGN KEY (transaction_id)
        REFERENCES ledger_transactions (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT fk_ledger_legs_account FOREIGN KEY (account_id) REFERENCES ledger_accounts (id)
);
CREATE INDEX ix_ledger_legs_transaction ON ledger_legs (transaction_id);
CREATE INDEX ix_ledger_legs_account ON ledger_legs (account_id, created_at);
COMMENT ON COLUMN ledger_legs.side IS 'C credits (adds to) the account, D debits it';
COMMENT ON COLUMN ledger_legs.category IS
    'what the leg means for a citizen right: grant, hold, use, expire or carry';

CREATE TABLE idempotency_keys (
    caller          text NOT NULL,
    key             text NOT NULL,
    request_hash    char(64) NOT NULL,
    status_code     smallint NOT NULL,
    response_body   jsonb NOT NULL,
    transaction_id  uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (caller, key)
);

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER ledger_legs_append_only BEFORE UPDATE OR DELETE ON ledger_legs
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_legs_no_truncate BEFORE TRUNCATE ON ledger_legs
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

-- Legs come first, then their transaction (the legs' foreign key waits for the commit). When a
-- statement inserts transactions, each must already have two or more legs that balance in
-- every unit; legs can never be added to a transaction that exists. Checked once per statement
-- over all the rows it inserted, so a batch of a million postings costs one query, not a
-- million.
CREATE FUNCTION ledger_check_new_transactions() RETURNS trigger LANGUAGE plpgsql
    -- the new rows are looked up by index, never by scanning the (large) table of legs
    SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
DECLARE
    bad uuid;
BEGIN
    SELECT n.id INTO bad FROM new_transactions n
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(u.legs), 0) AS legs, coalesce(bool_or(u.net <> 0), false) AS off
        FROM (SELECT count(*) AS legs,
                     sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END) AS net
              FROM ledger_legs l WHERE l.transaction_id = n.id GROUP BY l.unit) u) s
    WHERE s.legs < 2 OR s.off LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'transaction % does not balance: double entry needs two or more legs '
            'whose debits equal their credits in every unit', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
    REFERENCING NEW TABLE AS new_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_new_transactions();

CREATE FUNCTION ledger_check_new_legs() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
DECLARE
    posted uuid;
    mismatch bigint;
BEGIN
    SELECT t.id INTO posted FROM new_legs l
    CROSS JOIN LATERAL (SELECT t.id FROM ledger_transactions t WHERE t.id = l.transaction_id) t
    LIMIT 1;
    IF posted IS NOT NULL THEN
        RAISE EXCEPTION 'transaction % is posted: it cannot gain legs', posted
            USING ERRCODE = 'check_violation';
    END IF;
    -- a leg moves its account's unit
    SELECT l.id INTO mismatch FROM new_legs l
    CROSS JOIN LATERAL (SELECT a.unit FROM ledger_accounts a WHERE a.id = l.account_id) a
    WHERE a.unit <> l.unit LIMIT 1;
    IF mismatch IS NOT NULL THEN
        RAISE EXCEPTION 'leg % is not in its account''s unit', mismatch
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ledger_legs_before_their_transaction AFTER INSERT ON ledger_legs
    REFERENCING NEW TABLE AS new_legs
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_new_legs();
"""

DOWNGRADE = """
DROP TABLE idempotency_keys;
DROP TABLE ledger_legs;
DROP TABLE ledger_transactions;
DROP TABLE decisions;
DROP TABLE decision_reasons;
DROP TABLE ledger_accounts;
DROP FUNCTION ledger_check_new_transactions();
DROP FUNCTION ledger_check_new_legs();
DROP FUNCTION ledger_refuse_change();
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)
