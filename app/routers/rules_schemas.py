"""Request and response bodies of /eligibility, /incentives and /citizens/{ssin}/facts, and
their conversion from the domain's answers."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from app.domain.dates import Instant, IsoDate
from app.domain.periods import Period, PeriodKind
from app.domain.quantities import Quantity, Unit
from app.domain.rules import (
    INCENTIVES,
    Evaluation,
    Facts,
    IncentiveCode,
    IncentiveResult,
    Reason,
    TrainingInfo,
    TrainingVerdict,
    validated_book,
)
from app.domain.rules.facts_store import StoredFacts
from app.domain.rules.parameters import DatedValue
from app.domain.rules.questions import Question
from app.domain.sector import SectorIncentive
from app.schemas import ApiModel

EXAMPLE_FACTS: dict[str, Any] = {
    "status": "employee",
    "sector": "private",
    "workplaceRegion": "flanders",
    "residenceRegion": "flanders",
    "employmentFraction": "0.80",
    "weeklyHours": "30.40",
    "educationLevel": "medium",
    "workExperienceMonths": 120,
    "careerGuidanceCompletedOn": "2024-02-10",
    "careerVouchersUsed": 0,
    "employerFte": "45",
    "receivesUnemploymentBenefit": False,
    "contractType": "regular",
    "agencyWorker": False,
    "sideSelfEmployed": False,
    "livesAlone": False,
    "timeCredit": {"regime": "full", "motive": "training", "priorYearWorkFraction": "1.00"},
}


MAX_INCENTIVES = 20
"""The most incentive codes one request may name (the catalogue has fewer): a request's work is
bounded by its size, not by how often it repeats itself."""


def _distinct(codes: list[str] | None) -> list[str] | None:
    if codes is not None and len(set(codes)) != len(codes):
        raise ValueError("each incentive may be named once")
    return codes


class EligibilityRequest(ApiModel):
    as_of: IsoDate | None = Field(
        default=None, description="Default: today in Europe/Brussels", examples=["2026-11-23"]
    )
    ssin: str | None = Field(
        default=None, description="A known citizen: stored facts, overridden by `facts`"
    )
    facts_version: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,  # the column is a PostgreSQL integer
        description="Replay one recorded facts version (default: for each incentive the "
        "facts valid on its reference date)",
    )
    known_at: Instant | None = Field(
        default=None,
        description="Answer as the service would have at this instant: only facts recorded by "
        "then (needs an ssin; default: now)",
        examples=["2026-11-23T10:00:00Z"],
    )
    facts: Facts = Field(default_factory=Facts, examples=[EXAMPLE_FACTS])
    training: TrainingInfo | None = Field(
        default=None,
        description="An ODB reference (`odbId`), inline attributes, or both",
        examples=[{"odbId": "ODB-000123"}],
    )
    incentives: Annotated[list[IncentiveCode] | None, AfterValidator(_distinct)] = Field(
        default=None,
        min_length=1,
        max_length=MAX_INCENTIVES,
        description=f"Default: every incentive; at most {MAX_INCENTIVES}, each once",
        json_schema_extra={"uniqueItems": True},
        examples=[["opleidingscheques", "vov"]],
    )


class QuantityOut(ApiModel):
    amount: str = Field(examples=["125.00"])
    unit: Unit

    @classmethod
    def of(cls, quantity: Quantity | None) -> "QuantityOut | None":
        return None if quantity is None else cls(amount=quantity.text(), unit=quantity.unit)


class PeriodOut(ApiModel):
    key: str = Field(examples=["2026-27"])
    start: date
    end: date
    kind: PeriodKind

    @classmethod
    def of(cls, period: Period | None) -> "PeriodOut | None":
        if period is None:
            return None
        return cls(key=period.key, start=period.start, end=period.end, kind=period.kind)


class EntitlementOut(QuantityOut):
    period: PeriodOut | None = None

    @classmethod
    def granted(cls, quantity: Quantity | None, period: Period | None) -> "EntitlementOut | None":
        if quantity is None:
            return None
        return cls(amount=quantity.text(), unit=quantity.unit, period=PeriodOut.of(period))


class ReasonOut(ApiModel):
    code: str
    passed: bool | None = Field(description="null: not decided yet (a fact is missing)")
    message: str
    legal_basis: str

    @classmethod
    def of(cls, reasons: list[Reason]) -> "list[ReasonOut]":
        return [
            cls(code=r.code, passed=r.passed, message=r.message, legal_basis=r.legal_basis)
            for r in reasons
        ]


class TrainingVerdictOut(ApiModel):
    covered: bool | None
    consumes: QuantityOut | None
    reasons: list[ReasonOut]
    missing_facts: list[str]

    @classmethod
    def of(cls, verdict: TrainingVerdict | None) -> "TrainingVerdictOut | None":
        if verdict is None:
            return None
        return cls(
            covered=verdict.covered,
            consumes=QuantityOut.of(verdict.consumes),
            reasons=ReasonOut.of(verdict.reasons),
            missing_facts=verdict.missing_facts,
        )


class ResultOut(ApiModel):
    incentive: str
    pillar: Literal["money", "time"]
    status: Literal["eligible", "notEligible", "undetermined", "notModelled"] = Field(
        description="notModelled: asOf lies before `notModelledBefore`, the first day the "
        "service models the incentive (no answer either way)"
    )
    not_modelled_before: date | None = None
    entitlement: EntitlementOut | None
    employer_proposed_entitlement: EntitlementOut | None = None
    monthly_amount: QuantityOut | None = None
    period: PeriodOut | None
    reasons: list[ReasonOut]
    missing_facts: list[str]
    training: TrainingVerdictOut | None = None

    @classmethod
    def of(cls, result: IncentiveResult) -> "ResultOut":
        return cls(
            incentive=result.incentive,
            pillar=result.pillar,
            status=result.status,
            entitlement=EntitlementOut.granted(result.entitlement, result.period),
            employer_proposed_entitlement=EntitlementOut.granted(
                result.employer_proposed_entitlement, result.period
            ),
            monthly_amount=QuantityOut.of(result.monthly_amount),
            period=PeriodOut.of(result.period),
            reasons=ReasonOut.of(result.reasons),
            missing_facts=result.missing_facts,
            training=TrainingVerdictOut.of(result.training),
            not_modelled_before=result.not_modelled_before,
        )


class ReferralOut(ApiModel):
    code: str
    message: str
    url: str


class OptionOut(ApiModel):
    value: str | bool
    label: str = Field(description="In the language of Accept-Language")


QUESTION_EXAMPLE = {
    "fact": "contractType",
    "answer": "contractType",
    "text": "Welk soort contract hebt u?",
    "kind": "enum",
    "options": [
        {"value": "regular", "label": "Gewone arbeidsovereenkomst"},
        {"value": "student", "label": "Studentenovereenkomst"},
        {"value": "apprenticeship", "label": "Leercontract"},
    ],
    "sources": ["dmfa", "citizen"],
    "decides": ["opleidingscheques", "vov"],
}


class QuestionOut(ApiModel):
    """What a wizard asks next: everything needed to ask for one missing fact."""

    fact: str = Field(description="The missing fact, as in `missingFacts`")
    answer: str = Field(
        description="Where the answer goes in the request (dotted path under `facts`, or "
        "`training.*`); differs from `fact` only for `timeCredit` (`timeCredit.regime`)"
    )
    text: str = Field(description="The question, in the language of Accept-Language")
    kind: Literal["enum", "boolean", "decimal", "integer", "date"]
    options: list[OptionOut] = Field(description="For enum and boolean: the values, labelled")
    minimum: str | None = Field(default=None, description="Decimal string, for numbers")
    maximum: str | None = Field(default=None, description="Decimal string, for numbers")
    unit: str | None = Field(default=None, examples=["HOUR"])
    sources: list[str] = Field(description="Registers that can supply the fact (or the citizen)")
    decides: list[str] = Field(description="The incentives whose answer waits for this fact")

    @classmethod
    def of(cls, question: Question) -> "QuestionOut":
        def shown(value: Decimal | None) -> str | None:
            return None if value is None else format(value, "f")

        return cls(
            fact=question.fact,
            answer=question.answer,
            text=question.text,
            kind=question.kind,
            options=[OptionOut(value=o.value, label=o.label) for o in question.options],
            minimum=shown(question.minimum),
            maximum=shown(question.maximum),
            unit=question.unit,
            sources=question.sources,
            decides=question.decides,
        )


class EligibilityResponse(ApiModel):
    as_of: date
    rules_version: str = Field(examples=["2025-10-01+3f2a9c1"])
    facts_version: int | None = Field(
        default=None, description="The stored facts version used, for a known citizen"
    )
    results: list[ResultOut]
    referrals: list[ReferralOut]
    questions: list[QuestionOut] = Field(
        description="One per fact the results still miss, the most useful first (the fact "
        "deciding most open incentives)",
        examples=[[QUESTION_EXAMPLE]],
    )

    @classmethod
    def of(cls, evaluation: Evaluation, facts_version: int | None) -> "EligibilityResponse":
        return cls(
            as_of=evaluation.as_of,
            rules_version=evaluation.rules_version,
            facts_version=facts_version,
            results=[ResultOut.of(r) for r in evaluation.results],
            referrals=[
                ReferralOut(code=r.code, message=r.message, url=r.url) for r in evaluation.referrals
            ],
            questions=[QuestionOut.of(q) for q in evaluation.questions],
        )


class DatedValueOut(ApiModel):
    effective_from: date
    value: str | int | bool | date = Field(description="Decimals as strings")
    source: str
    verified: bool
    note: str | None = None


class ParameterOut(ApiModel):
    name: str
    kind: Literal["decimal", "integer", "flag", "text", "date"]
    description: str
    in_force: DatedValueOut | None = Field(description="The value in force at asOf")
    history: list[DatedValueOut]


class IncentiveOut(ApiModel):
    code: str
    name: str = Field(description="In the language of Accept-Language")
    names: dict[str, str]
    pillar: Literal["money", "time"]
    unit: Unit
    period_kind: PeriodKind
    holds_balance: bool
    legal_basis: str
    in_force_from: date
    current_period: PeriodOut | None
    parameters: list[ParameterOut]
    fund: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="a sector fund's incentive (an extension): the fund (a partner of kind "
        "`sector`) that grants and books it, and no one else",
    )
    url: str | None = Field(default=None, exclude_if=lambda v: v is None)
    co_financing: dict[str, str] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="who pays what share of a use (a sector fund's money right)",
    )


class IncentiveList(ApiModel):
    as_of: date
    rules_version: str
    items: list[IncentiveOut]


Source = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


class FactsDeclaration(ApiModel):
    facts: Facts = Field(examples=[EXAMPLE_FACTS])
    source: Source = Field(examples=["dmfa"])
    observed_on: IsoDate = Field(
        description="Valid time: the day from which the declared facts hold (may lie in the "
        "past: a late correction)"
    )


_COPIED = ("version", "facts", "source", "observed_on", "recorded_at", "recorded_by")


class FactsVersionOut(ApiModel):
    ssin: str
    version: int
    facts: Facts
    source: str
    observed_on: date
    recorded_at: datetime
    recorded_by: str
    versions: list[int] | None = Field(
        default=None,
        description="With validOn: the versions whose declarations make up these facts",
    )

    @classmethod
    def of(cls, ssin: str, stored: StoredFacts) -> "FactsVersionOut":
        copied: dict[str, Any] = {name: getattr(stored, name) for name in _COPIED}
        return cls(ssin=ssin, versions=list(stored.versions) or None, **copied)


def _dated(dated: DatedValue) -> DatedValueOut:
    value = dated.value
    shown = format(value, "f") if isinstance(value, Decimal) else value
    return DatedValueOut(
        effective_from=dated.effective_from,
        value=shown,
        source=dated.source,
        verified=dated.verified,
        note=dated.note,
    )


def sector_incentive_out(found: SectorIncentive, as_of: date, language: str) -> IncentiveOut:
    """A sector fund's incentive: its data file's declaration (no dated parameters: the fund
    grants the right, no rule computes it)."""
    in_force = as_of >= found.in_force_from
    return IncentiveOut(
        code=found.code,
        name=found.names.get(language, found.names["en"]),
        names=dict(found.names),
        pillar=found.pillar,
        unit=found.unit,
        period_kind=found.period_kind,
        holds_balance=True,
        legal_basis=found.legal_basis,
        in_force_from=found.in_force_from,
        current_period=PeriodOut.of(found.period_for(as_of)) if in_force else None,
        parameters=[],
        fund=found.fund,
        url=found.url,
        co_financing={payer: str(share) for payer, share in found.co_financing.items()} or None,
    )


def incentive_out(code: str, as_of: date, language: str) -> IncentiveOut:
    """The catalogue entry of an incentive: definition, names, and its dated parameters."""
    definition, params = INCENTIVES[code], validated_book()[code]
    parameters = []
    for parameter in params.parameters.values():
        current = parameter.at(as_of)
        parameters.append(
            ParameterOut(
                name=parameter.name,
                kind=parameter.kind,
                description=parameter.description,
                in_force=_dated(current) if current else None,
                history=[_dated(d) for d in parameter.history],
            )
        )
    in_force = as_of >= params.in_force_from
    return IncentiveOut(
        code=code,
        name=params.names.get(language, params.names["en"]),
        names=dict(params.names),
        pillar=definition.pillar,
        unit=definition.unit_for(as_of) if in_force else definition.unit,
        period_kind=definition.period_kind,
        holds_balance=definition.holds_balance,
        legal_basis=params.legal_basis,
        in_force_from=params.in_force_from,
        current_period=PeriodOut.of(definition.period_for(as_of)) if in_force else None,
        parameters=parameters,
    )
