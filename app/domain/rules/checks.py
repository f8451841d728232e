"""Three-valued conditions. A check passes (True), fails (False) or cannot be decided yet (None,
with the facts that would decide it). An answer fails as soon as one check fails, and then asks
nothing: a fact that cannot change the outcome is never asked for."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar

T = TypeVar("T")
Status = Literal["eligible", "notEligible", "undetermined", "notModelled"]
"""notModelled: the day lies before the first day the service models the incentive."""


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    passed: bool | None
    missing: tuple[str, ...] = ()
    args: Mapping[str, object] = field(default_factory=dict)


def need(code: str, fact: str, value: T | None, test: Callable[[T], bool], **args: object) -> Check:
    """A check on one fact: unknown when the fact is."""
    if value is None:
        return Check(code, None, (fact,), args)
    return Check(code, test(value), (), args)


def passed(code: str, **args: object) -> Check:
    return Check(code, True, (), args)


def failed(code: str, **args: object) -> Check:
    return Check(code, False, (), args)


def unknown(code: str, *facts: str, **args: object) -> Check:
    return Check(code, None, facts, args)


def outcome(checks: Iterable[Check]) -> tuple[Status, list[str]]:
    """Eligible when every check passed; not eligible as soon as one failed; else undetermined
    with every fact the open checks still need (in the order asked, without repeats)."""
    checks = list(checks)
    if any(c.passed is False for c in checks):
        return "notEligible", []
    missing: dict[str, None] = {}
    for check in checks:
        if check.passed is None:
            missing.update(dict.fromkeys(check.missing))
    return ("undetermined", list(missing)) if missing else ("eligible", [])


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def within_years(event: date, as_of: date, years: int, *, last_day: bool = False) -> bool:
    """Whether ``event`` lies less than ``years`` years before ``as_of`` (with ``last_day``:
    at most ``years`` years, the anniversary itself included)."""
    end = add_years(event, years)
    return event <= as_of and (as_of <= end if last_day else as_of < end)
