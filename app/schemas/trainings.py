"""Response bodies and query of ``GET /trainings`` and ``GET /trainings/{odbId}``: the ODB
training catalogue as the service holds it (``llr trainings import``)."""

from decimal import Decimal
from typing import Annotated

from fastapi import Query
from pydantic import Field

from app.domain.rules.training import TrainingInfo, TrainingKind
from app.domain.rules.training_store import TrainingPage as StoredPage
from app.domain.rules.training_store import TrainingSearch
from app.schemas.base import ApiModel
from app.schemas.common import CursorQuery, PageSizeQuery, next_field


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class TrainingOut(ApiModel):
    """A training of the ODB (opleidingsdatabank) with the flags the rules read."""

    odb_id: str = Field(examples=["ODB-000123"])
    title: str = Field(examples=["Lasser TIG (synthetisch)"])
    provider: str | None = Field(default=None, examples=["Opleidingscentrum Demo"])
    kind: TrainingKind | None = None
    contact_hours: str | None = Field(
        default=None, description="Decimal string: contact hours (or lesson periods)"
    )
    study_points: str | None = Field(default=None, description="Decimal string")
    exams: int | None = None
    voucher_eligible: bool = Field(description="Can be paid with training vouchers")
    vov_eligible: bool = Field(description="Counts for Flemish training leave (VOV)")
    vok_flagged: bool = Field(description="ODB flag 'opleidingskrediet' (VOK)")
    restricted_by_education_level: bool = Field(
        description="The highly educated need a POP from career guidance for it"
    )
    priority_theme: bool = Field(
        description="Literacy, NT2, secondary diploma, qualification <= 4, shortage"
    )

    @classmethod
    def of(cls, training: TrainingInfo) -> "TrainingOut":
        return cls(
            odb_id=training.odb_id or "",
            title=training.title or "",
            provider=training.provider,
            kind=training.kind,
            contact_hours=_text(training.contact_hours),
            study_points=_text(training.study_points),
            exams=training.exams,
            voucher_eligible=bool(training.voucher_eligible),
            vov_eligible=bool(training.vov_eligible),
            vok_flagged=bool(training.vok_flagged),
            restricted_by_education_level=bool(training.restricted_by_education_level),
            priority_theme=bool(training.priority_theme),
        )


class TrainingPage(ApiModel):
    """A page of the catalogue, by ODB id."""

    items: list[TrainingOut]
    next: str | None = next_field()

    @classmethod
    def of(cls, page: StoredPage, following: str | None) -> "TrainingPage":
        return cls(items=[TrainingOut.of(t) for t in page.items], next=following)


Flag = bool | None


class TrainingQueryParams:
    """The query of ``GET /trainings``."""

    def __init__(
        self,
        title: Annotated[
            str | None,
            Query(
                min_length=1,
                max_length=100,
                description="Text anywhere in the title, case-insensitive",
                examples=["lasser"],
            ),
        ] = None,
        provider: Annotated[
            str | None,
            Query(min_length=1, max_length=100, description="Text anywhere in the provider's name"),
        ] = None,
        kind: Annotated[TrainingKind | None, Query(description="One kind of training")] = None,
        voucher_eligible: Annotated[Flag, Query(alias="voucherEligible")] = None,
        vov_eligible: Annotated[Flag, Query(alias="vovEligible")] = None,
        vok_flagged: Annotated[Flag, Query(alias="vokFlagged")] = None,
        restricted_by_education_level: Annotated[
            Flag, Query(alias="restrictedByEducationLevel")
        ] = None,
        priority_theme: Annotated[Flag, Query(alias="priorityTheme")] = None,
        page_size: PageSizeQuery = 50,
        cursor: CursorQuery = None,
    ) -> None:
        flags = {
            "voucher_eligible": voucher_eligible,
            "vov_eligible": vov_eligible,
            "vok_flagged": vok_flagged,
            "restricted_by_education_level": restricted_by_education_level,
            "priority_theme": priority_theme,
        }
        self.search = TrainingSearch(
            title, provider, kind, {k: v for k, v in flags.items() if v is not None}
        )
        self.page_size, self.cursor = page_size, cursor
