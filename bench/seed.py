"""Synthetic citizens for benchmarks: stored facts for N citizens, written by PostgreSQL itself
(generate_series), with a realistic spread of statuses, regions, fractions and education."""

import asyncio

import asyncpg

FACTS_SQL = """
INSERT INTO citizen_facts (citizen_key, version, facts, source, observed_on, recorded_at,
                           recorded_by)
SELECT encode(sha256(('bench-' || i)::bytea), 'hex'), 1,
  jsonb_build_object(
    'status', (ARRAY['employee','employee','employee','employee','employee','employee',
                     'employee','selfEmployed','jobseeker','student'])[1 + i % 10],
    'sector', (ARRAY['private','private','private','socialProfit','flemishPublic',
                     'localPublic'])[1 + (i / 10) % 6],
    'workplaceRegion', (ARRAY['flanders','flanders','flanders','flanders','brussels',
                              'wallonia'])[1 + (i / 60) % 6],
    'residenceRegion', (ARRAY['flanders','flanders','flanders','brussels'])[1 + (i / 7) % 4],
    'employmentFraction', (ARRAY['0.50','0.60','0.80','0.90','1.00','1.00'])[1 + (i / 3) % 6],
    'weeklyHours', (ARRAY['19.00','22.80','30.40','34.20','38.00','38.00'])[1 + (i / 3) % 6],
    'educationLevel', (ARRAY['low','medium','medium','high'])[1 + (i / 11) % 4],
    'workExperienceMonths', (i * 37) % 480,
    'careerVouchersUsed', (i / 13) % 3,
    'employerFte', ((i * 7) % 200)::text,
    'receivesUnemploymentBenefit', i % 10 = 8,
    'contractType', (ARRAY['regular','regular','regular','regular','student',
                           'apprenticeship'])[1 + (i / 17) % 6],
    'agencyWorker', i % 23 = 0,
    'sideSelfEmployed', i % 31 = 0,
    'livesAlone', i % 5 = 0),
  'bench', DATE '2026-01-05', now(), 'bench'
FROM generate_series(:first, :last) AS i
"""


async def seed_facts(url: str, citizens: int, chunk: int = 200_000) -> None:
    conn = await asyncpg.connect(url)
    try:
        have = await conn.fetchval("SELECT count(*) FROM citizen_facts WHERE source = 'bench'")
        for first in range(have + 1, citizens + 1, chunk):
            last = min(first + chunk - 1, citizens)
            sql = FACTS_SQL.replace(":first", str(first)).replace(":last", str(last))
            await conn.execute(sql)
        await conn.execute("ANALYZE citizen_facts")
    finally:
        await conn.close()


def seed(url: str, citizens: int) -> None:
    asyncio.run(seed_facts(url, citizens))
