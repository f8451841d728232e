"""The facts declared about citizens, versioned: every change is a new version, never an edit."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.rules.facts import Facts
from app.domain.rules.tables import CitizenFactsRow


@dataclass(frozen=True, slots=True)
class StoredFacts:
    id: int
    version: int
    facts: Facts
    source: str
    observed_on: date
    recorded_at: datetime
    recorded_by: str


def _stored(row: CitizenFactsRow) -> StoredFacts:
    return StoredFacts(
        id=row.id,
        version=row.version,
        facts=Facts.model_validate(row.facts),
        source=row.source,
        observed_on=row.observed_on,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
    )


async def latest_facts(
    session: AsyncSession, citizen_key: str, as_of_instant: datetime | None = None
) -> StoredFacts | None:
    """The newest version recorded at or before ``as_of_instant`` (default: the newest)."""
    query = select(CitizenFactsRow).where(CitizenFactsRow.citizen_key == citizen_key)
    if as_of_instant is not None:
        query = query.where(CitizenFactsRow.recorded_at <= as_of_instant)
    row = await session.scalar(query.order_by(CitizenFactsRow.version.desc()).limit(1))
    return None if row is None else _stored(row)


async def facts_version(
    session: AsyncSession, citizen_key: str, version: int
) -> StoredFacts | None:
    row = await session.scalar(
        select(CitizenFactsRow).where(
            CitizenFactsRow.citizen_key == citizen_key, CitizenFactsRow.version == version
        )
    )
    return None if row is None else _stored(row)


async def record_facts(
    session: AsyncSession,
    citizen_key: str,
    facts: Facts,
    source: str,
    observed_on: date,
    recorded_by: str,
) -> StoredFacts:
    """Appends a version with exactly these facts. Concurrent writers for one citizen queue on
    a transaction-scoped advisory lock, so versions stay 1, 2, 3... without gaps or clashes."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(citizen_key, 0))))
    latest = await session.scalar(
        select(func.max(CitizenFactsRow.version)).where(CitizenFactsRow.citizen_key == citizen_key)
    )
    row = CitizenFactsRow(
        citizen_key=citizen_key,
        version=(latest or 0) + 1,
        facts=facts.model_dump(mode="json", by_alias=True, exclude_none=True),
        source=source,
        observed_on=observed_on,
        recorded_by=recorded_by,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row, ["recorded_at"])
    return _stored(row)
