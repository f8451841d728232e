"""What the rules need to know about a training: from the ODB catalogue, inline, or both (inline
attributes override the catalogue's, e.g. whether the training is named in the person's POP)."""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictBool

from app.domain.rules.facts import FactsModel


class TrainingKind(StrEnum):
    COURSE = "course"
    """A course counted in contact hours."""
    HIGHER_EDUCATION = "higherEducation"
    """Bachelor or master, counted in study points."""
    GRADUAAT = "graduaat"
    """HBO5 / graduaat, counted in study points."""
    ADULT_EDUCATION = "adultEducation"
    """CVO, counted in planned lesson periods (as contactHours)."""
    EXAM_COMMISSION = "examCommission"
    """Exams before the exam commission, counted per exam."""
    EVC = "evc"
    """Recognition of prior learning."""


OdbId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
Hours = Annotated[Decimal, Field(ge=0, le=10000, max_digits=7, decimal_places=2)]


class TrainingInfo(FactsModel):
    """A training's attributes; ``None`` = unknown."""

    odb_id: (
        Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")] | None
    ) = None
    title: Annotated[str, Field(max_length=300)] | None = None
    provider: Annotated[str, Field(max_length=200)] | None = None
    kind: TrainingKind | None = None
    contact_hours: Hours | None = Field(default=None, description="Contact hours or lesson periods")
    study_points: Annotated[Decimal, Field(ge=0, le=600, max_digits=5, decimal_places=1)] | None = (
        None
    )
    exams: Annotated[int, Field(ge=0, le=100)] | None = Field(
        default=None, description="Exams (exam commission)"
    )
    voucher_eligible: StrictBool | None = None
    vov_eligible: StrictBool | None = None
    vok_flagged: StrictBool | None = Field(default=None, description="ODB flag 'opleidingskrediet'")
    restricted_by_education_level: StrictBool | None = Field(
        default=None, description="ODB flag: the highly educated need a POP for it"
    )
    priority_theme: StrictBool | None = Field(
        default=None, description="Literacy, NT2, secondary diploma, qualification <= 4, shortage"
    )
    named_in_pop: StrictBool | None = Field(
        default=None, description="Named in the person's POP from career guidance (inline only)"
    )
    combined_contact_hours: Hours | None = Field(
        default=None,
        description="VOV since 2021-22: contact hours of this and the other trainings it is "
        "combined with in the school year, to reach the minimum (inline only)",
    )
    paid_by_employer: StrictBool | None = None
    cost: Annotated[Decimal, Field(ge=0, le=100000, max_digits=8, decimal_places=2)] | None = Field(
        default=None, description="EUR the training costs the person"
    )

    def overridden_by(self, other: "TrainingInfo") -> "TrainingInfo":
        mine = self.model_dump(exclude_none=True)
        return TrainingInfo.model_validate(mine | other.model_dump(exclude_none=True))
