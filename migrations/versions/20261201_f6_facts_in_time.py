"""facts in time: each facts version keeps what it declared, so facts can be read as valid on a day

Revision ID: f6_facts_in_time
Revises: e5_posting
Create Date: 2026-12-01

A version's ``facts`` are the merged facts as recorded (the previous version with the declared
ones on top); ``declared`` are the facts that version itself declared (``null`` = forgotten),
valid from its ``observed_on``. The facts valid on a day, as known at an instant, fold the
declarations observed by that day and recorded by that instant in valid-time order. Existing
versions get, as their declaration, what differs from the version before them. NULL (writers
that predate the column) means the version declared all of its facts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f6_facts_in_time"
down_revision: str | None = "e5_posting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
WITH pairs AS (
    SELECT c.id, c.facts AS now_, p.facts AS before_
    FROM citizen_facts c
    LEFT JOIN citizen_facts p ON p.citizen_key = c.citizen_key AND p.version = c.version - 1
), diffs AS (
    SELECT pairs.id, COALESCE((
        SELECT jsonb_object_agg(d.k, d.v) FROM (
            SELECT n.key AS k, n.value AS v FROM jsonb_each(pairs.now_) n
            WHERE (pairs.before_ -> n.key) IS DISTINCT FROM n.value
            UNION ALL
            SELECT o.key, 'null'::jsonb FROM jsonb_each(COALESCE(pairs.before_, '{}')) o
            WHERE NOT pairs.now_ ? o.key
        ) d
    ), '{}'::jsonb) AS declared
    FROM pairs
)
UPDATE citizen_facts c SET declared = diffs.declared FROM diffs WHERE c.id = diffs.id
"""


def upgrade() -> None:
    op.add_column("citizen_facts", sa.Column("declared", postgresql.JSONB(), nullable=True))
    # the table is append-only: the backfill of the new column is the one sanctioned edit
    op.execute("ALTER TABLE citizen_facts DISABLE TRIGGER citizen_facts_append_only")
    op.execute(BACKFILL)
    op.execute("ALTER TABLE citizen_facts ENABLE TRIGGER citizen_facts_append_only")
    op.create_check_constraint(
        op.f("ck_citizen_facts_declared_object"),
        "citizen_facts",
        "declared IS NULL OR jsonb_typeof(declared) = 'object'",
    )
    op.create_index(
        "ix_citizen_facts_valid_time", "citizen_facts", ["citizen_key", "observed_on", "version"]
    )


def downgrade() -> None:
    op.drop_index("ix_citizen_facts_valid_time", "citizen_facts")
    op.drop_constraint("ck_citizen_facts_declared_object", "citizen_facts")
    op.drop_column("citizen_facts", "declared")
