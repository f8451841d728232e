from datetime import date
from decimal import Decimal

import pytest

from app.domain.periods import (
    LIFETIME,
    calendar_year,
    five_year_window,
    month,
    parse_key,
    school_year,
    window,
)
from app.domain.quantities import InvalidQuantity, Quantity, Unit


@pytest.mark.parametrize(
    ("day", "key", "start", "end"),
    [
        (date(2025, 8, 31), "2024-25", date(2024, 9, 1), date(2025, 8, 31)),
        (date(2025, 9, 1), "2025-26", date(2025, 9, 1), date(2026, 8, 31)),
        (date(2026, 11, 23), "2026-27", date(2026, 9, 1), date(2027, 8, 31)),
        (date(2099, 12, 31), "2099-00", date(2099, 9, 1), date(2100, 8, 31)),
    ],
)
def test_school_year(day: date, key: str, start: date, end: date) -> None:
    period = school_year(day)
    assert (period.key, period.start, period.end) == (key, start, end)
    assert parse_key(key) == period


def test_other_periods() -> None:
    assert calendar_year(date(2026, 5, 1)).key == "2026"
    assert five_year_window(date(2026, 5, 1)).key == "2024-2028"
    assert five_year_window(date(2029, 1, 1)).key == "2029-2033"
    assert month(date(2024, 2, 10)).end == date(2024, 2, 29)
    assert month(date(2026, 12, 10)).end == date(2026, 12, 31)
    assert parse_key("2024-2028") == five_year_window(date(2025, 1, 1))
    assert parse_key("lifetime") == LIFETIME
    assert parse_key("2026") == calendar_year(date(2026, 1, 1))
    regime = window(date(2025, 10, 1), date(2026, 12, 31))
    assert regime.key == "2025-10-01/2026-12-31"
    assert parse_key(regime.key) == regime


@pytest.mark.parametrize(
    "key",
    [
        "2026-28",
        "26-27",
        "2026/27",
        "x",
        "2028-2024",
        "２０２６",
        "2026-12-31/2026-01-01",
        "2026-01-01/2026-12-31",
        "2026-1-1/2026-12-31",
    ],
)
def test_bad_period_keys(key: str) -> None:
    with pytest.raises(ValueError, match="not a period key"):
        parse_key(key)


def test_quantities_parse_and_store_as_minor_units() -> None:
    assert Quantity.parse("125", Unit.HOUR).text() == "125.00"
    assert Quantity.parse("12.5", Unit.EUR).minor == 1250
    assert Quantity.parse(3, Unit.VOUCHER).text() == "3"
    assert Quantity.from_minor(4800, Unit.HOUR).amount == Decimal("48.00")
    assert Quantity.parse("2.00", Unit.VOUCHER).text() == "2"  # trailing zeros are not precision


@pytest.mark.parametrize(
    ("value", "unit", "why"),
    [
        ("1.234", Unit.EUR, "at most 2 decimals"),
        ("1.5", Unit.VOUCHER, "at most 0 decimals"),
        ("0", Unit.EUR, "greater than zero"),
        ("-5", Unit.HOUR, "greater than zero"),
        ("abc", Unit.EUR, "not a decimal"),
        ("NaN", Unit.EUR, "finite"),
        ("1e20", Unit.EUR, "less than"),
        (1.5, Unit.EUR, "never a float"),
    ],
)
def test_bad_quantities(value: object, unit: Unit, why: str) -> None:
    with pytest.raises(InvalidQuantity, match=why):
        Quantity.parse(value, unit)  # type: ignore[arg-type]
