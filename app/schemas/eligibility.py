"""Request and response bodies of ``POST /eligibility``, and their conversion from the domain's
answers."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from app.domain.dates import Instant, IsoDate
from app.domain.operations import EligibilityQuestion
from app.domain.periods import Period
from app.domain.quantities import Quantity
from app.domain.rules import (
    Evaluation,
    Facts,
    IncentiveCode,
    IncentiveResult,
    Reason,
    TrainingInfo,
    TrainingVerdict,
)
from app.domain.rules.questions import Question
from app.schemas.base import ApiModel
from app.schemas.common import PeriodOut, QuantityOut, ReferralOut
from app.schemas.examples import EXAMPLE_FACTS, EXAMPLE_SSIN

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
        default=None,
        description="A known citizen: stored facts, overridden by `facts` (absent: the "
        "anonymous wizard, on `facts` only)",
        examples=[EXAMPLE_SSIN],
    )
    facts_version: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,  # the column is a PostgreSQL integer
        description="Replay one recorded facts version (default: for each incentive the "
        "facts valid on its reference date)",
        examples=[1],
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

    def question(self, today: date) -> EligibilityQuestion:
        return EligibilityQuestion(
            facts=self.facts,
            as_of=self.as_of or today,
            ssin=self.ssin,
            facts_version=self.facts_version,
            known_at=self.known_at,
            training=self.training,
            incentives=self.incentives,
        )


EXAMPLES = {
    "anonymous": {
        "summary": "The wizard: anyone, on the facts given",
        "value": {"asOf": "2026-11-23", "facts": EXAMPLE_FACTS, "incentives": ["vov"]},
    },
    "citizen": {
        "summary": "A known citizen: stored facts, with a what-if on top",
        "value": {"ssin": EXAMPLE_SSIN, "facts": {"weeklyHours": "38.00"}},
    },
    "training": {
        "summary": "Can this training be paid with training vouchers?",
        "value": {
            "facts": EXAMPLE_FACTS,
            "training": {"contactHours": "40", "kind": "course", "voucherEligible": True},
            "incentives": ["opleidingscheques"],
        },
    },
}
"""Bodies Try-it-out sends: each succeeds (the citizen one once its facts are declared)."""


class EntitlementOut(QuantityOut):
    """What the rules grant: a quantity for a period."""

    period: PeriodOut | None = None

    @classmethod
    def granted(cls, quantity: Quantity | None, period: Period | None) -> "EntitlementOut | None":
        if quantity is None:
            return None
        return cls(amount=quantity.text(), unit=quantity.unit, period=PeriodOut.optional(period))


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
            consumes=QuantityOut.optional(verdict.consumes),
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
            monthly_amount=QuantityOut.optional(result.monthly_amount),
            period=PeriodOut.optional(result.period),
            reasons=ReasonOut.of(result.reasons),
            missing_facts=result.missing_facts,
            training=TrainingVerdictOut.of(result.training),
            not_modelled_before=result.not_modelled_before,
        )


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
            referrals=[ReferralOut.of(r) for r in evaluation.referrals],
            questions=[QuestionOut.of(q) for q in evaluation.questions],
        )
