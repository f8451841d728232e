"""Vlaams opleidingsverlof: paid leave to train, 125 h x employment fraction per school year
(incentives.md §3.2). The fraction threshold moved from 50% to 80% (and 28 h a week) on
2025-09-01; both are dated parameters."""

from decimal import Decimal

from app.domain.periods import PeriodKind, school_year
from app.domain.quantities import Unit
from app.domain.rules import common
from app.domain.rules.checks import Check, failed, need, passed, unknown
from app.domain.rules.facts import ContractType, EducationLevel
from app.domain.rules.model import Context, Grant, IncentiveDefinition, Rule, TrainingDraft, exact
from app.domain.rules.training import TrainingInfo, TrainingKind

CODE = "vov"
NO_MINIMUM_SIZE = frozenset({TrainingKind.EXAM_COMMISSION, TrainingKind.EVC})


def conditions(ctx: Context) -> list[Check]:
    facts = ctx.facts
    checks = [
        common.is_employee(ctx),
        common.in_private_sector(ctx),
        common.workplace_in_flanders(ctx),
        need(
            "notJobStudent",
            "contractType",
            facts.contract_type,
            lambda c: c is not ContractType.STUDENT,
        ),
    ]
    minimum = ctx.dec("minEmploymentFraction")
    checks.append(
        need(
            "employmentFractionAtLeast",
            "employmentFraction",
            facts.employment_fraction,
            lambda f: f >= minimum,
            min=minimum,
        )
    )
    hours = ctx.dec("minWeeklyHours")
    if hours > 0:
        checks.append(
            need(
                "weeklyHoursAtLeast",
                "weeklyHours",
                facts.weekly_hours,
                lambda h: h >= hours,
                min=hours,
            )
        )
    return checks


def grant(ctx: Context) -> Grant:
    fraction = ctx.facts.employment_fraction
    assert fraction is not None  # a condition
    hours = exact(ctx.dec("hoursPerSchoolYear") * fraction, Unit.HOUR)
    bucket = ctx.flag("employerProposedBucket")
    return Grant(entitlement=hours, employer_proposed=hours if bucket else None)


def hours_consumed(ctx: Context, training: TrainingInfo) -> Decimal | None:
    """Attended hours: study points x 4 (6 for graduaat until 2021-22), 8 per exam, else the
    contact hours or planned lesson periods."""
    kind = training.kind
    if kind in (TrainingKind.HIGHER_EDUCATION, TrainingKind.GRADUAAT):
        per = ctx.dec(
            "hoursPerStudyPointGraduaat" if kind is TrainingKind.GRADUAAT else "hoursPerStudyPoint"
        )
        return None if training.study_points is None else training.study_points * per
    if kind is TrainingKind.EXAM_COMMISSION:
        return None if training.exams is None else training.exams * ctx.dec("hoursPerExam")
    return training.contact_hours


def _registered(training: TrainingInfo, pop_training: bool) -> Check:
    code = "trainingVovEligible"
    if training.vov_eligible or pop_training or training.kind in NO_MINIMUM_SIZE:
        return passed(code)
    if training.vov_eligible is None:
        return unknown(code, "training.vovEligible")
    return failed(code)


def _education_restriction(ctx: Context, training: TrainingInfo) -> Check | None:
    if not training.restricted_by_education_level:
        return None
    level = ctx.facts.education_level
    if level is None:
        return unknown("trainingEducationRestriction", "educationLevel")
    if level is not EducationLevel.HIGH:
        return passed("trainingEducationRestriction")
    pop = common.recent_pop(ctx, ctx.integer("popValidityYears"))
    if pop is None:
        return unknown("trainingEducationRestriction", "careerGuidanceCompletedOn")
    return passed("trainingEducationRestriction") if pop else failed("trainingEducationRestriction")


def minimum_size(ctx: Context, training: TrainingInfo) -> Check:
    """Since 2021-22 a course under the minimum contact hours counts once combined with other
    trainings to reach it: not refused, but open until the combined hours are known."""
    check = common.minimum_size(ctx, training)
    hours, minimum = training.contact_hours, ctx.dec("minContactHours")
    if check.passed is not False or hours is None or not ctx.flag("combineTrainings"):
        return check
    code = "trainingCombinedMinimum"
    combined = training.combined_contact_hours
    more = max(minimum - (combined if combined is not None else hours), Decimal(0))
    args = {"hours": hours, "min": minimum, "more": more}
    if combined is None:
        return unknown(code, "training.combinedContactHours", **args)
    return Check(code, combined >= minimum, (), args)


def training_verdict(ctx: Context, granted: Grant) -> TrainingDraft:
    training = ctx.training
    assert training is not None
    pop_training = (
        training.named_in_pop is True
        and common.recent_pop(ctx, ctx.integer("popValidityYears")) is True
    )
    checks = [_registered(training, pop_training)]
    if training.kind not in NO_MINIMUM_SIZE:
        checks.append(minimum_size(ctx, training))
    restriction = _education_restriction(ctx, training)
    if restriction is not None:
        checks.append(restriction)
    hours = hours_consumed(ctx, training)
    consumes = None
    if hours is not None:  # capped by the entitlement once it is known
        limit = granted.entitlement.amount if granted.entitlement else hours
        consumes = exact(min(hours, limit), Unit.HOUR)
    return TrainingDraft(checks, consumes)


RULE = Rule(
    definition=IncentiveDefinition(
        CODE, "time", Unit.HOUR, PeriodKind.SCHOOL_YEAR, True, school_year
    ),
    parameters={
        "hoursPerSchoolYear": "decimal",
        "minEmploymentFraction": "decimal",
        "minWeeklyHours": "decimal",
        "employerProposedBucket": "flag",
        "hoursPerStudyPoint": "decimal",
        "hoursPerStudyPointGraduaat": "decimal",
        "hoursPerExam": "decimal",
        "minStudyPoints": "decimal",
        "minContactHours": "decimal",
        **common.POP_PARAMETERS,
        "combineTrainings": "flag",
        "employerRefundPerHour": "decimal",
        "wageCeiling": "decimal",
        "referenceDay": "text",
        **common.LEDGER_PARAMETERS,
        **common.TIME_PARAMETERS,
    },
    conditions=conditions,
    grant=grant,
    training=training_verdict,
)
