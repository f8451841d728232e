"""What an evaluation answers, and what a rule is. Plain dataclasses: no HTTP, no database."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from app.domain.periods import Period, PeriodKind
from app.domain.quantities import Quantity, Unit, round_down
from app.domain.rules.checks import Check, Status
from app.domain.rules.facts import Facts
from app.domain.rules.parameters import IncentiveParameters, Kind
from app.domain.rules.training import TrainingInfo

if TYPE_CHECKING:
    from app.domain.rules.questions import Question

Pillar = Literal["money", "time"]


def exact(amount: Decimal, unit: Unit) -> Quantity:
    """A quantity with the unit's decimals, rounded down (a right is never rounded up)."""
    return Quantity(round_down(amount, unit), unit)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    passed: bool | None
    message: str
    legal_basis: str


@dataclass(frozen=True, slots=True)
class TrainingVerdict:
    covered: bool | None
    """Whether this incentive can pay for / give time for the training; None: not yet known."""
    consumes: Quantity | None
    """How much of the entitlement the training would use."""
    reasons: list[Reason]
    missing_facts: list[str]


@dataclass(frozen=True, slots=True)
class IncentiveResult:
    incentive: str
    pillar: Pillar
    status: Status
    entitlement: Quantity | None
    period: Period | None
    monthly_amount: Quantity | None
    reasons: list[Reason]
    missing_facts: list[str]
    training: TrainingVerdict | None = None
    employer_proposed_entitlement: Quantity | None = None
    """VOV: the second bucket for trainings the employer proposes, when in force."""
    not_modelled_before: date | None = None
    """For a notModelled answer: the first day the service models the incentive."""


@dataclass(frozen=True, slots=True)
class Referral:
    code: str
    message: str
    url: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    as_of: date
    rules_version: str
    results: list[IncentiveResult]
    referrals: list[Referral]
    questions: "list[Question]" = field(default_factory=list)
    """One per fact the results still miss, most useful first."""


@dataclass(frozen=True, slots=True)
class IncentiveDefinition:
    code: str
    pillar: Pillar
    unit: Unit
    period_kind: PeriodKind
    holds_balance: bool
    """False for vok: a monthly amount while the time credit runs, not a balance."""
    period_rule: Callable[[date], Period] = field(repr=False, compare=False)
    unit_rule: Callable[[date], Unit] | None = field(default=None, repr=False, compare=False)
    """For an incentive whose unit changes with its regime (loopbaancheques: HOUR from 2027)."""

    def period_for(self, as_of: date) -> Period:
        return self.period_rule(as_of)

    def unit_for(self, as_of: date) -> Unit:
        """The unit the entitlement is counted in on ``as_of`` (``unit`` unless a regime says)."""
        return self.unit_rule(as_of) if self.unit_rule else self.unit


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule function sees: the facts, the day, that day's parameters and the training."""

    facts: Facts
    as_of: date
    params: IncentiveParameters
    training: TrainingInfo | None = None

    def dec(self, name: str) -> Decimal:
        return self.params.decimal(name, self.as_of)

    def integer(self, name: str) -> int:
        return self.params.integer(name, self.as_of)

    def flag(self, name: str) -> bool:
        return self.params.flag(name, self.as_of)

    def text(self, name: str) -> str:
        return self.params.text(name, self.as_of)


@dataclass(frozen=True, slots=True)
class Grant:
    """What an eligible person gets; ``checks`` are facts that refine the amount only."""

    entitlement: Quantity | None = None
    monthly_amount: Quantity | None = None
    employer_proposed: Quantity | None = None
    checks: list[Check] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TrainingDraft:
    checks: list[Check]
    consumes: Quantity | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    definition: IncentiveDefinition
    parameters: Mapping[str, Kind]
    """The parameters the rule reads; its data file must declare exactly these."""
    conditions: Callable[[Context], list[Check]]
    grant: Callable[[Context], Grant]
    training: Callable[[Context, Grant], TrainingDraft] | None = None
