"""Conditions several incentives share, phrased once."""

from collections.abc import Mapping
from decimal import Decimal

from app.domain.rules.checks import Check, failed, need, passed, unknown, within_years
from app.domain.rules.facts import (
    ContractType,
    EducationLevel,
    ResidenceRegion,
    Sector,
    Status,
    WorkplaceRegion,
)
from app.domain.rules.model import Context
from app.domain.rules.parameters import Kind
from app.domain.rules.training import TrainingInfo

PRIVATE = frozenset({Sector.PRIVATE, Sector.SOCIAL_PROFIT})
FLANDERS_OR_BRUSSELS = frozenset({WorkplaceRegion.FLANDERS, WorkplaceRegion.BRUSSELS})


def is_employee(ctx: Context) -> Check:
    return need("isEmployee", "status", ctx.facts.status, lambda s: s is Status.EMPLOYEE)


def is_working(ctx: Context) -> Check:
    working = {Status.EMPLOYEE, Status.SELF_EMPLOYED}
    return need("isWorking", "status", ctx.facts.status, lambda s: s in working)


def in_private_sector(ctx: Context) -> Check:
    return need("privateSector", "sector", ctx.facts.sector, lambda s: s in PRIVATE)


def workplace_in_flanders(ctx: Context) -> Check:
    return need(
        "workplaceInFlanders",
        "workplaceRegion",
        ctx.facts.workplace_region,
        lambda r: r is WorkplaceRegion.FLANDERS,
    )


def resides_in_flanders_or_brussels(ctx: Context) -> Check:
    """Living in Flanders or Brussels; or in another EU/EEA country (also having moved from one
    to Wallonia) while working in Flanders or Brussels."""
    code, facts = "residesInFlandersOrBrussels", ctx.facts
    region = facts.residence_region
    if region is None:
        return unknown(code, "residenceRegion")
    if region in (ResidenceRegion.FLANDERS, ResidenceRegion.BRUSSELS):
        return passed(code)
    if region is ResidenceRegion.WALLONIA:
        if facts.moved_from_eea is None:
            return unknown(code, "movedFromEea")
        if not facts.moved_from_eea:
            return failed(code)
    elif region is not ResidenceRegion.EEA:
        return failed(code)
    return need(code, "workplaceRegion", facts.workplace_region, FLANDERS_OR_BRUSSELS.__contains__)


def recent_pop(ctx: Context, years: int) -> bool | None:
    """Whether a POP from career guidance is less than ``years`` old; None: not known."""
    facts = ctx.facts
    if facts.career_guidance_completed_on is not None:
        last_day = ctx.flag("popLastDayCounts")
        return within_years(facts.career_guidance_completed_on, ctx.as_of, years, last_day=last_day)
    if facts.career_guidance_completed is False:
        return False
    return None


def education_or_recent_pop(ctx: Context, years: int) -> Check:
    """Low and medium educated qualify; the highly educated only with a recent POP."""
    code = "educationOrRecentPop"
    level = ctx.facts.education_level
    if level is None:
        return unknown(code, "educationLevel", years=years)
    if level is not EducationLevel.HIGH:
        return passed(code, years=years)
    pop = recent_pop(ctx, years)
    if pop is None:
        return unknown(code, "careerGuidanceCompletedOn", years=years)
    return Check(code, pop, (), {"years": years})


def pop_training(ctx: Context, training: TrainingInfo, years: int) -> Check:
    """The training is named in a POP from career guidance less than ``years`` old."""
    code = "trainingInPop"
    if training.named_in_pop is False:
        return failed(code, years=years)
    pop = recent_pop(ctx, years)
    if pop is False:
        return failed(code, years=years)
    if training.named_in_pop is None:
        return unknown(code, "training.namedInPop", years=years)
    if pop is None:
        return unknown(code, "careerGuidanceCompletedOn", years=years)
    return passed(code, years=years)


def contract_qualifies(ctx: Context, min_hours: Decimal) -> Check:
    code, facts = "contractQualifies", ctx.facts
    if facts.contract_type is None:
        return unknown(code, "contractType", minHours=min_hours)
    if facts.contract_type is ContractType.REGULAR:
        return passed(code, minHours=min_hours)
    if facts.contract_type is ContractType.STUDENT:
        return failed(code, minHours=min_hours)
    return need(
        code,
        "apprenticeshipHoursPerMonth",
        facts.apprenticeship_hours_per_month,
        lambda h: h >= min_hours,
        minHours=min_hours,
    )


def minimum_size(ctx: Context, training: TrainingInfo) -> Check:
    """At least minStudyPoints study points or minContactHours contact hours (lesson periods)."""
    points, hours = ctx.dec("minStudyPoints"), ctx.dec("minContactHours")
    code = "trainingMinimumSize"
    big = (training.study_points is not None and training.study_points >= points) or (
        training.contact_hours is not None and training.contact_hours >= hours
    )
    if big:
        return passed(code, points=points, hours=hours)
    if training.study_points is None and training.contact_hours is None:
        return unknown(code, "training.contactHours", points=points, hours=hours)
    return failed(code, points=points, hours=hours)


LEDGER_PARAMETERS: Mapping[str, Kind] = {
    "carryOverCap": "decimal",
    "carryOverValidity": "integer",
    "pauseWhenNotEligible": "flag",
}
"""What the ledger reads of every incentive: how much of an unused balance carries over, for
how many periods, and whether an account pauses (keeps its balance) when its holder stops being
eligible. Stage 3.2 of the vision memorandum changes these by data."""


POP_PARAMETERS: Mapping[str, Kind] = {"popValidityYears": "integer", "popLastDayCounts": "flag"}
"""How long a POP from career guidance counts, and whether on its 6th anniversary itself."""

TIME_PARAMETERS: Mapping[str, Kind] = {"referenceDate": "text"}
"""Which day's facts an answer for a day rests on (``reference.py``): ``asOf``, or a
reference month of the period (VOV)."""
