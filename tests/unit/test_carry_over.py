"""Carry-over by age: used first out of the oldest, lapsed past validity, capped youngest first."""

import pytest

from app.domain.ledger.carry import carry_by_age


@pytest.mark.parametrize(
    ("balance", "granted", "carried_in", "cap", "validity", "expected"),
    [
        (100, 100, {}, 0, 1, {}),  # today's incentives: nothing carries
        (100, 100, {}, 40, 1, {1: 40}),  # capped
        (30, 100, {}, 40, 1, {1: 30}),  # less than the cap left
        # 100 granted, 40 carried in (age 1); 50 used: out of the carried 40 first, then 10 fresh
        (90, 100, {1: 40}, 200, 1, {1: 90}),  # validity 1: carried amounts do not move again
        (90, 100, {1: 40}, 200, 2, {1: 90}),  # nothing of the carried 40 is left to move
        (130, 100, {1: 40}, 200, 2, {1: 100, 2: 30}),  # 10 used from the carried 40
        (130, 100, {1: 40}, 200, 1, {1: 100}),  # the carried 30 lapse
        (130, 100, {1: 40}, 110, 2, {1: 100, 2: 10}),  # the cap takes the youngest first
        (0, 100, {1: 40}, 200, 3, {}),
        (50, 0, {2: 30, 1: 40}, 200, 3, {2: 40, 3: 10}),  # the oldest (age 2) used first
    ],
)
def test_carry_by_age(
    balance: int,
    granted: int,
    carried_in: dict[int, int],
    cap: int,
    validity: int,
    expected: dict[int, int],
) -> None:
    assert carry_by_age(balance, granted, carried_in, cap, validity) == expected
