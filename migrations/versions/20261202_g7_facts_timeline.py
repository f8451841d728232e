"""facts timeline: a wallet read and a right's read return the citizen's facts declarations
in valid-time order, so each incentive is decided on the facts valid on its reference date

Revision ID: g7_facts_timeline
Revises: f6_facts_in_time
Create Date: 2026-12-02

``wallet_read`` and ``ledger_right`` returned the newest facts version; they now return every
version recorded by the instant read (the wallet's ``p_at``), each as ``[id, version,
observed_on, declared]`` (``declared``: what the version itself declared, or all its facts for
versions that predate the column), ordered as ``facts_valid_on`` folds them. The fold per
reference date is done by the caller (``app.domain.rules.facts_store.fold``): one definition.
"""

from collections.abc import Sequence

from migrations.sql import run_script

revision: str = "g7_facts_timeline"
down_revision: str | None = "f6_facts_in_time"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
CREATE OR REPLACE FUNCTION ledger_right(
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
        'facts', (SELECT jsonb_agg(jsonb_build_array(f.id, f.version, f.observed_on,
                                                     coalesce(f.declared, f.facts))
                                   ORDER BY f.observed_on, f.version)
            FROM citizen_facts f WHERE p_facts AND f.citizen_key = p_citizen));
    RETURN answer;
END $$;

CREATE OR REPLACE FUNCTION wallet_read(
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
        'facts', (SELECT jsonb_agg(jsonb_build_array(f.id, f.version, f.observed_on,
                                                     coalesce(f.declared, f.facts))
                                   ORDER BY f.observed_on, f.version)
                  FROM citizen_facts f
                  WHERE f.citizen_key = p_citizen AND f.recorded_at <= upto),
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
CREATE OR REPLACE FUNCTION ledger_right(
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

CREATE OR REPLACE FUNCTION wallet_read(
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


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)
