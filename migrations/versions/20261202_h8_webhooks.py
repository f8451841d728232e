"""webhooks: partners' subscriptions, an outbox of events written with the postings they report,
and the deliveries of each event to each subscription

Revision ID: h8_webhooks
Revises: g7_facts_timeline
Create Date: 2026-12-02

The outbox is filled by PostgreSQL itself, in the transaction of what it reports: a statement
trigger on ``ledger_transactions`` writes one event per reported transaction (whatever path
posted it: a request, settlement, a batch, the hold sweep), and a statement trigger on
``webhook_events`` fans each event out to the subscriptions that want it and may read it. So
an event exists if and only if its transaction committed. While no subscription is active the
first trigger returns at once. Events carry no SSIN: a delivery opens the transaction's sealed
SSIN when it builds the body, for that partner only.
"""

from collections.abc import Sequence

from migrations.sql import run_script

revision: str = "h8_webhooks"
down_revision: str | None = "g7_facts_timeline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
CREATE TABLE webhook_subscriptions (
    id uuid NOT NULL,
    partner text NOT NULL,
    url text NOT NULL,
    events text[] NOT NULL,
    incentives text[],
    citizen_key char(64),
    secret_ciphertext bytea NOT NULL,
    secret_key_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT pk_webhook_subscriptions PRIMARY KEY (id)
);
COMMENT ON COLUMN webhook_subscriptions.incentives IS
    'the incentives it receives events of (NULL: all); never beyond what the partner may read';
COMMENT ON COLUMN webhook_subscriptions.citizen_key IS
    'a citizen-bound token''s subscription: events of that citizen only';
CREATE INDEX ix_webhook_subscriptions_partner ON webhook_subscriptions (partner)
    WHERE deleted_at IS NULL;

CREATE TABLE webhook_events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    event_id uuid NOT NULL DEFAULT gen_random_uuid(),
    type text NOT NULL,
    transaction_id uuid,
    citizen_key char(64) NOT NULL,
    incentive text NOT NULL,
    period_key text,
    data jsonb NOT NULL,
    dedupe text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT pk_webhook_events PRIMARY KEY (id),
    CONSTRAINT uq_webhook_events_event_id UNIQUE (event_id),
    CONSTRAINT uq_webhook_events_dedupe UNIQUE (dedupe),
    CONSTRAINT ck_webhook_events_type CHECK (type IN ('right.granted', 'right.expiring',
        'hold.created', 'hold.captured', 'hold.released', 'hold.expired',
        'transaction.reversed'))
);

CREATE TABLE webhook_deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY,
    subscription_id uuid NOT NULL,
    event_id bigint NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    lease_until timestamptz,
    last_status integer,
    last_error text,
    delivered_at timestamptz,
    CONSTRAINT pk_webhook_deliveries PRIMARY KEY (id),
    CONSTRAINT fk_webhook_deliveries_subscription_id_webhook_subscriptions
        FOREIGN KEY (subscription_id) REFERENCES webhook_subscriptions (id),
    CONSTRAINT fk_webhook_deliveries_event_id_webhook_events
        FOREIGN KEY (event_id) REFERENCES webhook_events (id),
    CONSTRAINT uq_webhook_deliveries_subscription_id UNIQUE (subscription_id, event_id),
    CONSTRAINT ck_webhook_deliveries_status CHECK (status IN ('pending', 'delivered', 'failed'))
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY,
    delivery_id bigint NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    status_code integer,
    error text,
    duration_ms integer NOT NULL,
    CONSTRAINT pk_webhook_attempts PRIMARY KEY (id),
    CONSTRAINT fk_webhook_attempts_delivery_id_webhook_deliveries
        FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id)
);
CREATE INDEX ix_webhook_attempts_delivery_id ON webhook_attempts (delivery_id);

-- The outbox: one event per reported transaction, in the posting's own transaction.
CREATE FUNCTION webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_events (type, transaction_id, citizen_key, incentive, period_key, data)
    SELECT e.type, t.id, t.citizen_key, t.incentive, t.period_key,
           jsonb_build_object('transactionId', t.id, 'transactionType', t.type,
                              'incentive', t.incentive, 'periodKey', t.period_key,
                              'amount', t.amount, 'unit', t.unit, 'caller', t.caller,
                              'effectiveDate', t.effective_date, 'expiresAt', t.expires_at,
                              'resolves', t.resolves, 'reverses', t.reverses)
    FROM new_transactions t
    CROSS JOIN LATERAL (SELECT CASE t.type
        WHEN 'grant' THEN 'right.granted' WHEN 'reserve' THEN 'hold.created'
        WHEN 'capture' THEN 'hold.captured' WHEN 'release' THEN 'hold.released'
        WHEN 'expire' THEN 'hold.expired' WHEN 'reverse' THEN 'transaction.reversed'
        END AS type) e
    WHERE e.type IS NOT NULL AND t.citizen_key IS NOT NULL
    ORDER BY t.created_at, t.id;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_transactions_outbox AFTER INSERT ON ledger_transactions
    REFERENCING NEW TABLE AS new_transactions FOR EACH STATEMENT
    EXECUTE FUNCTION webhook_outbox();

-- The fan-out: each event to every active subscription that wants it and may read it.
CREATE FUNCTION webhook_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (subscription_id, event_id)
    SELECT s.id, ev.id FROM new_events ev
    JOIN webhook_subscriptions s ON s.deleted_at IS NULL AND ev.type = ANY (s.events)
        AND (s.incentives IS NULL OR ev.incentive = ANY (s.incentives))
        AND (s.citizen_key IS NULL OR s.citizen_key = ev.citizen_key)
    ORDER BY ev.id, s.id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_events_fan_out AFTER INSERT ON webhook_events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
    EXECUTE FUNCTION webhook_fan_out();
"""

DOWNGRADE = """
DROP TRIGGER webhook_events_fan_out ON webhook_events;
DROP TRIGGER ledger_transactions_outbox ON ledger_transactions;
DROP FUNCTION webhook_fan_out();
DROP FUNCTION webhook_outbox();
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_subscriptions;
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)
