"""rules: versioned citizen facts (append-only) and the ODB training catalogue

Revision ID: b2_rules
Revises: a1_baseline
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b2_rules"
down_revision: str | None = "a1_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "'course', 'higherEducation', 'graduaat', 'adultEducation', 'examCommission', 'evc'"


def upgrade() -> None:
    op.create_table(
        "citizen_facts",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("citizen_key", postgresql.CHAR(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("facts", postgresql.JSONB(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_facts")),
        sa.UniqueConstraint("citizen_key", "version", name=op.f("uq_citizen_facts_citizen_key")),
        sa.CheckConstraint(
            "citizen_key ~ '^[0-9a-f]{64}$'", name=op.f("ck_citizen_facts_citizen_key_hex")
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_citizen_facts_version_positive")),
        sa.CheckConstraint(
            "jsonb_typeof(facts) = 'object'", name=op.f("ck_citizen_facts_facts_object")
        ),
    )
    op.create_index("ix_citizen_facts_citizen_key", "citizen_facts", ["citizen_key"])
    # Versions are history: a correction is a new version, never an edit.
    op.execute(
        """
        CREATE FUNCTION llr_citizen_facts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'citizen_facts is append-only (% refused)', TG_OP
                USING ERRCODE = 'restrict_violation';
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER citizen_facts_append_only BEFORE UPDATE OR DELETE ON citizen_facts
            FOR EACH ROW EXECUTE FUNCTION llr_citizen_facts_append_only();
        """
    )
    op.create_table(
        "trainings",
        sa.Column("odb_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("provider", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("contact_hours", sa.Numeric(7, 2), nullable=True),
        sa.Column("study_points", sa.Numeric(5, 1), nullable=True),
        sa.Column("exams", sa.Integer(), nullable=True),
        sa.Column("voucher_eligible", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("vov_eligible", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("vok_flagged", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "restricted_by_education_level", sa.Boolean(), server_default="false", nullable=False
        ),
        sa.Column("priority_theme", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("odb_id", name=op.f("pk_trainings")),
        sa.CheckConstraint(
            f"kind IS NULL OR kind IN ({KINDS})", name=op.f("ck_trainings_kind_known")
        ),
        sa.CheckConstraint(
            "contact_hours IS NULL OR contact_hours >= 0", name=op.f("ck_trainings_hours_positive")
        ),
        sa.CheckConstraint(
            "study_points IS NULL OR study_points >= 0", name=op.f("ck_trainings_points_positive")
        ),
        sa.CheckConstraint("exams IS NULL OR exams >= 0", name=op.f("ck_trainings_exams_positive")),
    )


def downgrade() -> None:
    op.drop_table("trainings")
    op.execute("DROP TRIGGER citizen_facts_append_only ON citizen_facts")
    op.execute("DROP FUNCTION llr_citizen_facts_append_only()")
    op.drop_index("ix_citizen_facts_citizen_key", table_name="citizen_facts")
    op.drop_table("citizen_facts")
