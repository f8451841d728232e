"""simulation periods: how many periods a simulation runs (a multi-year run: more than one)

Revision ID: t2_simulation_periods
Revises: t1_simulations
Create Date: 2026-12-02

Existing simulations ran one period: the default says so.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t2_simulation_periods"
down_revision: str | None = "t1_simulations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "simulations",
        sa.Column(
            "periods",
            sa.Integer(),
            nullable=False,
            server_default=sa.text("1"),
            comment="periods simulated one after the other from period_key (1: one period)",
        ),
    )
    op.create_check_constraint(
        op.f("ck_simulations_periods"), "simulations", "periods BETWEEN 1 AND 6"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_simulations_periods"), "simulations", type_="check")
    op.drop_column("simulations", "periods")
