"""GET /statistics/takeUp over N citizens (default 1,000,000), beside PostgreSQL's own ceiling
(pgbench select-only) on the same server, in the same run.

    .venv/bin/python bench/bench_statistics.py [--citizens 1000000] [--repeat 20]

Seeds N citizens' dimensions and their rights directly in SQL (too slow through the API), but
the rights go through the ledger's one posting path (``ledger_post``, batches of 20,000 grants,
a redeem for every third citizen), so the statistics queue is filled by its trigger as in
production. Then it folds the queue with the aggregate code (``llr statistics refresh``) and
times the take-up read as the endpoint runs it (query parsed, aggregates refreshed, read logged,
table built with disclosure control), by one and by two dimensions."""

import argparse
import asyncio
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands.statistics import CliReader, refresh_all
from app.db import create_engine, create_sessionmaker
from app.domain.grants import RulesCatalog
from app.domain.statistics import service
from app.migrate import upgrade
from app.settings import Settings
from bench import pgbench
from bench.database import server

GROUPS = """
INSERT INTO statistics_groups (education_level, age_band, sex, status, sector, residence_region,
    employer_size)
SELECT e, a, s, st, 'private', r, z
FROM unnest(ARRAY['low','medium','high','unknown']) e,
     unnest(ARRAY['under25','25to34','35to44','45to54','55plus']) a,
     unnest(ARRAY['female','male']) s, unnest(ARRAY['employee','jobseeker','selfEmployed']) st,
     unnest(ARRAY['flanders','brussels']) r,
     unnest(ARRAY['under10','10to19','20to49','50to249','250plus']) z
ON CONFLICT DO NOTHING
"""
DIMENSIONS = """
INSERT INTO citizen_dimensions (citizen_key, valid_from, group_id)
SELECT encode(sha256(('bench-' || i)::bytea), 'hex'), DATE '2026-09-01',
    (SELECT min(id) FROM statistics_groups)
        + (i::bigint * 7919) % (SELECT count(*) - 1 FROM statistics_groups)
FROM generate_series($1::int, $2::int) AS i
"""
ACCOUNTS = """
INSERT INTO ledger_accounts (kind, citizen_key, incentive, period_key, unit, balance)
SELECT k, encode(sha256(('bench-' || i)::bytea), 'hex'), 'vov', '2026-27', 'HOUR', 0
FROM generate_series($1::int, $2::int) AS i, unnest(ARRAY['available', 'held']) AS k
"""
POST = """
WITH b AS (
    SELECT i, gen_random_uuid() AS id, a.citizen_key AS key, a.id AS account,
        CASE $3 WHEN 'grant' THEN 4000 + (i % 9) * 1000 ELSE 1000 + (i % 5) * 100 END AS amount
    FROM generate_series($1::int, $2::int) AS i
    JOIN ledger_accounts a ON a.citizen_key = encode(sha256(('bench-' || i)::bytea), 'hex')
        AND a.kind = 'available' AND a.incentive = 'vov' AND a.period_key = '2026-27'
    WHERE $3 = 'grant' OR i % 3 = 0
)
SELECT ledger_post(now(), array_agg(id), array_agg($3::text), array_agg(key::text),
    array_agg(NULL::bytea), array_agg(NULL::text), array_agg('vov'::text),
    array_agg('2026-27'::text), array_agg('HOUR'::text), array_agg(amount::bigint),
    array_agg(DATE '2026-10-01'), array_agg('bench'::text), array_agg(NULL::text),
    array_agg(NULL::text), array_agg(NULL::text), array_agg(NULL::text),
    array_agg(NULL::timestamptz), array_agg(NULL::uuid), array_agg(NULL::uuid),
    array_agg(NULL::uuid), array_agg(NULL::text), array_agg(NULL::text),
    array_agg(id) || array_agg(id),
    array_agg(CASE $3 WHEN 'grant' THEN NULL ELSE account END)
        || array_agg(CASE $3 WHEN 'grant' THEN account END),
    array_agg(CASE $3 WHEN 'grant' THEN 'issuer' END)
        || array_agg(CASE $3 WHEN 'grant' THEN NULL ELSE 'used' END),
    array_agg('D'::text) || array_agg('C'::text),
    array_agg(amount::bigint) || array_agg(amount::bigint),
    array_agg(CASE $3 WHEN 'grant' THEN 'grant' ELSE 'use' END)
        || array_agg(CASE $3 WHEN 'grant' THEN 'grant' ELSE 'use' END))
FROM b
"""


async def seed(url: str, citizens: int, chunk: int = 20_000) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(GROUPS)
        for first in range(1, citizens + 1, 200_000):
            last = min(first + 199_999, citizens)
            await conn.execute(DIMENSIONS, first, last)
            await conn.execute(ACCOUNTS, first, last)
        await conn.execute("ANALYZE")
        for kind in ("grant", "redeem"):
            for first in range(1, citizens + 1, chunk):
                await conn.execute(POST, first, min(first + chunk - 1, citizens), kind)
            print(f"posted: {kind}", flush=True)
    finally:
        await conn.close()


async def time_reads(settings: Settings, url: str, repeat: int) -> dict[str, list[float]]:
    engine = create_engine(settings, url)
    sessions = create_sessionmaker(engine)
    catalog, today, found = RulesCatalog(), date(2026, 12, 2), {}
    try:
        for by in (["educationLevel"], ["educationLevel", "ageBand"]):
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                async with sessions() as session, session.begin():
                    query, left = await service.open_read(
                        session,
                        catalog,
                        CliReader(),
                        "statistics.takeUp",
                        ("vov", "2026-27", by),
                        today,
                    )
                    table = await service.take_up(session, catalog, query, today, left)
                times.append((time.perf_counter() - started) * 1000)
            assert table.grand_total.figures is not None
            print(
                f"  by {','.join(by)}: eligible {table.grand_total.figures.eligible:,}, "
                f"users {table.grand_total.figures.users:,}"
            )
            found[",".join(by)] = times
    finally:
        await engine.dispose()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=5, help="pgbench run")
    args = parser.parse_args()
    with server() as db:
        ceiling_url = db.database("bench_pgbench")
        pgbench.initialise(ceiling_url, 10)
        select_only = pgbench.measure(
            ceiling_url, select_only=True, clients=16, seconds=args.seconds
        )
        url = db.database("bench_statistics")
        upgrade(url)
        started = time.perf_counter()
        asyncio.run(seed(url, args.citizens))
        seeded = time.perf_counter() - started
        settings = Settings(database_url=url, db_statement_timeout_ms=0)
        started = time.perf_counter()
        folded = asyncio.run(refresh_all(settings, url))
        fold_seconds = time.perf_counter() - started
        reads = asyncio.run(time_reads(settings, url, args.repeat))
    rate = folded / fold_seconds
    print(
        f"\n{args.citizens:,} citizens; seeded (SQL + ledger_post) in {seeded:.1f} s; "
        f"folded {folded:,} legs in {fold_seconds:.1f} s ({rate:,.0f} legs/s)"
    )
    print("\n| scenario | median ms | max ms | per second | vs pgbench select-only |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| pgbench select-only (16 clients) | {select_only.latency_ms:.2f} (avg) | | "
        f"{select_only.tps:,.0f} tps | |"
    )
    for by, times in reads.items():
        median = statistics.median(times)
        share = 1000 / median / select_only.tps
        print(
            f"| takeUp by {by}, {args.citizens:,} citizens (1 client) | {median:.1f} | "
            f"{max(times):.1f} | {1000 / median:,.0f} | {share:.2%} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
