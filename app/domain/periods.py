"""Periods rights are counted in. One module that every rule and the ledger use.

- school year: 1 September to 31 August, key ``2026-27``;
- calendar year: key ``2026``;
- window: a fixed multi-year span, key ``2024-2028`` (federal training right) or a dated regime;
- lifetime: key ``lifetime``, from 1900-01-01 to 9999-12-31.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
"""The calendar every date of the contract is in."""


class PeriodKind(StrEnum):
    SCHOOL_YEAR = "schoolYear"
    CALENDAR_YEAR = "calendarYear"
    WINDOW = "window"
    LIFETIME = "lifetime"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start: date
    end: date
    key: str
    kind: PeriodKind

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


LIFETIME = Period(date(1900, 1, 1), date(9999, 12, 31), "lifetime", PeriodKind.LIFETIME)


def school_year(day: date) -> Period:
    first = day.year if day.month >= 9 else day.year - 1
    return Period(
        date(first, 9, 1),
        date(first + 1, 8, 31),
        f"{first}-{(first + 1) % 100:02d}",
        PeriodKind.SCHOOL_YEAR,
    )


def calendar_year(day: date) -> Period:
    return Period(
        date(day.year, 1, 1), date(day.year, 12, 31), str(day.year), PeriodKind.CALENDAR_YEAR
    )


def window(start: date, end: date, key: str | None = None) -> Period:
    """A span of whole years is keyed ``2024-2028``; any other span by its ISO 8601 interval
    ``2025-10-01/2026-12-31``, so every key reads back as exactly its period."""
    if key is None:
        whole_years = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
        key = f"{start.year}-{end.year}" if whole_years else f"{start}/{end}"
    return Period(start, end, key, PeriodKind.WINDOW)


def five_year_window(day: date, anchor_year: int = 2024) -> Period:
    """The federal training right's 5-year windows: 2024-2028, 2029-2033, ..."""
    first = anchor_year + ((day.year - anchor_year) // 5) * 5
    return window(date(first, 1, 1), date(first + 4, 12, 31))


FEDERAL_WINDOWS_FROM = 2024
"""The first year of the federal training right's 5-year windows (law of 3 October 2022); before
it the right was counted per calendar year (2022: 3 days, 2023: 4)."""


def federal_right_period(day: date) -> Period:
    """The period the federal training right of ``day`` is held in: its 5-year window from 2024
    (``2024-2028``), the calendar year before."""
    if day.year < FEDERAL_WINDOWS_FROM:
        return calendar_year(day)
    return five_year_window(day, FEDERAL_WINDOWS_FROM)


def month(day: date) -> Period:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return Period(
        date(day.year, day.month, 1),
        following - timedelta(days=1),
        f"{day.year}-{day.month:02d}",
        PeriodKind.MONTHLY,
    )


def parse_key(key: str) -> Period:
    """The period a key names (``2026-27``, ``2026``, ``2024-2028``,
    ``2025-10-01/2026-12-31``, ``lifetime``)."""
    if key == "lifetime":
        return LIFETIME
    if "/" in key:
        head, _, tail = key.partition("/")
        try:
            start, end = date.fromisoformat(head), date.fromisoformat(tail)
        except ValueError:
            start = end = date.min
        if start != date.min and start <= end and window(start, end).key == key:
            return window(start, end)
        raise ValueError(f"{key!r} is not a period key (2026-27, 2026, 2024-2028, lifetime)")
    parts = key.split("-")
    if all(p.isdigit() and p.isascii() for p in parts):
        if len(parts) == 1 and len(parts[0]) == 4:
            return calendar_year(date(int(parts[0]), 1, 1))
        if len(parts) == 2 and len(parts[0]) == 4:
            first, second = int(parts[0]), parts[1]
            if len(second) == 2 and (first + 1) % 100 == int(second):
                return school_year(date(first, 9, 1))
            if len(second) == 4 and int(second) >= first:
                return window(date(first, 1, 1), date(int(second), 12, 31))
    raise ValueError(f"{key!r} is not a period key (2026-27, 2026, 2024-2028, lifetime)")
