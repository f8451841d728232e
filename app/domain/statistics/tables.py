"""The statistics' own tables, declared once on the metadata Alembic compares with the database.
The functions and triggers that keep them (``statistics_fold``, the queue triggers) are the
migration ``s1_statistics``'s own.

Nothing here names a person: citizens are their pseudonymous key, their groups banded values
(an age band, never a birth date). Amounts are integers in minor units of the row's unit."""

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKeyConstraint,
    Identity,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import CHAR, JSONB, TIMESTAMP
from sqlalchemy.sql.elements import conv

from app.db import Base

metadata = Base.metadata
TIMESTAMPTZ = TIMESTAMP(timezone=True)
DIMENSION_COLUMNS = (
    "education_level",
    "age_band",
    "sex",
    "status",
    "sector",
    "residence_region",
    "employer_size",
)

groups = Table(
    "statistics_groups",
    metadata,
    Column("id", BigInteger, Identity(always=False), nullable=False),
    *(Column(name, Text, nullable=False) for name in DIMENSION_COLUMNS),
    PrimaryKeyConstraint("id", name=conv("pk_statistics_groups")),
    UniqueConstraint(*DIMENSION_COLUMNS, name=conv("uq_statistics_groups_identity")),
    comment="one row per combination of banded dimensions met so far; id 0: all unknown",
)

dimensions = Table(
    "citizen_dimensions",
    metadata,
    Column("citizen_key", CHAR(64), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("group_id", BigInteger, nullable=False),
    Column("recorded_at", TIMESTAMPTZ, nullable=False, server_default=text("now()")),
    PrimaryKeyConstraint("citizen_key", "valid_from", name=conv("pk_citizen_dimensions")),
    ForeignKeyConstraint(
        ["group_id"], ["statistics_groups.id"], name=conv("fk_citizen_dimensions_group")
    ),
    comment="the group a citizen belongs to from a day on (the facts valid then, the age band "
    "and sex the SSIN encodes); no SSIN, no birth date",
)

pending_legs = Table(
    "statistics_pending",
    metadata,
    Column("leg_id", BigInteger, nullable=False),
    PrimaryKeyConstraint("leg_id", name=conv("pk_statistics_pending")),
    comment="legs posted and not yet folded into the aggregates (written by a trigger on "
    "ledger_legs, in the posting's own transaction)",
)

regroup = Table(
    "statistics_regroup",
    metadata,
    Column("citizen_key", CHAR(64), nullable=False),
    PrimaryKeyConstraint("citizen_key", name=conv("pk_statistics_regroup")),
    comment="citizens whose dimensions changed since the last fold (written by a trigger)",
)

_AMOUNTS = ("granted", "carried_in", "carried_out", "used", "held", "expired")

rights = Table(
    "statistics_rights",
    metadata,
    Column("citizen_key", CHAR(64), nullable=False),
    Column("incentive", Text, nullable=False),
    Column("period_key", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("group_id", BigInteger, nullable=False),
    *(Column(name, BigInteger, nullable=False) for name in _AMOUNTS),
    PrimaryKeyConstraint(
        "citizen_key", "incentive", "period_key", name=conv("pk_statistics_rights")
    ),
    comment="per citizen right, the nets of its legs folded so far (minor units) and its group",
)

cells = Table(
    "statistics_cells",
    metadata,
    Column("incentive", Text, nullable=False),
    Column("period_key", Text, nullable=False),
    Column("group_id", BigInteger, nullable=False),
    Column("unit", Text, nullable=False),
    Column("eligible", BigInteger, nullable=False, comment="citizens holding the right"),
    Column("users", BigInteger, nullable=False, comment="citizens who used some of it"),
    *(Column(name, BigInteger, nullable=False) for name in _AMOUNTS),
    PrimaryKeyConstraint("incentive", "period_key", "group_id", name=conv("pk_statistics_cells")),
    comment="the aggregates per incentive, period and group, as the folded legs make them",
)

reads = Table(
    "statistics_reads",
    metadata,
    Column("id", BigInteger, Identity(always=True), nullable=False),
    Column("at", TIMESTAMPTZ, nullable=False, server_default=text("clock_timestamp()")),
    Column("partner", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("query", JSONB, nullable=False),
    Column("trace_id", Text),
    PrimaryKeyConstraint("id", name=conv("pk_statistics_reads")),
    comment="every read of the statistics: who, when, what (no citizen key: aggregates only); "
    "append-only",
)
