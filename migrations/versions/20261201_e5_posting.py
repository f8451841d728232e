"""posting: one function posts one or many transactions; one function reads a right under lock;
a citizen's sealed SSIN kept once

Revision ID: e5_posting
Revises: d4_access
Create Date: 2026-12-01

``ledger_post`` is the ledger's only way in: a request posts a batch of one (or a few, e.g. the
expiry of overdue holds with the reserve that follows), ``llr grant`` and ``llr rollover`` post
thousands; every caller sends the same arrays (pgledger's ``create_transfers`` shape). In one call
it locks the citizen accounts moved (ascending id, the one order for everyone), opens the system
accounts it names on first use, writes the legs, then the transactions (the balanced-legs trigger
checks them in one pass), and moves the cached balances (the no-overdraft CHECK has the last
word). The instant is taken under the locks, so one right's postings are stamped in order.

``ledger_right`` reads what an operation on one right must know, in one call and under the
right's lock: its accounts and cached balances, the nets of its legs, its overdue holds, what
settlement granted, the referenced transaction (a hold to capture, a transaction to reverse) and,
on request, the citizen's latest facts. Each statement of a PL/pgSQL function sees what was
committed before it started, so the reads after the lock see every posting the lock waited for.

``citizens`` keeps each citizen's sealed SSIN once (written when facts are declared or a right is
moved), so a batch that knows only citizen keys seals the SSIN on what it posts like a request.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import CHAR

from migrations.sql import run_script

revision: str = "e5_posting"
down_revision: str | None = "d4_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
INSERT INTO citizens (citizen_key, ssin_ciphertext, ssin_key_id)
SELECT DISTINCT ON (citizen_key) citizen_key, ssin_ciphertext, ssin_key_id
FROM ledger_transactions WHERE citizen_key IS NOT NULL AND ssin_ciphertext IS NOT NULL
ORDER BY citizen_key, created_at DESC;

CREATE FUNCTION ledger_post(
    p_created_at timestamptz,
    t_id uuid[], t_type text[], t_citizen text[], t_ssin bytea[], t_ssin_key text[],
    t_incentive text[], t_period text[], t_unit text[], t_amount bigint[],
    t_effective date[], t_caller text[], t_reference text[], t_training text[],
    t_funding text[], t_metadata text[], t_expires timestamptz[], t_resolves uuid[],
    t_reverses uuid[], t_decision uuid[], t_token text[], t_trace text[],
    l_txn uuid[], l_account bigint[], l_system text[], l_side text[], l_amount bigint[],
    l_category text[]
) RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
    stamped timestamptz;
BEGIN
    PERFORM 1 FROM ledger_accounts
    WHERE id = ANY(l_account) AND balance IS NOT NULL ORDER BY id FOR UPDATE;
    stamped := GREATEST(p_created_at, clock_timestamp());
    -- system accounts (issuer, used:<payer>, expired) are named by kind, opened on first use
    INSERT INTO ledger_accounts (kind, incentive, unit)
    SELECT DISTINCT l.system, t.incentive, t.unit
    FROM unnest(l_txn, l_system) AS l(txn, system)
    JOIN unnest(t_id, t_incentive, t_unit) AS t(id, incentive, unit) ON t.id = l.txn
    WHERE l.system IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM ledger_accounts a WHERE a.kind = l.system AND a.incentive = t.incentive
            AND a.citizen_key IS NULL AND a.period_key IS NULL)
    ON CONFLICT DO NOTHING;
    INSERT INTO ledger_legs (transaction_id, account_id, unit, side, amount, category,
        created_at)
    SELECT l.txn, coalesce(l.account, s.id), t.unit, l.side, l.amount, l.category, stamped
    FROM unnest(l_txn, l_account, l_system, l_side, l_amount, l_category)
        AS l(txn, account, system, side, amount, category)
    JOIN unnest(t_id, t_incentive, t_unit) AS t(id, incentive, unit) ON t.id = l.txn
    LEFT JOIN ledger_accounts s ON l.account IS NULL AND s.kind = l.system
        AND s.incentive = t.incentive AND s.citizen_key IS NULL AND s.period_key IS NULL;
    INSERT INTO ledger_transactions (id, type, citizen_key, ssin_ciphertext, ssin_key_id,
        incentive, period_key, unit, amount, effective_date, created_at, caller, reference,
        training, funding, metadata, expires_at, resolves, reverses, decision_id, unique_token,
        trace_id)
    SELECT t.id, t.type, t.citizen, t.ssin, t.ssin_key, t.incentive, t.period, t.unit,
        t.amount, t.effective, stamped, t.caller, t.reference, CAST(t.training AS jsonb),
        CAST(t.funding AS jsonb), coalesce(CAST(t.metadata AS jsonb), '{}'::jsonb), t.expires,
        t.resolves, t.reverses, t.decision, t.token, t.trace
    FROM unnest(t_id, t_type, t_citizen, t_ssin, t_ssin_key, t_incentive, t_period, t_unit,
        t_amount, t_effective, t_caller, t_reference, t_training, t_funding, t_metadata,
        t_expires, t_resolves, t_reverses, t_decision, t_token, t_trace)
        AS t(id, type, citizen, ssin, ssin_key, incentive, period, unit, amount, effective,
            caller, reference, training, funding, metadata, expires, resolves, reverses,
            decision, token, trace);
    UPDATE ledger_accounts a SET balance = a.balance + d.delta
    FROM (SELECT l.account, sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END) AS delta
          FROM unnest(l_account, l_side, l_amount) AS l(account, side, amount)
          WHERE l.account IS NOT NULL GROUP BY l.account) d
    WHERE a.id = d.account AND a.balance IS NOT NULL AND d.delta <> 0;
    RETURN stamped;
END $$;

CREATE FUNCTION ledger_right(
    p_citizen char(64), p_incentive text, p_period text, p_unit text, p_open boolean,
    p_txn uuid, p_now timestamptz, p_facts boolean
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    txn ledger_transactions;
    account ledger_accounts;
    available ledger_accounts;
    held ledger_accounts;
    answer jsonb;
BEGIN
    IF p_txn IS NOT NULL THEN
        SELECT * INTO txn FROM ledger_transactions WHERE id = p_txn;
        IF NOT FOUND THEN
            RETURN jsonb_build_object('txn', NULL);
        END IF;
        p_citizen := txn.citizen_key; p_incentive := txn.incentive;
        p_period := txn.period_key; p_unit := txn.unit;
    END IF;
    IF p_open THEN
        INSERT INTO ledger_accounts (kind, citizen_key, incentive, period_key, unit, balance)
        SELECT k.kind, p_citizen, p_incentive, p_period, p_unit, 0
        FROM (VALUES ('available'), ('held')) AS k(kind)
        ON CONFLICT DO NOTHING;
    END IF;
    FOR account IN SELECT * FROM ledger_accounts WHERE citizen_key = p_citizen
            AND incentive = p_incentive AND period_key = p_period ORDER BY id FOR UPDATE LOOP
        IF account.kind = 'available' THEN
            available := account;
        ELSIF account.kind = 'held' THEN
            held := account;
        END IF;
    END LOOP;
    IF available.id IS NOT NULL AND held.id IS NULL THEN  -- a batch opens the available one only
        INSERT INTO ledger_accounts (kind, citizen_key, incentive, period_key, unit, balance)
        VALUES ('held', p_citizen, p_incentive, p_period, available.unit, 0)
        ON CONFLICT DO NOTHING RETURNING * INTO held;
        IF held.id IS NULL THEN
            SELECT * INTO held FROM ledger_accounts WHERE kind = 'held'
                AND citizen_key = p_citizen AND incentive = p_incentive
                AND period_key = p_period FOR UPDATE;
        END IF;
    END IF;
    answer := jsonb_build_object(
        'clock', clock_timestamp(),
        'txn', CASE WHEN p_txn IS NOT NULL THEN to_jsonb(txn) END,
        'resolvedBy', (SELECT r.type FROM ledger_transactions r WHERE r.resolves = p_txn),
        'reversedBy', (SELECT r.id FROM ledger_transactions r WHERE r.reverses = p_txn),
        'txnLegs', (SELECT jsonb_agg(jsonb_build_array(l.account_id, l.side, l.amount,
                        l.category)) FROM ledger_legs l WHERE l.transaction_id = p_txn),
        'unit', p_unit,
        'available', CASE WHEN available.id IS NOT NULL
            THEN jsonb_build_array(available.id, available.balance) END,
        'held', CASE WHEN held.id IS NOT NULL THEN jsonb_build_array(held.id, held.balance) END,
        'nets', (SELECT jsonb_agg(jsonb_build_array(n.kind, n.category, n.side, n.net))
            FROM (SELECT CASE l.account_id WHEN available.id THEN 'available' ELSE 'held' END
                             AS kind, l.category, l.side,
                         sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END) AS net
                  FROM ledger_legs l WHERE l.account_id IN (available.id, held.id)
                  GROUP BY 1, l.category, l.side) n),
        'settled', (SELECT coalesce(sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END),
                                    0)
            FROM ledger_legs l JOIN ledger_transactions t ON t.id = l.transaction_id
            WHERE l.account_id = available.id AND l.category = 'grant'
                AND t.decision_id IS NOT NULL),
        'overdue', (SELECT jsonb_agg(to_jsonb(h) ORDER BY h.created_at)
            FROM ledger_transactions h
            WHERE available.id IS NOT NULL AND h.citizen_key = p_citizen
                AND h.incentive = p_incentive AND h.period_key = p_period
                AND h.type = 'reserve' AND h.expires_at <= p_now
                AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.resolves = h.id)),
        'facts', (SELECT jsonb_build_array(f.id, f.version, f.facts) FROM citizen_facts f
            WHERE p_facts AND f.citizen_key = p_citizen ORDER BY f.version DESC LIMIT 1));
    RETURN answer;
END $$;

-- The first statement of a posting: the Idempotency-Key taken (a transaction-scoped advisory
-- lock: false while another request holds it), the response stored for it, and the transaction
-- the request names (a hold to resolve, a transaction to reverse), whose citizen and incentive
-- its authorisation needs. The lookups run after the lock, so they see a first request that
-- committed while this one waited.
CREATE FUNCTION ledger_open_key(p_lock bigint, p_caller text, p_key text, p_txn uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(p_lock) THEN
        RETURN jsonb_build_object('locked', false);
    END IF;
    RETURN jsonb_build_object(
        'locked', true,
        'stored', (SELECT jsonb_build_array(k.request_hash, k.status_code, k.response_body)
                   FROM idempotency_keys k WHERE k.caller = p_caller AND k.key = p_key),
        'txn', (SELECT jsonb_build_array(t.citizen_key, t.incentive,
                                         encode(t.ssin_ciphertext, 'hex'), t.ssin_key_id)
                FROM ledger_transactions t WHERE t.id = p_txn));
END $$;

-- A wallet read in one call: the citizen's facts (the newest recorded by p_at) and, per right,
-- the nets of its legs, what settlement granted, what overdue holds keep reserved (judged at
-- p_now) and the decision it last came from, all as they stood at p_at (NULL: everything on
-- the record); with p_partner, the read's access-log row in the same call.
CREATE FUNCTION wallet_read(
    p_citizen char(64), p_at timestamptz, p_now timestamptz, p_partner text, p_action text,
    p_endpoint text, p_trace text, p_bound boolean
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    upto timestamptz := coalesce(p_at, 'infinity');
BEGIN
    IF p_partner IS NOT NULL THEN
        INSERT INTO access_log (partner, citizen_key, action, endpoint, trace_id, citizen_bound)
        VALUES (p_partner, p_citizen, p_action, p_endpoint, p_trace, p_bound);
    END IF;
    RETURN jsonb_build_object(
        'facts', (SELECT jsonb_build_array(f.id, f.version, f.facts) FROM citizen_facts f
                  WHERE f.citizen_key = p_citizen AND f.recorded_at <= upto
                  ORDER BY f.version DESC LIMIT 1),
        'rights', (SELECT jsonb_agg(jsonb_build_array(a.incentive, a.period_key, a.unit,
            (SELECT jsonb_agg(jsonb_build_array(n.kind, n.category, n.side, n.net))
             FROM (SELECT b.kind, l.category, l.side,
                          sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END) AS net
                   FROM ledger_accounts b JOIN ledger_legs l ON l.account_id = b.id
                   WHERE b.citizen_key = p_citizen AND b.incentive = a.incentive
                       AND b.period_key = a.period_key AND l.created_at <= upto
                   GROUP BY b.kind, l.category, l.side) n),
            (SELECT coalesce(sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END), 0)
             FROM ledger_legs l JOIN ledger_transactions t ON t.id = l.transaction_id
             WHERE l.account_id = a.id AND l.category = 'grant' AND l.created_at <= upto
                 AND t.decision_id IS NOT NULL),
            (SELECT coalesce(sum(h.amount), 0) FROM ledger_transactions h
             WHERE h.citizen_key = p_citizen AND h.incentive = a.incentive
                 AND h.period_key = a.period_key AND h.type = 'reserve'
                 AND h.created_at <= upto AND h.expires_at <= p_now
                 AND NOT EXISTS (SELECT 1 FROM ledger_transactions r
                                 WHERE r.resolves = h.id AND r.created_at <= upto)),
            (SELECT t.decision_id FROM ledger_transactions t
             WHERE t.citizen_key = p_citizen AND t.incentive = a.incentive
                 AND t.period_key = a.period_key AND t.decision_id IS NOT NULL
                 AND t.created_at <= upto
             ORDER BY t.created_at DESC LIMIT 1))
            ORDER BY a.incentive, a.period_key)
            FROM ledger_accounts a WHERE a.citizen_key = p_citizen AND a.kind = 'available'));
END $$;
"""

DOWNGRADE = """
DROP FUNCTION wallet_read(char, timestamptz, timestamptz, text, text, text, text, boolean);
DROP FUNCTION ledger_open_key(bigint, text, text, uuid);
DROP FUNCTION ledger_right(char, text, text, text, boolean, uuid, timestamptz, boolean);
DROP FUNCTION ledger_post(timestamptz, uuid[], text[], text[], bytea[], text[], text[], text[],
    text[], bigint[], date[], text[], text[], text[], text[], text[], timestamptz[], uuid[],
    uuid[], uuid[], text[], text[], uuid[], bigint[], text[], text[], bigint[], text[]);
"""


def upgrade() -> None:
    op.create_table(
        "citizens",
        sa.Column("citizen_key", CHAR(64), nullable=False),
        sa.Column("ssin_ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("ssin_key_id", sa.Text, nullable=False),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.PrimaryKeyConstraint("citizen_key", name="pk_citizens"),
        comment="the sealed SSIN of each citizen key (AES-GCM; never in clear)",
    )
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)
    op.drop_table("citizens")
