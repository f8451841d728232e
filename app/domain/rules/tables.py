"""Tables of the rules engine: versioned citizen facts and the ODB training catalogue.
Citizens are keyed by the citizen key (hex HMAC of the SSIN), never by the SSIN."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import CHAR, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.domain.rules.training import TrainingKind

TRAINING_KINDS = tuple(kind.value for kind in TrainingKind)


class CitizenFactsRow(Base):
    """One version of the facts declared about a citizen. Append-only: a change is a new row
    (a trigger refuses UPDATE and DELETE), so a past decision can be replayed."""

    __tablename__ = "citizen_facts"
    __table_args__ = (
        UniqueConstraint("citizen_key", "version"),
        CheckConstraint("citizen_key ~ '^[0-9a-f]{64}$'", name="citizen_key_hex"),
        CheckConstraint("version > 0", name="version_positive"),
        CheckConstraint("jsonb_typeof(facts) = 'object'", name="facts_object"),
        CheckConstraint(
            "declared IS NULL OR jsonb_typeof(declared) = 'object'", name="declared_object"
        ),
        Index("ix_citizen_facts_valid_time", "citizen_key", "observed_on", "version"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    citizen_key: Mapped[str] = mapped_column(CHAR(64), index=True)
    """HMAC-SHA256 of the SSIN, hex; never the SSIN itself."""
    version: Mapped[int] = mapped_column(Integer)
    """1, 2, 3... per citizen."""
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """The full facts of this version, wire names (lowerCamelCase), decimals as strings."""
    declared: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    """What this version itself declared, valid from ``observed_on`` (``null`` = forgotten);
    NULL: everything in ``facts``."""
    source: Mapped[str] = mapped_column(String(64))
    """Who declared them: dmfa, vdab, citizen, ..."""
    observed_on: Mapped[date] = mapped_column(Date)
    """Valid time: the day from which the declared facts hold."""
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )
    recorded_by: Mapped[str] = mapped_column(String(128))
    """The partner (or tool) that recorded this version."""


class TrainingRow(Base):
    """A training registered in the ODB (opleidingsdatabank), with the flags the rules read."""

    __tablename__ = "trainings"
    __table_args__ = (
        CheckConstraint(
            "kind IS NULL OR kind IN (" + ", ".join(f"'{k}'" for k in TRAINING_KINDS) + ")",
            name="kind_known",
        ),
        CheckConstraint("contact_hours IS NULL OR contact_hours >= 0", name="hours_positive"),
        CheckConstraint("study_points IS NULL OR study_points >= 0", name="points_positive"),
        CheckConstraint("exams IS NULL OR exams >= 0", name="exams_positive"),
    )

    odb_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(32))
    contact_hours: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    """Contact hours, or planned lesson periods for adult education."""
    study_points: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    exams: Mapped[int | None] = mapped_column(Integer)
    voucher_eligible: Mapped[bool] = mapped_column(Boolean, server_default="false")
    vov_eligible: Mapped[bool] = mapped_column(Boolean, server_default="false")
    vok_flagged: Mapped[bool] = mapped_column(Boolean, server_default="false")
    restricted_by_education_level: Mapped[bool] = mapped_column(Boolean, server_default="false")
    priority_theme: Mapped[bool] = mapped_column(Boolean, server_default="false")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
