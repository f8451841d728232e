"""A multi-year run on a population small enough to check by hand: training vouchers with a
carry-over cap accumulate period after period as incentives.md's rule and the stated take-up
say; a reform equal to the law changes nothing over the horizon; the horizon's bounds."""

import json
from datetime import date
from decimal import Decimal

import pytest

from app.domain.errors import InvalidInput
from app.domain.periods import parse_key
from app.domain.simulation.batch import Plan, tally_batch
from app.domain.simulation.behaviour import Behaviour, Rate, TakeUp
from app.domain.simulation.horizon import MAX_PERIODS, followed, horizon
from app.domain.simulation.multi_year import HorizonCell, publish_horizon
from app.domain.simulation.reform import parse_reform
from app.domain.statistics.dimensions import Dimension
from tests.support import EMPLOYEE_FACTS

PERIODS = horizon(parse_key("2027-28"), 4)
KEYS = [p.key for p in PERIODS]
CAPPED = {
    "parameters": {
        "opleidingscheques.carryOverCap": [{"effectiveFrom": "2027-09-01", "value": "200"}],
        "opleidingscheques.carryOverValidity": [{"effectiveFrom": "2027-09-01", "value": 1}],
    }
}
RATE = Decimal("0.4")
"""The take-up rate stated for the low educated (the others' is left to the overall rate)."""
# incentives.md 3.1: vouchers worth EUR 250 a school year, the citizen pays 50%.
RIGHT, GOVERNMENT_SHARE = Decimal(250), Decimal("0.5")


def behaviour(codes: tuple[str, ...]) -> Behaviour:
    rates = {"low": Rate(RATE, "observed")}
    found = {c: TakeUp(c, "2025-26", Decimal("0.1"), rates) for c in codes}
    return Behaviour(Dimension.EDUCATION_LEVEL, found)


def run(reform: dict[str, object], citizens: int, key: str) -> HorizonCell:
    codes, _ = followed(PERIODS)
    plan = Plan(parse_reform(reform), tuple(p.start for p in PERIODS), codes, behaviour(codes))
    declared = EMPLOYEE_FACTS | {"educationLevel": "low"}
    rows = [(json.dumps([[1, "2026-01-05", declared]]), None)] * citizens
    tally = tally_batch(key, plan, rows)
    assert tally.horizon is not None
    return publish_horizon(tally.horizon, KEYS, ()).total


def by_hand(cap: Decimal, validity: int, periods: int) -> list[dict[str, Decimal]]:
    """One citizen's voucher periods: the right, 40% of what is held used (oldest first), at
    the end what is left carried (past validity lapses; the cap takes the youngest first)."""
    carried: list[tuple[int, Decimal]] = []  # (age, amount)
    made = []
    for _ in range(periods):
        held = RIGHT + sum(a for _, a in carried)
        use = held * RATE
        to_take, left = use, []
        for age, amount in sorted(carried, reverse=True):
            taken = min(to_take, amount)
            to_take -= taken
            left.append((age + 1, amount - taken))
        left.append((1, RIGHT - to_take))
        room, carried = cap, []
        for age, amount in sorted(left):
            if age <= validity and amount > 0 and room > 0:
                carried.append((age, min(amount, room)))
                room -= min(amount, room)
        moved = sum(a for _, a in carried)
        made.append(
            {
                "use": use,
                "carried": moved,
                "expired": held - use - moved,
                "cost": use * GOVERNMENT_SHARE,
            }
        )
    return made


def test_a_small_population_is_suppressed() -> None:
    total = run(CAPPED, 9, "few")
    assert total.flag == "c"
    assert total.citizens is None
    assert total.incentives == []


def test_carry_over_with_a_cap_accumulates_as_the_rule_says() -> None:
    n = 10
    total = run(CAPPED, n, "capped")
    vouchers = next(f for f in total.incentives if f.incentive == "opleidingscheques")
    expected = by_hand(Decimal(200), 1, len(KEYS))
    # the numbers themselves, so the reader can check the helper too: 250 a year, 40% used
    assert [e["use"] for e in expected] == [100, 160, 180, 180]
    assert [e["carried"] for e in expected] == [150, 200, 200, 200]
    assert [e["expired"] for e in expected] == [0, 40, 70, 70]
    for period, mine in zip(vouchers.periods, expected, strict=True):
        assert period.reform.beneficiaries == n
        assert period.reform.entitlement.amount == n * RIGHT
        assert period.reform.expected_use.amount == n * mine["use"]
        assert period.reform.carried_over.amount == n * mine["carried"]
        assert period.reform.expired.amount == n * mine["expired"]
        assert period.reform.public_cost is not None
        assert period.reform.public_cost.amount == n * mine["cost"]
        # the law: use it or lose it
        assert period.baseline.expected_use.amount == n * RIGHT * RATE
        assert period.baseline.carried_over.amount == 0
        assert period.baseline.expired.amount == n * RIGHT * (1 - RATE)
    reform_use = sum(e["use"] for e in expected)
    assert vouchers.total.reform.expected_use.amount == n * reform_use
    assert vouchers.total.reform.carried_over.amount == n * expected[-1]["carried"]
    assert vouchers.total.reform.beneficiaries == n
    assert vouchers.gainers.count == n
    assert vouchers.gainers.amount.amount == n * (reform_use - len(KEYS) * RIGHT * RATE)
    assert vouchers.losers.count == 0
    assert total.overall is not None
    spent = n * (reform_use - len(KEYS) * RIGHT * RATE) * GOVERNMENT_SHARE
    vov_etc = total.overall.total.reform.amount - total.overall.total.baseline.amount
    assert vov_etc == spent  # only the vouchers change
    assert total.overall.gainers.count == n


def test_a_longer_validity_keeps_more() -> None:
    reform = {
        "parameters": {
            "opleidingscheques.carryOverCap": [{"effectiveFrom": "2027-09-01", "value": "300"}],
            "opleidingscheques.carryOverValidity": [{"effectiveFrom": "2027-09-01", "value": 3}],
        }
    }
    total = run(reform, 10, "valid-3")
    vouchers = next(f for f in total.incentives if f.incentive == "opleidingscheques")
    expected = by_hand(Decimal(300), 3, len(KEYS))
    assert [p.reform.carried_over.amount for p in vouchers.periods] == [
        10 * e["carried"] for e in expected
    ]
    assert [e["carried"] for e in expected] == [150, 240, 294, 300]


def test_a_reform_equal_to_the_law_changes_nothing_over_the_horizon() -> None:
    same = {
        "parameters": {
            "opleidingscheques.carryOverCap": [{"effectiveFrom": "2019-09-01", "value": "0"}]
        }
    }
    total = run(same, 12, "same")
    assert total.overall is not None
    assert total.overall.gainers.count == total.overall.losers.count == 0
    for figures in total.incentives:
        assert figures.gainers.count == figures.losers.count == 0
        for period in [*figures.periods, figures.total]:
            assert period.baseline == period.reform


@pytest.mark.parametrize("periods", [0, -1, MAX_PERIODS + 1])
def test_a_horizon_out_of_bounds_names_periods(periods: int) -> None:
    with pytest.raises(InvalidInput) as raised:
        horizon(parse_key("2027-28"), periods)
    assert raised.value.field == "periods"


def test_followed_leaves_out_rights_held_over_a_window() -> None:
    codes, left = followed(PERIODS)
    assert {"opleidingscheques", "vov"} <= set(codes)
    assert "zorgkrediet" in left
    assert "opleidingsrecht" in left
    assert horizon(parse_key("2027-28"), 3)[2].start == date(2029, 9, 1)
