"""Opleidingscheques voor werknemers: vouchers for direct training costs, EUR per school year,
half paid by the citizen (incentives.md §3.1)."""

from decimal import Decimal

from app.domain.periods import PeriodKind, school_year
from app.domain.quantities import Unit
from app.domain.rules import common
from app.domain.rules.checks import Check, failed, need, passed, unknown
from app.domain.rules.facts import EducationLevel
from app.domain.rules.model import Context, Grant, IncentiveDefinition, Rule, TrainingDraft, exact
from app.domain.rules.training import TrainingInfo, TrainingKind

CODE = "opleidingscheques"
HIGHER_EDUCATION = frozenset({TrainingKind.HIGHER_EDUCATION, TrainingKind.GRADUAAT})


def conditions(ctx: Context) -> list[Check]:
    facts = ctx.facts
    return [
        common.is_employee(ctx),
        common.resides_in_flanders_or_brussels(ctx),
        need(
            "notOnUnemploymentBenefit",
            "receivesUnemploymentBenefit",
            facts.receives_unemployment_benefit,
            lambda benefit: not benefit,
        ),
        common.contract_qualifies(ctx, ctx.dec("minApprenticeshipHoursPerMonth")),
        common.education_or_recent_pop(ctx, ctx.integer("popValidityYears")),
    ]


def _starts_higher_education(ctx: Context) -> bool:
    training, level = ctx.training, ctx.facts.education_level
    return (
        training is not None
        and training.kind in HIGHER_EDUCATION
        and level in (EducationLevel.LOW, EducationLevel.MEDIUM)
    )


def grant(ctx: Context) -> Grant:
    name = "maxAmountHigherEducationStart" if _starts_higher_education(ctx) else "maxAmount"
    return Grant(entitlement=exact(ctx.dec(name), Unit.EUR))


def voucher_or_pop_training(ctx: Context, training: TrainingInfo, years: int) -> Check:
    """An ODB voucher training, or for the low and medium educated a training named in a recent
    POP even without the ODB flag (the highly educated need both: see trainingInPop)."""
    code = "trainingVoucherEligible"
    if training.voucher_eligible:
        return passed(code, years=years)
    if ctx.facts.education_level is EducationLevel.HIGH:
        return need(code, "training.voucherEligible", training.voucher_eligible, bool, years=years)
    pop = common.pop_training(ctx, training, years)
    if pop.passed:
        return passed(code, years=years)
    if training.voucher_eligible is None:
        return unknown(code, "training.voucherEligible", years=years)
    if pop.passed is False:
        return failed(code, years=years)
    missing = pop.missing if ctx.facts.education_level else ("educationLevel", *pop.missing)
    return unknown(code, *missing, years=years)


def training_verdict(ctx: Context, granted: Grant) -> TrainingDraft:
    training = ctx.training
    assert training is not None
    years = ctx.integer("popValidityYears")
    checks = [voucher_or_pop_training(ctx, training, years), common.minimum_size(ctx, training)]
    if training.paid_by_employer is not None:
        checks.append(
            failed("trainingNotPaidByEmployer")
            if training.paid_by_employer
            else passed("trainingNotPaidByEmployer")
        )
    if ctx.facts.education_level is EducationLevel.HIGH:
        checks.append(common.pop_training(ctx, training, years))
    consumes = None
    if training.cost is not None and granted.entitlement is not None:
        consumes = exact(min(training.cost, granted.entitlement.amount), Unit.EUR)
    return TrainingDraft(checks, consumes)


def citizen_share(ctx: Context) -> Decimal:
    priority = ctx.training is not None and ctx.training.priority_theme is True
    return ctx.dec("citizenSharePriorityTheme" if priority else "citizenShare")


RULE = Rule(
    definition=IncentiveDefinition(
        CODE, "money", Unit.EUR, PeriodKind.SCHOOL_YEAR, True, school_year
    ),
    parameters={
        "maxAmount": "decimal",
        "maxAmountHigherEducationStart": "decimal",
        "citizenShare": "decimal",
        "citizenSharePriorityTheme": "decimal",
        "minStudyPoints": "decimal",
        "minContactHours": "decimal",
        **common.POP_PARAMETERS,
        "minApprenticeshipHoursPerMonth": "decimal",
        **common.LEDGER_PARAMETERS,
        **common.TIME_PARAMETERS,
    },
    conditions=conditions,
    grant=grant,
    training=training_verdict,
)
