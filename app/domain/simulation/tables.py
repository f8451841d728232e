"""The simulations' table, declared once on the metadata Alembic compares with the database
(migration ``t1_simulations``). Results are tallies per group: integers, no citizen."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP, UUID
from sqlalchemy.sql.elements import conv

from app.db import Base

TIMESTAMPTZ = TIMESTAMP(timezone=True)

simulations = Table(
    "simulations",
    Base.metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("partner", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("period_key", Text, nullable=False),
    Column("as_of", Date, nullable=False),
    Column(
        "periods",
        Integer,
        nullable=False,
        server_default=text("1"),
        comment="periods simulated one after the other from period_key (1: one period)",
    ),
    Column("reform", JSONB, nullable=False),
    Column("status", Text, nullable=False),
    Column("citizens_total", BigInteger, nullable=False, server_default=text("0")),
    Column("citizens_done", BigInteger, nullable=False, server_default=text("0")),
    Column("result", JSONB),
    Column("error", Text),
    Column("created_at", TIMESTAMPTZ, nullable=False, server_default=text("now()")),
    Column("updated_at", TIMESTAMPTZ, nullable=False, server_default=text("now()")),
    Column("finished_at", TIMESTAMPTZ),
    PrimaryKeyConstraint("id", name=conv("pk_simulations")),
    CheckConstraint("status IN ('running', 'done', 'failed')", name=conv("ck_simulations_status")),
    CheckConstraint("periods BETWEEN 1 AND 6", name=conv("ck_simulations_periods")),
    CheckConstraint(
        "citizens_done >= 0 AND citizens_total >= 0", name=conv("ck_simulations_progress")
    ),
    comment="policy simulations: a reform as data, progress, and tallies per monitoring group "
    "(integers, no citizen); never written to the ledger",
)
Index(
    conv("uq_simulations_running"),
    simulations.c.partner,
    unique=True,
    postgresql_where=simulations.c.status == "running",
)
