"""Reference dates: the day whose facts an incentive's answer for a day rests on. Most rules
read the facts valid on ``asOf``; VOV reads the employment of a reference month of the school
year (September of it up to 2022-23, the March before it from 2023-24). Both are dated
parameters (``referenceDate``, ``referenceDay``)."""

from calendar import monthrange
from datetime import date

from app.domain.rules.engine import INCENTIVES, validated_book


def _month(year: int, month: int, which: str) -> date:
    return date(year, month, monthrange(year, month)[1] if which == "lastDay" else 1)


def reference_date(code: str, as_of: date) -> date:
    """The day whose facts decide ``code`` for the period ``as_of`` lies in; never after
    ``as_of`` (an answer never rests on facts from after the day asked about)."""
    params = validated_book()[code]
    if as_of < params.in_force_from:
        return as_of
    rule = params.text("referenceDate", as_of)
    if rule == "asOf":
        return as_of
    start = INCENTIVES[code].period_for(as_of).start
    which = params.text("referenceDay", as_of)
    if rule == "september":
        day = _month(start.year, 9, which)
    elif rule == "marchBefore":
        day = _month(start.year, 3, which)
    else:
        raise ValueError(f"{code}.referenceDate: unknown rule {rule!r}")
    return min(day, as_of)
