"""Loopbaancheques (VDAB career guidance vouchers) and, from 2027, the loopbaankrediet
(incentives.md §3.5). Each regime is a dated parameter value; its window is the span the regime
is in force, so a new regime is a new line in the data file."""

from datetime import date, timedelta
from decimal import Decimal

from app.domain.periods import Period, PeriodKind, window
from app.domain.quantities import Unit
from app.domain.rules import common
from app.domain.rules.checks import Check, failed, need, passed, unknown, within_years
from app.domain.rules.model import Context, Grant, IncentiveDefinition, Rule, exact
from app.domain.rules.parameters import default_book

CODE = "loopbaancheques"
END_OF_TIME = date(9999, 12, 31)


def regime_window(as_of: date) -> Period:
    """From the first day of the regime in force on ``as_of`` to the day before the next one."""
    history = default_book()[CODE].parameters["regime"].history
    current = next((d for d in reversed(history) if d.effective_from <= as_of), history[0])
    later = [d.effective_from for d in history if d.effective_from > current.effective_from]
    end = later[0] - timedelta(days=1) if later else END_OF_TIME
    return window(current.effective_from, end)


def regime_unit(as_of: date) -> Unit:
    params = default_book()[CODE]
    day = max(as_of, params.in_force_from)
    return Unit(params.text("entitlementUnit", day))


def voucher_history(ctx: Context) -> Check:
    """Before the 2025 reform new vouchers came 6 years after the last guidance with vouchers;
    in the one-voucher regime (refillYears 0) only who never used one qualifies."""
    facts, years = ctx.facts, ctx.integer("refillYears")
    code = "voucherRefill" if years else "neverUsedVoucher"
    used = facts.career_vouchers_used
    counted = years > 0 and ctx.flag("perWindowCounted")
    in_window = facts.career_vouchers_used_in_window
    if counted and in_window is not None:
        left = vouchers_left(ctx)
        if not left:
            return failed(code, years=years)
        return passed("voucherLeftInWindow", years=years, left=left, total=ctx.dec("entitlement"))
    if used == 0:
        return passed(code, years=years)
    if used is None:
        return unknown(code, "careerVouchersUsed", years=years)
    if not years:
        return failed(code, years=years)
    last = facts.career_guidance_completed_on
    recent = None if last is None else within_years(last, ctx.as_of, years)
    if recent is False:
        return passed(code, years=years)
    if counted:  # one voucher used in the window leaves the second: ask how many
        return unknown(code, "careerVouchersUsedInWindow", years=years)
    if recent is None:
        return unknown(code, "careerGuidanceCompletedOn", years=years)
    return failed(code, years=years)


def vouchers_left(ctx: Context) -> Decimal:
    """Vouchers of the window still to use: all of them, unless those used in the current
    window are counted (2020 regime: two per 6 years, one used leaves the second)."""
    total = ctx.dec("entitlement")
    in_window = ctx.facts.career_vouchers_used_in_window
    if in_window is None or not ctx.integer("refillYears") or not ctx.flag("perWindowCounted"):
        return total
    return max(total - in_window, Decimal(0))


def conditions(ctx: Context) -> list[Check]:
    minimum = ctx.integer("minWorkExperienceMonths")
    return [
        common.is_working(ctx),
        common.resides_in_flanders_or_brussels(ctx),
        need(
            "workExperienceAtLeast",
            "workExperienceMonths",
            ctx.facts.work_experience_months,
            lambda m: m >= minimum,
            months=minimum,
        ),
        voucher_history(ctx),
    ]


def grant(ctx: Context) -> Grant:
    return Grant(entitlement=exact(vouchers_left(ctx), Unit(ctx.text("entitlementUnit"))))


RULE = Rule(
    definition=IncentiveDefinition(
        CODE, "money", Unit.VOUCHER, PeriodKind.WINDOW, True, regime_window, regime_unit
    ),
    parameters={
        "regime": "text",
        "entitlement": "decimal",
        "entitlementUnit": "text",
        "minWorkExperienceMonths": "integer",
        "refillYears": "integer",
        "perWindowCounted": "flag",
        "ownContribution": "decimal",
        **common.LEDGER_PARAMETERS,
        **common.TIME_PARAMETERS,
    },
    conditions=conditions,
    grant=grant,
)
