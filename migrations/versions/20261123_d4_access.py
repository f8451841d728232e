"""access: the access log (who looked at or acted on a citizen's record, when, through which door)

Revision ID: d4_access
Revises: c3_ledger
Create Date: 2026-11-23

The log is append-only like the ledger (the same trigger function refuses UPDATE, DELETE and
TRUNCATE) and keys citizens by their keyed hash, never by SSIN.
"""

from collections.abc import Sequence

from migrations.sql import run_script

revision: str = "d4_access"
down_revision: str | None = "c3_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
CREATE TABLE access_log (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    partner         text NOT NULL,
    citizen_key     char(64) NOT NULL,
    action          text NOT NULL,
    endpoint        text NOT NULL,
    trace_id        text,
    citizen_bound   boolean NOT NULL DEFAULT false,
    CONSTRAINT pk_access_log PRIMARY KEY (id)
);
CREATE INDEX ix_access_log_citizen ON access_log (citizen_key, at DESC, id DESC);
COMMENT ON TABLE access_log IS 'every read or change of a citizen''s record; append-only';
COMMENT ON COLUMN access_log.citizen_key IS 'HMAC-SHA256 of the SSIN (never the SSIN itself)';
COMMENT ON COLUMN access_log.citizen_bound IS 'the token was bound to this citizen (their own)';

CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
"""

DOWNGRADE = """
DROP TABLE access_log;
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)
