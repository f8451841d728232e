"""The ODB training catalogue: look-ups for /eligibility and upserts for the import."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.rules.tables import TrainingRow
from app.domain.rules.training import TrainingInfo, TrainingKind

_COLUMNS = (
    "title",
    "provider",
    "kind",
    "contact_hours",
    "study_points",
    "exams",
    "voucher_eligible",
    "vov_eligible",
    "vok_flagged",
    "restricted_by_education_level",
    "priority_theme",
)


def _info(row: TrainingRow) -> TrainingInfo:
    return TrainingInfo(
        odb_id=row.odb_id,
        title=row.title,
        provider=row.provider,
        kind=TrainingKind(row.kind) if row.kind else None,
        contact_hours=row.contact_hours,
        study_points=row.study_points,
        exams=row.exams,
        voucher_eligible=row.voucher_eligible,
        vov_eligible=row.vov_eligible,
        vok_flagged=row.vok_flagged,
        restricted_by_education_level=row.restricted_by_education_level,
        priority_theme=row.priority_theme,
    )


async def find_training(session: AsyncSession, odb_id: str) -> TrainingInfo | None:
    row = await session.get(TrainingRow, odb_id)
    return None if row is None else _info(row)


async def count_trainings(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(TrainingRow)) or 0


async def upsert_trainings(session: AsyncSession, trainings: Sequence[TrainingInfo]) -> int:
    """Inserts or replaces trainings by ODB id (an import is the catalogue's newest word)."""
    if not trainings:
        return 0
    values = []
    for training in trainings:
        assert training.odb_id is not None
        assert training.title is not None
        row = {name: getattr(training, name) for name in _COLUMNS}
        row.update({k: bool(row[k]) for k in _COLUMNS[6:]})
        row["kind"] = training.kind.value if training.kind else None
        values.append({"odb_id": training.odb_id, **row})
    statement = insert(TrainingRow).values(values)
    update = {name: statement.excluded[name] for name in _COLUMNS} | {"updated_at": func.now()}
    await session.execute(statement.on_conflict_do_update(index_elements=["odb_id"], set_=update))
    return len(values)
