"""The ODB training catalogue: look-ups for /eligibility and upserts for the import."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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


@dataclass(frozen=True, slots=True)
class TrainingSearch:
    """What ``GET /trainings`` filters on: text in the title or the provider (case-insensitive,
    anywhere), the kind, and the flags the rules read."""

    title: str | None = None
    provider: str | None = None
    kind: TrainingKind | None = None
    flags: Mapping[str, bool] = field(default_factory=dict)
    """Column name (``voucher_eligible``...) -> the value it must have."""


@dataclass(frozen=True, slots=True)
class TrainingPage:
    items: list[TrainingInfo]
    next_cursor: str | None
    """The last ODB id of this page, when there may be more."""


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_trainings(
    session: AsyncSession, search: TrainingSearch, page_size: int, after: str | None = None
) -> TrainingPage:
    """By ODB id, keyset-paginated (a page costs one indexed range read plus the filters)."""
    query = select(TrainingRow).order_by(TrainingRow.odb_id).limit(page_size + 1)
    if search.title:
        query = query.where(TrainingRow.title.ilike(_contains(search.title), escape="\\"))
    if search.provider:
        query = query.where(TrainingRow.provider.ilike(_contains(search.provider), escape="\\"))
    if search.kind is not None:
        query = query.where(TrainingRow.kind == search.kind.value)
    for column, wanted in search.flags.items():
        if column not in _COLUMNS[6:]:
            raise ValueError(f"not a training flag: {column}")
        query = query.where(getattr(TrainingRow, column).is_(wanted))
    if after is not None:
        query = query.where(TrainingRow.odb_id > after)
    rows = list((await session.scalars(query)).all())
    more = len(rows) > page_size
    rows = rows[:page_size]
    return TrainingPage([_info(r) for r in rows], rows[-1].odb_id if more and rows else None)
