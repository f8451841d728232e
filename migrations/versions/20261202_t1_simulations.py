"""simulations: policy simulations and their results (aggregates only, never the ledger)

Revision ID: t1_simulations
Revises: s1_statistics
Create Date: 2026-12-02

One row per simulation: what was asked (a reform as data), how far it got, and its tallies per
group (integers, no citizen). At most one queued or running simulation per partner: a partial
unique index, so two requests racing cannot both start one.
"""

from collections.abc import Sequence

from migrations.sql import run_script

revision: str = "t1_simulations"
down_revision: str | None = "s1_statistics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
CREATE TABLE simulations (
    id uuid NOT NULL,
    partner text NOT NULL,
    name text NOT NULL,
    period_key text NOT NULL,
    as_of date NOT NULL,
    reform jsonb NOT NULL,
    status text NOT NULL,
    citizens_total bigint NOT NULL DEFAULT 0,
    citizens_done bigint NOT NULL DEFAULT 0,
    result jsonb,
    error text,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    updated_at timestamp with time zone NOT NULL DEFAULT now(),
    finished_at timestamp with time zone,
    CONSTRAINT pk_simulations PRIMARY KEY (id),
    CONSTRAINT ck_simulations_status CHECK (status IN ('running', 'done', 'failed')),
    CONSTRAINT ck_simulations_progress CHECK (citizens_done >= 0 AND citizens_total >= 0)
);
COMMENT ON TABLE simulations IS 'policy simulations: a reform as data, progress, and tallies '
    'per monitoring group (integers, no citizen); never written to the ledger';
CREATE UNIQUE INDEX uq_simulations_running ON simulations (partner) WHERE status = 'running';
"""

DOWNGRADE = """
DROP TABLE simulations;
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)
