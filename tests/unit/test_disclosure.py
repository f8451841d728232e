"""Disclosure control without a database: primary and secondary suppression of one- and two-way
tables, checked by the same attacker the API tests use (elimination on the published totals),
which does recover a cell once the secondary suppression is taken away."""

import random
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.periods import school_year
from app.domain.quantities import Unit
from app.domain.statistics.dimensions import Dimension
from app.domain.statistics.disclosure import Addition, exposed, protect
from app.domain.statistics.report import Figures, build_table
from app.schemas.statistics import TakeUpOut
from tests.statistics_support import recover

PERIOD = school_year(date(2026, 10, 1))
EDU, AGE = Dimension.EDUCATION_LEVEL, Dimension.AGE_BAND


def published(by: tuple[Dimension, ...], counts: dict[tuple[str, ...], int]) -> dict[str, Any]:
    figures = {k: Figures(eligible=n, users=n // 3, granted=100 * n) for k, n in counts.items()}
    table = build_table("vov", PERIOD, Unit.HOUR, by, figures)
    return TakeUpOut.of(table).model_dump(by_alias=True, mode="json")


def test_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    table = published((EDU,), {("low",): 3, ("medium",): 30, ("high",): 12})
    shown = {c["group"]["educationLevel"]: c["eligible"] for c in table["cells"]}
    assert shown == {"low": None, "medium": 30, "high": None}
    assert table["totals"][-1]["eligible"] == 45
    assert recover(table) == {}


def test_nothing_is_suppressed_when_every_cell_is_large() -> None:
    table = published((EDU,), {("low",): 10, ("medium",): 30, ("high",): 12})
    assert all(c["flag"] is None for c in table["cells"] + table["totals"])


def test_a_small_population_is_suppressed_whole() -> None:
    table = published((EDU,), {("low",): 3, ("medium",): 4})
    assert all(c["eligible"] is None for c in table["cells"] + table["totals"])


def test_exposed_finds_what_a_combination_of_rows_and_columns_gives_away() -> None:
    # 2 x 2 with totals: cells 0..3, rows 4, 5, columns 6, 7, grand 8
    additions = [
        Addition(4, (0, 1)),
        Addition(5, (2, 3)),
        Addition(6, (0, 2)),
        Addition(7, (1, 3)),
        Addition(8, (4, 5)),
        Addition(8, (6, 7)),
    ]
    assert exposed({0}, additions) == {0}
    assert exposed({0, 1, 2, 3}, additions) == set()  # a cycle: anything + t, - t, ...
    assert exposed({0, 1, 2}, additions) == {0, 1, 2}  # 3 from its row, then the others
    counts = [3, 20, 25, 30, 23, 55, 28, 50, 78]
    hidden = protect(counts, additions, range(4))
    assert 0 in hidden
    assert exposed(hidden, additions) == set()


def _counts(rng: random.Random, rows: int, cols: int) -> dict[tuple[str, ...], int]:
    made = {}
    for r in EDU.values[:rows]:
        for c in AGE.values[:cols]:
            if rng.random() < 0.9:
                made[(r, c)] = rng.choice([rng.randint(1, 9), rng.randint(10, 60)])
    return made or {("low", "under25"): 5}


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 4), cols=st.integers(1, 6))
def test_no_suppressed_cell_of_a_two_way_table_can_be_recovered(
    seed: int, rows: int, cols: int
) -> None:
    counts = _counts(random.Random(seed), rows, cols)
    table = published((EDU, AGE), counts)
    entries = table["cells"] + table["totals"]
    assert all(e["eligible"] is None or e["eligible"] >= 10 for e in entries)
    assert all((e["eligible"] is None) == (e["flag"] == "c") for e in entries)

    def truth(entry: dict[str, Any]) -> int:
        wanted = entry["group"]
        return sum(
            n
            for k, n in counts.items()
            if all(
                dict(zip(("educationLevel", "ageBand"), k, strict=True))[d] == v
                for d, v in wanted.items()
            )
        )

    for measure in ("eligible", "users"):
        # what follows from the totals is only ever a value the totals publish anyway: never
        # a cell of fewer than 10 citizens
        assert all(truth(entries[i]) >= 10 for i in recover(table, measure)), measure
    # the totals are suppressed as the one-way tables of each dimension are
    for axis, dimension in enumerate((EDU, AGE)):
        alone: dict[tuple[str, ...], int] = {}
        for key, n in counts.items():
            alone[(key[axis],)] = alone.get((key[axis],), 0) + n
        one_way = published((dimension,), alone)
        margins = {
            e["group"][dimension.value]: e["eligible"]
            for e in table["totals"]
            if list(e["group"]) == [dimension.value]
        }
        for c in one_way["cells"]:  # never shows a total the one-way table suppresses
            assert c["eligible"] is not None or margins[c["group"][dimension.value]] is None


@pytest.mark.parametrize("seed", range(40))
def test_without_secondary_suppression_the_attacker_succeeds(seed: int) -> None:
    rng = random.Random(seed)
    counts = {(v,): rng.randint(1, 40) for v in EDU.values}
    if sum(n < 10 for n in counts.values()) != 1 or sum(counts.values()) < 10:
        counts[("low",)], counts[("medium",)], counts[("high",)] = 4, 25, 31
        counts[("unknown",)] = 12
    table = published((EDU,), counts)
    secondary = [
        c
        for c in table["cells"]
        if c["eligible"] is None and counts[(c["group"]["educationLevel"],)] >= 10
    ]
    assert secondary, "a lone small cell needs a second one"
    for c in secondary:
        c["eligible"] = counts[(c["group"]["educationLevel"],)]
    found = recover(table)
    [(index, value)] = found.items()
    small = table["cells"][index]["group"]["educationLevel"]
    assert value == counts[(small,)] < 10
