"""A population for the statistics tests, made through the API: citizens with facts (education
level, employer size) and SSINs of chosen birth years (age band) and serials (sex), their rights
settled and granted, some of them used; and an attacker who works out suppressed cells."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import httpx

from tests.support import EMPLOYEE_FACTS, Clock, grant, post_txn, qty

TODAY = datetime(2032, 11, 15, 10, tzinfo=UTC)
"""A day no other test posts in: the statistics of its periods are these tests' own."""
BIRTH_YEARS = [1999, 1999, 1999, 1999, 1990, 1990, 1990, 1980, 1980, 1970]
# (education level, citizens, of whom users)
POPULATION = [("low", 12, 3), ("medium", 30, 12), ("high", 14, 9)]


def ssin_born(rng: random.Random, year: int) -> str:
    first9 = (
        f"{year % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1, 997):03d}"
    )
    born_since_2000 = "2" if year >= 2000 else ""  # the check digits of those born from 2000
    return first9 + f"{97 - int(born_since_2000 + first9) % 97:02d}"


@dataclass
class Population:
    ssins: dict[str, list[str]] = field(default_factory=dict)
    users: set[str] = field(default_factory=set)


async def seed(
    client: httpx.AsyncClient,
    clock: Clock,
    rng: random.Random,
    today: datetime = TODAY,
    settle: bool = True,
) -> Population:
    """The population, on ``today`` (facts observed from 1 September of its school year);
    ``settle``: each wallet read once first (rights from the rules)."""
    clock.offset = today - datetime.now(UTC)
    observed = f"{today.year if today.month >= 9 else today.year - 1}-09-01"
    made = Population()
    i = 0
    for level, count, users in POPULATION:
        made.ssins[level] = []
        for n in range(count):
            ssin = ssin_born(rng, BIRTH_YEARS[i % len(BIRTH_YEARS)])
            i += 1
            facts = EMPLOYEE_FACTS | {
                "educationLevel": level,
                "employerFte": str(rng.choice([5, 15, 45, 300])),
            }
            response = await client.put(
                f"/citizens/{ssin}/facts",
                json={"facts": facts, "source": "dmfa", "observedOn": observed},
            )
            assert response.status_code == 200, response.text
            if settle:
                assert (await client.get(f"/wallet/{ssin}")).status_code == 200
            await grant(client, ssin, "vov", "40", "HOUR")
            if n < users:
                body = {"type": "redeem", "ssin": ssin, "incentive": "vov"}
                redeem = await post_txn(client, body | {"amount": qty("10", "HOUR")})
                assert redeem.status_code == 201, redeem.text
                made.users.add(ssin)
            made.ssins[level].append(ssin)
    return made


async def wallets(client: httpx.AsyncClient, ssins: list[str], incentive: str) -> dict[str, Any]:
    """What the citizens' wallets say of ``incentive`` in today's period, summed."""
    total = {"granted": 0.0, "used": 0.0, "reserved": 0.0}
    for ssin in ssins:
        wallet = (await client.get(f"/wallet/{ssin}")).json()
        for right in wallet["rights"]:
            if right["incentive"] == incentive:
                for name in total:
                    total[name] += float(right[name])
    return total


def recover(table: dict[str, Any], measure: str = "eligible") -> dict[int, Fraction]:
    """The attacker: every suppressed cell (index into cells + totals) whose value follows from
    the published cells and totals, by elimination on the additions the table must satisfy."""
    by = table["by"]
    entries = table["cells"] + table["totals"]
    value = [None if e[measure] is None else Fraction(e[measure]) for e in entries]
    additions: list[tuple[int, list[int]]] = []
    grand = len(entries) - 1
    cells = range(len(table["cells"]))
    for i, total in enumerate(entries[:-1]):
        if i in cells:
            continue
        ((dim, val),) = total["group"].items()
        additions.append((i, [j for j in cells if entries[j]["group"][dim] == val]))
    additions.append((grand, list(cells)))
    for d in by:
        additions.append(
            (grand, [i for i, e in enumerate(entries[:-1]) if i not in cells and d in e["group"]])
        )
    unknown = [i for i, v in enumerate(value) if v is None]
    rows = []
    for total, parts in additions:
        if not parts:
            continue
        coefficients = [Fraction(0)] * len(unknown)
        rest = Fraction(0)
        for p in parts:
            if value[p] is None:
                coefficients[unknown.index(p)] += 1
            else:
                rest -= value[p]
        if value[total] is None:
            coefficients[unknown.index(total)] -= 1
        else:
            rest += value[total]
        rows.append([*coefficients, rest])
    # Gauss-Jordan on the augmented rows; a row left with one unknown gives its value
    pivot_row = 0
    for col in range(len(unknown)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][col]), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [x / lead for x in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col]:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    recovered = {}
    for row in rows:
        nonzero = [c for c in range(len(unknown)) if row[c]]
        if len(nonzero) == 1:
            recovered[unknown[nonzero[0]]] = row[-1] / row[nonzero[0]]
    return recovered
