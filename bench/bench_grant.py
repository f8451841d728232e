"""``llr grant`` for N citizens with stored facts (default 1,000,000): seeds the facts in
PostgreSQL, runs the batch grant, prints the time and the rate, and a second (idempotent) run.

    .venv/bin/python bench/bench_grant.py [--citizens 1000000] [--batch-size 5000]

Without DATABASE_URL it starts a throw-away embedded PostgreSQL (durable settings: fsync and
synchronous commit on, as deployed), so nothing else is touched."""

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands.ledger import grant
from app.embedded_pg import EmbeddedPostgres, ensure_database
from app.migrate import upgrade
from app.settings import Settings
from bench.seed import seed


def run(url: str, citizens: int, batch_size: int) -> dict[str, object]:
    upgrade(url)
    started = time.perf_counter()
    seed(url, citizens)
    seeded = time.perf_counter() - started
    settings = Settings(database_url=url, db_statement_timeout_ms=0)
    started = time.perf_counter()
    report = asyncio.run(grant(settings, url, None, None, batch_size))
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = asyncio.run(grant(settings, url, None, None, batch_size))
    second = time.perf_counter() - started
    return {
        "citizens": report.citizens,
        "seedSeconds": round(seeded, 1),
        "grantSeconds": round(first, 1),
        "citizensPerSecond": round(report.citizens / first),
        "rightsGranted": report.granted,
        "evaluations": report.evaluations,
        "rerunSeconds": round(second, 1),
        "rerunGranted": again.granted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--report", default="bench/reports/grant.json")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if url:
        result = run(url, args.citizens, args.batch_size)
    else:
        with tempfile.TemporaryDirectory(prefix="llr-bench-") as tmp:
            server = EmbeddedPostgres(Path(tmp) / "data").start()
            try:
                ensure_database(server.url(), "llr")
                result = run(server.url("llr"), args.citizens, args.batch_size)
            finally:
                server.stop()
    print(
        "\n| citizens | seed s | grant s | citizens/s | rights granted | evaluations "
        "| rerun s | rerun granted |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        "| {citizens} | {seedSeconds} | {grantSeconds} | {citizensPerSecond} | {rightsGranted} "
        "| {evaluations} | {rerunSeconds} | {rerunGranted} |".format(**result)
    )
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
