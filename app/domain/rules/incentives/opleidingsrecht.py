"""Federal individual training right (incentives.md §3.6). Explained only: the federal learning
account is the source of the balance and posts it into the wallet; this rule says why and how
much the law gives a year, pro rata the employment fraction. From 2024 the right is held over
its 5-year window (2024-2028), carried freely inside it: the period is the window, the
entitlement the year's accrual."""

from app.domain.periods import PeriodKind, federal_right_period
from app.domain.quantities import Unit
from app.domain.rules import common
from app.domain.rules.checks import Check, need, passed
from app.domain.rules.model import Context, Grant, IncentiveDefinition, Rule, exact

CODE = "opleidingsrecht"


def conditions(ctx: Context) -> list[Check]:
    small = ctx.dec("smallEmployerMinFte")
    facts = ctx.facts
    return [
        common.is_employee(ctx),
        common.in_private_sector(ctx),
        need(
            "employerSizeAtLeast",
            "employerFte",
            facts.employer_fte,
            lambda fte: fte >= small,
            min=small,
        ),
        need(
            "employmentFractionKnown",
            "employmentFraction",
            facts.employment_fraction,
            lambda f: f > 0,
        ),
        passed("federalAccountIsSource"),
    ]


def grant(ctx: Context) -> Grant:
    fte, fraction = ctx.facts.employer_fte, ctx.facts.employment_fraction
    assert fte is not None  # a condition
    assert fraction is not None
    large = fte >= ctx.dec("largeEmployerMinFte")
    days = ctx.dec("daysPerFteLargeEmployer" if large else "daysSmallEmployer")
    return Grant(entitlement=exact(days * fraction, Unit.DAY))


RULE = Rule(
    definition=IncentiveDefinition(
        CODE, "time", Unit.DAY, PeriodKind.WINDOW, True, federal_right_period
    ),
    parameters={
        "daysPerFteLargeEmployer": "decimal",
        "daysSmallEmployer": "decimal",
        "largeEmployerMinFte": "decimal",
        "smallEmployerMinFte": "decimal",
        "windowAnchorYear": "integer",
        **common.LEDGER_PARAMETERS,
        **common.TIME_PARAMETERS,
    },
    conditions=conditions,
    grant=grant,
)
