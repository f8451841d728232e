"""baseline: the schema starts here

Revision ID: a1_baseline
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

revision: str = "a1_baseline"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
