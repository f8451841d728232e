"""The benchmark, one command: the service as deployed on this machine against PostgreSQL's own
ceiling on the same server. Prints a table and writes a JSON report.

    .venv/bin/python bench/run.py [--quick] [--seconds 10] [--connections 16] [--workers 2]

Without DATABASE_URL it starts a throw-away embedded PostgreSQL (durable settings); with it, it
works in fresh databases on that server and drops them afterwards. The load generator is wrk
(Debian's package, installed if missing) with the Lua scenarios in bench/lua/; PostgreSQL's
ceiling is pgbench (select-only and tpcb-like, same client count). Scenarios:

1. POST /eligibility, anonymous facts;
2. GET /wallet/{ssin} over citizens with stored facts, granted and with history (warm), and over
   citizens read for the first time (their rights are granted by that read);
3. POST /transactions reserve then capture on distinct citizens;
4. the same on one hot citizen, then its balance checked to the cent;
5. ``llr grant`` for 1,000,000 citizens (bench/bench_grant.py).
"""

import argparse
import asyncio
import dataclasses
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands.ledger import grant
from app.embedded_pg import free_port
from app.migrate import upgrade
from app.settings import Settings
from bench import bench_grant, checks, cpu, pgbench
from bench.citizens import seed_citizens
from bench.database import Server, analysing, server
from bench.load import Load, ensure_wrk, run_wrk
from bench.report import Row, print_table, write_report
from bench.service import Service


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smaller run (4 s scenarios, 20,000 citizens): about 3 minutes",
    )
    parser.add_argument("--seconds", type=float, help="per scenario (default 10; quick 4)")
    parser.add_argument(
        "--connections", type=int, default=16, help="wrk connections and pgbench clients"
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--pool-size", type=int, default=10, help="connections per worker")
    parser.add_argument(
        "--compare-workers",
        type=int,
        nargs="*",
        default=[],
        help="also run the read scenarios with these worker counts",
    )
    parser.add_argument("--citizens", type=int, help="wallet citizens (default 100,000)")
    parser.add_argument(
        "--grant-citizens",
        type=int,
        help="citizens for `llr grant` (default 1,000,000; quick 20,000; 0 skips)",
    )
    parser.add_argument("--report", type=Path, help="default bench/reports/run-<time>.json")
    args = parser.parse_args()
    args.seconds = args.seconds or (4.0 if args.quick else 10.0)
    args.citizens = args.citizens or (20_000 if args.quick else 100_000)
    if args.grant_citizens is None:
        args.grant_citizens = 20_000 if args.quick else 1_000_000
    return args


def ceiling(db: Server, clients: int, seconds: int, scale: int) -> dict[str, pgbench.PgbenchResult]:
    url = db.database("bench_pgbench")
    started = time.perf_counter()
    pgbench.initialise(url, scale)
    print(f"pgbench -i -s {scale}: {time.perf_counter() - started:.1f} s", flush=True)
    found = {
        "select-only": pgbench.measure(url, select_only=True, clients=clients, seconds=seconds),
        "tpcb-like": pgbench.measure(url, select_only=False, clients=clients, seconds=seconds),
    }
    for name, result in found.items():
        print(f"pgbench {name}: {result.tps:,.0f} tps, {result.latency_ms:.2f} ms", flush=True)
    return found


def analyze(url: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()

    asyncio.run(run())


def prepare(url: str, settings: Settings, citizens: int, tmp: Path) -> dict[str, object]:
    """Wallet citizens (stored facts, rights granted by `llr grant`), citizens never read yet,
    and one hot citizen."""
    upgrade(url)
    started = time.perf_counter()
    seed_citizens(url, settings, 0, citizens, tmp / "wallet.txt")
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    with analysing(url):
        granted = asyncio.run(
            grant(Settings(database_url=url, db_statement_timeout_ms=0), url, None, None, 5000)
        )
    grant_seconds = time.perf_counter() - started
    # As autovacuum would in time: without statistics after the bulk load, the planner scans
    # all of ledger_legs for a wallet's balances (12 ms instead of 0.09 ms at 20,000 citizens).
    analyze(url)
    seed_citizens(url, settings, citizens, citizens, tmp / "first-read.txt")
    seed_citizens(url, settings, 2 * citizens, 1, tmp / "hot.txt")
    print(
        f"seeded {citizens:,} citizens in {seeded:.1f} s; llr grant: {grant_seconds:.1f} s "
        f"({granted.granted:,} rights)",
        flush=True,
    )
    return {
        "citizens": citizens,
        "seedSeconds": round(seeded, 1),
        "grantSeconds": round(grant_seconds, 1),
        "rightsGranted": granted.granted,
    }


def grant_once(url: str, citizens: int) -> dict[str, object]:
    """bench/bench_grant.py's measurement without its second (idempotent) run, which takes
    longer than the first and is not a target: seed the facts, time ``llr grant``."""
    upgrade(url)
    started = time.perf_counter()
    bench_grant.seed(url, citizens)
    seeded = time.perf_counter() - started
    settings = Settings(database_url=url, db_statement_timeout_ms=0)
    started = time.perf_counter()
    report = asyncio.run(bench_grant.grant(settings, url, None, None, 5000))
    seconds = time.perf_counter() - started
    return {
        "citizens": report.citizens,
        "seedSeconds": round(seeded, 1),
        "grantSeconds": round(seconds, 1),
        "citizensPerSecond": round(report.citizens / seconds),
        "rightsGranted": report.granted,
        "evaluations": report.evaluations,
    }


def citizen_key(ssin: str) -> str:
    from app.domain.identity import CitizenKeyer, parse_ssin

    secret = Settings().citizen_key_secret.get_secret_value().encode()
    return CitizenKeyer(secret).key(parse_ssin(ssin))


def scenarios(
    svc: Service,
    args: argparse.Namespace,
    tmp: Path,
    ceilings: dict[str, pgbench.PgbenchResult],
    postgres_pid: int | None,
) -> list[Row]:
    token, nonce = svc.token(), uuid.uuid4().hex[:8]
    select_only, tpcb = ceilings["select-only"].tps, ceilings["tpcb-like"].tps
    tag = f" ({svc.workers} worker{'s' if svc.workers > 1 else ''})"

    def load(
        scenario: str, seconds: float, ssin_file: str | None = None, extra: tuple[str, ...] = ()
    ) -> Load:
        before = cpu.sample(svc.group, postgres_pid)
        found = run_wrk(
            svc.base,
            scenario,
            token=token,
            nonce=nonce,
            seconds=seconds,
            connections=args.connections,
            ssin_file=tmp / ssin_file if ssin_file else None,
            extra=extra,
        )
        spent = cpu.per_request(
            before, cpu.sample(svc.group, postgres_pid), found.requests, found.seconds
        )
        return dataclasses.replace(found, cpu=spent)

    rows = []
    load("eligibility", 2)  # warm-up: parameter and message caches, pool connections
    found = load("eligibility", args.seconds)
    rows.append(
        Row.of(
            "POST /eligibility (anonymous)" + tag,
            found,
            found.ok("status200"),
            None,
            None,
            "≥ 2,500 req/s",
            found.rate >= 2500,
        )
    )
    if args.only_reads:
        found = load("wallet", args.seconds, "wallet.txt")
        rows.append(
            Row.of(
                "GET /wallet (warm)" + tag,
                found,
                found.ok("status200"),
                select_only,
                "select-only",
                "≥ 5% of select-only",
                found.rate >= 0.05 * select_only,
            )
        )
        return rows
    found = load("transactions", args.seconds, "wallet.txt", ("vov", "1.00", "HOUR"))
    rows.append(
        Row.of(
            "POST /transactions reserve+capture, distinct" + tag,
            found,
            found.ok("reserve201", "capture201"),
            tpcb,
            "tpcb-like",
            "≥ 30% of tpcb-like, p99 < 50 ms",
            found.rate >= 0.3 * tpcb and found.p99_ms < 50,
        )
    )
    found = load("transactions", args.seconds, "hot.txt", ("vov", "0.01", "HOUR"))
    hot_ssin = (tmp / "hot.txt").read_text().strip()
    hot = checks.hot_citizen(
        svc.base, token, hot_ssin, citizen_key(hot_ssin), svc.url, found, args.connections
    )
    rows.append(
        Row.of(
            "POST /transactions reserve+capture, one hot citizen" + tag,
            found,
            found.ok("reserve201", "capture201"),
            tpcb,
            "tpcb-like",
            "balance exact",
            hot["exact"],
            detail=hot,
        )
    )
    found = load("wallet", args.seconds, "first-read.txt")
    rows.append(
        Row.of(
            "GET /wallet (first read: grants)" + tag,
            found,
            found.ok("status200"),
            select_only,
            "select-only",
            None,
            None,
        )
    )
    found = load("wallet", args.seconds, "wallet.txt")
    rows.append(
        Row.of(
            "GET /wallet (warm, with history)" + tag,
            found,
            found.ok("status200"),
            select_only,
            "select-only",
            "≥ 5% of select-only",
            found.rate >= 0.05 * select_only,
        )
    )
    return rows


def main() -> int:
    args = options()
    ensure_wrk()
    started_at = datetime.now(UTC)
    settings = Settings()
    load_before = os.getloadavg()
    # SSIN lists and the development keys live in a folder removed at the end
    with tempfile.TemporaryDirectory(prefix="llr-bench-") as folder, server() as db:
        tmp = Path(folder)
        ceilings = ceiling(db, args.connections, int(args.seconds), 10)
        url = db.database("bench_llr")
        prepared = prepare(url, settings, args.citizens, tmp)
        rows: list[Row] = []
        for workers in [args.workers, *args.compare_workers]:
            args.only_reads = workers != args.workers
            with Service(url, free_port(), workers, tmp / "keys", args.pool_size) as svc:
                rows += scenarios(svc, args, tmp, ceilings, db.postgres_pid)
        ledger = checks.ledger_consistent(url)
        granted = None
        if args.grant_citizens:
            grant_url = db.database("bench_grant")
            with analysing(grant_url):
                granted = grant_once(grant_url, args.grant_citizens)
            rows.append(
                Row.batch(
                    f"llr grant, {args.grant_citizens:,} citizens",
                    granted,
                    "< 120 s" if args.grant_citizens >= 1_000_000 else None,
                )
            )
        server_settings = db.settings()
    print_table(rows, ceilings)
    report = {
        "startedAt": started_at.isoformat(),
        "finishedAt": datetime.now(UTC).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "loadAverageBefore": load_before,
            "loadAverageAfter": os.getloadavg(),
            "postgres": server_settings,
            "embedded": db.embedded,
        },
        "options": {k: v for k, v in vars(args).items() if k != "report"} | {"report": None},
        "pgbench": {
            name: {"tps": r.tps, "latencyMs": r.latency_ms} for name, r in ceilings.items()
        },
        "preparation": prepared,
        "ledgerConsistent": ledger,
        "grant": granted,
        "scenarios": [row.as_json() for row in rows],
    }
    path = args.report or Path(f"bench/reports/run-{started_at:%Y%m%dT%H%M%SZ}.json")
    write_report(path, report)
    print(f"\nreport: {path}")
    return 0 if ledger["consistent"] else 1


if __name__ == "__main__":
    sys.exit(main())
