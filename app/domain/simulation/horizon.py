"""A multi-year run: N periods one after the other, for baseline and reform, each citizen's right
of each period from the rules (the simulators of ``evaluate``), of which the citizen is
expected to use the take-up rate of their group (``behaviour``) of all they hold (the period's
right and what was carried into it); what is left is carried over or expires at the period's
end by the ledger's own rule (``ledger.carry.carry_by_age``) under each side's carry-over cap
and validity. Expected values, rounded to the minor unit per citizen: deterministic."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from app.domain.errors import InvalidInput
from app.domain.ledger.carry import cap_in_minor, carry_by_age
from app.domain.periods import Period, PeriodKind, calendar_year, school_year
from app.domain.quantities import Quantity
from app.domain.rules import INCENTIVES, carry_over_cap, carry_over_validity
from app.domain.rules.parameters import ParameterBook
from app.domain.simulation.behaviour import Behaviour
from app.domain.simulation.evaluate import CODES, Outcome, Pair, funding
from app.domain.simulation.tally import STEP, GroupKey, HorizonTally, add_change

MAX_PERIODS = 6
NEXT = {PeriodKind.SCHOOL_YEAR: school_year, PeriodKind.CALENDAR_YEAR: calendar_year}


def horizon(first: Period, periods: int) -> list[Period]:
    """``periods`` periods from ``first`` on, or ``InvalidInput`` naming ``periods``."""
    if not 1 <= periods <= MAX_PERIODS:
        raise InvalidInput("periods", periods, f"from 1 to {MAX_PERIODS} periods")
    following = NEXT.get(first.kind)
    if following is None and periods > 1:
        raise InvalidInput(
            "periods",
            periods,
            f"a multi-year run steps by school or calendar year: {first.key} is a "
            f"{first.kind.value}",
        )
    made = [first]
    while len(made) < periods:
        assert following is not None
        made.append(following(made[-1].end + timedelta(days=1)))
    return made


def followed(periods: Sequence[Period]) -> tuple[tuple[str, ...], dict[str, str]]:
    """The incentives a multi-year run follows (a new right of their own in every period of
    the horizon), and why each other is not."""
    codes, left = [], {}
    for code in CODES:
        own = [INCENTIVES[code].period_for(p.start) for p in periods]
        if len(set(own)) == len(own):
            codes.append(code)
        else:
            left[code] = (
                f"held over a {own[0].kind.value} ({own[0].key}): counting it in each "
                "period would count the same right again"
            )
    return tuple(codes), left


@dataclass(frozen=True, slots=True)
class Step:
    """One side of one incentive in one period, for one citizen (minor units; cost in EUR
    cents of the expected use)."""

    beneficiary: int
    entitlement: int
    use: int
    carried: int
    expired: int
    cost: int

    @property
    def figures(self) -> tuple[int, ...]:
        """In ``STEP`` order."""
        return (self.beneficiary, self.entitlement, self.use, self.carried, self.expired, self.cost)


def steps(
    code: str, outcomes: Sequence[Outcome], rate: Decimal, days: Sequence[date], book: ParameterBook
) -> tuple[Step, ...]:
    """A citizen's periods of ``code`` on one side: their answers, one per period."""
    definition = INCENTIVES[code]
    carried: dict[int, int] = {}
    made = []
    for outcome, day in zip(outcomes, days, strict=True):
        unit = definition.unit_for(day)
        right = outcome.amount if outcome.beneficiary else 0
        held = right + sum(carried.values())
        use = min(held, int((held * rate).to_integral_value(ROUND_HALF_EVEN)))
        paid = funding(code, Quantity.from_minor(use, unit), day, book).get("government", 0)
        if definition.holds_balance:
            end = definition.period_for(day).end
            cap = cap_in_minor(carry_over_cap(code, end, book), unit)
            carried = carry_by_age(
                held - use, right, carried, cap, carry_over_validity(code, end, book)
            )
        moved = sum(carried.values())
        expired = held - use - moved if definition.holds_balance else 0
        made.append(Step(int(outcome.beneficiary), right, use, moved, expired, paid))
    return tuple(made)


class Projector:
    """Adds citizens' multi-year figures to a ``HorizonTally``; remembers each distinct
    trajectory (by incentive, side, rate and answers)."""

    def __init__(
        self,
        codes: Sequence[str],
        days: Sequence[date],
        behaviour: Behaviour,
        books: Sequence[ParameterBook],
    ) -> None:
        self.codes = tuple(codes)
        self.at = [CODES.index(c) for c in codes]
        self.days = tuple(days)
        self.behaviour = behaviour
        self.books = tuple(books)
        self.memo: dict[tuple[str, int, Decimal, tuple[Outcome, ...]], tuple[Step, ...]] = {}

    def _steps(
        self, code: str, side: int, rate: Decimal, outcomes: tuple[Outcome, ...]
    ) -> tuple[Step, ...]:
        key = (code, side, rate, outcomes)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = steps(code, outcomes, rate, self.days, self.books[side])
        return found

    def add(
        self, tally: HorizonTally, group: GroupKey, answers: Sequence[Sequence[Pair]], n: int
    ) -> None:
        """``n`` citizens of ``group`` with these (baseline, reform) answers, per period then
        per code in ``CODES`` order."""
        row = tally.row(group)
        row[0] += n
        cost_change = 0
        for i, (code, j) in enumerate(zip(self.codes, self.at, strict=True)):
            rate = self.behaviour.rate(code, group)
            at = 1 + i * tally.code_width
            sides = []
            for side in (0, 1):
                outcomes = tuple(pairs[j][side] for pairs in answers)
                unit = next((o.unit for o in outcomes if o.unit), None)
                if unit:
                    tally.units.setdefault(code, unit)
                found = self._steps(code, side, rate, outcomes)
                start = at + side * tally.side_width
                row[start] += n * max(s.beneficiary for s in found)
                for p, step in enumerate(found):
                    for k, value in enumerate(step.figures):
                        row[start + 1 + p * len(STEP) + k] += n * value
                sides.append(found)
            base, new = sides
            use_change = sum(s.use for s in new) - sum(s.use for s in base)
            add_change(row, at + 2 * tally.side_width, n, use_change)
            cost_change += sum(s.cost for s in new) - sum(s.cost for s in base)
        add_change(row, 1 + len(self.codes) * tally.code_width, n, cost_change)
