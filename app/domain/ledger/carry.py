"""The carry-over rule of a period's end, pure: what of an unused balance moves into the next
period, by age. The ledger's period end (``maintenance.close_period_batch``) and the multi-year
simulation (``simulation.horizon``) both call it, so they cannot disagree."""

from decimal import Decimal

from app.domain.quantities import Quantity, Unit


def cap_in_minor(cap: Decimal, unit: Unit) -> int:
    """A carry-over cap (``carryOverCap``, in the right's unit) in minor units."""
    return Quantity.parse(cap, unit, allow_zero=True).minor


def carry_by_age(
    balance: int, granted: int, carried_in: dict[int, int], cap: int, validity: int
) -> dict[int, int]:
    """What moves into the next period, by age (1: granted in the period that ends; n: carried
    n-1 times already), in minor units.

    What was used went first out of the oldest carried amounts (first in, first out); an amount
    older than ``validity`` periods lapses; the cap takes the youngest amounts first, as they
    stay usable longest."""
    used = max(0, granted + sum(carried_in.values()) - balance)
    left: dict[int, int] = {}
    for age in sorted(carried_in, reverse=True):
        taken = min(used, carried_in[age])
        used -= taken
        left[age + 1] = carried_in[age] - taken
    left[1] = balance - sum(left.values())
    carry, room = {}, cap
    for age in sorted(left):
        if age <= validity and left[age] > 0 and room > 0:
            carry[age] = min(left[age], room)
            room -= carry[age]
    return carry
