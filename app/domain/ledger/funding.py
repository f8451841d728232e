"""Co-financing: who pays what of a use of a money right."""

from decimal import ROUND_DOWN, Decimal

from app.domain.errors import InvalidInput
from app.domain.quantities import Quantity, Unit

PAYERS = ("citizen", "government", "employer", "sectorFund")


def split_funding(
    amount: Quantity, shares: dict[str, Decimal], given: dict[str, Quantity] | None
) -> dict[str, str]:
    """The funding of ``amount``: as given (checked), or by the incentive's shares, the rounding
    remainder going to the first payer named."""
    if given:
        unknown = [payer for payer in given if payer not in PAYERS]
        if unknown:
            raise InvalidInput(
                f"funding.{unknown[0]}", unknown[0], f"payers are {', '.join(PAYERS)}"
            )
        total = sum(q.minor for q in given.values())
        if total != amount.minor:
            raise InvalidInput(
                "funding",
                {k: v.text() for k, v in given.items()},
                f"the payers' parts must add up to {amount.text()}",
            )
        return {payer: q.text() for payer, q in given.items()}
    if not shares:
        shares = {"government": Decimal(1)}
    parts = {
        payer: int((Decimal(amount.minor) * share).to_integral_value(rounding=ROUND_DOWN))
        for payer, share in shares.items()
    }
    first = next(iter(parts))
    parts[first] += amount.minor - sum(parts.values())
    return {payer: Quantity.from_minor(minor, amount.unit).text() for payer, minor in parts.items()}


def scaled_funding(
    funding: dict[str, str] | None, taken: int, held: int, unit: Unit
) -> dict[str, str] | None:
    """The hold's funding scaled to the part captured (rounding remainder: first payer)."""
    if not funding:
        return None
    parts = {
        payer: Quantity.parse(amount, unit, allow_zero=True).minor
        for payer, amount in funding.items()
    }
    scaled = {payer: part * taken // held for payer, part in parts.items()}
    first = next(iter(scaled))
    scaled[first] += taken - sum(scaled.values())
    return {payer: Quantity.from_minor(v, unit).text() for payer, v in scaled.items()}
