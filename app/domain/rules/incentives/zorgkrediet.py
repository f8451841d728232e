"""Vlaams zorgkrediet, motive training: career interruption for Flemish and local public staff,
18 months over a lifetime shared with the care motives (incentives.md §3.4)."""

from app.domain.periods import LIFETIME, PeriodKind
from app.domain.quantities import Unit
from app.domain.rules import common
from app.domain.rules.checks import Check, failed, need, passed, unknown
from app.domain.rules.facts import Sector
from app.domain.rules.model import Context, Grant, IncentiveDefinition, Rule, TrainingDraft, exact

CODE = "zorgkrediet"
FLEMISH_PUBLIC = frozenset({Sector.FLEMISH_PUBLIC, Sector.LOCAL_PUBLIC})


def conditions(ctx: Context) -> list[Check]:
    return [
        common.is_employee(ctx),
        need("flemishOrLocalPublicSector", "sector", ctx.facts.sector, FLEMISH_PUBLIC.__contains__),
    ]


def grant(ctx: Context) -> Grant:
    return Grant(entitlement=exact(ctx.dec("lifetimeMonths"), Unit.MONTH))


def training_verdict(ctx: Context, granted: Grant) -> TrainingDraft:
    training = ctx.training
    assert training is not None
    hours, points = ctx.dec("minContactHoursPerYear"), ctx.dec("minStudyPointsPerYear")
    code = "trainingCareCreditMinimum"
    if (training.contact_hours or 0) >= hours or (training.study_points or 0) >= points:
        check = passed(code, hours=hours, points=points)
    elif training.contact_hours is None and training.study_points is None:
        check = unknown(code, "training.contactHours", hours=hours, points=points)
    else:
        check = failed(code, hours=hours, points=points)
    return TrainingDraft([check])


RULE = Rule(
    definition=IncentiveDefinition(
        CODE, "time", Unit.MONTH, PeriodKind.LIFETIME, True, lambda _day: LIFETIME
    ),
    parameters={
        "lifetimeMonths": "decimal",
        "halfTimeMonthsPerMonth": "decimal",
        "oneFifthMonthsPerMonth": "decimal",
        "minContactHoursPerYear": "decimal",
        "minStudyPointsPerYear": "decimal",
        **common.LEDGER_PARAMETERS,
        **common.TIME_PARAMETERS,
    },
    conditions=conditions,
    grant=grant,
    training=training_verdict,
)
