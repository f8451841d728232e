"""The facts declared about citizens, versioned: every change is a new version, never an edit."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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
    versions: tuple[int, ...] = ()
    """The versions whose declarations make up ``facts`` (valid-time reads); empty: ``version``
    alone, as recorded."""


def _stored(
    row: CitizenFactsRow, facts: Facts | None = None, versions: tuple[int, ...] = ()
) -> StoredFacts:
    return StoredFacts(
        id=row.id,
        version=row.version,
        facts=Facts.model_validate(row.facts) if facts is None else facts,
        source=row.source,
        observed_on=row.observed_on,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        versions=versions,
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


Declaration = tuple[int, int, date, dict[str, Any]]
"""A version as its valid-time fold reads it: (id, version, observed on, what it declared)."""


def fold(
    declarations: Sequence[Declaration], day: date
) -> tuple[Declaration, tuple[int, ...], dict[str, Any]] | None:
    """The facts valid on ``day`` from ``declarations`` in valid-time order (observed on, then
    version): the declarations observed on or before ``day``, a later one over an earlier one
    (``null`` forgets a fact). Returns the newest version used, all versions used and the facts;
    None when no facts were valid then. The one definition of facts in time: the facts reads
    and the wallet's settlement both fold with it."""
    merged: dict[str, Any] = {}
    used = [d for d in declarations if d[2] <= day]
    if not used:
        return None
    for declaration in used:
        merged |= declaration[3]
    newest = max(used, key=lambda d: d[1])
    return newest, tuple(d[1] for d in used), {k: v for k, v in merged.items() if v is not None}


async def facts_valid_on(
    session: AsyncSession, citizen_key: str, day: date, known_at: datetime | None = None
) -> StoredFacts | None:
    """The facts valid on ``day`` as the service knew them at ``known_at`` (default: now): the
    declarations recorded at or before ``known_at``, folded (``fold``). ``version`` is the
    newest version used, ``versions`` all of them; None: no facts were valid then."""
    query = select(CitizenFactsRow).where(
        CitizenFactsRow.citizen_key == citizen_key, CitizenFactsRow.observed_on <= day
    )
    if known_at is not None:
        query = query.where(CitizenFactsRow.recorded_at <= known_at)
    rows = {
        row.version: row
        for row in await session.scalars(
            query.order_by(CitizenFactsRow.observed_on, CitizenFactsRow.version)
        )
    }
    declarations = [
        (r.id, r.version, r.observed_on, r.facts if r.declared is None else r.declared)
        for r in rows.values()
    ]
    found = fold(declarations, day)
    if found is None:
        return None
    newest, versions, facts = found
    return _stored(rows[newest[1]], Facts.model_validate(facts), versions)


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
    declared: Facts | None = None,
) -> StoredFacts:
    """Appends a version with exactly these facts, of which ``declared`` (default: all) are
    what this version declares, valid from ``observed_on``. Concurrent writers for one citizen
    queue on a transaction-scoped advisory lock, so versions stay 1, 2, 3... without gaps."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(citizen_key, 0))))
    latest = await session.scalar(
        select(func.max(CitizenFactsRow.version)).where(CitizenFactsRow.citizen_key == citizen_key)
    )
    row = CitizenFactsRow(
        citizen_key=citizen_key,
        version=(latest or 0) + 1,
        facts=facts.model_dump(mode="json", by_alias=True, exclude_none=True),
        declared=None
        if declared is None
        else declared.model_dump(mode="json", by_alias=True, exclude_unset=True),
        source=source,
        observed_on=observed_on,
        recorded_by=recorded_by,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row, ["recorded_at"])
    return _stored(row)
