"""The facts the rules ask about a person. Every fact is optional: ``None`` means *unknown*, never
*no*, and an unknown value is never guessed. Names are lowerCamelCase on the wire (api.md)."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt
from pydantic.alias_generators import to_camel

from app.domain.camel import CamelModel
from app.domain.dates import IsoDate


class FactsModel(CamelModel):
    """Facts and trainings: as on the wire."""


class Status(StrEnum):
    """Main labour-market status."""

    EMPLOYEE = "employee"
    SELF_EMPLOYED = "selfEmployed"
    """Self-employed in main occupation (a side activity is ``sideSelfEmployed``)."""
    JOBSEEKER = "jobseeker"
    INACTIVE = "inactive"
    STUDENT = "student"
    RETIRED = "retired"


class Sector(StrEnum):
    PRIVATE = "private"
    SOCIAL_PROFIT = "socialProfit"
    FLEMISH_PUBLIC = "flemishPublic"
    """Flemish government and Flemish education."""
    LOCAL_PUBLIC = "localPublic"
    """Local and provincial authorities."""
    FEDERAL_PUBLIC = "federalPublic"
    OTHER_PUBLIC = "otherPublic"


class WorkplaceRegion(StrEnum):
    """Region of the establishment unit the person works in (DmfA)."""

    FLANDERS = "flanders"
    BRUSSELS = "brussels"
    WALLONIA = "wallonia"
    ABROAD = "abroad"


class ResidenceRegion(StrEnum):
    FLANDERS = "flanders"
    BRUSSELS = "brussels"
    WALLONIA = "wallonia"
    EEA = "eea"
    """Another EU/EEA country."""
    OTHER = "other"


class EducationLevel(StrEnum):
    LOW = "low"
    """No secondary-education diploma."""
    MEDIUM = "medium"
    """Secondary diploma, no higher-education diploma."""
    HIGH = "high"
    """HBO5/graduaat, bachelor or master."""


class ContractType(StrEnum):
    REGULAR = "regular"
    STUDENT = "student"
    """Job-student contract."""
    APPRENTICESHIP = "apprenticeship"


class TimeCreditRegime(StrEnum):
    NONE = "none"
    """Takes no time credit (lets a wizard answer the question)."""
    FULL = "full"
    HALF = "half"
    ONE_FIFTH = "oneFifth"


Fraction = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4)]


class TimeCredit(FactsModel):
    """A federal time credit the person currently takes, with its interruption benefit."""

    regime: TimeCreditRegime
    motive: Literal["training"] = "training"
    prior_year_work_fraction: Fraction | None = Field(
        default=None, description="Work fraction in the year before the time credit, 0-1"
    )


class Facts(FactsModel):
    """What the rules may ask about a person; all optional, ``None`` = unknown."""

    status: Status | None = None
    sector: Sector | None = None
    workplace_region: WorkplaceRegion | None = None
    residence_region: ResidenceRegion | None = None
    moved_from_eea: StrictBool | None = Field(
        default=None, description="Refines residenceRegion wallonia: came from another EEA country"
    )
    employment_fraction: Fraction | None = Field(
        default=None, description="Contractual fraction of a full-time job, 0-1"
    )
    weekly_hours: Annotated[Decimal, Field(ge=0, le=60, max_digits=5, decimal_places=2)] | None = (
        None
    )
    education_level: EducationLevel | None = None
    work_experience_months: Annotated[StrictInt, Field(ge=0, le=1200)] | None = None
    career_guidance_completed: StrictBool | None = Field(
        default=None, description="Ever completed career guidance with a POP (false: never)"
    )
    career_guidance_completed_on: IsoDate | None = Field(
        default=None, description="Last completed career guidance with a POP"
    )
    career_vouchers_used: Annotated[StrictInt, Field(ge=0, le=100)] | None = Field(
        default=None, description="Career guidance vouchers ever used"
    )
    career_vouchers_used_in_window: Annotated[StrictInt, Field(ge=0, le=100)] | None = Field(
        default=None,
        description="Career guidance vouchers used in the current 6-year window (since the "
        "first voucher of that window); 2020 regime: two per window",
    )
    employer_fte: Annotated[Decimal, Field(ge=0, max_digits=9, decimal_places=2)] | None = Field(
        default=None, description="The employer's average FTE headcount"
    )
    receives_unemployment_benefit: StrictBool | None = None
    contract_type: ContractType | None = None
    apprenticeship_hours_per_month: (
        Annotated[Decimal, Field(ge=0, le=744, max_digits=5, decimal_places=2)] | None
    ) = None
    agency_worker: StrictBool | None = None
    side_self_employed: StrictBool | None = None
    time_credit: TimeCredit | None = Field(
        default=None, description="A time credit with motive training the person takes now"
    )
    lives_alone: StrictBool | None = Field(default=None, description="Alone, or alone with a child")
    birth_date: IsoDate | None = None

    def overridden_by(self, other: "Facts") -> "Facts":
        """These facts with every fact ``other`` sets put on top; a fact ``other`` sets to
        ``null`` explicitly is forgotten (request over stored, a declaration over the last)."""
        merged = self.model_dump(exclude_none=True) | other.model_dump(exclude_unset=True)
        return Facts.model_validate({k: v for k, v in merged.items() if v is not None})


def fact_name(field: str) -> str:
    """The wire name of a fact (``employment_fraction`` -> ``employmentFraction``)."""
    return to_camel(field)


DATED_FACTS = ("birth_date", "career_guidance_completed_on")


def facts_after(facts: Facts, day: date) -> list[tuple[str, date]]:
    """The dated facts (wire name, value) later than ``day``: a birth date cannot lie ahead."""
    found = []
    for name in DATED_FACTS:
        value = getattr(facts, name)
        if value is not None and value > day:
            found.append((fact_name(name), value))
    return found
