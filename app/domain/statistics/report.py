"""Take-up tables as published: cells per combination of up to two dimensions, their totals,
rates and representation indices, with disclosure control applied (``disclosure``). Pure: the
figures come in as ``Figures`` per group (from the aggregates), the table goes out."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol, Self, TypeVar

from app.domain.periods import Period
from app.domain.quantities import Unit
from app.domain.statistics.dimensions import Dimension
from app.domain.statistics.disclosure import Addition, protect

FLAG_CONFIDENTIAL = "c"
"""Eurostat's flag for a value withheld for confidentiality."""
RATE = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Figures:
    """A group's figures for one incentive and period; amounts in minor units."""

    eligible: int = 0
    users: int = 0
    granted: int = 0
    used: int = 0
    reserved: int = 0
    expired_unused: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.eligible + other.eligible,
            self.users + other.users,
            self.granted + other.granted,
            self.used + other.used,
            self.reserved + other.reserved,
            self.expired_unused + other.expired_unused,
        )


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE, ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Cell:
    """One published cell: the dimension values it is for (a total omits those it sums over)
    and its figures, or None with the flag when suppressed."""

    group: Mapping[str, str]
    figures: Figures | None
    flag: str | None = None
    take_up_rate: Decimal | None = None
    representation_index: Decimal | None = None

    @property
    def suppressed(self) -> bool:
        return self.figures is None


@dataclass(frozen=True, slots=True)
class TakeUpTable:
    incentive: str
    period: Period
    unit: Unit
    by: tuple[Dimension, ...]
    cells: list[Cell]
    totals: list[Cell]
    """Row totals, then column totals (two dimensions), then the grand total (always last)."""
    pending: int = 0
    """Legs posted but not folded yet when the table was read (0: the ledger as it stands)."""
    notes: tuple[str, ...] = field(default=())

    @property
    def grand_total(self) -> Cell:
        return self.totals[-1]


class Summable(Protocol):
    def __add__(self, other: Self, /) -> Self: ...


S = TypeVar("S", bound=Summable)


def totals(
    figures: Mapping[tuple[str, ...], S], by: Sequence[Dimension], zero: S
) -> list[tuple[dict[str, str], S]]:
    """(group, figures) for each row total, each column total, then the grand total."""
    grand = sum(figures.values(), zero)
    if len(by) < 2:
        return [({}, grand)]
    made = []
    for axis in (0, 1):
        sums: dict[str, S] = {}
        for key, value in figures.items():
            sums[key[axis]] = sums.get(key[axis], zero) + value
        made += [({by[axis].value: k}, sums[k]) for k in _ordered(by[axis], sums)]
    return [*made, ({}, grand)]


def _ordered(dimension: Dimension, values: Mapping[str, object]) -> list[str]:
    return [v for v in dimension.values if v in values]


def one_way_hidden(counts: Sequence[int]) -> set[int]:
    """What a one-way table of ``counts`` (its cells, then their sum: the grand total)
    suppresses, by index; every entry when the grand total itself is small."""
    grand = len(counts) - 1
    hidden = protect(counts, [Addition(grand, tuple(range(grand)))], range(grand))
    return set(range(len(counts))) if grand in hidden else hidden


def _two_way_hidden(
    keys: Sequence[tuple[str, ...]], counts: Sequence[int], by: Sequence[Dimension]
) -> set[int]:
    """Entries are the cells (``keys``), the row totals, the column totals, the grand total.
    The totals are suppressed exactly as the one-way table of their dimension is (the same
    figures are published there), and cells as needed so that none of them is exposed."""
    n = len(keys)
    rows = _ordered(by[0], {k[0]: 1 for k in keys})
    cols = _ordered(by[1], {k[1]: 1 for k in keys})
    row_at = [n + i for i in range(len(rows))]
    col_at = [n + len(rows) + i for i in range(len(cols))]
    grand = len(counts) - 1
    additions = [
        *(
            Addition(row_at[i], tuple(j for j, k in enumerate(keys) if k[0] == r))
            for i, r in enumerate(rows)
        ),
        *(
            Addition(col_at[i], tuple(j for j, k in enumerate(keys) if k[1] == c))
            for i, c in enumerate(cols)
        ),
        Addition(grand, tuple(row_at)),
        Addition(grand, tuple(col_at)),
    ]
    already: set[int] = set()
    for at in (row_at, col_at):
        alone = one_way_hidden([*(counts[i] for i in at), counts[grand]])
        already |= {[*at, grand][i] for i in alone}
    return protect(counts, additions, range(n), already)


def ordered_keys(keys: Iterable[tuple[str, ...]], by: Sequence[Dimension]) -> list[tuple[str, ...]]:
    """Cells in display order (each dimension's values in order, ``unknown`` last)."""
    return sorted(keys, key=lambda k: tuple(d.values.index(v) for d, v in zip(by, k, strict=True)))


def suppressed(
    keys: Sequence[tuple[str, ...]], counts: Sequence[int], by: Sequence[Dimension]
) -> set[int]:
    """The entries a published table suppresses: the cells of ``keys`` (in order), then the
    totals (as ``totals`` gives them), ``counts`` the citizens each counts."""
    return one_way_hidden(counts) if len(by) < 2 else _two_way_hidden(keys, counts, by)


def build_table(
    incentive: str,
    period: Period,
    unit: Unit,
    by: Sequence[Dimension],
    figures: Mapping[tuple[str, ...], Figures],
) -> TakeUpTable:
    """The published table of ``figures``, keyed by the values of ``by`` in order (no
    dimension: one key, the empty tuple)."""
    keys = ordered_keys(figures, by)
    summed = totals(figures, by, Figures())
    values = [figures[k] for k in keys] + [f for _, f in summed]
    counts = [v.eligible for v in values]
    hidden = suppressed(keys, counts, by)
    groups = [dict(zip((d.value for d in by), k, strict=True)) for k in keys]
    groups += [g for g, _ in summed]
    overall = None if len(values) - 1 in hidden else values[-1]
    made = [
        _cell(group, value, i in hidden, overall)
        for i, (group, value) in enumerate(zip(groups, values, strict=True))
    ]
    n = len(keys)
    return TakeUpTable(incentive, period, unit, tuple(by), made[:n], made[n:])


def _cell(group: dict[str, str], figures: Figures, hidden: bool, overall: Figures | None) -> Cell:
    if hidden:
        return Cell(group, None, FLAG_CONFIDENTIAL)
    index = None
    if overall is not None and overall.users and figures.eligible:
        index = ratio(
            Decimal(figures.users) * overall.eligible, Decimal(overall.users) * figures.eligible
        )
    return Cell(group, figures, None, ratio(figures.users, figures.eligible), index)
