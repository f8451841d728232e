"""Citizens the HTTP scenarios can address by SSIN: valid, distinct SSINs made in order, and their
stored facts keyed like the service keys them (HMAC of the SSIN under LLR_CITIZEN_KEY_SECRET)."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import asyncpg

from app.domain.identity import CitizenKeyer, parse_ssin
from app.settings import Settings

# A private-sector employee working in Flanders at 80%: entitled to VOV (hours), training
# vouchers (EUR) and career vouchers, as tests/support.EMPLOYEE_FACTS.
EMPLOYEE_FACTS = {
    "status": "employee",
    "sector": "private",
    "workplaceRegion": "flanders",
    "residenceRegion": "flanders",
    "employmentFraction": "0.80",
    "weeklyHours": "30.40",
    "educationLevel": "medium",
    "workExperienceMonths": 120,
    "careerVouchersUsed": 0,
    "employerFte": "45",
    "receivesUnemploymentBenefit": False,
    "contractType": "regular",
    "agencyWorker": False,
    "sideSelfEmployed": False,
    "livesAlone": False,
}


def ssins(first: int, count: int) -> Iterator[str]:
    """National register numbers ``first`` .. ``first + count - 1`` of a fixed enumeration (born
    1950-1999, day 1-28, serial 1-997), each with its check digits: distinct by construction."""
    for i in range(first, first + count):
        serial, day_index = i % 997 + 1, i // 997
        day, month_index = day_index % 28 + 1, day_index // 28
        month, year = month_index % 12 + 1, 50 + (month_index // 12) % 50
        first9 = f"{year:02d}{month:02d}{day:02d}{serial:03d}"
        yield first9 + f"{97 - int(first9) % 97:02d}"


INSERT_FACTS = """
INSERT INTO citizen_facts (citizen_key, version, facts, source, observed_on, recorded_by)
SELECT key, 1, CAST($2 AS jsonb), 'bench', DATE '2026-01-05', 'bench'
FROM unnest(CAST($1 AS text[])) AS key
"""


async def _seed(url: str, keys: list[str]) -> None:
    conn = await asyncpg.connect(url)
    try:
        for start in range(0, len(keys), 50_000):
            await conn.execute(
                INSERT_FACTS, keys[start : start + 50_000], json.dumps(EMPLOYEE_FACTS)
            )
        await conn.execute("ANALYZE citizen_facts")
    finally:
        await conn.close()


def seed_citizens(url: str, settings: Settings, first: int, count: int, path: Path) -> list[str]:
    """Stores facts for ``count`` citizens and writes their SSINs to ``path``, one a line."""
    keyer = CitizenKeyer(settings.citizen_key_secret.get_secret_value().encode())
    made = list(ssins(first, count))
    parse_ssin(made[0])  # the enumeration makes valid SSINs (the service would refuse others)
    asyncio.run(_seed(url, [keyer.key(parse_ssin(s)) for s in made]))
    path.write_text("\n".join(made) + "\n")
    return made
