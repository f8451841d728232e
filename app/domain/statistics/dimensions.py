"""The pseudonymous dimensions a citizen is counted under: banded values derived from the facts
valid on a day and from the SSIN (age band and sex), never the SSIN or the birth date itself.

They are written when facts are declared (``remember_dimensions``), one row per day from which
declared facts hold (valid time, like the facts): a late declaration observed earlier rewrites
the rows from its day on, since the facts valid on those days changed with it."""

from dataclasses import astuple, dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.identity import Ssin
from app.domain.rules.facts import (
    EducationLevel,
    Facts,
    ResidenceRegion,
    Sector,
    Status,
)
from app.domain.rules.facts_store import facts_valid_on
from app.domain.rules.tables import CitizenFactsRow
from app.domain.statistics.tables import DIMENSION_COLUMNS, dimensions, groups

UNKNOWN = "unknown"


class AgeBand(StrEnum):
    UNDER_25 = "under25"
    FROM_25_TO_34 = "25to34"
    FROM_35_TO_44 = "35to44"
    FROM_45_TO_54 = "45to54"
    FROM_55 = "55plus"


class EmployerSize(StrEnum):
    """By the employer's average FTE headcount."""

    UNDER_10 = "under10"
    FROM_10_TO_19 = "10to19"
    FROM_20_TO_49 = "20to49"
    FROM_50_TO_249 = "50to249"
    FROM_250 = "250plus"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Dimension(StrEnum):
    """What a table can be broken down by (the ``by`` of ``GET /statistics/takeUp``)."""

    EDUCATION_LEVEL = "educationLevel"
    AGE_BAND = "ageBand"
    SEX = "sex"
    STATUS = "status"
    SECTOR = "sector"
    RESIDENCE_REGION = "residenceRegion"
    EMPLOYER_SIZE = "employerSize"

    @property
    def column(self) -> str:
        return DIMENSION_COLUMNS[list(Dimension).index(self)]

    @property
    def values(self) -> tuple[str, ...]:
        """Every value in display order, ``unknown`` last."""
        return (*(v.value for v in _ENUMS[self]), UNKNOWN)


_ENUMS: dict[Dimension, type[StrEnum]] = {
    Dimension.EDUCATION_LEVEL: EducationLevel,
    Dimension.AGE_BAND: AgeBand,
    Dimension.SEX: Sex,
    Dimension.STATUS: Status,
    Dimension.SECTOR: Sector,
    Dimension.RESIDENCE_REGION: ResidenceRegion,
    Dimension.EMPLOYER_SIZE: EmployerSize,
}


@dataclass(frozen=True, slots=True)
class Group:
    """A citizen's values of every dimension, in ``Dimension`` order."""

    education_level: str = UNKNOWN
    age_band: str = UNKNOWN
    sex: str = UNKNOWN
    status: str = UNKNOWN
    sector: str = UNKNOWN
    residence_region: str = UNKNOWN
    employer_size: str = UNKNOWN

    def values(self) -> dict[str, str]:
        return dict(zip(DIMENSION_COLUMNS, astuple(self), strict=True))


def age_band(birth_date: date | None, on: date) -> str:
    if birth_date is None or birth_date > on:
        return UNKNOWN
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for limit, band in (
        (25, AgeBand.UNDER_25),
        (35, AgeBand.FROM_25_TO_34),
        (45, AgeBand.FROM_35_TO_44),
        (55, AgeBand.FROM_45_TO_54),
    ):
        if age < limit:
            return band.value
    return AgeBand.FROM_55.value


def employer_size(fte: Decimal | None) -> str:
    if fte is None:
        return UNKNOWN
    for limit, band in (
        (10, EmployerSize.UNDER_10),
        (20, EmployerSize.FROM_10_TO_19),
        (50, EmployerSize.FROM_20_TO_49),
        (250, EmployerSize.FROM_50_TO_249),
    ):
        if fte < limit:
            return band.value
    return EmployerSize.FROM_250.value


def sex_of(ssin: Ssin) -> str:
    """The sex the SSIN encodes (odd serial: male), unknown for a BIS number that does not."""
    from stdnum.be import ssn
    from stdnum.exceptions import ValidationError

    try:
        gender = ssn.get_gender(ssin.value)
    except ValidationError:
        return UNKNOWN
    return {"M": Sex.MALE.value, "F": Sex.FEMALE.value}.get(gender or "", UNKNOWN)


def group_of(facts: Facts, ssin: Ssin, on: date) -> Group:
    """The group the facts valid on ``on`` put the citizen in (age at ``on``)."""

    def code(value: StrEnum | None) -> str:
        return value.value if value is not None else UNKNOWN

    return Group(
        education_level=code(facts.education_level),
        age_band=age_band(facts.birth_date or ssin.birth_date, on),
        sex=sex_of(ssin),
        status=code(facts.status),
        sector=code(facts.sector),
        residence_region=code(facts.residence_region),
        employer_size=employer_size(facts.employer_fte),
    )


async def group_id(session: AsyncSession, group: Group) -> int:
    values = group.values()
    found = await session.scalar(
        insert(groups).values(values).on_conflict_do_nothing().returning(groups.c.id)
    )
    if found is None:
        found = await session.scalar(
            select(groups.c.id).where(*(groups.c[k] == v for k, v in values.items()))
        )
    assert found is not None
    return int(found)


async def remember_dimensions(
    session: AsyncSession, citizen_key: str, ssin: Ssin, observed_on: date
) -> None:
    """Writes the citizen's group from ``observed_on`` on: for that day and every later day
    from which declared facts hold, the group of the facts valid then (a bounded number of
    rows: one per facts version from that day)."""
    days = await session.scalars(
        select(CitizenFactsRow.observed_on)
        .where(
            CitizenFactsRow.citizen_key == citizen_key,
            CitizenFactsRow.observed_on >= observed_on,
        )
        .distinct()
    )
    for day in sorted({observed_on, *days}):
        stored = await facts_valid_on(session, citizen_key, day)
        group = group_of(stored.facts if stored else Facts(), ssin, day)
        row = {
            "citizen_key": citizen_key,
            "valid_from": day,
            "group_id": await group_id(session, group),
        }
        statement = insert(dimensions).values(row)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["citizen_key", "valid_from"],
                set_={
                    "group_id": statement.excluded.group_id,
                    "recorded_at": statement.excluded.recorded_at,
                },
                where=dimensions.c.group_id != statement.excluded.group_id,
            )
        )
