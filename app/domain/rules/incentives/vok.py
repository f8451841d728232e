"""Vlaams opleidingskrediet: a Flemish monthly top-up on the federal time credit with motive
training (incentives.md §3.3). A monthly amount while the time credit runs, not a balance."""

from app.domain.periods import PeriodKind, month
from app.domain.quantities import Unit
from app.domain.rules import common
from app.domain.rules.checks import Check, failed, need, passed, unknown
from app.domain.rules.facts import EducationLevel, TimeCreditRegime
from app.domain.rules.model import Context, Grant, IncentiveDefinition, Rule, TrainingDraft, exact

CODE = "vok"


def amount_name(ctx: Context) -> str | Check | None:
    """The amount parameter the time credit earns; a Check when it cannot be told (yet)."""
    code = "timeCreditRegimeQualifies"
    credit = ctx.facts.time_credit
    assert credit is not None
    prior = credit.prior_year_work_fraction
    if prior is None:
        return unknown(code, "timeCredit.priorYearWorkFraction")
    high = prior >= ctx.dec("highWorkFraction")
    if credit.regime is TimeCreditRegime.ONE_FIFTH:
        return one_fifth(ctx, high)
    if credit.regime is TimeCreditRegime.HALF:
        return "amountMiddle" if high else None
    if high:
        return "amountFullHigh"
    if prior >= ctx.dec("middleWorkFraction"):
        return "amountMiddle"
    return "amountLow" if prior >= ctx.dec("lowWorkFraction") else None


def one_fifth(ctx: Context, high: bool) -> str | Check | None:
    """A 1/5 reduction earns the low amount only after the high prior-year work fraction and
    from a full-time contract (the reduction is of a full-time job)."""
    if not high:
        return None
    fraction = ctx.facts.employment_fraction
    if fraction is None:
        return unknown("timeCreditRegimeQualifies", "employmentFraction")
    return "amountLow" if fraction >= ctx.dec("oneFifthMinEmploymentFraction") else None


def time_credit_checks(ctx: Context) -> list[Check]:
    credit = ctx.facts.time_credit
    if credit is None:
        return [unknown("timeCreditWithMotiveTraining", "timeCredit")]
    if credit.regime is TimeCreditRegime.NONE:
        return [failed("timeCreditWithMotiveTraining")]
    name = amount_name(ctx)
    if isinstance(name, Check):
        return [passed("timeCreditWithMotiveTraining"), name]
    regime = passed if name else failed
    return [passed("timeCreditWithMotiveTraining"), regime("timeCreditRegimeQualifies")]


def conditions(ctx: Context) -> list[Check]:
    return [
        common.is_employee(ctx),
        common.in_private_sector(ctx),
        common.workplace_in_flanders(ctx),
        *time_credit_checks(ctx),
    ]


def grant(ctx: Context) -> Grant:
    name = amount_name(ctx)
    assert isinstance(name, str)  # the conditions passed
    amount = ctx.dec(name)
    supplement = ctx.dec("supplementLivingAlone")
    alone = ctx.facts.lives_alone
    check = need("livesAloneSupplement", "livesAlone", alone, bool, amount=supplement)
    if alone:
        amount += supplement
    return Grant(monthly_amount=exact(amount, Unit.EUR), checks=[check])


def training_verdict(ctx: Context, granted: Grant) -> TrainingDraft:
    training = ctx.training
    assert training is not None
    checks = [
        need("trainingVovEligible", "training.vovEligible", training.vov_eligible, bool),
        need("trainingVokFlagged", "training.vokFlagged", training.vok_flagged, bool),
    ]
    if ctx.facts.education_level is EducationLevel.HIGH:
        checks.append(common.pop_training(ctx, training, ctx.integer("popValidityYears")))
    return TrainingDraft(checks)


RULE = Rule(
    definition=IncentiveDefinition(CODE, "money", Unit.EUR, PeriodKind.MONTHLY, False, month),
    parameters={
        "amountFullHigh": "decimal",
        "amountMiddle": "decimal",
        "amountLow": "decimal",
        "supplementLivingAlone": "decimal",
        "highWorkFraction": "decimal",
        "middleWorkFraction": "decimal",
        "lowWorkFraction": "decimal",
        **common.POP_PARAMETERS,
        "oneFifthMinEmploymentFraction": "decimal",
        **common.LEDGER_PARAMETERS,
        **common.TIME_PARAMETERS,
    },
    conditions=conditions,
    grant=grant,
    training=training_verdict,
)
