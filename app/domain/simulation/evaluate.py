"""The simulation's rules path: each citizen's facts valid on each incentive's reference date
(the one ``fold``), decided by the rules engine under the baseline's and the reform's parameter
books (``decide``: the same rule functions as ``evaluate``), remembered per the facts the rules
read (``ReadMemo``). Picklable: it runs in worker processes (``batch``)."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from app.domain.facts_in_time import facts_on
from app.domain.ledger.repository import Declaration
from app.domain.quantities import Quantity, Unit
from app.domain.rules import RULES, Facts, funding_shares, reference_date
from app.domain.rules.engine import decide
from app.domain.rules.memo import ReadMemo
from app.domain.rules.parameters import ParameterBook
from app.domain.simulation.reform import Reform

CODES = tuple(RULES)
VOK_MONTHS = 12
"""A time credit's allowance is counted for a year of it (docs/simulation.md)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One incentive's answer for a citizen on one side: eligible or not, the entitlement (or
    the monthly amount) in minor units of ``unit``, and who pays for it (EUR cents by payer;
    empty where the service does not model the cost)."""

    status: str
    amount: int
    unit: str | None
    funding: tuple[tuple[str, int], ...] = ()

    @property
    def beneficiary(self) -> bool:
        return self.status == "eligible" and self.amount > 0

    @property
    def public_cost(self) -> int:
        return sum(cents for payer, cents in self.funding if payer == "government")


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(ROUND_DOWN))


def funding(code: str, quantity: Quantity, as_of: date, book: ParameterBook) -> dict[str, int]:
    """EUR cents by payer of an entitlement: a money right by its co-financing shares, VOV
    hours by the flat refund the government pays the employer, a time credit's allowance for
    a year; nothing for rights whose cost the service does not model."""
    if quantity.unit is Unit.EUR and code == "vok":
        return {"government": _cents(quantity.amount * VOK_MONTHS)}
    if quantity.unit is Unit.EUR:
        shares = funding_shares(code, as_of, book=book)
        return {payer: _cents(quantity.amount * share) for payer, share in shares.items()}
    if code == "vov":
        refund = book[code].decimal("employerRefundPerHour", as_of)
        return {"government": _cents(quantity.amount * refund)}
    return {}


def outcome(code: str, facts: Facts, as_of: date, book: ParameterBook) -> Outcome:
    """``code``'s answer on ``facts`` under ``book``."""
    decision = decide(facts, as_of, code, book)
    quantity = decision.entitlement or decision.monthly_amount
    if decision.status != "eligible" or quantity is None:
        unit = quantity.unit.value if quantity else None
        return Outcome(decision.status, 0, unit)
    paid = funding(code, quantity, as_of, book)
    return Outcome(
        decision.status, quantity.minor, quantity.unit.value, tuple(sorted(paid.items()))
    )


Pair = tuple[Outcome, Outcome]
"""(baseline, reform)."""


@dataclass(slots=True)
class Simulator:
    """The rules for one simulation (its reform, its day), remembered per facts read."""

    reform: Reform
    as_of: date
    books: tuple[ParameterBook, ParameterBook] = field(init=False)
    memos: dict[str, ReadMemo[int]] = field(init=False)
    pairs: list[Pair] = field(init=False, default_factory=list)
    """The distinct answers met so far; the memos answer their index."""
    pair_ids: dict[Pair, int] = field(init=False, default_factory=dict)
    days: dict[str, date] = field(init=False)

    def __post_init__(self) -> None:
        self.books = self.reform.books()
        self.days = {code: reference_date(code, self.as_of) for code in CODES}
        self.memos = {code: ReadMemo(self._pair(code)) for code in CODES}

    def _pair(self, code: str) -> Any:
        baseline, reform = self.books

        def both(facts: Facts) -> int:
            pair = (
                outcome(code, facts, self.as_of, baseline),
                outcome(code, facts, self.as_of, reform),
            )
            found = self.pair_ids.get(pair)
            if found is None:
                found = self.pair_ids[pair] = len(self.pairs)
                self.pairs.append(pair)
            return found

        return both

    def citizen(
        self, declarations: Sequence[Declaration]
    ) -> tuple[dict[str, Any], tuple[int, ...]] | None:
        """The facts valid on the day and each incentive's (baseline, reform) answer for one
        citizen, on the facts valid on its reference date (None: no facts valid on the day; an
        incentive whose reference date no facts were valid on is answered on no facts). The
        answers are indices in ``pairs``, in ``CODES`` order."""
        on_day = facts_on(declarations, self.as_of)
        if on_day is None:
            return None
        found: dict[date, dict[str, Any]] = {self.as_of: on_day.facts}
        answers = []
        for code in CODES:
            day = self.days[code]
            if day not in found:
                row = facts_on(declarations, day)
                found[day] = row.facts if row else {}
            answers.append(self.memos[code].get(found[day]))
        return on_day.facts, tuple(answers)

    def on_nothing(self) -> tuple[int, ...]:
        """Each incentive's answer on no facts (a citizen with none valid on the day)."""
        return tuple(self.memos[code].get({}) for code in CODES)

    @property
    def evaluations(self) -> int:
        return sum(m.evaluations for m in self.memos.values())


def parse_declarations(text: str) -> list[Declaration]:
    """[[version, observed on, declared], ...] (valid-time order) as ``fold`` takes them."""
    return [(0, v, date.fromisoformat(on), d) for v, on, d in json.loads(text)]
